"""Processes killed with SIGKILL mid-sync. The bench's sync process, again and again while the bench
keeps working: at no point does the bench believe the hub holds more than it does, and the hub ends
with exactly the bench's events, no duplicates and no gaps. The hub process, mid-ingest: the batch
it was committing is rolled back and never answered, and the bench sends it again."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.hub.backends import open_sqlite
from app.hub.hub_key import load_or_create_hub_key
from app.hub.service import Hub
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.services.sync_enroll import enroll
from app.services.sync_loop import Backoff, SyncLoop
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_hub(hub_dir: Path, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--data-dir", str(hub_dir), "--port",
                                str(port)], cwd=ROOT, env=free_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().startswith("hub listening on"), "the hub did not start"
    return process


def test_the_hub_killed_mid_ingest_rolls_back_and_the_bench_sends_again(tmp_path: Path) -> None:
    hub_dir, bench, port = tmp_path / "hub", tmp_path / "bench", _free_port()
    hub_dir.mkdir()
    admin = Hub(open_sqlite(hub_dir), load_or_create_hub_key(hub_dir))
    code = admin.create_enrollment_code("Bench H")
    process = _start_hub(hub_dir, port)
    try:
        Store(bench).close()
        enroll(bench, f"http://127.0.0.1:{port}", code, timeout=5)
        record_events(bench, 2000)
        with Store(bench) as store:
            stream_id, last = store.stream_id, sync_state.last_seq(store.db)
        statuses: list[SyncStatus] = []
        loop = SyncLoop(bench, interval=0.2, backoff=Backoff(base=0.05, cap=0.3), on_status=statuses.append,
                        timeout=5, max_batch_events=25)
        loop.start()
        try:
            for kill in range(4):
                target = (kill + 1) * last // 6
                deadline = time.monotonic() + 60
                while _hub_hwm(admin.storage, stream_id) < target:
                    assert time.monotonic() < deadline, "the drain stalled"
                    time.sleep(0.002)
                process.kill()  # SIGKILL: whatever batch it was committing is rolled back, never answered
                process.wait(timeout=30)
                if process.stdout:
                    process.stdout.close()
                with admin.storage.transaction() as tx:
                    assert tx._one("PRAGMA integrity_check") == ("ok",)
                process = _start_hub(hub_dir, port)
            deadline = time.monotonic() + 120
            while not (loop.status() is not None and loop.status().state is SyncState.IDLE  # type: ignore[union-attr]
                       and _hub_hwm(admin.storage, stream_id) == last):
                assert time.monotonic() < deadline, statuses[-1].last_error if statuses else "no status"
                time.sleep(0.05)
        finally:
            loop.stop()
        assert any(s.state is SyncState.BACKING_OFF for s in statuses), "the bench did see the hub go away"
        held, local = hub_hashes(admin.storage), bench_hashes(bench)
        assert held == local
        assert sorted(seq for _, seq in held) == list(range(1, last + 1))
    finally:
        process.kill()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()
        admin.storage.close()
