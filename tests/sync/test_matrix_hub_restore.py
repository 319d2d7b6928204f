"""Failure matrix row 12 with a real backup: the hub's database is backed up (SQLite's online
backup; pg_dump for PostgreSQL), the hub takes more events, then it is restored from that backup
and comes back with the same key. The bench's next handshake sees the lower mark and sends what the
hub lost; the hub ends with exactly the bench's log. (tests/sync/test_faults.py shows the same by
deleting rows; this one goes through the backends' own backup and restore tools.)"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.hub.backends import HUB_DB_FILE, open_postgres, open_sqlite
from app.hub.server import HubServer
from app.hub.service import Hub
from app.hub.storage import HubStorage
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.services.sync_enroll import enroll
from app.store.store import Store
from tests.hub.helpers import BACKENDS, RunningHub, bench_hashes, hub_hashes, postgres_database, record_events


@contextlib.contextmanager
def _serving(open_storage: Callable[[], HubStorage], key: Ed25519PrivateKey) -> Iterator[RunningHub]:
    storage = open_storage()
    try:
        hub = Hub(storage, key)
        with HubServer(hub, "127.0.0.1", 0, request_timeout=10) as server:
            yield RunningHub(hub, server, storage)
    finally:
        storage.close()


def _sync(bench: Path, url: str) -> SyncStatus:
    enrollment = json.loads((bench / "sync.json").read_text())
    (bench / "sync.json").write_text(json.dumps({**enrollment, "hub_url": url}))
    client = SyncClient(bench, timeout=10)
    try:
        return client.sync_once()
    finally:
        client.close()


class SqliteBackups:
    """The embedded hub: its file copied with SQLite's online backup, put back while the hub is down."""

    def __init__(self, root: Path) -> None:
        self.hub_dir, self.copy = root / "hub", root / "hub-backup.sqlite3"
        self.hub_dir.mkdir(parents=True)

    def open_live(self) -> HubStorage:
        return open_sqlite(self.hub_dir)

    def back_up(self) -> None:
        with contextlib.closing(sqlite3.connect(str(self.hub_dir / HUB_DB_FILE))) as live, \
                contextlib.closing(sqlite3.connect(str(self.copy))) as copy:
            live.backup(copy)

    def open_restored(self) -> HubStorage:
        for suffix in ("", "-wal", "-shm"):
            (self.hub_dir / f"{HUB_DB_FILE}{suffix}").unlink(missing_ok=True)
        self.copy.replace(self.hub_dir / HUB_DB_FILE)
        return open_sqlite(self.hub_dir)


class PostgresBackups:
    """The scaled hub: pg_dump of its database, restored into a fresh database the hub then uses."""

    def __init__(self, live_dsn: str, restored_dsn: str, root: Path) -> None:
        self.live_dsn, self.restored_dsn, self.dump = live_dsn, restored_dsn, root / "hub.sql"

    def open_live(self) -> HubStorage:
        return open_postgres(self.live_dsn)

    def back_up(self) -> None:
        subprocess.run(["pg_dump", "--no-owner", "--no-acl", "-f", str(self.dump), self.live_dsn], check=True,
                       capture_output=True, timeout=120)

    def open_restored(self) -> HubStorage:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(self.dump), self.restored_dsn], check=True,
                       capture_output=True, timeout=120)
        return open_postgres(self.restored_dsn)


@contextlib.contextmanager
def _backups(backend: str, root: Path) -> Iterator[SqliteBackups | PostgresBackups]:
    if backend == "sqlite":
        yield SqliteBackups(root)
        return
    with postgres_database() as live, postgres_database() as restored:
        yield PostgresBackups(live, restored, root)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hub_restored_from_its_backup_gets_what_it_lost_from_the_bench(tmp_path: Path, backend: str) -> None:
    key = Ed25519PrivateKey.generate()  # the hub's key survives the restore (kept apart from its database)
    bench = tmp_path / "bench"
    Store(bench).close()
    with _backups(backend, tmp_path) as backups:
        with _serving(backups.open_live, key) as live:
            enroll(bench, live.url, live.hub.create_enrollment_code("Bench R"), timeout=5)
            record_events(bench, 40)
            assert _sync(bench, live.url).state is SyncState.IDLE
            backups.back_up()
            record_events(bench, 60, start=100)
            status = _sync(bench, live.url)
            assert (status.state, status.hub_hwm) == (SyncState.IDLE, 101)
        record_events(bench, 10, start=200)  # the bench works on while the hub is down

        with _serving(backups.open_restored, key) as restored:
            stream_id = status.stream_id
            with restored.storage.transaction() as tx:
                stream = tx.stream(stream_id)
            assert stream is not None
            assert stream.hwm == 41, "the restore took the hub back to the backup"
            status = _sync(bench, restored.url)
            assert status.state is SyncState.IDLE, status.last_error
            assert (status.pending, status.hub_hwm) == (0, 111)
            held, local = hub_hashes(restored.storage), bench_hashes(bench)
    assert held == local
    assert sorted(seq for _, seq in held) == list(range(1, 112)), "no gaps, nothing twice"
