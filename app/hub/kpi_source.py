"""The hub's KPI figures: every bench's events, folded by the same engine as a bench's own log.

Streams arrive at the hub in any order, so the rows are folded in the order of their facts (time,
then stream and seq, as the hub orders a unit's states); the fold keeps earliest stage entries and
latest grades, so the order does not change the figures. ``through_seq`` of a hub snapshot is the
number of events the hub holds (for one bench, that bench's last seq).
"""

from __future__ import annotations

from app.core.kpi.facts import FOLDED_TYPES, EventRecord, KpiFold
from app.core.kpi.figures import compute_snapshot
from app.core.kpi_snapshot import DashboardSnapshot, KpiScope
from app.hub.storage import HubStorage


def fold_hub(storage: HubStorage) -> KpiFold:
    """Fold every event the hub holds (one read transaction)."""
    fold = KpiFold()
    marks = ", ".join("?" for _ in FOLDED_TYPES)
    with storage.transaction() as tx:
        count_row = tx._one("SELECT count(*) FROM events")
        cursor = tx._run(
            "SELECT stream_id, seq, type, occurred_at, operator_id, unit_id, body FROM events"
            f" WHERE type IN ({marks}) ORDER BY occurred_at, stream_id, seq", list(FOLDED_TYPES))
        while rows := cursor.fetchmany(5000):  # a hub holds many benches' logs: never all rows at once
            for row in rows:
                fold.apply(EventRecord(str(row[0]), int(row[1]), str(row[2]), str(row[3]), row[4], row[5],
                                       str(row[6])))
    fold.cursor = int(count_row[0]) if count_row else 0
    return fold


def hub_snapshot(storage: HubStorage, scope: KpiScope, as_of: str) -> DashboardSnapshot:
    """The figures of ``scope`` over every bench's events."""
    return compute_snapshot(fold_hub(storage), scope, as_of)
