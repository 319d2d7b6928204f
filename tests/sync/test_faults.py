"""Through every network fault the bench can meet, the hub ends with exactly the bench's events:
no duplicates, no gaps, nothing extra — and the bench's thread is never the one that waits."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from app.services.sync import SyncClient, SyncState, SyncStatus
from app.services.sync_loop import Backoff, SyncLoop
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, record_events
from tests.sync.faultproxy import FATES, FaultProxy


def _point_bench_at(bench: Path, url: str) -> None:
    enrollment = (bench / "sync.json").read_text()
    import json

    data = json.loads(enrollment)
    data["hub_url"] = url
    (bench / "sync.json").write_text(json.dumps(data))


def _assert_converged(bench: Path, hub: RunningHub) -> None:
    held, local = hub_hashes(hub.storage), bench_hashes(bench)
    assert held == local
    seqs = sorted(seq for _, seq in held)
    assert seqs == list(range(1, len(seqs) + 1)), "no gaps"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_fault_ends_with_exactly_the_bench_events(bench: Path, hub: RunningHub, seed: int) -> None:
    record_events(bench, 700)
    rng = random.Random(seed)
    faults = [f for f in FATES if f != "pass"] * 3
    rng.shuffle(faults)
    fates = [fate for f in faults for fate in (f, "pass")]
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), fates, delay=0.2) as proxy:
        _point_bench_at(bench, proxy.url)
        client = SyncClient(bench, timeout=0.8, max_batch_events=40)
        try:
            sessions = 0
            while True:
                sessions += 1
                status = client.sync_once()
                if status.state is SyncState.IDLE and not proxy._fates:
                    break
                assert sessions < 200, status.last_error
                record_events(bench, rng.randrange(0, 5), start=1000 + sessions * 10)  # the bench keeps working
        finally:
            client.close()
    assert status.pending == 0
    assert all(proxy.seen[f] >= 3 for f in FATES if f != "pass"), proxy.seen
    _assert_converged(bench, hub)


def test_background_loop_backs_off_and_drains_when_the_hub_returns(bench: Path, hub: RunningHub) -> None:
    record_events(bench, 300)
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), ["refuse"] * 6 + ["reset"] * 2) as proxy:
        _point_bench_at(bench, proxy.url)
        statuses: list[SyncStatus] = []
        loop = SyncLoop(bench, interval=30, backoff=Backoff(base=0.02, cap=0.1, rng=random.Random(7)),
                        on_status=statuses.append, timeout=2, max_batch_events=50)
        started = time.monotonic()
        loop.start()
        assert time.monotonic() - started < 0.5, "starting the loop never waits on the network"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                status = loop.status()
                if status is not None and status.state is SyncState.IDLE:
                    break
                time.sleep(0.02)
        finally:
            loop.stop()
    assert status is not None
    assert status.state is SyncState.IDLE
    backing_off = [s for s in statuses if s.state is SyncState.BACKING_OFF]
    assert backing_off
    assert backing_off[0].last_error
    _assert_converged(bench, hub)


def test_full_jitter_stays_under_the_ceiling_and_honours_retry_after() -> None:
    backoff = Backoff(base=1, cap=300, rng=random.Random(3))
    delays = [backoff.next_delay() for _ in range(12)]
    assert all(0 <= d <= min(300, 2 ** i) for i, d in enumerate(delays))
    assert len(set(delays)) == len(delays), "jittered, not fixed"
    assert backoff.next_delay(retry_after=42) >= 42
    backoff.reset()
    assert backoff.next_delay() <= 1


def test_hub_restored_from_an_older_backup_gets_the_lost_events_again(
    bench: Path, hub: RunningHub, tmp_path: Path
) -> None:
    record_events(bench, 100)
    client = SyncClient(bench, timeout=5)
    try:
        assert client.sync_once().state is SyncState.IDLE
        # The hub's database goes back in time: it loses everything after seq 40.
        with hub.storage.transaction() as tx:
            stream = Store(bench)
            stream_id = stream.stream_id
            stream.close()
            tx._run("DELETE FROM events WHERE stream_id = ? AND seq > 40", [stream_id])
            held = tx.held(stream_id, 40)
            assert held is not None
            tx._run("UPDATE streams SET hwm = 40, hwm_hash = ? WHERE stream_id = ?", [held.hash, stream_id])
        record_events(bench, 10, start=500)
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE
    assert status.hub_hwm == 111
    _assert_converged(bench, hub)
