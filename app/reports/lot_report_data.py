"""A lot report as CSV (one row per unit, for a spreadsheet) and JSON (the whole report, for a system).

Both are stable: keys sorted, rows in the report's order, no time of writing, UTF-8, LF line ends, so
two exports of the same facts are byte-identical and a later export diffs cleanly against an earlier one.
"""

from __future__ import annotations

import csv
import io
import json

from app.core.lot_report import LotReport

CSV_COLUMNS = (
    "lot_code", "unit_id", "identifier", "identifiers", "model", "serial", "received_at", "erasure", "method",
    "category", "verification", "certificate_id", "erased_at", "erasure_attempts", "grade", "route", "state",
    "co2e_avoided_kg", "factor_version",
)


def lot_report_csv(report: LotReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for unit in report.units:
        row = unit.to_json()
        row["lot_code"] = report.lot.code
        row["identifiers"] = " ".join(f"{k}:{v}" for k, v in unit.identifiers)
        writer.writerow([_csv_safe(str(row[c])) for c in CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def _csv_safe(value: str) -> str:
    # A cell a spreadsheet would run as a formula (=, +, -, @ first) is quoted as text: the values come
    # from scans and manifests, which a customer's file may have put anything into.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def lot_report_json(report: LotReport) -> bytes:
    return (json.dumps(report.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
