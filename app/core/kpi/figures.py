"""The dashboard's figures for one scope, computed from folded unit facts.

What each figure means (the dashboard and the daily report print these words):

* A stage entry is *in scope* when its unit belongs to the scope's lot / customer (when one is given),
  it happened at the scope's station (when one is given) and its time is in ``[start, end)`` (when the
  period has bounds). Stage counts are the units with an in-scope entry into that stage.
* Units per hour (per station, per operator): the distinct units that station or operator moved into any
  stage in scope, divided by the number of *active hours*: the UTC clock hours (14:00–15:00, ...) in which
  it recorded at least one in-scope stage entry. Idle hours, breaks and nights do not dilute the rate.
  Entries with no operator count for their station only.
* Time per stage: from a unit's first entry into the stage to its first entry into a later stage (the
  next one it reached at or after that time), counted when that exit is in scope. Median, and p90 by
  nearest rank (the smallest value with at least 90 % of the values at or below it).
* Yield by grade / by route: the units whose entry into ``graded`` is in scope, by their latest cosmetic
  grade (after overrides) / latest route. A unit with no grade (or no route) is left out of that chart,
  never counted as a zero.
* Failure Pareto: test steps (rig steps that check something, phone checks) that passed or failed in
  scope, per (test, model); only tests that failed at least once, most failures first.
* Erasures: erasure and phone-reset events in scope; a failed verification is also a failure.
* Held units: the units a blocker (FRP, Activation Lock, MDM) holds *now*, whatever the period (with a
  station scope: the units that station received), one row per blocker, oldest hold first, aged at ``as_of``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from app.core.kpi.facts import KpiFold, StageEntry, UnitFacts
from app.core.kpi_snapshot import (
    DashboardSnapshot,
    ErasureRates,
    FailureCount,
    HeldUnit,
    KpiScope,
    Period,
    Share,
    Stage,
    StageTime,
    Throughput,
)

FLOW = tuple(Stage)
TIMED_STAGES = FLOW[:-1]  # shipped is the end: there is no "time in shipped"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def period_bounds(period: Period, as_of: str) -> tuple[str | None, str | None]:
    """``[start, end)`` of TODAY (the UTC day of ``as_of``) or WEEK (its ISO week, Monday 00:00 UTC);
    (None, None) for LOT and CUSTOMER, which ignore the clock."""
    moment = parse(as_of).astimezone(UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.TODAY:
        return iso(day), iso(day + timedelta(days=1))
    if period is Period.WEEK:
        monday = day - timedelta(days=day.weekday())
        return iso(monday), iso(monday + timedelta(days=7))
    return None, None


def percentile_nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class _Scope:
    """The scope's tests, applied to each unit and each timed fact."""

    def __init__(self, fold: KpiFold, scope: KpiScope) -> None:
        self.fold, self.scope = fold, scope

    def candidates(self) -> Iterable[UnitFacts]:
        """The units that can have anything in scope, without visiting every unit for a day's figures."""
        fold, scope = self.fold, self.scope
        if scope.lot_id is not None:
            ids: Iterable[str] = fold.by_lot.get(scope.lot_id, set())
        elif scope.customer is not None:
            ids = {u for lot_id, lot in fold.lots.items() if lot.party_kind == "customer"
                   and lot.party == scope.customer for u in fold.by_lot.get(lot_id, set())}
        elif scope.start is not None and scope.end is not None:
            ids = set()
            day, last = parse(scope.start).date(), parse(scope.end).date()
            while day <= last:
                ids |= fold.by_day.get(day.isoformat(), set())
                day += timedelta(days=1)
        else:
            ids = fold.units.keys()
        return (fold.units[u] for u in sorted(ids) if u in fold.units and self.has_unit(fold.units[u]))

    def has_unit(self, unit: UnitFacts) -> bool:
        scope = self.scope
        if scope.lot_id is not None and unit.lot_id != scope.lot_id:
            return False
        return scope.customer is None or self.fold.customer_of(unit) == scope.customer

    def has(self, at: str, station: str) -> bool:
        scope = self.scope
        return ((scope.station_id is None or station == scope.station_id)
                and (scope.start is None or at >= scope.start) and (scope.end is None or at < scope.end))

    def has_entry(self, entry: StageEntry | None) -> bool:
        return entry is not None and self.has(entry.at, entry.station)


