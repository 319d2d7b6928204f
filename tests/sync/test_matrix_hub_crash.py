"""Failure matrix row 11 on PostgreSQL: the hub's database session dies in the middle of an ingest
transaction (``pg_terminate_backend``, as a database failover or an OOM kill of a backend does).

The batch's rows were already inserted when the session died: they are rolled back, the bench gets
no 200 for that batch, it retries the same batch later, and the hub ends with exactly the bench's
events. A test-only statement trigger parks the ingest transaction right after its INSERT by
waiting on an advisory lock the test holds, so the kill lands inside the transaction every time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.hub.backends import open_postgres
from app.hub.server import HubServer
from app.hub.service import Hub
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.services.sync_enroll import enroll
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, postgres_database, record_events

HOLD_LOCK = 424242
_PARK_INGEST = f"""
CREATE FUNCTION park_ingest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock_shared({HOLD_LOCK}); RETURN NULL; END $$;
CREATE TRIGGER park_ingest AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION park_ingest();
"""


@contextlib.contextmanager
def _postgres_hub(root: Path) -> Iterator[tuple[RunningHub, str]]:
    with postgres_database() as dsn:
        storage = open_postgres(dsn)
        try:
            hub = Hub(storage, Ed25519PrivateKey.generate(), max_batch_events=50)
            with HubServer(hub, "127.0.0.1", 0, request_timeout=30) as server:
                yield RunningHub(hub, server, storage), dsn
        finally:
            storage.close()


def _parked_backends(admin: psycopg.Connection[Any]) -> list[int]:
    """Hub sessions of this database waiting on the test's advisory lock: inside an ingest, after its INSERT."""
    rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                         " AND wait_event_type = 'Lock' AND wait_event = 'advisory'").fetchall()
    return [int(r[0]) for r in rows]


def _held(admin: psycopg.Connection[Any]) -> dict[tuple[str, int], str]:
    """What the hub's database holds, read on the test's own session (not through the hub's pool)."""
    return {(str(s), int(q)): str(h) for s, q, h in admin.execute("SELECT stream_id, seq, hash FROM events")}


def _sync(bench: Path) -> SyncStatus:
    client = SyncClient(bench, timeout=30, max_batch_events=50)
    try:
        return client.sync_once()
    finally:
        client.close()


def test_a_hub_session_killed_mid_ingest_rolls_the_batch_back_and_the_bench_sends_it_again(
    tmp_path: Path, log_warnings: list[Any]
) -> None:
    with _postgres_hub(tmp_path) as (hub, dsn), psycopg.connect(dsn, autocommit=True) as admin:
        bench = tmp_path / "bench"
        Store(bench).close()
        enroll(bench, hub.url, hub.hub.create_enrollment_code("Bench PG"), timeout=5)
        record_events(bench, 120)
        first = _sync(bench)
        assert first.state is SyncState.IDLE, first.last_error
        held_before = _held(admin)
        record_events(bench, 80, start=200)

        admin.execute(_PARK_INGEST)
        admin.execute("SELECT pg_advisory_lock(%s)", [HOLD_LOCK])
        with ThreadPoolExecutor(1) as pool:
            pending_sync = pool.submit(_sync, bench)
            deadline = time.monotonic() + 30
            while not (parked := _parked_backends(admin)):
                assert time.monotonic() < deadline, "the push never reached its INSERT"
                assert not pending_sync.done(), pending_sync.result()
                time.sleep(0.01)
            # The batch's rows are written but not committed: the session dies here.
            assert admin.execute("SELECT pg_terminate_backend(%s)", [parked[0]]).fetchone() == (True,)
            admin.execute("SELECT pg_advisory_unlock(%s)", [HOLD_LOCK])
            cut = pending_sync.result(timeout=60)

        assert cut.state is SyncState.BACKING_OFF, "no 200 came back for the batch whose session died"
        assert "HTTP 5" in cut.last_error, cut.last_error
        assert cut.hub_hwm == 121, "the bench believes the hub holds nothing of the lost batch"
        assert _held(admin) == held_before, "the batch was rolled back whole"

        # The bench tries again (same seqs, same ids) and the hub takes them at once: the dead
        # session's connection left the pool instead of answering 500 to whoever took it next.
        again = _sync(bench)
        assert again.state is SyncState.IDLE, again.last_error
        assert again.pending == 0
        assert hub.storage.dialect.name == "postgresql"
        assert all(not conn.closed for conn in hub.storage._all), "no dead connection kept"  # type: ignore[attr-defined]
        held, local = _held(admin), bench_hashes(bench)
        assert held == local
        assert sorted(seq for _, seq in held) == list(range(1, 202)), "no gaps, no duplicates"
