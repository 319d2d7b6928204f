"""The hub's lot report in the reports benchmark: the same 5,000-unit lot, on a hub that holds other lots too.

The bench's events are copied into a hub's SQLite storage as they are, then again as further lots (other
streams, other unit ids, other lot ids) until the hub holds about 200,000 events (quick: 20,000). Measured,
read + build + render as ``hub report lot`` does, median of ``runs``:

* before: the ``events`` table without the ``unit_id`` / ``type`` indexes (a hub from before they existed);
* after: the same hub reopened, which creates them (every hub start does).

The hub's PDF must be byte-identical to the bench's, or the row is not measured.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from app.core.canonical import canonical_json
from app.core.carbon_factors import load_factor_tables
from app.core.device_classes import load_class_mapping
from app.core.models import Event
from app.hub.backends import open_sqlite
from app.hub.report_source import hub_lot_report
from app.hub.storage import HubStorage
from app.reports.lot_report_pdf import render_lot_report
from app.services.reports import price_tables
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.bench.bench_util import median, progress

_NEW_INDEXES = ("events_unit", "events_type")


def _fill(storage: HubStorage, events: list[Event], lot_id: str, lot_code: str, total: int) -> int:
    """The bench's events, then copies of them as other lots until ``total``; returns how many were stored."""
    stored = 0
    copy = 0
    while stored < total:
        batch: list[tuple[Event, str]] = []
        for e in events:
            if copy == 0:
                batch.append((e, canonical_json(e.body)))
                continue
            # other lot ids must not contain this one: the report's text prefilter would match them all
            text = canonical_json(e.body).replace(lot_id, f"OTHER-LOT-{copy}").replace(lot_code, f"OTHER-{copy}")
            other = dataclasses.replace(e, stream_id=f"{e.stream_id}-O{copy}",
                                        unit_id=f"{e.unit_id}-O{copy}" if e.unit_id else None)
            batch.append((other, text))
        batch = batch[:total - stored]
        for start in range(0, len(batch), 20_000):
            with storage.transaction() as tx:
                tx.insert_events(batch[start:start + 20_000], "2026-12-04T00:00:00.000Z")
        stored += len(batch)
        copy += 1
    return stored


def _timed(make: Callable[[], bytes], runs: int) -> tuple[float, bytes]:
    times: list[float] = []
    pdf = b""
    for _ in range(runs):
        started = time.perf_counter()
        pdf = make()
        times.append(time.perf_counter() - started)
    return median(times), pdf


def measure_hub_report(store: Store, folder: Path, lot_id: str, lot_code: str, *, total: int, runs: int,
                       bench_pdf: bytes) -> tuple[float, float, int]:
    """(seconds before the indexes, seconds after, events on the hub)."""
    tables, mapping, prices = load_factor_tables(), load_class_mapping(), price_tables(store)
    events = list(iter_events(store.db))

    def report(storage: HubStorage) -> bytes:
        return render_lot_report(hub_lot_report(storage, lot_code, tables=tables, mapping=mapping,
                                                price_tables=prices))

    folder.mkdir(parents=True, exist_ok=True)
    storage = open_sqlite(folder)
    try:
        progress(f"filling a hub with {total:,} events")
        stored = _fill(storage, events, lot_id, lot_code, total)
        with storage.transaction() as tx:
            for name in _NEW_INDEXES:
                tx._run(f"DROP INDEX {name}")
        before, pdf = _timed(lambda: report(storage), runs)
        if pdf != bench_pdf:
            raise RuntimeError("the hub's lot report differs from the bench's")
    finally:
        storage.close()
    storage = open_sqlite(folder)   # a hub start: the schema creates the indexes again
    try:
        after, pdf = _timed(lambda: report(storage), runs)
        if pdf != bench_pdf:
            raise RuntimeError("the hub's lot report differs from the bench's")
    finally:
        storage.close()
    return before, after, stored
