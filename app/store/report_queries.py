"""The event rows of a lot report, read from the bench's own log in one read transaction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.kpi.facts import EventRecord
from app.core.lot_report_query import lot_event_records
from app.store.db import connect


def bench_lot_records(db_path: Path, lot_ref: str) -> list[EventRecord]:
    """Every row the report of ``lot_ref`` needs (LotNotFound when no lot has that code or id), through a
    short-lived read-only connection: the writer is never blocked (WAL) and every query sees one state."""
    db = connect(db_path, readonly=True)
    try:
        db.execute("BEGIN")

        def run(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in db.execute(sql, list(params)).fetchall()]

        return lot_event_records(run, lot_ref)
    finally:
        db.close()
