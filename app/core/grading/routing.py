"""Pick a unit's route — resale, repair, parts harvest or recycle — from its grade and a price table.

Every open route is valued (sale price; sale price after repair less its costs; harvested parts less
bench time; scrap value) and the best one wins, ties going to the earlier route in that order.
Locks, a failed or missing sanitisation or a missing certificate close resale, and with it repair.
A repair is valued by grading the unit again as it would be after the repair, with the same rules.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from app.core.errors import OperatorError
from app.core.grading.evaluate import GradeResult, IncompleteInputs, evaluate
from app.core.grading.inputs import (
    BatteryCondition,
    BatteryFault,
    Chemistry,
    Cosmetic,
    DefectKind,
    GradingInputs,
    Outcome,
    SanitisationStatus,
    Zone,
    for_record,
)
from app.core.grading.prices import ModelPrices, PriceTable
from app.core.grading.ruleset import Ruleset

# Defects that make a zone's part worthless for harvesting.
_RUINED = frozenset({DefectKind.CRACK, DefectKind.MISSING_PART, DefectKind.BURN_IN})


class RouteKind(enum.StrEnum):
    RESALE = "resale"
    REPAIR = "repair"
    PARTS_HARVEST = "parts_harvest"
    RECYCLE = "recycle"


@dataclass(frozen=True)
class RepairTask:
    """One repair: a failed test or a damaged zone, and what it costs."""

    part: str
    cost: Decimal


@dataclass(frozen=True)
class HarvestPart:
    """A part to recover; ``grade`` is the donor's cosmetic grade, carried onto the part's record."""

    part: str
    value: Decimal
    grade: str


@dataclass(frozen=True)
class RouteOption:
    """One way to go, valued. ``channel`` is ``wholesale`` or a channel key for sales."""

    kind: RouteKind
    value: Decimal
    channel: str | None = None
    grade: str | None = None
    repairs: tuple[RepairTask, ...] = ()
    parts: tuple[HarvestPart, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Route:
    """The chosen route, every option it was chosen from, and what blocked resale."""

    chosen: RouteOption
    options: tuple[RouteOption, ...]
    resale_blockers: tuple[str, ...]
    currency: str
    table_id: str
    table_version: int
    table_digest: str
    recycle_weight_g: float
    battery_removal: bool
    battery_chemistry: Chemistry
    battery_condition: BatteryCondition
    battery_fault: BatteryFault | None = None

    @property
    def kind(self) -> RouteKind:
        return self.chosen.kind

    @property
    def ships_with_battery(self) -> bool:
        """The unit leaves the building with its battery inside (resale), so the package needs a lithium mark."""
        return self.kind is RouteKind.RESALE and self.battery_chemistry is not Chemistry.NONE

    @property
    def un_number(self) -> str | None:
        """UN3481 (Li-ion in equipment) or UN3091 (lithium metal in equipment) when shipped with the battery."""
        if not self.ships_with_battery:
            return None
        return "UN3481" if self.battery_chemistry is Chemistry.LI_ION else "UN3091"

    @property
    def air_forbidden(self) -> str | None:
        """Why the unit may not fly (domain.md 8.3), or ``None``."""
        if self.battery_chemistry is not Chemistry.NONE and self.battery_condition is not BatteryCondition.NORMAL:
            return f"battery {self.battery_condition.value}: damaged or defective lithium batteries may not go by air"
        if self.battery_chemistry is not Chemistry.NONE and self.battery_fault is not None:
            return (f"battery reported {self.battery_fault.words}: damaged or defective lithium batteries "
                    "may not go by air")
        return None

    @property
    def reasons(self) -> tuple[str, ...]:
        chosen = f"{_describe(self.chosen)}: {self.currency} {self.chosen.value}"
        others = tuple(f"not {_describe(o)}: {self.currency} {o.value}" for o in self.options if o != self.chosen)
        return (chosen, *others, *(f"resale blocked: {b}" for b in self.resale_blockers))

    def to_dict(self) -> dict[str, Any]:
        return {
            "route": self.kind.value, "channel": self.chosen.channel, "grade": self.chosen.grade,
            "value": str(self.chosen.value), "currency": self.currency,
            "repairs": [{"part": r.part, "cost": str(r.cost)} for r in self.chosen.repairs],
            "parts": [{"part": p.part, "value": str(p.value), "grade": p.grade} for p in self.chosen.parts],
            "recycle_weight_g": for_record(self.recycle_weight_g), "battery_removal": self.battery_removal,
            "ships_with_battery": self.ships_with_battery, "un_number": self.un_number,
            "resale_blockers": list(self.resale_blockers), "reasons": list(self.reasons),
            "price_table": {"id": self.table_id, "version": self.table_version, "digest": self.table_digest},
        }


def _describe(option: RouteOption) -> str:
    if option.kind is RouteKind.RESALE:
        return f"resale on {option.channel}, grade {option.grade}"
    if option.kind is RouteKind.REPAIR:
        fixes = ", ".join(r.part for r in option.repairs)
        return f"repair ({fixes}) then resale on {option.channel}, grade {option.grade}"
    if option.kind is RouteKind.PARTS_HARVEST:
        return "parts harvest (" + ", ".join(p.part for p in option.parts) + ")"
    return "recycle"


def resale_blockers(inputs: GradingInputs) -> tuple[str, ...]:
    """Why this unit may not be sold as it is, in plain words; empty when nothing blocks it."""
    missing = [name for name, value in (("the lock checks", inputs.locks), ("the sanitisation status",
                                                                           inputs.sanitisation)) if value is None]
    if missing:
        raise IncompleteInputs(missing)
    assert inputs.locks is not None
    assert inputs.sanitisation is not None
    blockers = list(inputs.locks.blocking())
    if not blockers and inputs.locks.unknown():
        raise IncompleteInputs([f"the lock check for {words}" for words in inputs.locks.unknown()])
    status = inputs.sanitisation.status
    if status is SanitisationStatus.FAILED:
        blockers.append("data sanitisation failed")
    elif status is SanitisationStatus.NOT_DONE:
        blockers.append("data sanitisation not done")
    elif status is SanitisationStatus.PASSED and not inputs.sanitisation.certificate_id:
        blockers.append("no sanitisation certificate")
    return tuple(blockers)


def best_sale(grade: GradeResult, prices: ModelPrices) -> RouteOption | None:
    """The best-paying sale for a graded unit: a channel grade, or wholesale when fully functional."""
    offers: list[RouteOption] = []
    for channel in grade.channels:
        price = prices.channel_price(channel.scale, channel.grade) if channel.grade else None
        if price is not None:
            offers.append(RouteOption(RouteKind.RESALE, price, channel.scale, channel.grade))
    wholesale = dict(prices.wholesale).get(grade.cosmetic.grade or "")
    if wholesale is not None and not grade.functional.failed:
        offers.append(RouteOption(RouteKind.RESALE, wholesale, "wholesale", grade.cosmetic.grade))
    return max(offers, key=lambda o: o.value, default=None)


def route(grade: GradeResult, ruleset: Ruleset, table: PriceTable, extra_blockers: Sequence[str] = ()) -> Route:
    """Value every open route for a graded unit and choose the best.

    ``extra_blockers`` are reasons from outside the inputs that close resale (the unit is on hold).
    """
    inputs = grade.inputs
    if grade.ruleset_id != ruleset.id or grade.ruleset_version != ruleset.version:
        raise ValueError(f"grade is from {grade.ruleset_id}@{grade.ruleset_version}, not {ruleset.key}")
    prices = table.model(inputs.device.model)
    if prices is None:
        raise OperatorError(f"No prices for model {inputs.device.model!r} in {table.id}@{table.version}",
                            hint="Add the model to the price table (as a new version) or correct the model name")
    blockers = (*resale_blockers(inputs), *extra_blockers)
    options: list[RouteOption] = []
    if not blockers:
        sale = best_sale(grade, prices)
        if sale is not None:
            options.append(sale)
        repair = _repair_option(grade, ruleset, table, prices)
        if repair is not None:
            options.append(repair)
    harvest = _harvest_option(grade, table, prices)
    if harvest is not None:
        options.append(harvest)
    weight = inputs.device.weight_g or prices.weight_g
    scrap = (Decimal(str(weight)) / 1000 * table.recycle_per_kg).quantize(Decimal("0.01"))
    options.append(RouteOption(RouteKind.RECYCLE, scrap))
    order = list(RouteKind)
    chosen = max(options, key=lambda o: (o.value, -order.index(o.kind)))
    battery = inputs.battery
    chemistry = battery.chemistry if battery else Chemistry.NONE
    return Route(chosen=chosen, options=tuple(options), resale_blockers=blockers, currency=table.currency,
                 table_id=table.id, table_version=table.version, table_digest=table.digest,
                 recycle_weight_g=weight, battery_removal=chemistry is not Chemistry.NONE,
                 battery_chemistry=chemistry,
                 battery_condition=battery.condition if battery else BatteryCondition.NORMAL,
                 battery_fault=battery.fault if battery else None)


def _repair_option(grade: GradeResult, ruleset: Ruleset, table: PriceTable,
                   prices: ModelPrices) -> RouteOption | None:
    """Fix every failed test, and replace every damaged zone the table prices, then sell at the new grade."""
    inputs = grade.inputs
    costs = dict(prices.repairs)
    tasks = [RepairTask(test, costs[test]) for test in grade.functional.failed if test in costs]
    if len(tasks) < len(grade.functional.failed):
        return None  # a failure nobody here can fix
    assert inputs.cosmetic is not None
    damaged = [z for z in inputs.cosmetic.inspected if z.value in costs
               and any(d.zone is z for d in inputs.cosmetic.defects)]
    # A display replacement brings a new cover glass too; do not pay for the screen twice.
    if any(t.part in ("display", "touch") for t in tasks):
        damaged = [z for z in damaged if z is not Zone.SCREEN]
        tasks = [t for t in tasks if t.part != "touch"] if any(t.part == "display" for t in tasks) else tasks
    tasks += [RepairTask(z.value, costs[z.value]) for z in damaged]
    if not tasks:
        return None
    repaired = _as_repaired(inputs, tasks, table.repair_parts_genuine)
    sale = best_sale(evaluate(repaired, ruleset), prices)
    if sale is None:
        return None
    spent = sum((t.cost for t in tasks), Decimal(0)) + table.repair_labour
    return RouteOption(RouteKind.REPAIR, sale.value - spent, sale.channel, sale.grade, tuple(tasks),
                       note=f"sells for {sale.value} after repairs costing {spent}")


def _as_repaired(inputs: GradingInputs, tasks: list[RepairTask], genuine_parts: bool) -> GradingInputs:
    fixed = {t.part for t in tasks}
    if {"display", "touch"} & fixed:
        fixed.add(Zone.SCREEN.value)
    assert inputs.cosmetic is not None
    kept = tuple(d for d in inputs.cosmetic.defects if d.zone.value not in fixed)
    cosmetic = Cosmetic(inputs.cosmetic.inspected, kept)
    functional = tuple((name, Outcome.PASS if name in fixed else outcome) for name, outcome in inputs.functional or ())
    battery = inputs.battery
    if battery is not None and "battery" in fixed:
        battery = replace(battery, health_pct=100.0, condition=BatteryCondition.NORMAL, genuine=genuine_parts,
                          fault=None)
    all_genuine = bool(inputs.all_parts_genuine) and genuine_parts
    return replace(inputs, cosmetic=cosmetic, functional=functional, battery=battery, all_parts_genuine=all_genuine)


def _harvest_option(grade: GradeResult, table: PriceTable, prices: ModelPrices) -> RouteOption | None:
    inputs = grade.inputs
    assert inputs.cosmetic is not None
    sanitised = inputs.sanitisation is not None and inputs.sanitisation.status in (
        SanitisationStatus.PASSED, SanitisationStatus.NOT_APPLICABLE)
    donor_grade = grade.cosmetic.grade or ""
    parts: list[HarvestPart] = []
    for part, value in prices.parts:
        if part in grade.functional.failed or (part in table.data_bearing_parts and not sanitised):
            continue
        if part == "display" and any(d.zone is Zone.SCREEN and d.kind in _RUINED for d in inputs.cosmetic.defects):
            continue
        if part in {z.value for z in Zone} and any(d.zone.value == part and d.kind in _RUINED
                                                  for d in inputs.cosmetic.defects):
            continue
        parts.append(HarvestPart(part, value, donor_grade))
    if not parts:
        return None
    total = sum((p.value for p in parts), Decimal(0)) - table.harvest_labour
    return RouteOption(RouteKind.PARTS_HARVEST, total, parts=tuple(parts))
