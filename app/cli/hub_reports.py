"""`hub report lot LOT` and `hub report daily DAY`: the bench's reports, built by the hub from every bench's events.

The same builders and renderers as the bench's `report` command (app/cli/reports.py), over the hub's storage
(SQLite in --data-dir, or PostgreSQL with --database), with the hub's reference data: the packaged price
tables and every one it published, so the same events give the same bytes on the hub as on a bench.
Errors as on the bench: one line with a hint, exit 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.core.carbon_factors import load_factor_tables
from app.core.daily_report import parse_day
from app.core.device_classes import load_class_mapping
from app.core.errors import NotFound, OperatorError
from app.core.lot_report import LotNotFound
from app.hub.backends import HUB_DB_FILE, open_storage
from app.hub.report_source import hub_daily_snapshot, hub_lot_report, hub_price_tables
from app.hub.storage import HubStorage
from app.services.reports import DAILY_FORMATS, LOT_FORMATS, write_report

EXIT_OK = 0


def add_parser(hub: Any, storage_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add `report lot|daily` to the `hub` command's subparsers."""
    report = hub.add_parser("report", help="a lot's report for its customer; the facility's daily report, "
                                           "over every bench")
    kinds = report.add_subparsers(dest="kind", required=True)
    lot = kinds.add_parser("lot", help="every unit of a lot: identifiers, erasure, grade, route; totals; "
                                       "sustainability")
    storage_options(lot)
    lot.add_argument("lot", metavar="LOT", help="lot code (or id)")
    lot.add_argument("--format", choices=sorted(LOT_FORMATS), default="pdf")
    lot.add_argument("--out", type=Path, required=True, metavar="FILE")
    daily = kinds.add_parser("daily", help="one UTC day's production over every bench")
    storage_options(daily)
    daily.add_argument("day", metavar="DATE", help="the day, YYYY-MM-DD (UTC)")
    daily.add_argument("--format", choices=sorted(DAILY_FORMATS), default="pdf")
    daily.add_argument("--out", type=Path, required=True, metavar="FILE")


def cmd_hub_report(args: argparse.Namespace) -> int:
    """Write the report; OperatorError (the caller prints it in one line) for what the operator can fix."""
    day = parse_day(args.day) if args.kind == "daily" else None   # a bad day is refused before the hub is opened
    data_dir = Path(args.hub_data_dir).expanduser().resolve()
    if not args.database and not (data_dir / HUB_DB_FILE).is_file():
        # Opening would create an empty hub there, and report that no lot exists.
        raise OperatorError(f"{data_dir} holds no hub",
                            hint="Give the hub's --data-dir (the folder 'hub serve' runs with), or its --database")
    storage = _open(data_dir, args.database)
    try:
        if day is not None:
            out = write_report(DAILY_FORMATS[args.format](hub_daily_snapshot(storage, day)), args.out)
            print(f"Daily production report of {day.isoformat()} (every bench) written to {out}")
            return EXIT_OK
        try:
            report = hub_lot_report(storage, args.lot, tables=load_factor_tables(), mapping=load_class_mapping(),
                                    price_tables=hub_price_tables(storage))
        except LotNotFound:
            raise NotFound(f"Lot {args.lot} is not on the hub",
                           hint="Check the lot code; the hub knows a lot once the bench that created it has synced") \
                from None
        out = write_report(LOT_FORMATS[args.format](report), args.out)
        print(f"Lot report of {report.lot.code} ({report.totals.get('units', 0)} unit(s)) written to {out}")
        return EXIT_OK
    finally:
        storage.close()


def _open(data_dir: Path, database: str | None) -> HubStorage:
    try:
        return open_storage(data_dir, database)
    except Exception as exc:
        if not database or type(exc).__name__ != "OperationalError":
            raise
        # psycopg's first line says what failed (refused, no such database, bad password); the URL is shown
        # without its password.
        where = urlsplit(database)
        shown = f"{where.hostname or 'localhost'}:{where.port or 5432}{where.path}"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OperatorError(f"Cannot open the hub's database {shown}: {reason}",
                            hint="Check --database (postgresql://user:password@host:port/name) and that PostgreSQL "
                                 "runs") from None
