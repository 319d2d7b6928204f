"""The hub's reports: a lot report and a daily report from every bench's events, built by the same code
as on a bench, so the same events give the same bytes wherever the report is printed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from app.core.carbon_factors import FactorTable
from app.core.daily_report import day_scope
from app.core.device_classes import ClassMapping
from app.core.grading.prices import PriceTable
from app.core.kpi.figures import compute_snapshot
from app.core.kpi_snapshot import DashboardSnapshot
from app.core.lot_report import LotReport, build_lot_report
from app.core.lot_report_query import lot_event_records
from app.hub.kpi_source import fold_hub
from app.hub.storage import HubStorage


def hub_lot_report(storage: HubStorage, lot_ref: str, *, tables: Sequence[FactorTable] = (),
                   mapping: ClassMapping | None = None, price_tables: Sequence[PriceTable] = ()) -> LotReport:
    """The report of one lot over every bench's events (LotNotFound when no bench created it); the caller
    passes the price tables the benches route with (packaged and published), as a bench does."""
    with storage.transaction() as tx:
        def run(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
            return tx._all(sql, params)

        records = lot_event_records(run, lot_ref)
    return build_lot_report(records, lot_ref, tables=tables, mapping=mapping, price_tables=price_tables)


def hub_daily_snapshot(storage: HubStorage, day: dt.date) -> DashboardSnapshot:
    """One day's production figures over every bench."""
    scope, as_of = day_scope(day)
    return compute_snapshot(fold_hub(storage), scope, as_of)
