"""Reports from the bench's own log: a customer's lot report and the facility's daily report.

Each is built from event records by the pure builders in app/core (the hub builds them from the same
events with app/hub/report_source.py) and rendered by app/reports; this module reads, renders and writes.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from app.core.carbon_factors import load_factor_tables
from app.core.daily_report import day_scope
from app.core.device_classes import load_class_mapping
from app.core.errors import NotFound, OperatorError
from app.core.grading.prices import PriceTable, load_price_table
from app.core.kpi_snapshot import DashboardSnapshot
from app.core.lot_report import LotNotFound, LotReport, build_lot_report
from app.reports.daily_report import daily_report_csv, render_daily_report
from app.reports.lot_report_data import lot_report_csv, lot_report_json
from app.reports.lot_report_pdf import render_lot_report
from app.services import reference_data
from app.services.grading import GRADING_DIR
from app.services.kpi import KpiService
from app.store.report_queries import bench_lot_records
from app.store.store import Store

LOT_FORMATS: dict[str, Callable[[LotReport], bytes]] = {
    "pdf": render_lot_report, "csv": lot_report_csv, "json": lot_report_json}
DAILY_FORMATS: dict[str, Callable[[DashboardSnapshot], bytes]] = {
    "pdf": render_daily_report, "csv": daily_report_csv}


def lot_report(store: Store, lot_ref: str) -> LotReport:
    """The lot's report with its sustainability summary (factor tables and class mapping from resources)."""
    try:
        records = bench_lot_records(store.path, lot_ref)
    except LotNotFound:
        raise NotFound(f"Lot {lot_ref} does not exist on this bench", hint="See 'lots list'") from None
    return build_lot_report(records, lot_ref, tables=load_factor_tables(), mapping=load_class_mapping(),
                            price_tables=price_tables(store))


def price_tables(store: Store) -> list[PriceTable]:
    """Every price table a unit of this bench may have been routed with: the packaged ones and those of the
    reference data version the hub last published here (a route names its table by digest)."""
    paths = sorted((GRADING_DIR / "prices").glob("*.toml"))
    with reference_data.for_folder(store.data_dir).snapshot() as snapshot:
        if snapshot.version > 0:
            paths += sorted((snapshot.folder / "prices").glob("*.toml"))
        return [load_price_table(p) for p in paths]


def daily_snapshot(store: Store, day: dt.date) -> DashboardSnapshot:
    scope, as_of = day_scope(day)
    return KpiService(store).snapshot(scope, as_of)


def write_report(data: bytes, out: Path) -> Path:
    """Write ``data`` to ``out`` whole or not at all (a temporary file renamed over it)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OperatorError(f"Cannot write the report to {out}: {exc.strerror}",
                            hint="Choose a file in a folder that exists and that you can write to (--out)") from exc
    return out
