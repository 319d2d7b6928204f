"""Opening the bench database: the bundled SQLite, durable pragmas and write transactions."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3
import sqlite_utils

from app.core.errors import OperatorError

log = logging.getLogger("app.store")

# 3.51.3 fixed a WAL-reset race that could corrupt a database written by two connections
# (present since 3.7.0). The pysqlite3 0.6.1 wheel bundles a fixed 3.53.x.
MIN_SQLITE = (3, 51, 3)
Error = sqlite3.Error


def sqlite_version() -> str:
    """Version of the SQLite library the store runs on."""
    return str(sqlite3.sqlite_version)


def check_sqlite_version() -> None:
    """Refuse to run on an SQLite with the WAL-reset bug."""
    found = tuple(int(p) for p in sqlite_version().split("."))
    if found < MIN_SQLITE:
        raise OperatorError(
            f"SQLite {sqlite_version()} is too old: {'.'.join(map(str, MIN_SQLITE))} or newer is required",
            hint="Reinstall with 'make run' (it installs pysqlite3 0.6.1 or newer, which bundles a fixed SQLite)",
        )


def connect(path: Path | str, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open the database with the bench's durability settings.

    Autocommit mode (isolation_level=None) so that only our explicit BEGIN IMMEDIATE starts a
    write transaction; WAL so readers never block the writer; synchronous=FULL so "saved"
    survives a power cut, not only a crash.
    """
    check_sqlite_version()
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, isolation_level=None)
        else:
            conn = sqlite3.connect(str(path), isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 5000")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA mmap_size = 0")
    except sqlite3.DatabaseError as exc:
        raise OperatorError(
            f"The bench database {path} cannot be opened: {exc}",
            hint="Restore the latest backup (refurb-bench db backup makes one) or move the file aside",
        ) from exc
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction: BEGIN IMMEDIATE takes the write lock up front.

    A deferred transaction that reads and then writes gets SQLITE_BUSY at once in WAL mode,
    ignoring busy_timeout; IMMEDIATE waits for the lock instead. Nested calls join the outer
    transaction (sqlite-utils helpers use savepoints inside it).
    """
    if db.conn.in_transaction:
        yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        _rollback(db)
        raise
    db.conn.execute("COMMIT")


def _rollback(db: sqlite_utils.Database) -> None:
    # An error such as SQLITE_FULL may already have rolled the transaction back.
    if db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def backup_to(db: sqlite_utils.Database, target: Path) -> Path:
    """Write a consistent copy of the live database to ``target`` (VACUUM INTO), then check it."""
    target = Path(target)
    if target.exists():
        raise OperatorError(f"{target} already exists", hint="Choose a new file name for the backup")
    if not target.parent.is_dir():
        raise OperatorError(f"Folder {target.parent} does not exist", hint="Create it or choose another path")
    # Create the file owner-only first (it holds PIN hashes); VACUUM INTO accepts an empty file.
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise OperatorError(f"{target} already exists", hint="Choose a new file name for the backup") from None
    try:
        db.conn.execute("VACUUM INTO ?", [str(target)])
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise OperatorError(f"The backup to {target} failed: {exc}", hint="Check free space on that disk") from exc
    copy = sqlite3.connect(str(target))
    try:
        result = copy.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        copy.close()
    if result != "ok":
        raise OperatorError(f"The backup at {target} failed its check: {result}", hint="Try another disk")
    log.info("database backed up to %s", target)
    return target
