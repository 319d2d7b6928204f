"""The dashboard snapshot's wire format: every figure of the recorded week survives JSON exactly, and a
snapshot that does not hold is refused with the field named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.core.kpi import EventRecord, KpiFold, compute_snapshot, period_bounds
from app.core.kpi_snapshot import DashboardSnapshot, KpiScope, Period, Stage
from app.core.kpi_wire import KpiWireError, snapshot_from_wire, snapshot_to_wire
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.core.kpi_floor import AS_OF, CUSTOMER, LOT_C, SettableClock, record_floor


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> list[DashboardSnapshot]:
    clock = SettableClock()
    with Store(Path(tmp_path_factory.mktemp("wire")) / "data", clock=clock) as store:
        record_floor(store, clock)
        fold = KpiFold()
        for e in iter_events(store.db):
            fold.apply(EventRecord(e.stream_id, e.seq, e.type, e.occurred_at, e.operator_id, e.unit_id, e.body))
        station = store.station_id
    today, week = period_bounds(Period.TODAY, AS_OF), period_bounds(Period.WEEK, AS_OF)
    scopes = [KpiScope(Period.TODAY, *today), KpiScope(Period.WEEK, *week), KpiScope(Period.LOT, lot_id=LOT_C),
              KpiScope(Period.CUSTOMER, customer=CUSTOMER), KpiScope(Period.WEEK, *week, station_id=station)]
    return [compute_snapshot(fold, scope, AS_OF, station_names={station: "Bench 1"}) for scope in scopes]


def through_json(wire: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(wire))
    return result


def test_every_figure_survives_a_json_round_trip(snapshots: list[DashboardSnapshot]) -> None:
    for snapshot in snapshots:
        back = snapshot_from_wire(through_json(snapshot_to_wire(snapshot)))
        assert back == snapshot
        assert type(back.per_station) is tuple
    week = snapshots[1]
    # the week has every kind of figure, so the round trip above is not of empty lists
    assert all((week.per_station, week.per_operator, week.stage_times, week.grade_yield, week.route_yield,
                week.failure_pareto, week.held, week.erasures.started))
    assert any(t.median_s is not None for t in week.stage_times)


def test_the_wire_text_is_stable(snapshots: list[DashboardSnapshot]) -> None:
    snapshot = snapshots[1]
    reordered = DashboardSnapshot(**{**snapshot.__dict__,
                                     "stage_counts": dict(reversed(list(snapshot.stage_counts.items())))})
    assert json.dumps(snapshot_to_wire(reordered)) == json.dumps(snapshot_to_wire(snapshot))
    assert list(snapshot_to_wire(snapshot)["stage_counts"]) == [s.value for s in Stage if s in snapshot.stage_counts]


def test_an_empty_snapshot_round_trips() -> None:
    empty = DashboardSnapshot(KpiScope(Period.LOT, lot_id="L"), as_of=AS_OF, through_seq=0)
    assert snapshot_from_wire(through_json(snapshot_to_wire(empty))) == empty


def spoiled(snapshot: DashboardSnapshot, change: Any) -> dict[str, Any]:
    wire = copy.deepcopy(through_json(snapshot_to_wire(snapshot)))
    change(wire)
    return wire


@pytest.mark.parametrize(("change", "words"), [
    (lambda w: w.pop("held"), "snapshot lacks held"),
    (lambda w: w.update(extra=1), "snapshot has unknown field(s) extra"),
    (lambda w: w["scope"].pop("period"), "scope lacks period"),
    (lambda w: w["per_station"][0].update(shift="night"), "per_station[0] has unknown field(s) shift"),
    (lambda w: w["per_station"][0].pop("units_per_hour"), "per_station[0] lacks units_per_hour"),
    (lambda w: w["erasures"].pop("passed"), "erasures lacks passed"),
    (lambda w: w["scope"].update(period="month"), "scope.period: 'month' is not one of today, week, lot, customer"),
    (lambda w: w["stage_counts"].update(boxed=3), "stage_counts: 'boxed' is not one of"),
    (lambda w: w["held"][0].update(blocker="icloud"), "held[0].blocker: 'icloud' is not one of"),
    (lambda w: w.update(through_seq="12"), "through_seq must be a whole number, not str"),
    (lambda w: w.update(through_seq=True), "through_seq must be a whole number, not bool"),
    (lambda w: w["grade_yield"][0].update(fraction="half"), "grade_yield[0].fraction must be a number"),
    (lambda w: w.update(per_operator={}), "per_operator is not a list"),
    (lambda w: w.update(version=2), "snapshot version 2 is not one this bench reads"),
])
def test_a_snapshot_that_does_not_hold_is_refused_with_the_field_named(
        snapshots: list[DashboardSnapshot], change: Any, words: str) -> None:
    with pytest.raises(KpiWireError) as caught:
        snapshot_from_wire(spoiled(snapshots[1], change))
    assert words in str(caught.value)


def test_a_wire_snapshot_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(KpiWireError, match="snapshot is not a JSON object"):
        snapshot_from_wire([])  # type: ignore[arg-type]
