"""Which event rows a lot report reads, as portable SQL over the ``events`` columns both stores share.

The bench's log (app/store) and the hub's storage (app/hub) have an ``events`` table with the same
columns, so one sequence of plain queries serves both; each side passes a ``run(sql, params)`` that
executes on its own connection (``?`` placeholders; the hub rewrites them for PostgreSQL). No I/O
happens here, only the choice of rows:

1. every ``lot.created`` (few) to find the lot by code or id;
2. the ``lot.unit_received`` rows whose body mentions the lot id (a text prefilter; the builder checks
   the parsed body), giving the lot's units;
3. every event of those units, by ``unit_id`` in batches;
4. the lot-independent facts a row needs: closed boxes (shipped), operators, manifests and lot
   certificates (the builder keeps only the lot's own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from app.core import events as ev
from app.core import events_grading as gev
from app.core.kpi.facts import EventRecord
from app.core.lot_report import LotNotFound, find_lot

Run = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

_COLUMNS = "stream_id, seq, type, occurred_at, operator_id, unit_id, body"
_SIDE_TYPES = (gev.BOX_CLOSED, ev.OPERATOR_ADDED, ev.LOT_MANIFEST_IMPORTED, ev.LOT_CERTIFICATE_ISSUED)
_BATCH = 500


def _records(rows: list[tuple[Any, ...]]) -> Iterator[EventRecord]:
    for r in rows:
        yield EventRecord(str(r[0]), int(r[1]), str(r[2]), str(r[3]), r[4], r[5], str(r[6]))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def lot_event_records(run: Run, lot_ref: str) -> list[EventRecord]:
    """Every event row :func:`app.core.lot_report.build_lot_report` needs for one lot (run inside one read
    transaction by the caller, so the rows are one state of the log). Raises LotNotFound."""
    created = list(_records(run(f"SELECT {_COLUMNS} FROM events WHERE type = ?", [ev.LOT_CREATED])))
    lot = find_lot(created, lot_ref)
    received = list(_records(run(
        f"SELECT {_COLUMNS} FROM events WHERE type = ? AND body LIKE ? ESCAPE '\\'",
        [ev.LOT_UNIT_RECEIVED, f"%{_like_escape(lot.lot_id)}%"])))
    unit_ids = sorted({str(r.unit_id) for r in received if r.unit_id})
    rows: list[EventRecord] = [r for r in created if r.unit_id is None]
    for start in range(0, len(unit_ids), _BATCH):
        batch = unit_ids[start:start + _BATCH]
        marks = ", ".join("?" for _ in batch)
        rows.extend(_records(run(f"SELECT {_COLUMNS} FROM events WHERE unit_id IN ({marks})", batch)))
    marks = ", ".join("?" for _ in _SIDE_TYPES)
    rows.extend(_records(run(f"SELECT {_COLUMNS} FROM events WHERE type IN ({marks})", list(_SIDE_TYPES))))
    return rows


__all__ = ["LotNotFound", "Run", "lot_event_records"]
