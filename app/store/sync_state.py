"""The bench side of sync in SQL: which events are still to send, and what the hub has said.

The outbox is the event log itself. Per stream the cursor is the hub's contiguous high-water mark
as the hub last reported it; every event of the stream above it is pending. The hub is
authoritative: a handshake that reports a lower mark (the hub was restored from a backup)
simply lowers the cursor and the events above it are sent again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from app.core.canonical import GENESIS_HASH
from app.store.db import write_transaction

# The column order row_to_event expects.
_EVENT_COLUMNS = ("seq, stream_id, event_id, type, schema_version, occurred_at, operator_id, unit_id, body, "
                  "prev_hash, hash, signature")


@dataclass(frozen=True)
class LocalStream:
    """One stream in this bench's log: where it starts (after base_seq) and where it ends."""

    stream_id: str
    base_seq: int
    base_hash: str
    last_seq: int


@dataclass(frozen=True)
class StreamCursor:
    stream_id: str
    hub_hwm: int
    hub_hwm_hash: str
    hub_status: str
    last_success: str | None
    last_error: str


def local_streams(db: sqlite_utils.Database) -> list[LocalStream]:
    """Every stream in the log, oldest first (a restored bench has the old one and a new one).

    A stream is a run of consecutive seqs (a new one only ever starts at the head), so the walk
    takes a few index lookups per stream, never a scan of the log: it runs every few seconds.
    """
    streams: list[LocalStream] = []
    row = db.execute("SELECT MIN(seq) FROM events").fetchone()
    first = row[0] if row else None
    while first is not None:
        head = db.execute("SELECT stream_id, prev_hash FROM events WHERE seq = ?", [first]).fetchone()
        stream_id = str(head[0])
        last = int(db.execute("SELECT MAX(seq) FROM events WHERE stream_id = ?", [stream_id]).fetchone()[0])
        streams.append(LocalStream(stream_id, int(first) - 1, str(head[1]) if head[1] else GENESIS_HASH, last))
        first = db.execute("SELECT MIN(seq) FROM events WHERE seq > ?", [last]).fetchone()[0]
    return streams


def current_stream_id(db: sqlite_utils.Database) -> str:
    row = db.execute("SELECT value FROM meta WHERE key = 'stream_id'").fetchone()
    return str(row[0]) if row else ""


def station_public_key(db: sqlite_utils.Database) -> str | None:
    """The station's public key (hex) as recorded in its database, None before the station exists."""
    row = db.execute("SELECT value FROM meta WHERE key = 'public_key'").fetchone()
    return str(row[0]) if row else None


def stream_base(db: sqlite_utils.Database, stream_id: str) -> tuple[int, str]:
    """Where ``stream_id`` starts: its first event's predecessor, or the log's head if it has no events yet."""
    row = db.execute("SELECT seq, prev_hash FROM events WHERE stream_id = ? ORDER BY seq LIMIT 1",
                     [stream_id]).fetchone()
    if row:
        return int(row[0]) - 1, str(row[1])
    head = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(head[0]), str(head[1])) if head else (0, GENESIS_HASH)


def event_hash_at(db: sqlite_utils.Database, seq: int) -> str | None:
    row = db.execute("SELECT hash FROM events WHERE seq = ?", [seq]).fetchone()
    return str(row[0]) if row else None


def cursor(db: sqlite_utils.Database, stream_id: str) -> StreamCursor:
    row = db.execute(
        "SELECT hub_hwm, hub_hwm_hash, hub_status, last_success, last_error FROM sync_streams WHERE stream_id = ?",
        [stream_id]).fetchone()
    if row is None:
        return StreamCursor(stream_id, 0, "", "unknown", None, "")
    return StreamCursor(stream_id, int(row[0]), str(row[1]), str(row[2]), row[3], str(row[4]))




def pending_rows(db: sqlite_utils.Database, stream_id: str, after_seq: int, limit: int) -> list[tuple[Any, ...]]:
    """The stored rows (columns as row_to_event takes them) of the next events to send."""
    return [tuple(r) for r in db.execute(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        [stream_id, after_seq, limit]).fetchall()]


