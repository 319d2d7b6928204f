"""GET /v1/kpi over real HTTP on both backends: two benches push their logs, the hub's answer equals
hub_snapshot over the same rows and covers both benches' stations; the bench's fetch reads it back."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from app.core.canonical import canonical_json
from app.core.kpi_snapshot import DashboardSnapshot, KpiScope, Period, Stage
from app.core.kpi_wire import KpiWireError, snapshot_from_wire
from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.hub.kpi_source import HubKpi, hub_snapshot
from app.services.hub_kpi import HubKpiUnavailable, fetch_hub_snapshot
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll, load_enrollment
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.core.kpi_floor import AS_OF, CUSTOMER, LOT_C, SettableClock, record_floor
from tests.hub.helpers import BACKENDS, RunningHub, hub_storage

MID_MORNING = "2026-12-04T10:30:00"


def _enrol(hub: RunningHub, data_dir: Path, name: str) -> HubClient:
    Store(data_dir).close()
    enroll(data_dir, hub.url, hub.hub.create_enrollment_code(name), timeout=5)
    enrollment = load_enrollment(data_dir)
    assert enrollment is not None
    return HubClient(hub.url, enrollment.access_token, timeout=5)


def _sync(data_dir: Path) -> None:
    client = SyncClient(data_dir, timeout=5)
    try:
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0


def _second_bench(data_dir: Path) -> None:
    """Bench 2 works two units of the customer lot (received and tested there) on Friday afternoon."""
    clock = SettableClock()
    with Store(data_dir, clock=clock) as store:
        # the lot as bench 1 opened it (a bench records only units of lots it knows)
        clock.now = datetime.fromisoformat("2026-11-20T08:00:00+00:00")
        store.record("lot.created", {"lot_id": LOT_C, "code": "LOT-C", "party_kind": "customer",
                                     "party": CUSTOMER, "po": "PO-1", "expected_count": 4})
        for i, (unit, minute) in enumerate((("B2-U1", 0), ("B2-U2", 20))):
            clock.now = datetime.fromisoformat(f"2026-12-04T14:{minute:02d}:00+00:00")
            store.record("unit.created", {"identifiers": [{"kind": "imei", "value": f"35600000000010{i}"}],
                                          "model": "Pixel 8", "source": "scan"}, unit_id=unit)
            store.record("lot.unit_received", {"lot_id": LOT_C, "lot_code": "LOT-C", "expected": True}, unit_id=unit)
            clock.now = datetime.fromisoformat(f"2026-12-04T14:{minute + 10:02d}:00+00:00")
            store.record("unit.state_changed", {"from": "received", "to": "tested"}, unit_id=unit)


def _station(data_dir: Path) -> str:
    with Store(data_dir) as store:
        return store.station_id


def _ask(client: HubClient, query: str) -> DashboardSnapshot:
    return snapshot_from_wire(client.request("GET", "/kpi?" + query))


def test_the_hub_answers_every_bench_figures_as_hub_snapshot_does(hub: RunningHub, tmp_path: Path) -> None:
    one, two = tmp_path / "bench1", tmp_path / "bench2"
    client = _enrol(hub, one, "Bench 1")
    _enrol(hub, two, "Bench 2")
    clock = SettableClock()
    with Store(one, clock=clock) as store:
        record_floor(store, clock, until=MID_MORNING)
    _sync(one)

    early = _ask(client, "period=customer&customer=" + CUSTOMER.replace(" ", "+"))
    # by 10:30 bench 1 alone: U1, U2 received today, U5 Monday, U6 the week before
    assert early.stage_counts[Stage.RECEIVED] == 4
    assert {t.who for t in early.per_station} == {_station(one)}

    # the rest arrives: bench 1's day and bench 2's units; the hub folds only what is new
    with Store(one, clock=clock) as store:
        record_floor(store, clock, after=MID_MORNING)
    _second_bench(two)
    _sync(two)
    _sync(one)
    for query in ("period=customer&customer=Acme+ITAD", "period=lot&lot=LOT-C", f"period=lot&lot={LOT_C}",
                  "period=today", "period=week", f"period=customer&customer=Acme+ITAD&station={_station(two)}"):
        answer = _ask(client, query)
        assert answer == hub_snapshot(hub.storage, answer.scope, answer.as_of), query
        assert answer.through_seq == hub.server.kpi.folded
    lot = _ask(client, "period=lot&lot=LOT-C")
    assert lot.scope.lot_id == LOT_C
    assert {t.who for t in lot.per_station} == {_station(one), _station(two)}
    assert {t.name for t in lot.per_station} == {"Bench 1", "Bench 2"}  # as the benches were enrolled
    assert lot.stage_counts[Stage.RECEIVED] == 4 + 2
    assert lot.stage_counts[Stage.TESTED] == 2 + 2
    narrowed = _ask(client, f"period=lot&lot=LOT-C&station={_station(two)}")
    assert (narrowed.stage_counts[Stage.RECEIVED], [t.who for t in narrowed.per_station]) == (2, [_station(two)])
    assert hub.server.kpi.refresh() == 0  # nothing new since the last answer: no row read


@pytest.mark.parametrize(("query", "status", "words"), [
    ("period=month", 400, "'period' must be one of today, week, lot, customer"),
    ("", 400, "'period' must be one of"),
    ("period=lot", 400, "period=lot needs lot=<lot id or code>"),
    ("period=customer", 400, "period=customer needs customer="),
    ("period=lot&lot=NOPE", 404, "the hub knows no lot NOPE"),
    ("period=today&shift=night", 400, "unknown parameter(s) shift"),
])
def test_a_bad_question_is_refused_in_words(hub: RunningHub, tmp_path: Path, query: str, status: int,
                                             words: str) -> None:
    client = _enrol(hub, tmp_path / "bench", "Bench 1")
    with pytest.raises(HubRefused) as refused:
        client.request("GET", "/kpi?" + query)
    assert refused.value.status == status
    assert words in refused.value.message


def test_only_an_enrolled_bench_may_ask(hub: RunningHub) -> None:
    for token in ("", "not-a-token"):
        with pytest.raises(HubRefused) as refused:
            HubClient(hub.url, token, timeout=5).request("GET", "/kpi?period=today")
        assert refused.value.status == 401


def test_the_bench_fetches_the_hub_figures_with_its_enrolment(hub: RunningHub, tmp_path: Path) -> None:
    one, two = tmp_path / "bench1", tmp_path / "bench2"
    _enrol(hub, one, "Bench 1")
    _enrol(hub, two, "Bench 2")
    clock = SettableClock()
    with Store(one, clock=clock) as store:
        record_floor(store, clock)
    _second_bench(two)
    _sync(one)
    _sync(two)
    fetched = fetch_hub_snapshot(two, Period.CUSTOMER, customer=CUSTOMER)
    assert fetched == hub_snapshot(hub.storage, fetched.scope, fetched.as_of)
    assert {t.who for t in fetched.per_station} == {_station(one), _station(two)}
    by_lot = fetch_hub_snapshot(two, Period.LOT, lot="LOT-C", station=_station(one))
    assert by_lot.scope == KpiScope(Period.LOT, lot_id=LOT_C, station_id=_station(one))
    with pytest.raises(HubKpiUnavailable, match="the hub knows no lot LOT-X"):
        fetch_hub_snapshot(two, Period.LOT, lot="LOT-X")


def test_the_bench_says_why_it_has_no_hub_figures(hub: RunningHub, tmp_path: Path) -> None:
    lone = tmp_path / "lone"
    Store(lone).close()
    with pytest.raises(HubKpiUnavailable, match="not enrolled with a hub") as caught:
        fetch_hub_snapshot(lone, Period.TODAY)
    assert "Settings" in caught.value.hint
    enrolled = tmp_path / "enrolled"
    _enrol(hub, enrolled, "Bench 1")
    hub.server.stop()  # the hub goes away: the bench hears no answer
    with pytest.raises(HubKpiUnavailable, match="The hub cannot be reached"):
        fetch_hub_snapshot(enrolled, Period.TODAY, timeout=2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rows_arriving_below_what_was_folded_are_folded_too(tmp_path: Path, backend: str) -> None:
    """The hub keeps events ahead of a gap and heals tombstones later: rows arrive below a stream's top."""
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock)
        events = [(e, canonical_json(e.body)) for e in iter_events(store.db)]
    with hub_storage(backend, tmp_path / "hub") as storage:
        live = HubKpi(storage)
        scope = KpiScope(Period.CUSTOMER, customer=CUSTOMER)
        third = len(events) // 3
        # the middle, then the end (above: only the new rows are read), then the start (below: a rebuild)
        steps = ((events[third:2 * third], third, 0), (events[2 * third:], len(events) - 2 * third, 0),
                 (events[:third], len(events), 1))
        for part, read, rebuilds in steps:
            with storage.transaction() as tx:
                tx.insert_events(part, AS_OF)
            assert live.refresh() == read
            assert live.rebuilds == rebuilds
            assert live.snapshot(scope, AS_OF) == hub_snapshot(storage, scope, AS_OF)
        assert live.folded == len(events)
        assert live.snapshot(scope, AS_OF).stage_counts[Stage.RECEIVED] == 4
        assert live.refresh() == 0


def test_requests_at_once_while_a_bench_pushes(hub: RunningHub, tmp_path: Path) -> None:
    """One hub process answers many requests at once from its one kept fold; none sees a half-folded state."""
    one = tmp_path / "bench1"
    client = _enrol(hub, one, "Bench 1")
    clock = SettableClock()
    with Store(one, clock=clock) as store:
        record_floor(store, clock, until=MID_MORNING)
    _sync(one)
    answers: list[DashboardSnapshot] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            for _ in range(5):
                answers.append(_ask(client, "period=lot&lot=LOT-C"))
        except (HubRefused, HubUnavailable, KpiWireError) as exc:  # reported by the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    with Store(one, clock=clock) as store:
        record_floor(store, clock, after=MID_MORNING)
    _sync(one)
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(answers) == 20
    # every answer is the figures of some whole state of the log: received counts only grow with through_seq
    by_seq = sorted(answers, key=lambda a: a.through_seq)
    received = [a.stage_counts.get(Stage.RECEIVED, 0) for a in by_seq]
    assert received == sorted(received)
    final = _ask(client, "period=lot&lot=LOT-C")
    assert final == hub_snapshot(hub.storage, final.scope, final.as_of)
