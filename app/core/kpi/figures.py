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

from app.core.kpi.facts import KpiFold, UnitFacts
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



def compute_snapshot(fold: KpiFold, scope: KpiScope, as_of: str, *,
                     station_names: Mapping[str, str] | None = None) -> DashboardSnapshot:
    """Every figure of the dashboard for ``scope`` from the facts folded so far (see the module doc).

    One pass over the scope's units with the scope's tests inlined: a refresh visits a day's units
    several times a second, so this loop is the dashboard's cost."""
    test = _Scope(fold, scope)
    start, end, only_station = scope.start, scope.end, scope.station_id

    def inside(at: str, station: str) -> bool:
        return ((only_station is None or station == only_station)
                and (start is None or at >= start) and (end is None or at < end))

    stage_counts = dict.fromkeys(FLOW, 0)
    stations: dict[str, tuple[set[str], set[str]]] = {}
    operators: dict[str, tuple[set[str], set[str]]] = {}
    durations: dict[Stage, list[float]] = {stage: [] for stage in TIMED_STAGES}
    grades: list[str | None] = []
    routes: list[str | None] = []
    runs: dict[tuple[str, str], list[int]] = {}
    erasures = dict.fromkeys(("started", "passed", "failed", "verification_failed", "interrupted"), 0)
    for unit in test.candidates():
        unit_id = unit.unit_id
        for stage, entry in unit.stages.items():
            if not inside(entry.at, entry.station):
                continue
            stage_counts[stage] += 1
            hour = entry.at[:13]
            moved, hours = stations.setdefault(entry.station, (set(), set()))
            moved.add(unit_id)
            hours.add(hour)
            if entry.operator:
                moved, hours = operators.setdefault(entry.operator, (set(), set()))
                moved.add(unit_id)
                hours.add(hour)
            if stage is Stage.GRADED:
                grades.append(unit.grade)
                routes.append(unit.route)
        for stage, (exit_, seconds) in unit.stage_durations().items():
            if inside(exit_.at, exit_.station):
                durations[stage].append(seconds)
        for run in unit.tests:
            if inside(run.at, run.station):
                tally = runs.setdefault((run.test, unit.model), [0, 0])
                tally[0] += run.failed
                tally[1] += 1
        for fact in unit.erasures:
            if inside(fact.at, fact.station):
                erasures[fact.kind] += 1
    return DashboardSnapshot(
        scope=scope, as_of=as_of, through_seq=fold.cursor, stage_counts=stage_counts,
        per_station=_throughput(stations, station_names or {}), per_operator=_throughput(operators, fold.operators),
        stage_times=tuple(
            StageTime(stage, len(values), statistics.median(values) if values else None,
                      percentile_nearest_rank(values, 0.9) if values else None)
            for stage, values in durations.items()),
        grade_yield=_shares(grades), route_yield=_shares(routes), failure_pareto=_pareto(runs),
        erasures=ErasureRates(started=erasures["started"], passed=erasures["passed"],
                              failed=erasures["failed"] + erasures["verification_failed"],
                              verification_failed=erasures["verification_failed"],
                              interrupted=erasures["interrupted"]),
        held=_held(fold, test, as_of),
    )


def _throughput(groups: dict[str, tuple[set[str], set[str]]], names: Mapping[str, str]) -> tuple[Throughput, ...]:
    out = [Throughput(who, names.get(who, who), len(moved), len(moved) / len(hours) if hours else None)
           for who, (moved, hours) in groups.items()]
    return tuple(sorted(out, key=lambda t: (-t.units, t.who)))


def _shares(keys: Iterable[str | None]) -> tuple[Share, ...]:
    counts: dict[str, int] = {}
    for key in keys:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    total = sum(counts.values())
    return tuple(Share(key, n, n / total) for key, n in sorted(counts.items()))


def _pareto(runs: dict[tuple[str, str], list[int]]) -> tuple[FailureCount, ...]:
    rows = [FailureCount(name, model, failed, total) for (name, model), (failed, total) in runs.items() if failed]
    return tuple(sorted(rows, key=lambda f: (-f.failures, -f.runs, f.test, f.model)))


def _held(fold: KpiFold, test: _Scope, as_of: str) -> tuple[HeldUnit, ...]:
    now = parse(as_of)
    scope = test.scope
    narrowed = scope.lot_id is not None or scope.customer is not None or scope.station_id is not None
    rows: list[HeldUnit] = []
    for since, unit_id, blockers in fold.held_units():
        unit = fold.units[unit_id]
        if narrowed:
            if not test.has_unit(unit):
                continue
            received = unit.stages.get(Stage.RECEIVED)
            if scope.station_id is not None and (received is None or received.station != scope.station_id):
                continue
        age = (now - parse(since)).total_seconds()
        rows.extend(HeldUnit(unit_id, unit.label, unit.model, blocker, since, age) for blocker in blockers)
    return tuple(rows)
