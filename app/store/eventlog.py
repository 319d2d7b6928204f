"""Appending to and reading the event log: the station's signed hash chain."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.canonical import GENESIS_HASH, canonical_json
from app.core.events import schema_for
from app.core.models import Event
from app.store.keys import sign_hash

_COLUMNS = (
    "seq, stream_id, event_id, type, schema_version, occurred_at, operator_id, unit_id, body, "
    "prev_hash, hash, signature"
)


def event_hash(event: Event) -> str:
    """SHA-256 over the canonical form of everything but the hash and signature."""
    return event.content_hash()


def chain_head(db: sqlite_utils.Database) -> tuple[int, str]:
    """(seq, hash) of the newest event, or (0, genesis) for an empty log."""
    row = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


def append(
    db: sqlite_utils.Database,
    key: Ed25519PrivateKey,
    *,
    stream_id: str,
    event_type: str,
    body: Mapping[str, Any],
    occurred_at: str,
    unit_id: str | None = None,
    operator_id: str | None = None,
) -> Event:
    """Validate, chain, sign and insert one event. Must run inside the caller's write transaction,
    so the event and the projection rows it implies commit together or not at all."""
    if not db.conn.in_transaction:
        raise RuntimeError("events are appended inside a write transaction")
    schema = schema_for(event_type)
    schema.validate(body, unit_id, operator_id)
    seq, prev_hash = chain_head(db)
    draft = Event(
        stream_id=stream_id,
        seq=seq + 1,
        event_id=str(uuid.uuid4()),
        type=event_type,
        schema_version=schema.version,
        occurred_at=occurred_at,
        operator_id=operator_id,
        unit_id=unit_id,
        body=json.loads(canonical_json(dict(body))),
        prev_hash=prev_hash,
    )
    digest = event_hash(draft)
    signature = sign_hash(key, digest)
    db.execute(
        f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            draft.seq, stream_id, draft.event_id, event_type, schema.version, occurred_at, operator_id,
            unit_id, canonical_json(draft.body), prev_hash, digest, signature,
        ],
    )
    return Event(**{**draft.__dict__, "hash": digest, "signature": signature})


def row_to_event(row: tuple[Any, ...]) -> Event:
    """Build an Event from a row selected with the standard column list."""
    return Event(
        seq=row[0], stream_id=row[1], event_id=row[2], type=row[3], schema_version=row[4],
        occurred_at=row[5], operator_id=row[6], unit_id=row[7], body=json.loads(row[8]),
        prev_hash=row[9], hash=row[10], signature=row[11],
    )


def iter_rows(db: sqlite_utils.Database, *, after_seq: int = 0, batch: int = 2000) -> Iterator[tuple[Any, ...]]:
    """Every stored event row after ``after_seq`` in seq order, read in batches to bound memory."""
    last = after_seq
    while True:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?", [last, batch]
        ).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def iter_events(db: sqlite_utils.Database, *, after_seq: int = 0, batch: int = 2000) -> Iterator[Event]:
    """Every event after ``after_seq`` in seq order."""
    for row in iter_rows(db, after_seq=after_seq, batch=batch):
        yield row_to_event(row)


def unit_events(db: sqlite_utils.Database, unit_id: str) -> list[Event]:
    """The timeline of one unit, oldest first."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM events WHERE unit_id = ? ORDER BY seq", [unit_id]).fetchall()
    return [row_to_event(r) for r in rows]
