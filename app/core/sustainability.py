"""Sustainability figures per unit and per lot or period: CO2e avoided, e-waste diverted, device-years
added and the parts reuse rate, each computed with a versioned factor table and carrying its version.

Method (domain.md 9.2, the substitution method), for a unit that leaves for reuse (resold as it is,
or repaired then resold):

* CO2e avoided = s x (gross avoided per unit of its class - footprint of each replaced part that has a
  published factor). Replaced parts without a factor are named on the figure, not silently ignored.
* e-waste diverted = its measured mass, else the class's typical mass.
* device-years added = the class's expected second-life years.

A unit harvested for parts or recycled avoids no new manufacture and is not diverted whole, so its
three figures are 0 by the method (harvested part masses are not recorded). A figure the table has no
published factor for is ``None`` and counted as missing, never 0. A unit of unknown class, or decided
before the first table, gets no figure and is counted as such.

The table is the one in force on the day the unit's outcome was decided (or the version pinned on a
figure recorded earlier), so a report over a period that spans a table change sums per version and
last year's report reproduces with last year's table.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.core.carbon_factors import (
    CARBON_DIR,
    ClassFactors,
    Co2eMethod,
    DeviceClass,
    FactorTable,
    FactorTableError,
    load_factor_tables,
    table_by_version,
    table_in_force,
)
from app.core.device_classes import ClassEvidence, Classification, ClassMapping, load_class_mapping

__all__ = [
    "CARBON_DIR", "ClassEvidence", "ClassMapping", "Classification", "DeviceClass", "FactorTable",
    "FactorTableError", "FigureStatus", "Outcome", "SustainabilitySummary", "UnitFigure", "UnitOutcome",
    "VersionTotals", "compute", "date_of", "disclosure", "load_class_mapping", "load_factor_tables",
    "outcome_for_route", "summarise", "unit_figure",
]

ZERO = Decimal(0)


class Outcome(enum.StrEnum):
    REUSE = "reuse"        # resold (or donated) as it is
    REPAIR = "repair"      # repaired, then resold
    PARTS = "parts"        # harvested for parts
    RECYCLE = "recycle"

    @property
    def reused(self) -> bool:
        return self in (Outcome.REUSE, Outcome.REPAIR)


_ROUTES = {"resale": Outcome.REUSE, "repair": Outcome.REPAIR, "parts_harvest": Outcome.PARTS,
           "recycle": Outcome.RECYCLE}


def outcome_for_route(route: str) -> Outcome:
    """The outcome of a ``route.assigned`` / ``route.overridden`` route name."""
    try:
        return _ROUTES[route]
    except KeyError:
        raise ValueError(f"unknown route {route!r} (known: {', '.join(_ROUTES)})") from None


def date_of(occurred_at: str) -> dt.date:
    """The UTC day of an event time such as ``2026-03-04T10:00:00.123Z``."""
    moment = dt.datetime.fromisoformat(occurred_at.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


@dataclass(frozen=True)
class UnitOutcome:
    """What one unit's figure is computed from; the report writer fills it from the unit's events."""

    unit_id: str
    device_class: DeviceClass | None       # None: unknown class (see device_classes.ClassMapping)
    outcome: Outcome
    decided_on: dt.date                    # the day its route was assigned: selects the table
    parts_replaced: tuple[str, ...] = ()   # repair parts fitted (route.assigned repairs[].part)
    measured_mass_kg: Decimal | None = None
    parts_harvested: int = 0               # parts recovered for reuse (route.assigned parts[])
    parts_harvestable: int | None = None   # parts the model could give (price table), None: not known
    factor_version: str | None = None      # a version recorded with an earlier figure: keep it
    class_basis: str = ""                  # why it has that class, for the audit trail


class FigureStatus(enum.StrEnum):
    COMPUTED = "computed"
    UNKNOWN_CLASS = "unknown_class"
    NO_TABLE = "no_table"                  # decided before the first table took effect


@dataclass(frozen=True)
class UnitFigure:
    """One unit's figures, the table version and digest they were computed with, and how."""

    unit_id: str
    device_class: DeviceClass | None
    outcome: Outcome
    status: FigureStatus
    factor_version: str | None = None
    table_digest: str | None = None
    co2e_avoided_kg: Decimal | None = None
    ewaste_diverted_kg: Decimal | None = None
    device_years: Decimal | None = None
    mass_measured: bool = False
    parts_subtracted: tuple[tuple[str, Decimal], ...] = ()
    parts_not_subtracted: tuple[str, ...] = ()   # replaced parts with no published factor
    parts_harvested: int = 0
    parts_harvestable: int | None = None
    basis: tuple[str, ...] = ()

    def to_record(self) -> dict[str, Any]:
        """JSON-ready, decimals as strings (event bodies hold no floats), for an event or a report."""
        def text(value: Decimal | None) -> str | None:
            return None if value is None else _plain(value)
        return {
            "unit_id": self.unit_id, "device_class": self.device_class.value if self.device_class else None,
            "outcome": self.outcome.value, "status": self.status.value, "factor_version": self.factor_version,
            "table_digest": self.table_digest, "co2e_avoided_kg": text(self.co2e_avoided_kg),
            "ewaste_diverted_kg": text(self.ewaste_diverted_kg), "device_years": text(self.device_years),
            "mass_measured": self.mass_measured,
            "parts_subtracted": [{"part": p, "kg_co2e": _plain(kg)} for p, kg in self.parts_subtracted],
            "parts_not_subtracted": list(self.parts_not_subtracted), "parts_harvested": self.parts_harvested,
            "parts_harvestable": self.parts_harvestable, "basis": list(self.basis),
        }