def pending_summary(db: sqlite_utils.Database) -> tuple[int, str | None]:
    """(events the hub does not hold yet, the oldest one's time) over every stream; reads only the
    pending rows (a seq range per stream), however long the log."""
    pending, oldest = 0, None
    for stream in local_streams(db):
        after = max(cursor(db, stream.stream_id).hub_hwm, stream.base_seq)
        if after >= stream.last_seq:
            continue
        pending += int(db.execute("SELECT count(*) FROM events WHERE seq > ? AND seq <= ?",
                                  [after, stream.last_seq]).fetchone()[0])
        first = db.execute("SELECT occurred_at FROM events WHERE seq > ? ORDER BY seq LIMIT 1", [after]).fetchone()
        if first is not None and (oldest is None or str(first[0]) < oldest):
            oldest = str(first[0])
    return pending, oldest


def last_seq(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT MAX(seq) FROM events").fetchone()
    return int(row[0] or 0)


def save_cursor(db: sqlite_utils.Database, stream_id: str, *, hub_hwm: int, hub_hwm_hash: str, hub_status: str,
                success_at: str | None = None) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO sync_streams (stream_id, hub_hwm, hub_hwm_hash, hub_status, last_success)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET hub_hwm = excluded.hub_hwm,"
            " hub_hwm_hash = excluded.hub_hwm_hash, hub_status = excluded.hub_status,"
            " last_success = COALESCE(excluded.last_success, sync_streams.last_success)",
            [stream_id, hub_hwm, hub_hwm_hash, hub_status, success_at])


def save_push_outcome(db: sqlite_utils.Database, stream_id: str, *, hub_hwm: int, hub_hwm_hash: str,
                      hub_status: str, receipt: tuple[str, str], problems: list[tuple[int, str, str, str]],
                      at: str) -> None:
    """One transaction for everything a push answered: the cursor, the receipt, rejected/conflicting events."""
    ts, server_sig = receipt
    with write_transaction(db):
        save_cursor(db, stream_id, hub_hwm=hub_hwm, hub_hwm_hash=hub_hwm_hash, hub_status=hub_status,
                    success_at=at)
        db.execute("INSERT OR REPLACE INTO sync_receipts (stream_id, hwm, hwm_hash, ts, server_sig)"
                   " VALUES (?, ?, ?, ?, ?)", [stream_id, hub_hwm, hub_hwm_hash, ts, server_sig])
        save_event_problems(db, problems, at)


def save_event_problems(db: sqlite_utils.Database, problems: list[tuple[int, str, str, str]], at: str) -> None:
    """(seq, status, code, detail) of events the hub rejected or found in conflict, as a push reply or a
    handshake told them; telling the same one again replaces it."""
    with write_transaction(db):
        for seq, status, code, detail in problems:
            db.execute("INSERT OR REPLACE INTO sync_event_results (seq, status, code, detail, at)"
                       " VALUES (?, ?, ?, ?, ?)", [seq, status, code, detail, at])


def save_error(db: sqlite_utils.Database, stream_id: str, error: str) -> None:
    with write_transaction(db):
        db.execute("INSERT INTO sync_streams (stream_id, last_error) VALUES (?, ?)"
                   " ON CONFLICT (stream_id) DO UPDATE SET last_error = excluded.last_error", [stream_id, error])


def clear_errors(db: sqlite_utils.Database) -> None:
    """A session reached its end: no stream has a standing error any more."""
    if db.execute("SELECT 1 FROM sync_streams WHERE last_error != '' LIMIT 1").fetchone():
        with write_transaction(db):
            db.execute("UPDATE sync_streams SET last_error = '' WHERE last_error != ''")


def problem_events(db: sqlite_utils.Database) -> list[tuple[int, str, str, str]]:
    """(seq, status, code, detail) of every event the hub rejected or found in conflict."""
    rows = db.execute("SELECT seq, status, code, detail FROM sync_event_results ORDER BY seq").fetchall()
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def latest_receipt(db: sqlite_utils.Database, stream_id: str) -> tuple[int, str, str, str] | None:
    row = db.execute("SELECT hwm, hwm_hash, ts, server_sig FROM sync_receipts WHERE stream_id = ?"
                     " ORDER BY hwm DESC LIMIT 1", [stream_id]).fetchone()
    return (int(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None


def begin_new_stream(db: sqlite_utils.Database) -> str:
    """Continue this bench's chain on a fresh stream id.

    Used when the hub proves this database is older than what the bench once sent (it was
    restored from a backup): new events must not reuse seqs the hub already holds for the old
    stream. The chain itself stays one chain; the new stream starts after the current head.
    """
    new_id = str(uuid.uuid4())
    with write_transaction(db):
        db.execute("UPDATE meta SET value = ? WHERE key = 'stream_id'", [new_id])
    return new_id
