"""Reports: `report lot LOT` for the customer of an ITAD lot, `report daily DAY` for the facility."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_OK
from app.core.daily_report import parse_day
from app.services.reports import DAILY_FORMATS, LOT_FORMATS, daily_snapshot, lot_report, write_report
from app.store.store import Store


def add_parsers(sub: Any) -> None:
    report = sub.add_parser("report", help="a lot's report for its customer; the facility's daily report")
    kinds = report.add_subparsers(dest="kind", required=True)
    lot = kinds.add_parser("lot", help="every unit of a lot: identifiers, erasure, grade, route; totals; "
                                       "sustainability")
    lot.add_argument("lot", metavar="LOT", help="lot code (or id)")
    lot.add_argument("--format", choices=sorted(LOT_FORMATS), default="pdf")
    lot.add_argument("--out", type=Path, required=True, metavar="FILE")
    daily = kinds.add_parser("daily", help="one UTC day's production: stages, stations, operators, erasures, "
                                           "failures")
    daily.add_argument("day", metavar="DATE", help="the day, YYYY-MM-DD (UTC)")
    daily.add_argument("--format", choices=sorted(DAILY_FORMATS), default="pdf")
    daily.add_argument("--out", type=Path, required=True, metavar="FILE")


def cmd_report(store: Store, args: argparse.Namespace) -> int:
    if args.kind == "lot":
        report = lot_report(store, args.lot)
        out = write_report(LOT_FORMATS[args.format](report), args.out)
        print(f"Lot report of {report.lot.code} ({report.totals.get('units', 0)} unit(s)) written to {out}")
        return EXIT_OK
    day = parse_day(args.day)
    out = write_report(DAILY_FORMATS[args.format](daily_snapshot(store, day)), args.out)
    print(f"Daily production report of {day.isoformat()} written to {out}")
    return EXIT_OK


STORE_COMMANDS = {"report": cmd_report}
