"""Shared by the hub and sync tests: a real hub on 127.0.0.1 over either storage backend, and benches."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.hub.backends import open_postgres, open_sqlite
from app.hub.server import HubServer
from app.hub.service import Hub
from app.hub.storage import HubStorage
from app.store.store import Store

BACKENDS = ["sqlite", "postgresql"]
PG_CLUSTER = ("15", "main")


@dataclass
class RunningHub:
    hub: Hub
    server: HubServer
    storage: HubStorage

    @property
    def url(self) -> str:
        return self.server.url


def postgres_available() -> bool:
    """Start the Debian cluster if it is installed and stopped; True when it accepts connections."""
    if shutil.which("pg_ctlcluster") is None:
        return False
    status = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout
    if "online" not in status:
        subprocess.run(["pg_ctlcluster", *PG_CLUSTER, "start"], capture_output=True, check=False, timeout=60)
    ready = subprocess.run(["pg_isready", "-q"], check=False, timeout=30)
    return ready.returncode == 0


def _psql(sql: str) -> None:
    subprocess.run(["su", "postgres", "-c", f'psql -q -v ON_ERROR_STOP=1 -c "{sql}"'], check=True,
                   capture_output=True, timeout=60)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards; yields its DSN."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not installed here (make test installs it)")
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    _psql("DO \\$\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hub_test') THEN "
          "CREATE ROLE hub_test LOGIN PASSWORD 'hub_test'; END IF; END \\$\\$")
    _psql(f"CREATE DATABASE {name} OWNER hub_test")
    try:
        yield f"postgresql://hub_test:hub_test@127.0.0.1:5432/{name}"
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextlib.contextmanager
def hub_storage(backend: str, data_dir: Path) -> Iterator[HubStorage]:
    data_dir.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        storage = open_sqlite(data_dir)
        try:
            yield storage
        finally:
            storage.close()
        return
    with postgres_database() as dsn:
        storage = open_postgres(dsn)
        try:
            yield storage
        finally:
            storage.close()


@contextlib.contextmanager
def running_hub(backend: str, data_dir: Path, *, key: Ed25519PrivateKey | None = None,
                request_timeout: float = 5.0, max_batch_events: int = 500) -> Iterator[RunningHub]:
    with hub_storage(backend, data_dir) as storage:
        hub = Hub(storage, key or Ed25519PrivateKey.generate(), max_batch_events=max_batch_events)
        with HubServer(hub, "127.0.0.1", 0, request_timeout=request_timeout) as server:
            yield RunningHub(hub, server, storage)


def record_events(data_dir: Path, count: int, *, start: int = 0) -> None:
    """``count`` more events on the bench (bay assignments: small, valid, no preconditions)."""
    with Store(data_dir) as store, store.transaction():
        for i in range(start, start + count):
            store.record("bay.assigned", {"bay": i % 64 + 1, "bay_key": f"pci-{i}", "label": f"dock {i}"})


def bench_hashes(data_dir: Path) -> dict[tuple[str, int], str]:
    """Every (stream, seq) -> hash in the bench's log."""
    with Store(data_dir) as store:
        rows = store.db.execute("SELECT stream_id, seq, hash FROM events").fetchall()
    return {(str(s), int(q)): str(h) for s, q, h in rows}


def hub_hashes(storage: HubStorage) -> dict[tuple[str, int], str]:
    with storage.transaction() as tx:
        rows = tx._all("SELECT stream_id, seq, hash FROM events")
    return {(str(s), int(q)): str(h) for s, q, h in rows}


def free_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "REFURB_BENCH_DATA_DIR"}
