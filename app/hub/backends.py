"""Opening the hub's storage: SQLite in the data folder by default, PostgreSQL for a scaled hub."""

from __future__ import annotations

import logging
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3

from app.hub.storage import Connection, Dialect, HubStorage

log = logging.getLogger("app.hub")

HUB_DB_FILE = "hub.sqlite3"
SQLITE = Dialect("sqlite", "?", "", "BEGIN IMMEDIATE")
POSTGRES = Dialect("postgresql", "%s", " FOR UPDATE", None)


def open_sqlite(data_dir: Path, *, pool_size: int = 4) -> HubStorage:
    """The embedded backend: one SQLite file, WAL, synchronous=FULL (a receipt must survive a power cut)."""
    path = Path(data_dir) / HUB_DB_FILE

    def connect() -> Connection:
        # Connections move between the server's request threads, one at a time through the pool.
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn  # type: ignore[no-any-return]

    log.info("hub storage: SQLite at %s", path)
    return HubStorage(connect, SQLITE, pool_size=pool_size)


def open_postgres(dsn: str, *, pool_size: int = 8) -> HubStorage:
    """The scaled backend: any number of hub processes share one PostgreSQL database."""
    import psycopg

    def connect() -> Connection:
        return psycopg.connect(dsn)

    log.info("hub storage: PostgreSQL")
    return HubStorage(connect, POSTGRES, pool_size=pool_size)


def open_storage(data_dir: Path, database: str | None) -> HubStorage:
    if database:
        return open_postgres(database)
    return open_sqlite(data_dir)