def _plain(value: Decimal) -> str:
    """``109.98`` for 141 x 0.78 (not ``109.980``), ``100`` not ``1E+2``: the same number always reads the same."""
    return format(value.normalize(), "f")


def _select(unit: UnitOutcome, tables: Sequence[FactorTable]) -> FactorTable | None:
    if unit.factor_version is None:
        return table_in_force(tables, unit.decided_on)
    table = table_by_version(tables, unit.factor_version)
    if table is None:
        raise FactorTableError(f"Unit {unit.unit_id}'s figure was computed with carbon factor table "
                               f"{unit.factor_version}, which is not installed",
                               hint="Restore that table's file into resources/carbon/ (tables are never removed)")
    return table


def unit_figure(unit: UnitOutcome, tables: Sequence[FactorTable]) -> UnitFigure:
    """One unit's figures with the table in force on ``unit.decided_on`` (or its pinned version)."""
    common: dict[str, Any] = {"unit_id": unit.unit_id, "device_class": unit.device_class, "outcome": unit.outcome,
                              "parts_harvested": unit.parts_harvested, "parts_harvestable": unit.parts_harvestable}
    if unit.device_class is None:
        return UnitFigure(status=FigureStatus.UNKNOWN_CLASS, basis=(unit.class_basis or "device class unknown",),
                          **common)
    table = _select(unit, tables)
    if table is None:
        return UnitFigure(status=FigureStatus.NO_TABLE,
                          basis=(f"no carbon factor table in force on {unit.decided_on.isoformat()}",), **common)
    common.update(status=FigureStatus.COMPUTED, factor_version=table.version, table_digest=table.digest)
    basis = [f"table {table.version} ({table.source_name})"] + ([unit.class_basis] if unit.class_basis else [])
    if not unit.outcome.reused:
        basis.append(f"{unit.outcome.value}: no reuse, so nothing avoided or diverted by the substitution method")
        return UnitFigure(co2e_avoided_kg=ZERO, ewaste_diverted_kg=ZERO, device_years=ZERO, basis=tuple(basis),
                          **common)
    factors = table.factors(unit.device_class)
    if factors is None:
        basis.append(f"table {table.version} has no entry for {unit.device_class.value}")
        return UnitFigure(basis=tuple(basis), **common)
    co2e, subtracted, not_subtracted = _co2e(unit, table, factors, basis)
    mass = unit.measured_mass_kg if unit.measured_mass_kg is not None else factors.typical_mass_kg
    if unit.measured_mass_kg is not None:
        basis.append(f"mass measured: {unit.measured_mass_kg} kg")
    elif mass is not None:
        basis.append(f"mass typical for {unit.device_class.value}: {mass} kg")
    else:
        basis.append("no measured or typical mass: no e-waste figure")
    years = factors.second_life_years
    if years is not None and factors.life_source is not None:
        basis.append(f"second life {years} years ({factors.life_source.key})")
    else:
        basis.append(f"no published second-life length for {unit.device_class.value}: no device-years figure")
    return UnitFigure(co2e_avoided_kg=co2e, ewaste_diverted_kg=mass, device_years=years,
                      mass_measured=unit.measured_mass_kg is not None, parts_subtracted=subtracted,
                      parts_not_subtracted=not_subtracted, basis=tuple(basis), **common)


