"""Thirty simulated days offline (200,000 events), then the hub comes into reach: the backlog drains
in seq order through the background loop while the technician keeps recording, and the hub ends
with exactly the bench's log."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.services.sync import SyncState, SyncStatus
from app.services.sync_enroll import enroll
from app.services.sync_loop import Backoff, SyncLoop
from app.store.store import Store
from tests.hub.helpers import bench_hashes, hub_hashes, running_hub
from tests.sync.offline_log import DAYS, offline_bench

EVENTS = 200_000
BENCH_WRITES = 150

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_a_month_offline_drains_in_order_while_the_bench_works(tmp_path: Path) -> None:
    bench = offline_bench(tmp_path / "bench", EVENTS)
    with Store(bench) as store:
        first, last = store.db.execute("SELECT MIN(occurred_at), MAX(occurred_at) FROM events").fetchone()
        assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == EVENTS
    assert (time.mktime(time.strptime(last[:10], "%Y-%m-%d")) - time.mktime(time.strptime(first[:10], "%Y-%m-%d"))
            ) >= (DAYS - 1) * 86400
    with running_hub("sqlite", tmp_path / "hub") as hub:
        enroll(bench, hub.url, hub.hub.create_enrollment_code("Bench 30"), timeout=5)
        statuses: list[SyncStatus] = []
        loop = SyncLoop(bench, interval=0.2, backoff=Backoff(base=0.05, cap=0.5), on_status=statuses.append,
                        timeout=60)
        loop.start()
        try:
            # The technician works on while the month drains: every write goes through at once.
            slowest, during_drain = 0.0, 0
            with Store(bench) as store:
                for i in range(BENCH_WRITES):
                    started = time.monotonic()
                    store.record("bay.assigned", {"bay": i % 64 + 1, "bay_key": f"live-{i}", "label": "live"})
                    slowest = max(slowest, time.monotonic() - started)
                    status = loop.status()
                    if status is None or status.pending > BENCH_WRITES:
                        during_drain += 1
                    time.sleep(0.05)
                last_seq = int(store.db.execute("SELECT MAX(seq) FROM events").fetchone()[0])
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                status = loop.status()
                if status is not None and status.state is SyncState.IDLE and status.hub_hwm == last_seq:
                    break
                time.sleep(0.2)
        finally:
            loop.stop()
        assert status is not None
        assert (status.state, status.pending, status.hub_hwm) == (SyncState.IDLE, 0, last_seq), status.last_error
        assert during_drain >= BENCH_WRITES // 2, "the bench wrote while the backlog was draining"
        assert slowest < 5.0, f"a bench write waited {slowest:.2f} s on the drain"  # the writer's busy_timeout
        marks = [s.hub_hwm for s in statuses]
        assert marks == sorted(marks), "the hub's mark only ever rose: the backlog went up in seq order"
        held, local = hub_hashes(hub.storage), bench_hashes(bench)
        assert held == local
        assert sorted(seq for _, seq in held) == list(range(1, last_seq + 1))
        with hub.storage.transaction() as tx:
            arrivals = [r[0] for r in tx._all("SELECT received_at FROM events ORDER BY seq")]
        assert arrivals == sorted(arrivals), "received in seq order"
