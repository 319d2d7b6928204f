"""The hub renders the bench's reports byte for byte: the same events, arrived out of order in its
storage (SQLite or PostgreSQL), give the same lot report (PDF, CSV, JSON) and daily report (PDF, CSV)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.core.canonical import canonical_json
from app.core.carbon_factors import load_factor_tables
from app.core.device_classes import load_class_mapping
from app.core.lot_report import LotNotFound
from app.hub.report_source import hub_daily_snapshot, hub_lot_report
from app.reports.daily_report import daily_report_csv
from app.services.reports import DAILY_FORMATS, LOT_FORMATS, daily_snapshot, lot_report
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.core.kpi_floor import AS_OF, record_floor
from tests.hub.helpers import BACKENDS, hub_storage
from tests.reports.lot_report_fixture import LOT_K, PRICES, lot_clock, record_lot

FRIDAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_hub_renders_the_benchs_reports_identically(tmp_path: Path, backend: str) -> None:
    clock = lot_clock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_lot(store, clock, tmp_path / "certs")
        record_floor(store, clock)
        events = [(e, canonical_json(e.body)) for e in iter_events(store.db)]
        bench_lots = {code: lot_report(store, code) for code in (LOT_K, "LOT-C")}
        bench_day = daily_snapshot(store, FRIDAY)
    with hub_storage(backend, tmp_path / "hub") as storage:
        half = len(events) // 2
        with storage.transaction() as tx:   # the newest half arrives first
            tx.insert_events(events[half:], AS_OF)
        with storage.transaction() as tx:
            tx.insert_events(events[:half], AS_OF)
        tables, mapping, prices = load_factor_tables(), load_class_mapping(), [PRICES]
        hub_lots = {code: hub_lot_report(storage, code, tables=tables, mapping=mapping, price_tables=prices)
                    for code in bench_lots}
        hub_day = hub_daily_snapshot(storage, FRIDAY)
        with pytest.raises(LotNotFound):
            hub_lot_report(storage, "LOT-2099-0001")
    for code, bench in bench_lots.items():
        assert hub_lots[code] == bench
        for name, render in LOT_FORMATS.items():
            assert render(hub_lots[code]) == render(bench), f"{code} {name}"
    assert bench_lots[LOT_K].totals["units"] == 5
    summary = bench_lots[LOT_K].sustainability
    assert summary is not None
    assert summary.parts_harvestable == 4
    assert bench_lots["LOT-C"].totals["units"] == 4
    # the day's figures: the hub names stations by id, as the bench's report does
    assert hub_day == bench_day
    for name, render_day in DAILY_FORMATS.items():
        assert render_day(hub_day) == render_day(bench_day), name
    assert b"speaker on Pixel 7" in daily_report_csv(bench_day)