def _co2e(unit: UnitOutcome, table: FactorTable, factors: ClassFactors,
          basis: list[str]) -> tuple[Decimal | None, tuple[tuple[str, Decimal], ...], tuple[str, ...]]:
    gross = factors.gross_avoided_kg
    subtracted = tuple((p, table.parts[p].kg_co2e) for p in unit.parts_replaced if p in table.parts)
    not_subtracted = tuple(p for p in unit.parts_replaced if p not in table.parts)
    if gross is None:
        basis.append(f"no published CO2e factor for {factors.device_class.value}: {factors.note}")
        return None, subtracted, not_subtracted
    sources = ", ".join(s.key for s in factors.co2e_sources)
    basis.append(f"CO2e {factors.method.value}: {_describe_gross(factors)} = {_plain(gross)} kg ({sources}); "
                 f"substitution rate {table.substitution_rate}")
    for part, kg in subtracted:
        basis.append(f"replaced {part}: {kg} kg CO2e subtracted ({table.parts[part].source.key})")
    if not_subtracted:
        basis.append("replaced without a published factor, not subtracted: " + ", ".join(not_subtracted))
    net = max(gross - sum((kg for _, kg in subtracted), ZERO), ZERO)
    return table.substitution_rate * net, subtracted, not_subtracted


def _describe_gross(f: ClassFactors) -> str:
    if f.method is Co2eMethod.SUBSTITUTION:
        return f"{f.new_kg_co2e} new - {f.refurb_kg_co2e} refurbished"
    if f.method is Co2eMethod.SAVING_FRACTION:
        return f"{f.new_kg_co2e} new x {f.saving_fraction} saving"
    return f"{f.avoided_kg_co2e} per reused unit"


@dataclass(frozen=True)
class VersionTotals:
    """The sums over the units whose figures one table version computed."""

    factor_version: str
    table_digest: str
    units: int
    units_reused: int
    co2e_avoided_kg: Decimal
    ewaste_diverted_kg: Decimal
    device_years: Decimal
    units_without_co2e: int    # reused units of a class with no published CO2e factor
    units_without_mass: int
    units_without_years: int


@dataclass(frozen=True)
class SustainabilitySummary:
    """Lot or period totals: per-version sub-totals, their sum, and the units left without a figure."""

    units: int
    by_version: tuple[VersionTotals, ...]
    by_outcome: Mapping[Outcome, int]
    unknown_class: int
    no_table: int
    parts_harvested: int
    parts_harvestable: int
    figures: tuple[UnitFigure, ...] = field(repr=False, default=())

    @property
    def co2e_avoided_kg(self) -> Decimal:
        return sum((v.co2e_avoided_kg for v in self.by_version), ZERO)

    @property
    def ewaste_diverted_kg(self) -> Decimal:
        return sum((v.ewaste_diverted_kg for v in self.by_version), ZERO)

    @property
    def device_years(self) -> Decimal:
        return sum((v.device_years for v in self.by_version), ZERO)

    @property
    def units_reused(self) -> int:
        return sum(n for o, n in self.by_outcome.items() if o.reused)

    @property
    def reuse_rate(self) -> Decimal | None:
        """Units reused (as they are or after repair) / units with an outcome; None for no units."""
        return Decimal(self.units_reused) / Decimal(self.units) if self.units else None

    @property
    def parts_reuse_rate(self) -> Decimal | None:
        """Parts recovered for reuse / parts harvestable, over units whose harvestable count is known."""
        return Decimal(self.parts_harvested) / Decimal(self.parts_harvestable) if self.parts_harvestable else None

    @property
    def factor_versions(self) -> tuple[str, ...]:
        return tuple(v.factor_version for v in self.by_version)


