"""A damaged database: finding it at start, and putting a verified backup in its place.

A restored database is older than what the bench may already have sent, so it continues on a new
stream at once: its new events can never take seq numbers the hub already holds for the old one,
and the old stream is drained read-only (the hub's mark tells the bench what it still lacks).
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3

from app.core.errors import OperatorError
from app.store import sync_state
from app.store.db import connect

log = logging.getLogger("app.store")

_SIDE_FILES = ("-wal", "-shm")


def check_database(path: Path) -> str:
    """``"ok"``, or what SQLite found wrong with the file (quick_check, on a read-only connection)."""
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
    return "; ".join(str(r[0]) for r in rows)


def restore_backup(db_path: Path, backup: Path) -> str:
    """Replace the database at ``db_path`` by a copy of ``backup`` and start a new stream on it.

    The backup is checked before anything is touched; the replaced database (and its WAL) is kept
    beside it, renamed, for whoever investigates the fault. Returns the new stream id.
    """
    found = check_database(backup)
    if found != "ok":
        raise OperatorError(f"The backup {backup} is damaged too: {found}",
                            hint="Restore an older backup, or call a supervisor")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    for suffix in ("", *_SIDE_FILES):
        current = db_path.with_name(db_path.name + suffix)
        if current.exists():
            current.rename(db_path.with_name(f"{db_path.name}.damaged-{stamp}{suffix}"))
    copying = db_path.with_name(db_path.name + ".restoring")
    with open(backup, "rb") as src, open(copying, "wb") as dst:
        shutil.copyfileobj(src, dst)
        dst.flush()
        os.fsync(dst.fileno())  # durable before it takes the database's name
    copying.replace(db_path)
    _sync_folder(db_path.parent)
    db = connect(db_path)
    try:
        old = sync_state.current_stream_id(db)
        new = sync_state.begin_new_stream(db)
    finally:
        db.close()
    log.warning("database restored from %s; stream %s continues as new stream %s", backup, old[:8], new)
    return new


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
