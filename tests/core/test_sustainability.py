"""Golden sustainability figures from the packaged factor tables, computed by hand beside each case.

Table 2025.1 (from 2025-01-01): smartphone 27 kg per reused unit (TU Berlin), no tablet factor.
Table 2026.1 (from 2026-01-01): smartphone 87.3 - 7.35 = 79.95 kg (ADEME), tablet 141 x 0.78 = 109.98 kg.
Both: laptop 69, desktop 109, monitor 41 kg (TU Berlin); s = 1.0; second life phone 2 y, computers 3 y;
typical masses 0.15 / 0.3 / 1.2 / 5 / 3 kg; drives have no published factor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.carbon_factors import load_factor_table, load_factor_tables
from app.core.sustainability import (
    DeviceClass,
    FactorTableError,
    FigureStatus,
    Outcome,
    UnitFigure,
    UnitOutcome,
    compute,
    date_of,
    disclosure,
    outcome_for_route,
    summarise,
    unit_figure,
)

TABLES = load_factor_tables()
IN_2025 = dt.date(2025, 6, 1)
IN_2026 = dt.date(2026, 6, 1)
D = Decimal


def _unit(device_class: DeviceClass | None, outcome: Outcome = Outcome.REUSE, on: dt.date = IN_2026,
          unit_id: str = "U1", **extra: object) -> UnitOutcome:
    return UnitOutcome(unit_id=unit_id, device_class=device_class, outcome=outcome, decided_on=on,
                       **extra)  # type: ignore[arg-type]


def _figures(figure: UnitFigure) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    return figure.co2e_avoided_kg, figure.ewaste_diverted_kg, figure.device_years


def test_packaged_tables_are_2025_1_then_2026_1() -> None:
    assert [(t.version, t.effective_from) for t in TABLES] == [
        ("2025.1", dt.date(2025, 1, 1)), ("2026.1", dt.date(2026, 1, 1))]
    smartphone = TABLES[1].classes[DeviceClass.SMARTPHONE]
    assert [s.url for s in smartphone.co2e_sources] == ["https://hubblo.org/en/realisations/ademe-reconditionne"]
    assert smartphone.co2e_sources[0].year == 2022


@pytest.mark.parametrize(("device_class", "expected"), [
    (DeviceClass.SMARTPHONE, (D("79.95"), D("0.15"), D(2))),     # 87.3 - 7.35; typical 0.15 kg; 2 y
    (DeviceClass.TABLET, (D("109.98"), D("0.3"), None)),         # 141 x 0.78; no published second life
    (DeviceClass.LAPTOP, (D(69), D("1.2"), D(3))),
    (DeviceClass.DESKTOP, (D(109), D(5), D(3))),
    (DeviceClass.MONITOR, (D(41), D(3), None)),
    (DeviceClass.HDD, (None, None, None)),                       # no published factor, no mass known
    (DeviceClass.SSD, (None, None, None)),
])
def test_one_reused_unit_per_class_with_table_2026_1(
        device_class: DeviceClass, expected: tuple[Decimal | None, ...]) -> None:
    figure = unit_figure(_unit(device_class), TABLES)
    assert figure.status is FigureStatus.COMPUTED
    assert (figure.factor_version, figure.table_digest) == ("2026.1", TABLES[1].digest)
    assert _figures(figure) == expected


@pytest.mark.parametrize(("device_class", "expected"), [
    (DeviceClass.SMARTPHONE, (D(27), D("0.15"), D(2))),
    (DeviceClass.TABLET, (None, D("0.3"), None)),                # 2025.1 adopted no tablet factor
    (DeviceClass.LAPTOP, (D(69), D("1.2"), D(3))),
])
def test_the_same_units_in_2025_use_table_2025_1(
        device_class: DeviceClass, expected: tuple[Decimal | None, ...]) -> None:
    figure = unit_figure(_unit(device_class, on=IN_2025), TABLES)
    assert figure.factor_version == "2025.1"
    assert _figures(figure) == expected


def test_a_measured_mass_wins_over_the_typical_one() -> None:
    phone = unit_figure(_unit(DeviceClass.SMARTPHONE, measured_mass_kg=D("0.174")), TABLES)
    drive = unit_figure(_unit(DeviceClass.HDD, measured_mass_kg=D("0.62")), TABLES)
    assert (phone.ewaste_diverted_kg, phone.mass_measured) == (D("0.174"), True)
    assert _figures(drive) == (None, D("0.62"), None)  # diverted by weight, still no CO2e factor
    assert "mass measured: 0.174 kg" in phone.basis


def test_a_repaired_phone_names_the_replaced_parts_that_have_no_published_factor() -> None:
    figure = unit_figure(_unit(DeviceClass.SMARTPHONE, Outcome.REPAIR, parts_replaced=("battery", "display")),
                         TABLES)
    assert _figures(figure) == (D("79.95"), D("0.15"), D(2))
    assert figure.parts_not_subtracted == ("battery", "display")
    assert figure.parts_subtracted == ()
    assert "replaced without a published factor, not subtracted: battery, display" in figure.basis


@pytest.mark.parametrize("outcome", [Outcome.PARTS, Outcome.RECYCLE])
def test_units_not_reused_avoid_nothing_by_the_method(outcome: Outcome) -> None:
    figure = unit_figure(_unit(DeviceClass.LAPTOP, outcome, measured_mass_kg=D("1.9")), TABLES)
    assert figure.status is FigureStatus.COMPUTED
    assert _figures(figure) == (D(0), D(0), D(0))


def test_a_unit_of_unknown_class_gets_no_figure_and_is_counted() -> None:
    summary = compute([_unit(None, unit_id="U1", class_basis="no class rule matches model 'Galaxy Note 9'"),
                       _unit(DeviceClass.LAPTOP, unit_id="U2")], TABLES)
    unknown = summary.figures[0]
    assert unknown.status is FigureStatus.UNKNOWN_CLASS
    assert (unknown.factor_version, *_figures(unknown)) == (None, None, None, None)
    assert unknown.basis == ("no class rule matches model 'Galaxy Note 9'",)
    assert (summary.units, summary.unknown_class) == (2, 1)
    assert (summary.co2e_avoided_kg, summary.ewaste_diverted_kg, summary.device_years) == (D(69), D("1.2"), D(3))


def test_a_unit_decided_before_the_first_table_is_counted_apart() -> None:
    summary = compute([_unit(DeviceClass.SMARTPHONE, on=dt.date(2024, 12, 31))], TABLES)
    assert (summary.no_table, summary.by_version, summary.co2e_avoided_kg) == (1, (), D(0))
    assert summary.figures[0].basis == ("no carbon factor table in force on 2024-12-31",)


def _lot(on: dt.date, prefix: str) -> list[UnitOutcome]:
    return [
        _unit(DeviceClass.SMARTPHONE, on=on, unit_id=f"{prefix}-phone"),
        _unit(DeviceClass.SMARTPHONE, Outcome.REPAIR, on=on, unit_id=f"{prefix}-repaired",
              parts_replaced=("battery",), measured_mass_kg=D("0.2")),
        _unit(DeviceClass.TABLET, on=on, unit_id=f"{prefix}-tablet"),
        _unit(DeviceClass.LAPTOP, Outcome.PARTS, on=on, unit_id=f"{prefix}-donor", parts_harvested=4,
              parts_harvestable=6),
        _unit(DeviceClass.MONITOR, Outcome.RECYCLE, on=on, unit_id=f"{prefix}-scrap"),
        _unit(None, on=on, unit_id=f"{prefix}-charger"),
    ]


def test_a_period_spanning_the_table_change_sums_per_version() -> None:
    last_year = _lot(dt.date(2025, 12, 30), "A")
    this_year = _lot(dt.date(2026, 1, 2), "B")
    summary = compute(last_year + this_year, TABLES)
    old, new = summary.by_version
    # 2025.1: phones 27 + 27, tablet no factor, donor and scrap 0; masses 0.15 + 0.2 + 0.3; years 2 + 2
    assert (old.factor_version, old.units, old.units_reused) == ("2025.1", 5, 3)
    assert (old.co2e_avoided_kg, old.ewaste_diverted_kg, old.device_years) == (D(54), D("0.65"), D(4))
    assert (old.units_without_co2e, old.units_without_mass, old.units_without_years) == (1, 0, 1)
    # 2026.1: phones 79.95 + 79.95, tablet 109.98
    assert (new.factor_version, new.units) == ("2026.1", 5)
    assert (new.co2e_avoided_kg, new.ewaste_diverted_kg, new.device_years) == (D("269.88"), D("0.65"), D(4))
    assert new.units_without_co2e == 0
    assert (summary.co2e_avoided_kg, summary.ewaste_diverted_kg, summary.device_years) == (
        D("323.88"), D("1.30"), D(8))
    # the two chargers of unknown class were resold: reused, but without a figure
    assert (summary.units, summary.unknown_class, summary.units_reused) == (12, 2, 8)
    assert summary.by_outcome == {Outcome.REUSE: 6, Outcome.REPAIR: 2, Outcome.PARTS: 2, Outcome.RECYCLE: 2}
    assert summary.reuse_rate == D(8) / D(12)
    assert (summary.parts_harvested, summary.parts_harvestable) == (8, 12)
    assert summary.parts_reuse_rate == D(8) / D(12)


def test_last_years_report_reproduces_after_the_change() -> None:
    """2025's lot gives the same totals computed alone, and mixed with 2026's units, as the old sub-total."""
    last_year = _lot(dt.date(2025, 12, 30), "A")
    alone = compute(last_year, TABLES)
    mixed = compute(last_year + _lot(dt.date(2026, 1, 2), "B"), TABLES)
    assert alone.by_version == mixed.by_version[:1]
    assert [f.to_record() for f in alone.figures] == [f.to_record() for f in mixed.figures[:6]]


def test_a_figure_pinned_to_an_older_version_keeps_it() -> None:
    """A unit whose figure was recorded with 2025.1 keeps 27 kg even when recomputed in 2026."""
    pinned = unit_figure(_unit(DeviceClass.SMARTPHONE, on=dt.date(2026, 2, 1), factor_version="2025.1"), TABLES)
    assert (pinned.factor_version, pinned.co2e_avoided_kg) == ("2025.1", D(27))
    with pytest.raises(FactorTableError, match=r"2019\.9, which is not installed"):
        unit_figure(_unit(DeviceClass.SMARTPHONE, factor_version="2019.9"), TABLES)


def test_figures_from_an_edited_table_with_the_same_version_are_refused(tmp_path: Path) -> None:
    name = TABLES[1].source_name
    text = (Path(__file__).resolve().parents[2] / "resources" / "carbon" / name).read_text()
    (tmp_path / name).write_text(text.replace("avoided_kg_co2e = 69", "avoided_kg_co2e = 96"))
    other = load_factor_tables(tmp_path)
    before = unit_figure(_unit(DeviceClass.LAPTOP), TABLES)
    after = unit_figure(_unit(DeviceClass.LAPTOP, unit_id="U2"), other)
    assert (before.factor_version, after.factor_version) == ("2026.1", "2026.1")
    with pytest.raises(FactorTableError, match=r"2026\.1 come from different files"):
        summarise([before, after])


def test_part_factors_and_the_substitution_rate_enter_the_formula(tmp_path: Path) -> None:
    """A table (test data, not a published figure) with s = 0.5 and a 5 kg battery: 0.5 x (90 - 5) = 42.5."""
    (tmp_path / "carbon-test.1.toml").write_text("""
