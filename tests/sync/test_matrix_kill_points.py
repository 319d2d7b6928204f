"""Failure matrix rows 4 and 9: the bench's sync process dies by SIGKILL at an exact point.

Row 4: after reading a batch from the log, before sending it: nothing was sent, the batch is
still pending, the next session sends it. Row 9: after the hub's 200, before the bench records
the answer: the hub holds more than the bench believes; the next handshake tells the bench so and
nothing is stored twice, rejected or in conflict. (tests/sync/test_kill.py kills at random moments;
these two land on the named points every time.)
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store import sync_state
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, free_env, hub_hashes, record_events, running_hub

ROOT = Path(__file__).resolve().parents[2]


def _killed_at(bench: Path, point: str, nth: int) -> tuple[int, int]:
    child = subprocess.run([sys.executable, "-m", "tests.sync.sync_kill_child", str(bench), point, str(nth)],
                           cwd=ROOT, env=free_env(), capture_output=True, text=True, timeout=120, check=False)
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    said, first, last = child.stdout.split()
    assert said == point
    return int(first), int(last)


def _hub_hwm(hub: RunningHub, stream_id: str) -> int:
    with hub.storage.transaction() as tx:
        stream = tx.stream(stream_id)
    assert stream is not None
    return stream.hwm


def _bench_state(bench: Path) -> tuple[str, int, int]:
    with Store(bench) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stream_id = store.stream_id
        return stream_id, sync_state.cursor(store.db, stream_id).hub_hwm, sync_state.last_seq(store.db)


def _drain_and_check(bench: Path, hub: RunningHub) -> None:
    client = SyncClient(bench, timeout=10)
    try:
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0
    held, local = hub_hashes(hub.storage), bench_hashes(bench)
    assert held == local
    assert sorted(seq for _, seq in held) == list(range(1, len(local) + 1)), "no gaps"
    with Store(bench) as store:
        assert sync_state.problem_events(store.db) == [], "nothing rejected or in conflict"


@pytest.fixture
def small_batch_hub(tmp_path: Path) -> Iterator[RunningHub]:
    # 20 events a batch: a drain of 200 events is ten round trips, so the third one is mid-drain.
    with running_hub("sqlite", tmp_path / "hub", max_batch_events=20) as hub:
        yield hub


def _enrolled(hub: RunningHub, folder: Path) -> Path:
    Store(folder).close()
    enroll(folder, hub.url, hub.hub.create_enrollment_code("Bench KP"), timeout=5)
    record_events(folder, 200)
    return folder


def test_killed_after_reading_a_batch_before_sending_it_the_batch_stays_pending(
    small_batch_hub: RunningHub, tmp_path: Path
) -> None:
    hub = small_batch_hub
    bench = _enrolled(hub, tmp_path / "bench")
    first, last = _killed_at(bench, "after_read", 3)
    assert (first, last) == (41, 60)
    stream_id, believed, last_seq = _bench_state(bench)
    assert _hub_hwm(hub, stream_id) == believed == 40, "the batch read was never sent"
    assert max(seq for _, seq in hub_hashes(hub.storage)) == 40
    with Store(bench) as store:
        pending, _ = sync_state.pending_summary(store.db)
    assert pending == last_seq - 40, "the read batch and everything after it is still pending"
    _drain_and_check(bench, hub)


def test_killed_after_the_hub_answered_before_the_ack_nothing_is_stored_twice(
    small_batch_hub: RunningHub, tmp_path: Path
) -> None:
    hub = small_batch_hub
    bench = _enrolled(hub, tmp_path / "bench")
    _, answered = _killed_at(bench, "after_reply", 3)
    assert answered == 60
    stream_id, believed, _ = _bench_state(bench)
    assert believed == 40, "the bench never recorded the third answer"
    assert _hub_hwm(hub, stream_id) == 60, "the hub committed the batch before it answered"
    record_events(bench, 15, start=500)  # the bench works on before the next session
    _drain_and_check(bench, hub)
