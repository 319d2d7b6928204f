"""Two `hub serve --database postgresql://...` processes on one PostgreSQL database behind a
round-robin load balancer: every request of a session may land on either process. Benches enroll
and sync at once, and one bench runs two sync sessions at the same time (the GUI's loop and a
`sync --once` from a script). The hub ends with exactly every bench's log, nothing twice."""

from __future__ import annotations

import itertools
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.cli import main as cli_main
from app.hub.backends import open_postgres
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.services.sync_enroll import enroll
from app.store.store import Store
from tests.hub.helpers import bench_hashes, free_env, hub_hashes, postgres_database, record_events
from tests.sync.faultproxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
BENCHES, ROUNDS = 4, 3


class RoundRobin(FaultProxy):
    """A load balancer: each connection (one request each) goes to the next hub process in turn."""

    def __init__(self, upstreams: list[tuple[str, int]]) -> None:
        super().__init__(upstreams[0])
        self._cycle = itertools.cycle(upstreams)
        self._pick = threading.Lock()
        self.served: dict[tuple[str, int], int] = dict.fromkeys(upstreams, 0)

    def _forward(self, request: bytes) -> bytes:
        with self._pick:
            upstream = next(self._cycle)
            self.served[upstream] += 1
        with socket.create_connection(upstream, timeout=self.io_timeout) as conn:
            conn.sendall(request)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def _serve(hub_dir: Path, dsn: str) -> tuple[subprocess.Popen[str], tuple[str, int]]:
    process = subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--data-dir", str(hub_dir), "--database",
                                dsn, "--port", "0"], cwd=ROOT, env=free_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("hub listening on http://127.0.0.1:"), line
    address = urlsplit(line.split()[-1])
    assert address.hostname is not None
    assert address.port is not None
    return process, (address.hostname, address.port)


def _sync(bench: Path) -> SyncStatus:
    client = SyncClient(bench, timeout=30, max_batch_events=20)
    try:
        return client.sync_once()
    finally:
        client.close()


def test_hub_processes_sharing_one_postgres_database_take_every_bench_exactly_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub_dir = tmp_path / "hub"
    with postgres_database() as dsn:
        codes = []
        for i in range(BENCHES):
            assert cli_main(["hub", "enroll-code", "--data-dir", str(hub_dir), "--database", dsn,
                             "--bench-name", f"Bench {i}"]) == 0
            codes.append(capsys.readouterr().out.strip())
        processes = [_serve(hub_dir, dsn) for _ in range(2)]
        try:
            balancer = RoundRobin([address for _, address in processes])
            with balancer:
                benches = []
                for i, code in enumerate(codes):
                    bench = tmp_path / f"bench-{i}"
                    Store(bench).close()
                    enroll(bench, balancer.url, code, timeout=10)
                    benches.append(bench)
                failures: list[str] = []

                def work(bench: Path, rounds: int) -> None:
                    try:
                        for round_no in range(rounds):
                            record_events(bench, 60, start=round_no * 100)
                            status = _sync(bench)
                            if status.state is not SyncState.IDLE:
                                failures.append(f"{bench.name} round {round_no}: {status.last_error}")
                    except Exception as exc:  # noqa: BLE001 - reported below with the bench it happened on
                        failures.append(f"{bench.name}: {exc!r}")

                # Every bench at once, plus a second session on bench 0 running beside its own.
                threads = [threading.Thread(target=work, args=(b, ROUNDS), name=b.name) for b in benches]
                threads.append(threading.Thread(target=work, args=(benches[0], ROUNDS), name="bench-0-twin"))
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(120)
                assert failures == []
                assert all(count > 10 for count in balancer.served.values()), balancer.served
        finally:
            for process, _ in processes:
                process.send_signal(signal.SIGTERM)
            for process, _ in processes:
                assert process.wait(timeout=30) == 0
                if process.stdout:
                    process.stdout.close()

        storage = open_postgres(dsn)
        try:
            held = hub_hashes(storage)
        finally:
            storage.close()
    local: dict[tuple[str, int], str] = {}
    for bench in benches:
        local.update(bench_hashes(bench))
    assert held == local
    for bench in benches:
        seqs = sorted(seq for _, seq in bench_hashes(bench))
        assert seqs == list(range(1, len(seqs) + 1))
