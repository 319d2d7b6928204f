"""A unit's class and outcome read from its events: route bodies made by the real grading engine and
checked against the event schemas, the packaged class mapping, and figures from the packaged tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.core import events as ev
from app.core import events_grading as gev
from app.core.device_classes import ClassEvidence, load_class_mapping, parse_class_mapping
from app.core.grading import GradingInputs, evaluate, load_price_table, load_ruleset, route
from app.core.sustainability import (
    DeviceClass,
    FactorTableError,
    FigureStatus,
    Outcome,
    load_factor_tables,
    unit_figure,
)
from app.core.sustainability_inputs import UnitEvent, class_evidence, harvestable_parts, unit_outcome
from tests.core.grading.support import PRICES, RULESETS, varied

MAPPING = load_class_mapping()
TABLES = load_factor_tables()
RULESET = load_ruleset(RULESETS / "phones-ctia-r2-v1.toml")
PRICE_TABLE = load_price_table(PRICES / "phones-eu-v1.toml")


@pytest.mark.parametrize(("evidence", "expected"), [
    (ClassEvidence(model="iPhone 13"), DeviceClass.SMARTPHONE),
    (ClassEvidence(model="Pixel Tablet"), DeviceClass.TABLET),          # the longer prefix wins over "Pixel"
    (ClassEvidence(model="Pixel 7"), DeviceClass.SMARTPHONE),
    (ClassEvidence(model="ThinkPad T14"), DeviceClass.LAPTOP),
    (ClassEvidence(model="OptiPlex 7090"), DeviceClass.DESKTOP),
    (ClassEvidence(ios_product_type="iPad13,1"), DeviceClass.TABLET),
    (ClassEvidence(model="WDC WD10EZEX", erasure_media="magnetic"), DeviceClass.HDD),
    (ClassEvidence(model="Samsung SSD 870", erasure_media="flash"), DeviceClass.SSD),
    (ClassEvidence(model="iPhone 13", ios_product_type="iPhone14,5"), DeviceClass.SMARTPHONE),
])
def test_the_class_comes_from_a_named_rule(evidence: ClassEvidence, expected: DeviceClass) -> None:
    assert MAPPING.classify(evidence).device_class is expected


@pytest.mark.parametrize(("evidence", "basis"), [
    (ClassEvidence(model="Galaxy Note 9"), "no class rule matches model 'Galaxy Note 9'"),
    (ClassEvidence(rig_device_class="laptop-charger"), "no class rule matches rig device class 'laptop-charger'"),
    (ClassEvidence(erasure_media="virtual (file-backed loop device)"), "no class rule matches erasure media"),
    (ClassEvidence(), "no class rule matches (nothing recorded)"),
    (ClassEvidence(model="MacBook Air", erasure_media="flash"),
     "conflicting evidence: erased as flash media -> ssd; model 'MacBook Air' starts with 'MacBook' -> laptop"),
])
def test_no_rule_or_disagreeing_rules_give_no_class(evidence: ClassEvidence, basis: str) -> None:
    found = MAPPING.classify(evidence)
    assert found.device_class is None
    assert found.basis.startswith(basis)


def test_a_malformed_class_mapping_names_the_file_and_the_key(tmp_path: Path) -> None:
    with pytest.raises(FactorTableError, match=r"classes\.toml: model_prefix\.Nokia: 'feature-phone' is not"):
        parse_class_mapping('[mapping]\nversion = 1\n[model_prefix]\nNokia = "feature-phone"\n', "classes.toml")
    with pytest.raises(FactorTableError, match=r"classes\.toml: mapping\.version"):
        parse_class_mapping("[model_prefix]\n", "classes.toml")
    with pytest.raises(FactorTableError, match="cannot be read"):
        load_class_mapping(tmp_path / "absent.toml")


def _route_event(case: dict[str, Any], at: str) -> UnitEvent:
    """A route.assigned body exactly as the bench records it, from the real grading engine."""
    chosen = route(evaluate(GradingInputs.from_dict(varied(case)), RULESET), RULESET, PRICE_TABLE)
    body = {k: v for k, v in chosen.to_dict().items() if v is not None}  # the service leaves out empty optionals
    body.update(route_id="R-1", grade_id="G-1")
    body["repairs"] = [{**r, "task_id": f"T-{i}"} for i, r in enumerate(body["repairs"])]
    body["parts"] = [{**p, "part_id": f"P-{i}"} for i, p in enumerate(body["parts"])]
    ev.schema_for(gev.ROUTE_ASSIGNED).validate(body, "U1", "O1")
    return UnitEvent(gev.ROUTE_ASSIGNED, at, body)


def _grade_event(weight_g: object, at: str) -> UnitEvent:
    return UnitEvent(gev.GRADE_ASSIGNED, at, {"inputs": {"device": {"model": "iPhone 13", "weight_g": weight_g}}})


def test_a_repaired_iphone_from_its_events() -> None:
    events = [_route_event({"battery": {"health_pct": 71}}, "2026-03-02T10:00:00.000Z"),
              _grade_event("171.5", "2026-03-02T09:59:00.000Z")]
    unit = unit_outcome("U1", "iPhone 13", events, MAPPING)
    assert unit is not None
    assert (unit.device_class, unit.outcome, unit.decided_on) == (
        DeviceClass.SMARTPHONE, Outcome.REPAIR, dt.date(2026, 3, 2))
    assert (unit.parts_replaced, unit.measured_mass_kg) == (("battery",), Decimal("0.1715"))
    figure = unit_figure(unit, TABLES)
    assert (figure.co2e_avoided_kg, figure.ewaste_diverted_kg, figure.device_years) == (
        Decimal("79.95"), Decimal("0.1715"), Decimal(2))
    assert figure.parts_not_subtracted == ("battery",)


def test_a_locked_iphone_harvested_for_parts_counts_its_parts() -> None:
    events = [_route_event({"locks": {"activation": True}}, "2025-11-20T08:00:00.000Z")]
    harvestable = harvestable_parts(PRICE_TABLE, "iPhone 13")
    unit = unit_outcome("U1", "iPhone 13", events, MAPPING, parts_harvestable=harvestable)
    assert unit is not None
    assert unit.outcome is Outcome.PARTS
    assert harvestable is not None
    assert 0 < unit.parts_harvested <= harvestable
    assert unit.parts_harvestable == harvestable
    figure = unit_figure(unit, TABLES)
    assert (figure.factor_version, figure.co2e_avoided_kg) == ("2025.1", Decimal(0))


def test_an_override_decides_the_outcome_and_the_day() -> None:
    events = [
        _route_event({}, "2025-12-31T16:00:00.000Z"),
        UnitEvent(gev.ROUTE_OVERRIDDEN, "2026-01-05T09:00:00.000Z",
                  {"route_id": "R-1", "from": "resale", "to": "recycle", "reason": "water damage found",
                   "repairs": [], "parts": [], "ships_with_battery": False}),
    ]
    unit = unit_outcome("U1", "iPhone 13", events, MAPPING)
    assert unit is not None
    assert (unit.outcome, unit.decided_on) == (Outcome.RECYCLE, dt.date(2026, 1, 5))


def test_class_evidence_from_rig_erasure_and_phone_events() -> None:
    events = [
        UnitEvent("rig.test_started", "2026-01-01T00:00:00Z", {"device_class": "set-top-box"}),
        UnitEvent(ev.ERASURE_COMPLETED, "2026-01-01T00:01:00Z", {"device": {"media_type": "magnetic"}}),
        UnitEvent("phone.identified", "2026-01-01T00:02:00Z",
                  {"platform": "ios", "identity": {"product_type": "iPad13,1"}}),
    ]
    assert class_evidence("X", events) == ClassEvidence("X", "set-top-box", "magnetic", "iPad13,1")


def test_a_unit_without_a_route_has_no_outcome_yet_and_an_unknown_one_no_figure() -> None:
    assert unit_outcome("U1", "iPhone 13", [_grade_event(174, "2026-01-01T00:00:00Z")], MAPPING) is None
    unit = unit_outcome("U2", "Galaxy Note 9", [_route_event({}, "2026-02-01T00:00:00Z")], MAPPING)
    assert unit is not None
    assert unit.device_class is None
    figure = unit_figure(unit, TABLES)
    assert (figure.status, figure.co2e_avoided_kg) == (FigureStatus.UNKNOWN_CLASS, None)
    assert figure.basis == ("no class rule matches model 'Galaxy Note 9'",)
