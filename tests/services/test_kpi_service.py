"""KpiService on a real store: incremental folding equals folding from scratch, calls from worker threads
while the bench records, and the hub computing the same snapshot from the same events."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.canonical import canonical_json
from app.core.kpi import period_bounds
from app.core.kpi_snapshot import DashboardSnapshot, KpiScope, Period, Stage
from app.hub.kpi_source import hub_snapshot
from app.services.jobs import JobManager, JobResult
from app.services.kpi import KpiService
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.core.kpi_floor import AS_OF, CUSTOMER, LOT_C, SettableClock, record_floor
from tests.hub.helpers import BACKENDS, hub_storage

MID_MORNING = "2026-12-04T10:30:00"


def scopes() -> list[KpiScope]:
    today, week = period_bounds(Period.TODAY, AS_OF), period_bounds(Period.WEEK, AS_OF)
    return [KpiScope(Period.TODAY, *today), KpiScope(Period.WEEK, *week), KpiScope(Period.LOT, lot_id=LOT_C),
            KpiScope(Period.CUSTOMER, customer=CUSTOMER)]


def test_incremental_equals_from_scratch(tmp_path: Path) -> None:
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock, until=MID_MORNING)
        live = KpiService(store)
        early = live.snapshot(scopes()[0], AS_OF)
        # by 10:30: U1 and U2 received and tested, only U1 sanitised
        assert (early.stage_counts[Stage.RECEIVED], early.stage_counts[Stage.TESTED],
                early.stage_counts[Stage.SANITISED], early.stage_counts[Stage.GRADED]) == (2, 2, 1, 0)
        added = record_floor(store, clock, after=MID_MORNING)
        assert added > 20
        for scope in scopes():
            incremental = live.snapshot(scope, AS_OF)
            scratch = KpiService(store).snapshot(scope, AS_OF)
            assert incremental == scratch
            assert incremental.through_seq == early.through_seq + added
        assert live.refresh() == 0  # nothing new: nothing read


def test_snapshots_from_worker_threads_while_the_bench_records(tmp_path: Path) -> None:
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock, until=MID_MORNING)
        service = KpiService(store)
        scope = scopes()[1]
        seen: list[DashboardSnapshot] = []
        errors: list[Exception] = []
        done = threading.Event()

        def poll() -> None:
            try:
                while not done.is_set():
                    seen.append(service.snapshot(scope, AS_OF))
            except Exception as exc:  # noqa: BLE001 - handed to the test thread, which fails on it
                errors.append(exc)

        workers = [threading.Thread(target=poll) for _ in range(2)]
        for worker in workers:
            worker.start()
        try:
            record_floor(store, clock, after=MID_MORNING)
        finally:
            done.set()
            for worker in workers:
                worker.join(timeout=30)
        assert not errors
        assert not any(w.is_alive() for w in workers)
        assert seen
        final = service.snapshot(scope, AS_OF)
        assert final == KpiService(store).snapshot(scope, AS_OF)
        # each worker saw the log only grow
        assert max(s.through_seq for s in seen) <= final.through_seq


def test_a_snapshot_through_the_job_manager(tmp_path: Path, qtbot: QtBot) -> None:
    """The dashboard asks for its figures as a job: the fold runs on a pool thread, the result comes back."""
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock)
        service = KpiService(store)
        jobs = JobManager()
        try:
            with qtbot.waitSignal(jobs.finished, timeout=10_000) as finished:
                jobs.start("kpi", lambda cancel, report: service.snapshot(scopes()[0], AS_OF))
            result = finished.args[0]
        finally:
            assert jobs.shutdown(5000)
        assert isinstance(result, JobResult)
        assert result.ok
        assert result.value == KpiService(store).snapshot(scopes()[0], AS_OF)
        assert result.value.stage_counts[Stage.SHIPPED] == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_hub_computes_the_same_snapshot_from_the_same_events(tmp_path: Path, backend: str) -> None:
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock)
        events = [(e, canonical_json(e.body)) for e in iter_events(store.db)]
        bench = [KpiService(store).snapshot(scope, AS_OF) for scope in scopes()]
    with hub_storage(backend, tmp_path / "hub") as storage:
        # arrival order at the hub is not the bench's: the newest half first
        half = len(events) // 2
        with storage.transaction() as tx:
            tx.insert_events(events[half:], AS_OF)
        with storage.transaction() as tx:
            tx.insert_events(events[:half], AS_OF)
        hub = [hub_snapshot(storage, scope, AS_OF) for scope in scopes()]
    assert hub == bench
    assert bench[0].stage_counts[Stage.RECEIVED] == 3