[table]
version = "test.1"
effective_from = 2026-01-01
substitution_rate = 0.5
[source.lab]
title = "test data"
url = "https://example.org/test"
[class.smartphone]
method = "substitution"
new_kg_co2e = 100
refurb_kg_co2e = 10
co2e_source = "lab"
[part.battery]
kg_co2e = 5
source = "lab"
""")
    tables = load_factor_tables(tmp_path)
    figure = unit_figure(_unit(DeviceClass.SMARTPHONE, Outcome.REPAIR, parts_replaced=("battery", "back")), tables)
    assert figure.co2e_avoided_kg == D("42.5")
    assert figure.parts_subtracted == (("battery", D(5)),)
    assert figure.parts_not_subtracted == ("back",)
    assert (figure.ewaste_diverted_kg, figure.device_years) == (None, None)


def test_a_figure_record_holds_no_floats() -> None:
    record = unit_figure(_unit(DeviceClass.TABLET), TABLES).to_record()
    assert record["co2e_avoided_kg"] == "109.98"
    assert record["factor_version"] == "2026.1"
    assert not [k for k, v in record.items() if isinstance(v, float)]


def test_routes_and_event_times_map_to_outcomes_and_days() -> None:
    assert [outcome_for_route(r) for r in ("resale", "repair", "parts_harvest", "recycle")] == list(Outcome)
    assert date_of("2025-12-31T23:30:00.000Z") == dt.date(2025, 12, 31)
    assert date_of("2026-01-01T00:30:00+02:00") == dt.date(2025, 12, 31)  # the UTC day decides
    with pytest.raises(ValueError, match="unknown route 'donate'"):
        outcome_for_route("donate")


_GOOD = """
[table]
version = "x.1"
effective_from = 2026-01-01
substitution_rate = 1.0
[source.ademe]
title = "ADEME"
year = 2022
url = "https://hubblo.org/en/realisations/ademe-reconditionne"
[class.smartphone]
method = "substitution"
new_kg_co2e = 87.3
refurb_kg_co2e = 7.35
co2e_source = "ademe"
second_life_years = 2
life_source = "ademe"
"""


@pytest.mark.parametrize(("old", "new", "message"), [
    ('version = "x.1"', "version = ", r"bad\.toml: not valid TOML"),
    ("effective_from = 2026-01-01", 'effective_from = "soon"', r"bad\.toml: table\.effective_from: must be a date"),
    ("substitution_rate = 1.0", "substitution_rate = 1.5", r"table\.substitution_rate: must be between 0 and 1"),
    ("substitution_rate = 1.0\n", "", r"table\.substitution_rate: missing"),
    ("[class.smartphone]", "[class.phablet]", r"class\.phablet: unknown device class"),
    ('method = "substitution"', 'method = "guess"', r"class\.smartphone\.method: must be one of"),
    ("refurb_kg_co2e = 7.35\n", "", r"class\.smartphone\.refurb_kg_co2e: missing \(method substitution"),
    ("new_kg_co2e = 87.3", 'new_kg_co2e = "87.3"', r"class\.smartphone\.new_kg_co2e: must be a number"),
    ("new_kg_co2e = 87.3", "new_kg_co2e = -87.3", r"class\.smartphone\.new_kg_co2e: must be 0 or more"),
    ("refurb_kg_co2e = 7.35", "refurb_kg_co2e = 97.35", r"refurb_kg_co2e: is larger than new_kg_co2e"),
    ('co2e_source = "ademe"', 'co2e_source = "blog"', r"co2e_source: names source 'blog', which no \[source\.blog\]"),
    ('life_source = "ademe"\n', "", r"class\.smartphone\.life_source: missing: a second-life length needs its source"),
    ("second_life_years = 2", "second_life_yaers = 2", r"class\.smartphone\.second_life_yaers: unknown key"),
    ('url = "https://hubblo', 'url = "hubblo', r"source\.ademe\.url: must be a web address"),
    ("year = 2022", "year = 22", r"source\.ademe\.year: must be a year"),
    ("[class.smartphone]", "[klass.smartphone]", r"bad\.toml: class: missing"),
])
def test_a_malformed_table_is_refused_naming_the_file_and_the_key(
        tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in _GOOD
    (tmp_path / "carbon-bad.toml").write_text(_GOOD)
    assert load_factor_tables(tmp_path)[0].version == "x.1"  # the good table loads
    (tmp_path / "carbon-bad.toml").unlink()
    path = tmp_path / "bad.toml"
    path.write_text(_GOOD.replace(old, new, 1))
    with pytest.raises(FactorTableError, match=message) as caught:
        load_factor_table(path)
    assert caught.value.hint  # the operator is told what to do


def test_two_tables_with_one_version_and_an_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FactorTableError, match="No carbon factor table"):
        load_factor_tables(tmp_path)
    (tmp_path / "carbon-a.toml").write_text(_GOOD)
    (tmp_path / "carbon-b.toml").write_text(_GOOD.replace("2026-01-01", "2027-01-01"))
    with pytest.raises(FactorTableError, match=r"carbon-a\.toml and carbon-b\.toml share a version"):
        load_factor_tables(tmp_path)


def test_the_disclosure_states_each_factor_with_its_source() -> None:
    lines = disclosure(TABLES[1])
    assert lines[0].startswith("Carbon factor table 2026.1 (in force from 2026-01-01, SHA-256 ")
    assert ("smartphone: 87.3 new - 7.35 refurbished = 79.95 kg CO2e avoided per reused unit [ademe-2022]; "
            "second life 2 years [ademe-2022]; typical mass 0.15 kg.") in lines
    assert ("tablet: 141 new x 0.78 saving = 109.98 kg CO2e avoided per reused unit "
            "[fraunhofer-umsicht, refurbed-fraunhofer-austria]; no published second-life length; "
            "typical mass 0.3 kg.") in lines
    assert any(line.startswith("hdd: no CO2e figure (no published factor") for line in lines)
    assert ("[ademe-2022] ADEME (DDemain, Hubblo, LCIE Bureau Veritas): environmental impact of refurbished "
            "devices, final report (2022), https://hubblo.org/en/realisations/ademe-reconditionne") in lines


def test_version_sub_totals_come_in_version_order() -> None:
    figures = [UnitFigure(f"U{v}", DeviceClass.LAPTOP, Outcome.REUSE, FigureStatus.COMPUTED, v, f"digest-{v}", D(69),
                          D("1.2"), D(3)) for v in ("2026.10", "2026.2", "2025.1")]
    assert summarise(figures).factor_versions == ("2025.1", "2026.2", "2026.10")


@pytest.mark.parametrize(("day", "version", "co2e"), [
    (dt.date(2025, 1, 1), "2025.1", D(27)),        # the first table's first day
    (dt.date(2025, 12, 31), "2025.1", D(27)),
    (dt.date(2026, 1, 1), "2026.1", D("79.95")),   # the new table applies from its effective_from day
])
def test_the_table_in_force_changes_on_its_effective_day(day: dt.date, version: str, co2e: Decimal) -> None:
    figure = unit_figure(_unit(DeviceClass.SMARTPHONE, on=day), TABLES)
    assert (figure.factor_version, figure.co2e_avoided_kg) == (version, co2e)