def summarise(figures: Iterable[UnitFigure]) -> SustainabilitySummary:
    """Totals over figures already computed (each keeps its own version); versions in version order."""
    kept = tuple(figures)
    groups: dict[str, list[UnitFigure]] = {}
    for f in kept:
        if f.status is FigureStatus.COMPUTED and f.factor_version is not None:
            groups.setdefault(f.factor_version, []).append(f)
    by_version = tuple(_version_totals(version, groups[version]) for version in sorted(groups, key=_version_key))
    known_harvest = [f for f in kept if f.parts_harvestable is not None]
    return SustainabilitySummary(
        units=len(kept), by_version=by_version, by_outcome=dict(Counter(f.outcome for f in kept)),
        unknown_class=sum(f.status is FigureStatus.UNKNOWN_CLASS for f in kept),
        no_table=sum(f.status is FigureStatus.NO_TABLE for f in kept),
        parts_harvested=sum(f.parts_harvested for f in known_harvest),
        parts_harvestable=sum(f.parts_harvestable or 0 for f in known_harvest), figures=kept)


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order ``2026.2`` before ``2026.10``: numeric parts as numbers, anything else as text after them."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in version.split("."))


def _version_totals(version: str, figures: list[UnitFigure]) -> VersionTotals:
    digests = {f.table_digest for f in figures}
    if len(digests) != 1:
        raise FactorTableError(f"Figures computed with carbon factor table {version} come from different files",
                               hint="A published table was edited: restore the original and issue a new version")
    reused = [f for f in figures if f.outcome.reused]
    return VersionTotals(
        factor_version=version, table_digest=digests.pop() or "", units=len(figures), units_reused=len(reused),
        co2e_avoided_kg=sum((f.co2e_avoided_kg or ZERO for f in figures), ZERO),
        ewaste_diverted_kg=sum((f.ewaste_diverted_kg or ZERO for f in figures), ZERO),
        device_years=sum((f.device_years or ZERO for f in figures), ZERO),
        units_without_co2e=sum(f.co2e_avoided_kg is None for f in reused),
        units_without_mass=sum(f.ewaste_diverted_kg is None for f in reused),
        units_without_years=sum(f.device_years is None for f in reused))


def compute(units: Iterable[UnitOutcome], tables: Sequence[FactorTable]) -> SustainabilitySummary:
    """Figures for every unit and their totals, in one call."""
    return summarise(unit_figure(u, tables) for u in units)


def disclosure(table: FactorTable) -> tuple[str, ...]:
    """The lines a report prints under its figures for one table version: method, factors, sources.

    Published claims must state their factors, sources and substitution rate (domain.md 9.2 cautions);
    a report prints this for every version in :attr:`SustainabilitySummary.factor_versions`.
    """
    lines = [f"Carbon factor table {table.version} (in force from {table.effective_from.isoformat()}, "
             f"SHA-256 {table.digest[:16]}): substitution rate {_plain(table.substitution_rate)}."]
    for device_class in DeviceClass:
        f = table.factors(device_class)
        if f is None:
            lines.append(f"{device_class.value}: not in this table.")
            continue
        gross = f.gross_avoided_kg
        cited = ", ".join(s.key for s in f.co2e_sources)
        if gross is None:
            co2e = f"no CO2e figure ({f.note})"
        elif f.method is Co2eMethod.AVOIDED_PER_UNIT:
            co2e = f"{_plain(gross)} kg CO2e avoided per reused unit [{cited}]"
        else:
            co2e = f"{_describe_gross(f)} = {_plain(gross)} kg CO2e avoided per reused unit [{cited}]"
        life = (f"; second life {_plain(f.second_life_years)} years [{f.life_source.key}]"
                if f.second_life_years is not None and f.life_source else "; no published second-life length")
        mass = f"; typical mass {_plain(f.typical_mass_kg)} kg" if f.typical_mass_kg is not None else ""
        lines.append(f"{device_class.value}: {co2e}{life}{mass}.")
    for source in sorted(table.sources.values(), key=lambda s: s.key):
        lines.append(f"[{source.key}] {source.cite()}")
    return tuple(lines)
