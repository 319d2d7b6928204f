"""Reads for the KPI engine: the event rows it folds, after a cursor, only of the types it reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlite_utils

from app.core.kpi.facts import EventRecord


def head_seq(db: sqlite_utils.Database) -> int:
    """The newest event's seq (0 for an empty log)."""
    row = db.execute("SELECT max(seq) FROM events").fetchone()
    return int(row[0] or 0)


def event_records(db: sqlite_utils.Database, *, after_seq: int, through_seq: int, types: Sequence[str],
                  batch: int = 5000) -> Iterator[EventRecord]:
    """The events of ``types`` with ``after_seq < seq <= through_seq`` in seq order, bodies as JSON text
    (the fold parses only what it reads), fetched in batches to bound memory.

    ``+type`` keeps SQLite on the primary key's seq range: with the (type, seq) index it would gather
    every event of those types and sort them, which for a million events costs seconds, not a scan."""
    marks = ", ".join("?" for _ in types)
    cursor = db.execute(
        "SELECT stream_id, seq, type, occurred_at, operator_id, unit_id, body FROM events"
        f" WHERE seq > ? AND seq <= ? AND +type IN ({marks}) ORDER BY seq",
        [after_seq, through_seq, *types],
    )
    while rows := cursor.fetchmany(batch):
        for row in rows:
            yield EventRecord(str(row[0]), int(row[1]), str(row[2]), str(row[3]), row[4], row[5], str(row[6]))
