"""The dashboard's KPI figures on a bench: an incremental fold of its own event log.

``KpiService(store).snapshot(scope, as_of)`` folds only the events recorded since its previous call
(the per-unit facts stay in memory with the seq they reach), then computes the scope's figures. The
first call folds the whole log (a few seconds for a million events; the benchmark reports it), every
later one only the new tail, so a live dashboard refresh costs the new events plus the scope's units.

Thread-safe: a call may come from a job-manager worker. Each call reads through its own short-lived
read-only connection (WAL: it never blocks the writer) and one lock serialises folding and computing.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from app.core.kpi.facts import FOLDED_TYPES, KpiFold
from app.core.kpi.figures import compute_snapshot
from app.core.kpi_snapshot import DashboardSnapshot, KpiScope
from app.store import kpi_queries
from app.store.db import connect
from app.store.store import Store


class KpiService:
    """KPI snapshots of one bench's store, folded incrementally."""

    def __init__(self, store: Store, *, station_names: Mapping[str, str] | None = None) -> None:
        self._path = store.path
        self._names = dict(station_names or {})
        self._fold = KpiFold()
        self._lock = threading.Lock()

    @property
    def folded_through(self) -> int:
        """The last seq folded so far (0 before the first snapshot)."""
        return self._fold.cursor

    def refresh(self) -> int:
        """Fold the events recorded since the last call; returns how many rows were read."""
        with self._lock:
            return self._catch_up()

    def snapshot(self, scope: KpiScope, as_of: str) -> DashboardSnapshot:
        """The figures of ``scope`` at ``as_of`` over every event recorded so far."""
        with self._lock:
            self._catch_up()
            return compute_snapshot(self._fold, scope, as_of, station_names=self._names)

    def _catch_up(self) -> int:
        db = connect(self._path, readonly=True)
        try:
            # One read transaction: the head and the rows below it are one state of the log (closing the
            # connection ends it).
            db.execute("BEGIN")
            head = kpi_queries.head_seq(db)
            read = 0
            for record in kpi_queries.event_records(db, after_seq=self._fold.cursor, through_seq=head,
                                                    types=FOLDED_TYPES):
                self._fold.apply(record)
                read += 1
        finally:
            db.close()
        # Events of types the fold does not read still count as folded: the cursor is the log's head.
        self._fold.cursor = max(self._fold.cursor, head)
        return read
