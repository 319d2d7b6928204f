"""Sync throughput: a bench's backlog drained to the hub, and many benches pushing at once.

1. Drain: 100,000 real signed events (a month offline, tests/sync/offline_log.py) from one bench to
   the hub over loopback HTTP, one ``SyncClient.sync_once``, batches of 500; on the SQLite hub (in
   the bench's process, its own thread) and on the PostgreSQL hub. Target ≥ 5,000 events/s. Peer:
   the same rows put into a plain table of the same database, 500 per transaction, no HTTP, no
   verification, no projections: the ceiling of the storage itself.
2. Herd (tests/bench/sync_herd.py): 200 simulated benches (each its own key and stream, enrolled)
   push 3 batches of 100 events each, all starting at the same moment, through the product's
   ``HubClient`` and ``Backoff``, to ``hub serve`` processes on PostgreSQL (one per core, the benches
   spread over them as a load balancer would). Each hub process admits a few pushes at once and
   answers the rest 503 + Retry-After. Reported side by side: hub events/s over the whole burst
   (target ≥ 5,000; peer: the plain-INSERT ceiling of row 2), p99 latency of the batches the hub
   accepted (target < 500 ms; p50 in the note), the 503s answered, p99 from a batch's first attempt
   to its being stored (waits included), the time until every bench drained, and the hub's counts:
   0 lost, 0 duplicate. Peer [G] for the latencies: the same herd against hub processes that admit
   every push (the queueing that admission control replaces).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.hub.backends import open_postgres, open_sqlite
from app.hub.server import HubServer
from app.hub.service import Hub
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store.db import connect
from app.store.store import DB_FILE
from tests.bench.bench_util import Results, Row, Sizes, percentile, progress, scratch_dir, section_main
from tests.bench.sync_herd import HerdResult, herd
from tests.hub.helpers import postgres_database
from tests.sync.offline_log import offline_bench

SECTION = "Sync"
TARGET_RATE = 5_000.0
TARGET_P99_MS = 500.0
PEER_BATCH = 500
HUB_PROCESSES = 2  # hub processes on the PostgreSQL hub, one per core of this machine
UNGATED = 1000  # a push limit no herd here reaches: the hub as it was before admission control
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


def run(sizes: Sizes) -> Results:
    count = 100_000  # also for --quick: the cached log is this size, and building another takes minutes
    benches, batches, per_batch = (50, 2, 100) if sizes.quick else (200, 3, 100)
    results = Results(peers={
        "S": f"the same rows into a plain SQLite table (WAL, synchronous=FULL), {PEER_BATCH} per transaction",
        "P": f"the same rows into a plain PostgreSQL table, executemany {PEER_BATCH} per transaction",
        "G": f"the same herd against hub processes that admit every push at once (--max-pushes {UNGATED})",
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
        progress("the herd, each hub process admitting a few pushes at once (its default)")
        with postgres_database() as dsn:
            gated = herd(folder / "hub-herd", dsn, benches, batches, per_batch, processes=HUB_PROCESSES)
        progress("the same herd, hub processes admitting every push")
        with postgres_database() as dsn:
            ungated = herd(folder / "hub-herd-ungated", dsn, benches, batches, per_batch, processes=HUB_PROCESSES,
                           max_pushes=UNGATED)
        results.rows.extend(_herd_rows(gated, ungated, per_batch, peer))
    return results


def _check_counts(h: HerdResult) -> None:
    if h.lost or h.duplicates or h.hub_hwm_total != h.expected_events:
        raise RuntimeError(f"the herd lost {h.lost} and duplicated {h.duplicates} of {h.expected_events:,} events "
                           f"(hub marks sum to {h.hub_hwm_total:,})")


def _herd_rows(h: HerdResult, ungated: HerdResult, per_batch: int, peer: float) -> list[Row]:
    _check_counts(h)
    _check_counts(ungated)
    accepted, waited = h.accepted_ms, h.first_try_to_stored_ms
    name = f"{h.benches} benches at once"
    return [
        Row(SECTION, f"{name} -> PostgreSQL hub: events/s", h.rate, "/s", TARGET_RATE, better="higher",
            peer=peer, peer_key="P",
            note=f"{h.hub_distinct:,} events in {len(accepted)} batches of {per_batch}, {h.hub_processes} hub "
                 f"processes; the hub holds each once: 0 lost, 0 duplicate; admitting every push: "
                 f"{ungated.rate:,.0f} /s"),
        Row(SECTION, f"{name}: accepted batch latency p99", percentile(accepted, 99), "ms", TARGET_P99_MS,
            peer=percentile(ungated.accepted_ms, 99), peer_key="G",
            note=f"p50 {percentile(accepted, 50):.0f} ms (admitting every push: "
                 f"{percentile(ungated.accepted_ms, 50):.0f} ms), max {max(accepted):.0f} ms; "
                 f"{h.busy_answers} pushes answered 503 + Retry-After, {h.network_faults} network faults"),
        Row(SECTION, f"{name}: first attempt -> stored p99", percentile(waited, 99), "ms",
            peer=percentile(ungated.first_try_to_stored_ms, 99), peer_key="G",
            note=f"waits for Retry-After included; p50 {percentile(waited, 50):.0f} ms"),
        Row(SECTION, f"{name}: until every bench drained", h.drain_seconds, "s", peer=ungated.drain_seconds,
            peer_key="G", note=f"{h.expected_events:,} events, one batch in flight per bench"),
    ]


if __name__ == "__main__":
    raise SystemExit(section_main("bench_sync", run))
