"""Sync throughput: a bench's backlog drained to the hub, and many benches pushing at once.

1. Drain: 100,000 real signed events (a month offline, tests/sync/offline_log.py) from one bench to
   the hub over loopback HTTP, one ``SyncClient.sync_once``, batches of 500; on the SQLite hub (in
   the bench's process, its own thread) and on the PostgreSQL hub. Target ≥ 5,000 events/s. Peer:
   the same rows put into a plain table of the same database, 500 per transaction, no HTTP, no
   verification, no projections: the ceiling of the storage itself.
2. Herd: 200 simulated benches (each its own key and stream, enrolled) push at once, 100 events a
   batch, all at the same moment, to ``hub serve`` processes on PostgreSQL (one per core, the benches
   spread over them as a load balancer would). Hub events/s over the whole burst, and each
   batch's latency (request sent to reply read) at p50/p99. Targets ≥ 5,000 events/s, p99 < 500 ms.
   Peer for the rate: the plain-INSERT ceiling of row 2.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.canonical import GENESIS_HASH
from app.core.models import Event
from app.hub.backends import open_postgres, open_sqlite
from app.hub.hub_key import load_or_create_hub_key
from app.hub.protocol import event_to_wire, public_key_hex
from app.hub.server import HubServer
from app.hub.service import Hub
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store.db import connect
from app.store.store import DB_FILE
from tests.bench.bench_util import ROOT, Results, Row, Sizes, percentile, progress, scratch_dir, section_main
from tests.hub.helpers import postgres_database
from tests.sync.offline_log import offline_bench

SECTION = "Sync"
TARGET_RATE = 5_000.0
TARGET_P99_MS = 500.0
PEER_BATCH = 500
HUB_PROCESSES = 2  # hub processes on the PostgreSQL hub, one per core of this machine
_COLUMNS = ("stream_id, seq, event_id, type, schema_version, occurred_at, operator_id, unit_id, body, prev_hash, "
            "hash, signature")


def _rows(data_dir: Path) -> list[tuple[Any, ...]]:
    db = connect(data_dir / DB_FILE)
    try:
        return [tuple(r) for r in db.execute(f"SELECT {_COLUMNS} FROM events ORDER BY seq").fetchall()]
    finally:
        db.close()


def _peer_rate(rows: list[tuple[Any, ...]], insert_batch: Callable[[list[tuple[Any, ...]]], None]) -> float:
    started = time.perf_counter()
    for first in range(0, len(rows), PEER_BATCH):
        insert_batch(rows[first:first + PEER_BATCH])
    return len(rows) / (time.perf_counter() - started)


def _sqlite_peer(folder: Path, rows: list[tuple[Any, ...]]) -> float:
    db = connect(folder / "peer.sqlite3")  # WAL, synchronous=FULL: the hub's own settings
    conn = db.conn
    conn.execute(f"CREATE TABLE events ({_COLUMNS}, PRIMARY KEY (stream_id, seq))")

    def insert(batch: list[tuple[Any, ...]]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO events VALUES ({', '.join('?' * 12)})", batch)
        conn.execute("COMMIT")

    try:
        return _peer_rate(rows, insert)
    finally:
        db.close()


def _postgres_peer(dsn: str, rows: list[tuple[Any, ...]]) -> float:
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute(f"CREATE TABLE peer_events ({_COLUMNS.replace(', ', ' TEXT, ')} TEXT,"
                     " PRIMARY KEY (stream_id, seq))")
        conn.commit()

        def insert(batch: list[tuple[Any, ...]]) -> None:
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO peer_events VALUES ({', '.join(['%s'] * 12)})",
                                [tuple(str(v) if v is not None else None for v in row) for row in batch])
            conn.commit()

        return _peer_rate(rows, insert)


def _drain(folder: Path, hub: Hub, count: int) -> tuple[float, int]:
    bench = offline_bench(folder / "bench", count)
    with HubServer(hub, "127.0.0.1", 0, request_timeout=60) as server:
        enroll(bench, server.url, hub.create_enrollment_code("Bench drain"), timeout=30)
        client = SyncClient(bench, timeout=120)
        try:
            started = time.perf_counter()
            status = client.sync_once()
            seconds = time.perf_counter() - started
        finally:
            client.close()
    if status.state is not SyncState.IDLE or status.pending:
        raise RuntimeError(f"the drain did not finish: {status.last_error}")
    shutil.rmtree(bench)
    return count / seconds, status.hub_hwm


# --- the herd ----------------------------------------------------------------------------------------


def _signed_events(stream_id: str, key: Ed25519PrivateKey, count: int) -> list[dict[str, Any]]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        event = Event(stream_id, seq, str(uuid.uuid4()), "bay.assigned", 1, f"2026-11-0{1 + seq % 9}T10:00:00.000Z",
                      None, None, {"bay": seq % 64 + 1, "bay_key": f"pci-{seq}", "label": f"dock {seq}"}, prev)
        digest = event.content_hash()
        event = Event(**{**event.__dict__, "hash": digest, "signature": key.sign(bytes.fromhex(digest)).hex()})
        events.append(event_to_wire(event))
        prev = digest
    return events


def _herd(hub_dir: Path, dsn: str, benches: int, batches: int, per_batch: int) -> tuple[float, list[float], int]:
    hub = Hub(open_postgres(dsn, pool_size=2), load_or_create_hub_key(hub_dir))
    fleet = []
    progress(f"enrolling {benches} simulated benches and signing {benches * batches * per_batch:,} events")
    for number in range(benches):
        key, stream_id = Ed25519PrivateKey.generate(), str(uuid.uuid4())
        answer = hub.enroll({"enrollment_code": hub.create_enrollment_code(f"Herd {number}"),
                             "device_pubkey": public_key_hex(key.public_key()), "stream_id": stream_id})
        events = _signed_events(stream_id, key, batches * per_batch)
        bodies = [json.dumps({"batch_id": f"{stream_id}:{i}", "events": events[i * per_batch:(i + 1) * per_batch]})
                  .encode() for i in range(batches)]
        fleet.append((answer["access_token"], stream_id, bodies))
    hub.storage.close()
    servers = [subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--data-dir", str(hub_dir), "--database",
                                 dsn, "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(HUB_PROCESSES)]
    try:
        ports = []
        for server in servers:
            assert server.stdout is not None
            ports.append(int(server.stdout.readline().strip().rsplit(":", 1)[1]))
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        go = threading.Event()

        def push(number: int, token: str, stream_id: str, bodies: list[bytes]) -> None:
            port = ports[number % len(ports)]  # the benches spread over the hub processes, as a balancer would
            go.wait()
            for body in bodies:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                started = time.perf_counter()
                try:
                    conn.request("POST", f"/v1/streams/{stream_id}/events", body=body, headers={
                        "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                        "Connection": "close"})
                    response = conn.getresponse()
                    reply = response.read()
                    elapsed = time.perf_counter() - started
                finally:
                    conn.close()
                with lock:
                    if response.status == 200:
                        latencies.append(elapsed * 1000)
                    else:
                        failures.append(f"HTTP {response.status} {reply[:80]!r}")

        threads = [threading.Thread(target=push, args=(i, *bench), name=f"herd-{i}") for i, bench in enumerate(fleet)]
        for thread in threads:
            thread.start()
        progress(f"{benches} benches push at once")
        started = time.perf_counter()
        go.set()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
            if server.stdout:
                server.stdout.close()
    if failures:
        raise RuntimeError(f"{len(failures)} pushes failed, e.g. {failures[0]}")
    stored = len(latencies) * per_batch
    return stored / seconds, latencies, stored


def run(sizes: Sizes) -> Results:
    count = 100_000  # also for --quick: the cached log is this size, and building another takes minutes
    benches, batches, per_batch = (50, 2, 100) if sizes.quick else (200, 3, 100)
    results = Results(peers={
        "S": f"the same rows into a plain SQLite table (WAL, synchronous=FULL), {PEER_BATCH} per transaction",
        "P": f"the same rows into a plain PostgreSQL table, executemany {PEER_BATCH} per transaction",
    })
    with scratch_dir("sync-") as folder:
        progress(f"copying a bench with {count:,} events (built once, cached in .bench/)")
        rows = _rows(offline_bench(folder / "rows", count))
        shutil.rmtree(folder / "rows")

        progress("drain to the SQLite hub")
        (folder / "hub-sqlite").mkdir()
        storage = open_sqlite(folder / "hub-sqlite")
        try:
            rate, hwm = _drain(folder, Hub(storage, Ed25519PrivateKey.generate()), count)
        finally:
            storage.close()
        peer = _sqlite_peer(folder, rows)
        results.rows.append(Row(SECTION, f"drain {count:,} events bench -> SQLite hub", rate, "/s", TARGET_RATE,
                                better="higher", peer=peer, peer_key="S",
                                note=f"one session, batches of 500, hub mark {hwm:,}"))

        with postgres_database() as dsn:
            progress("drain to the PostgreSQL hub")
            storage = open_postgres(dsn)
            try:
                rate, hwm = _drain(folder, Hub(storage, Ed25519PrivateKey.generate()), count)
            finally:
                storage.close()
            peer = _postgres_peer(dsn, rows)
            results.rows.append(Row(SECTION, f"drain {count:,} events bench -> PostgreSQL hub", rate, "/s",
                                    TARGET_RATE, better="higher", peer=peer, peer_key="P",
                                    note=f"one session, batches of 500, hub mark {hwm:,}"))
        with postgres_database() as dsn:
            herd_rate, latencies, stored = _herd(folder / "hub-herd", dsn, benches, batches, per_batch)
        results.rows.append(Row(SECTION, f"{benches} benches at once -> PostgreSQL hub: events/s", herd_rate, "/s",
                                TARGET_RATE, better="higher", peer=peer, peer_key="P",
                                note=f"{stored:,} events in {len(latencies)} batches of {per_batch}, all sent at once, "
                                     f"{HUB_PROCESSES} hub processes"))
        results.rows.append(Row(SECTION, f"{benches} benches at once: batch latency p99", percentile(latencies, 99),
                                "ms", TARGET_P99_MS,
                                note=f"p50 {percentile(latencies, 50):.0f} ms, max {max(latencies):.0f} ms"))
    return results


if __name__ == "__main__":
    raise SystemExit(section_main("bench_sync", run))
