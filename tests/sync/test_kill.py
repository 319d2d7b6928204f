"""The bench's sync process killed with SIGKILL mid-drain, again and again, while the bench keeps
working: at no point does the bench believe the hub holds more than it does, and the hub ends with
exactly the bench's events, no duplicates and no gaps."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store import sync_state
from app.store.store import Store
from tests.hub.helpers import bench_hashes, free_env, hub_hashes, record_events, running_hub

ROOT = Path(__file__).resolve().parents[2]
KILLS = 8

pytestmark = pytest.mark.slow


def _hub_hwm(storage: object, stream_id: str) -> int:
    with storage.transaction() as tx:  # type: ignore[attr-defined]
        stream = tx.stream(stream_id)
    return int(stream.hwm) if stream else 0


def test_sigkill_mid_sync_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261203)
    # The hub takes 20 events a batch, so a drain is many round trips and a kill lands inside one.
    with running_hub("sqlite", tmp_path / "hub", max_batch_events=20) as hub:
        bench = tmp_path / "bench"
        Store(bench).close()
        enroll(bench, hub.url, hub.hub.create_enrollment_code("Bench K"), timeout=5)
        record_events(bench, 1500)
        with Store(bench) as store:
            stream_id = store.stream_id
        landed_mid_drain = 0
        for kill in range(KILLS):
            before = _hub_hwm(hub.storage, stream_id)
            process = subprocess.Popen(
                [sys.executable, "-m", "app", "--data-dir", str(bench), "sync", "--once", "--timeout", "5"],
                cwd=ROOT, env=free_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while _hub_hwm(hub.storage, stream_id) == before and process.poll() is None:
                assert time.monotonic() < deadline, "the sync process never reached the hub"
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.05))  # somewhere in the next push, its reply or the ack
            finished = process.poll() is not None
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            hub_hwm = _hub_hwm(hub.storage, stream_id)
            with Store(bench) as store:
                believed = sync_state.cursor(store.db, stream_id).hub_hwm
                last = sync_state.last_seq(store.db)
                assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert believed <= hub_hwm, "the bench never believes the hub holds more than it does"
            if not finished and before < hub_hwm < last:
                landed_mid_drain += 1
            record_events(bench, rng.randrange(0, 40), start=10_000 + kill * 100)  # the bench works on
        assert landed_mid_drain >= KILLS // 2, f"only {landed_mid_drain} kills landed mid-drain"

        client = SyncClient(bench, timeout=10)
        try:
            status = client.sync_once()
        finally:
            client.close()
        assert status.state is SyncState.IDLE, status.last_error
        held, local = hub_hashes(hub.storage), bench_hashes(bench)
        assert held == local
        assert sorted(seq for _, seq in held) == list(range(1, len(local) + 1)), "no gaps"