def compute_snapshot(fold: KpiFold, scope: KpiScope, as_of: str, *,
                     station_names: Mapping[str, str] | None = None) -> DashboardSnapshot:
    """Every figure of the dashboard for ``scope`` from the facts folded so far (see the module doc)."""
    test = _Scope(fold, scope)
    units = list(test.candidates())
    stage_counts = {stage: sum(1 for u in units if test.has_entry(u.stages.get(stage))) for stage in FLOW}
    per_station, per_operator = _throughput(fold, test, units, station_names or {})
    graded = [u for u in units if test.has_entry(u.stages.get(Stage.GRADED))]
    return DashboardSnapshot(
        scope=scope, as_of=as_of, through_seq=fold.cursor, stage_counts=stage_counts,
        per_station=per_station, per_operator=per_operator, stage_times=_stage_times(test, units),
        grade_yield=_shares(u.grade for u in graded), route_yield=_shares(u.route for u in graded),
        failure_pareto=_pareto(test, units), erasures=_erasures(test, units), held=_held(fold, test, as_of),
    )


def _throughput(fold: KpiFold, test: _Scope, units: list[UnitFacts], station_names: Mapping[str, str]
                ) -> tuple[tuple[Throughput, ...], tuple[Throughput, ...]]:
    stations: dict[str, tuple[set[str], set[str]]] = {}
    operators: dict[str, tuple[set[str], set[str]]] = {}
    for unit in units:
        for entry in unit.stages.values():
            if not test.has_entry(entry):
                continue
            hour = entry.at[:13]
            moved, hours = stations.setdefault(entry.station, (set(), set()))
            moved.add(unit.unit_id)
            hours.add(hour)
            if entry.operator:
                moved, hours = operators.setdefault(entry.operator, (set(), set()))
                moved.add(unit.unit_id)
                hours.add(hour)

    def rows(groups: dict[str, tuple[set[str], set[str]]], names: Mapping[str, str]) -> tuple[Throughput, ...]:
        out = [Throughput(who, names.get(who, who), len(moved), len(moved) / len(hours) if hours else None)
               for who, (moved, hours) in groups.items()]
        return tuple(sorted(out, key=lambda t: (-t.units, t.who)))

    return rows(stations, station_names), rows(operators, fold.operators)


def _stage_times(test: _Scope, units: list[UnitFacts]) -> tuple[StageTime, ...]:
    durations: dict[Stage, list[float]] = {stage: [] for stage in TIMED_STAGES}
    for unit in units:
        for index, stage in enumerate(TIMED_STAGES):
            entry = unit.stages.get(stage)
            if entry is None:
                continue
            later = [e for s in FLOW[index + 1:] if (e := unit.stages.get(s)) is not None and e.at >= entry.at]
            if not later:
                continue
            exit_ = min(later, key=lambda e: e.at)
            if test.has_entry(exit_):
                durations[stage].append((parse(exit_.at) - parse(entry.at)).total_seconds())
    return tuple(
        StageTime(stage, len(values), statistics.median(values) if values else None,
                  percentile_nearest_rank(values, 0.9) if values else None)
        for stage, values in durations.items()
    )


def _shares(keys: Iterable[str | None]) -> tuple[Share, ...]:
    counts: dict[str, int] = {}
    for key in keys:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    total = sum(counts.values())
    return tuple(Share(key, n, n / total) for key, n in sorted(counts.items()))


def _pareto(test: _Scope, units: list[UnitFacts]) -> tuple[FailureCount, ...]:
    runs: dict[tuple[str, str], list[int]] = {}
    for unit in units:
        for run in unit.tests:
            if test.has(run.at, run.station):
                tally = runs.setdefault((run.test, unit.model), [0, 0])
                tally[0] += run.failed
                tally[1] += 1
    rows = [FailureCount(name, model, failed, total) for (name, model), (failed, total) in runs.items() if failed]
    return tuple(sorted(rows, key=lambda f: (-f.failures, -f.runs, f.test, f.model)))


def _erasures(test: _Scope, units: list[UnitFacts]) -> ErasureRates:
    counts = dict.fromkeys(("started", "passed", "failed", "verification_failed", "interrupted"), 0)
    for unit in units:
        for fact in unit.erasures:
            if test.has(fact.at, fact.station):
                counts[fact.kind] += 1
    return ErasureRates(started=counts["started"], passed=counts["passed"],
                        failed=counts["failed"] + counts["verification_failed"],
                        verification_failed=counts["verification_failed"], interrupted=counts["interrupted"])


def _held(fold: KpiFold, test: _Scope, as_of: str) -> tuple[HeldUnit, ...]:
    now = parse(as_of)
    rows: list[HeldUnit] = []
    station = test.scope.station_id
    for unit_id in fold.held:
        unit = fold.units[unit_id]
        received = unit.stages.get(Stage.RECEIVED)
        if not test.has_unit(unit) or unit.on_hold_since is None:
            continue
        if station is not None and (received is None or received.station != station):
            continue
        age = (now - parse(unit.on_hold_since)).total_seconds()
        rows.extend(HeldUnit(unit_id, unit.label, unit.model, blocker, unit.on_hold_since, age)
                    for blocker in unit.holds)
    return tuple(sorted(rows, key=lambda h: (h.held_since, h.unit_id, h.blocker.value)))
