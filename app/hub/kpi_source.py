"""The hub's KPI figures: every bench's events, folded by the same engine as a bench's own log.

Streams arrive at the hub in any order, so the rows are folded in the order of their facts (time,
then stream and seq, as the hub orders a unit's states); the fold keeps earliest stage entries and
latest grades, so the order does not change the figures. ``through_seq`` of a hub snapshot is the
number of events the hub holds (for one bench, that bench's last seq).

``hub_snapshot`` folds everything for one answer (reports, checks). ``HubKpi`` keeps its fold between
answers and reads only the rows that arrived since: the hub's answer to ``GET /v1/kpi``. Each hub
process keeps its own (several may serve one PostgreSQL database); they agree because each reads
the same rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.core.kpi.facts import FOLDED_TYPES, EventRecord, KpiFold
from app.core.kpi.figures import compute_snapshot
from app.core.kpi_snapshot import DashboardSnapshot, KpiScope
from app.hub.storage import HubStorage, HubTx

_COLUMNS = "stream_id, seq, type, occurred_at, operator_id, unit_id, body"
_CHUNK = 5000  # rows fetched at a time: a hub holds many benches' logs, never all rows in memory at once


def fold_hub(storage: HubStorage) -> KpiFold:
    """Fold every event the hub holds (one read transaction)."""
    fold = KpiFold()
    marks = ", ".join("?" for _ in FOLDED_TYPES)
    with storage.transaction() as tx:
        count_row = tx._one("SELECT count(*) FROM events")
        cursor = tx._run(f"SELECT {_COLUMNS} FROM events"
                         f" WHERE type IN ({marks}) ORDER BY occurred_at, stream_id, seq", list(FOLDED_TYPES))
        while rows := cursor.fetchmany(_CHUNK):
            for row in rows:
                fold.apply(_record(row))
    fold.cursor = int(count_row[0]) if count_row else 0
    return fold


def hub_snapshot(storage: HubStorage, scope: KpiScope, as_of: str) -> DashboardSnapshot:
    """The figures of ``scope`` over every bench's events."""
    fold = fold_hub(storage)
    with storage.transaction() as tx:
        names = station_names(tx, fold)
    return compute_snapshot(fold, scope, as_of, station_names=names)


def station_names(tx: HubTx, fold: KpiFold) -> dict[str, str]:
    """Station id -> the name its bench was enrolled under, for the stations the fold has seen: a
    supervisor reads "Bench 3", not a station's id."""
    names = {}
    for stream_id, name in tx._all("SELECT s.stream_id, b.name FROM streams s"
                                   " JOIN benches b ON b.bench_id = s.bench_id"):
        station = fold.stations.get(str(stream_id))
        if station is not None:
            names[station] = str(name)
    return names


@dataclass
class _StreamMark:
    """How far one stream is folded: its rows folded, and the highest seq among them."""

    top: int
    count: int = 0


class HubKpi:
    """KPI snapshots over the hub's events, folded incrementally; thread-safe (one lock).

    Benches push their streams in seq order, so new rows nearly always land above what was folded and
    only those are read. Rows can land below (the hub keeps events ahead of a gap, and a tombstone can
    be healed by the real event later): the per-stream counts show it, and the fold is then rebuilt
    from every row, because the fold reads a stream's early facts (its station) before its later ones.
    """

    def __init__(self, storage: HubStorage) -> None:
        self._storage = storage
        self._fold = KpiFold()
        self._marks: dict[str, _StreamMark] = {}
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()
        self.rebuilds = 0  # how often rows below a stream's top made the fold start again

    @property
    def folded(self) -> int:
        """Events folded so far (of every type)."""
        return sum(mark.count for mark in self._marks.values())

    def refresh(self) -> int:
        """Fold the rows that arrived since the last call; returns how many rows were read."""
        with self._lock:
            return self._catch_up()

    def snapshot(self, scope: KpiScope, as_of: str) -> DashboardSnapshot:
        """The figures of ``scope`` at ``as_of`` over every event the hub holds now."""
        with self._lock:
            self._catch_up()
            return compute_snapshot(self._fold, scope, as_of, station_names=self._names)

    def _catch_up(self) -> int:
        before = self.folded
        fresh: list[EventRecord] = []
        with self._storage.transaction() as tx:
            # Per stream: how many rows. A stream whose count is what was folded is skipped without reading
            # a row (rows are never deleted from the hub's log).
            stats = tx._all("SELECT e.stream_id, count(*), coalesce(min(s.base_seq), 0) FROM events e"
                            " LEFT JOIN streams s ON s.stream_id = e.stream_id GROUP BY e.stream_id")
            for stream_id, count, base in stats:
                # Seqs at or below a stream's base never come (the hub refuses them).
                mark = self._marks.get(str(stream_id)) or _StreamMark(top=int(base))
                if int(count) == mark.count:
                    continue
                rows = list(_fetch(tx._run(_SELECT + " WHERE stream_id = ? AND seq > ? ORDER BY seq",
                                           [*FOLDED_TYPES, stream_id, mark.top])))
                if int(count) - mark.count > len(rows):
                    return self._rebuild(tx)
                self._marks[str(stream_id)] = _StreamMark(max((int(r[1]) for r in rows), default=mark.top),
                                                          mark.count + len(rows))
                fresh.extend(_record(row) for row in rows if row[6] is not None)
            if fresh:
                self._fold_in(fresh)
                self._names = station_names(tx, self._fold)
        self._fold.cursor = self.folded
        return self._fold.cursor - before

    def _fold_in(self, fresh: list[EventRecord]) -> None:
        # One increment is folded in the order of its facts, as fold_hub folds everything.
        fresh.sort(key=lambda r: (r.occurred_at, r.stream_id, r.seq))
        for record in fresh:
            self._fold.apply(record)

    def _rebuild(self, tx: HubTx) -> int:
        self.rebuilds += 1
        self._fold, self._marks = KpiFold(), {}
        for row in _fetch(tx._run(_SELECT + " ORDER BY occurred_at, stream_id, seq", list(FOLDED_TYPES))):
            mark = self._marks.setdefault(str(row[0]), _StreamMark(top=0))
            mark.top, mark.count = max(mark.top, int(row[1])), mark.count + 1
            if row[6] is not None:
                self._fold.apply(_record(row))
        self._names = station_names(tx, self._fold)
        self._fold.cursor = self.folded
        return self._fold.cursor


# Bodies only of the rows the fold reads: the others only count.
_SELECT = (f"SELECT stream_id, seq, type, occurred_at, operator_id, unit_id,"
           f" CASE WHEN type IN ({', '.join('?' for _ in FOLDED_TYPES)}) THEN body END FROM events")


def _fetch(cursor: Any) -> Iterator[tuple[Any, ...]]:
    while rows := cursor.fetchmany(_CHUNK):
        yield from rows


def _record(row: Any) -> EventRecord:
    return EventRecord(str(row[0]), int(row[1]), str(row[2]), str(row[3]), row[4], row[5], str(row[6]))
