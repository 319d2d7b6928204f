"""The hub's reports: a lot report and a daily report from every bench's events, built by the same code
as on a bench, so the same events give the same bytes wherever the report is printed."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.carbon_factors import FactorTable
from app.core.daily_report import day_scope
from app.core.device_classes import ClassMapping
from app.core.grading.prices import PriceTable, load_price_table
from app.core.kpi.figures import compute_snapshot
from app.core.kpi_snapshot import DashboardSnapshot
from app.core.lot_report import LotReport, build_lot_report
from app.core.lot_report_query import lot_event_records
from app.hub.kpi_source import fold_hub
from app.hub.storage import HubStorage

# The price tables packaged with the app (the bench reads the same folder, app/services/grading.py).
PACKAGED_PRICES = Path(__file__).resolve().parents[2] / "resources" / "grading" / "prices"


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


def hub_price_tables(storage: HubStorage) -> list[PriceTable]:
    """The packaged price tables and every one the hub ever published (a route names its table by digest, and
    a unit may have been routed with a version published before the newest), so a harvested unit's parts are
    counted as on the bench that routed it. Each published file is loaded from the manifest's text as the
    bench keeps it, so its digest is the one its routes name."""
    tables = {t.digest: t for t in (load_price_table(p) for p in sorted(PACKAGED_PRICES.glob("*.toml")))}
    with storage.transaction() as tx:
        manifests = [str(r[0]) for r in tx._all("SELECT manifest FROM reference_sets ORDER BY version")]
    with tempfile.TemporaryDirectory(prefix="hub-prices-") as scratch:
        for number, manifest in enumerate(manifests):
            for index, entry in enumerate(json.loads(manifest).get("files") or ()):
                if entry.get("kind") != "price_table" or entry.get("sha256") in tables:
                    continue
                copy = Path(scratch) / f"{number}-{index}.toml"
                copy.write_bytes(str(entry["content"]).encode("utf-8"))
                table = load_price_table(copy)
                tables.setdefault(table.digest, table)
    return sorted(tables.values(), key=lambda t: t.digest)
