"""Reports benchmark: the customer report of a 5,000-unit lot, < 10 s.

A bench log holds a customer lot of 5,000 units (quick: 500), each recorded through ``Store.record``:
created, received into the lot, erased with a certificate (one in 50 fails its verification), graded,
routed (resale, repair or recycle) and moved through its states: about 10 events a unit. Measured:

* ours: the whole customer report as the ``report lot`` command makes it: read the lot's events from the
  bench's log, build the report (rows, totals, sustainability figures per unit with the factor tables),
  render the paginated PDF (median of 3);
* CSV and JSON of the same report (info);
* hub lot report: the same report built by the hub from its storage (SQLite) holding this lot among other
  lots' events (200,000 in all; quick: 20,000), before and after the events table's unit_id/type indexes
  (tests/bench/bench_hub_report.py); its peer is the bench's own report of the lot;
* peer: reportlab writing a plain table of the same rows (the report's cells as strings, already
  computed, one drawString per cell, the same page size and rows per page, no wrapping, no header).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_reports [--quick]
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from app.core.lot_report import LotReport
from app.reports.lot_report_data import lot_report_csv, lot_report_json
from app.reports.lot_report_pdf import COLUMNS, render_lot_report, rows_per_page
from app.services.reports import lot_report
from app.store.store import Store
from tests.bench.bench_hub_report import measure_hub_report
from tests.bench.bench_util import Results, Row, Sizes, median, progress, scratch_dir, section_main

LOT_ID, LOT_CODE = "LOT-ID-BENCH", "LOT-2026-5000"
MODELS = ("Pixel 7", "iPhone 13", "Galaxy S22", "iPad Air", "ThinkPad T14")
START = datetime.fromisoformat("2026-03-02T08:00:00+00:00")
RUNS = 3


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _unit_events(number: int, rng: random.Random) -> list[tuple[str, dict[str, object], str | None]]:
    unit = f"U-B{number:06d}"
    model = MODELS[number % len(MODELS)]
    verified = "failed" if number % 50 == 0 else "passed"
    erasure = f"E-{number}"
    completed: dict[str, object] = {
        "erasure_id": erasure, "outcome": "passed" if verified == "passed" else "failed",
        "device": {"serial": f"SN{number:08d}", "model": model}, "method": {"name": "Overwrite, 1 pass", "category":
                                                                             "Clear"},
        "verification": {"method": "full read", "result": verified}, "result": {"summary": verified},
        "station": {}, "started_at": "2026-03-02T08:00:00Z", "finished_at": "2026-03-02T08:30:00Z"}
    if verified == "passed":
        completed["certificate_id"] = f"C-{number:08d}"
    route = rng.choice(("resale", "resale", "repair", "recycle"))
    return [
        ("unit.created", {"identifiers": [{"kind": "imei", "value": f"35{number:013d}"}], "model": model,
                          "source": "scan"}, unit),
        ("lot.unit_received", {"lot_id": LOT_ID, "lot_code": LOT_CODE, "expected": True}, unit),
        ("unit.state_changed", {"from": "received", "to": "sanitising"}, unit),
        ("erasure.started", {"erasure_id": erasure, "device": {}, "method": {}, "verification": "full",
                             "seed_hex": "00", "sample_seed": 1}, unit),
        ("erasure.completed", completed, unit),
        ("unit.state_changed", {"from": "sanitising", "to": "sanitised"}, unit),
        ("grade.assigned", {"grade_id": f"G-{number}", "ruleset": {"id": "phones", "version": 1}, "inputs": {},
                            "functional": {"code": "F3", "title": "", "failed": [], "reasons": []},
                            "cosmetic": {"scale": "cosmetic", "title": "", "grade": rng.choice("ABC"),
                                         "reasons": []},
                            "r2": {}, "channels": [], "summary": "", "sources": {}, "photos": []}, unit),
        ("unit.state_changed", {"from": "sanitised", "to": "graded"}, unit),
        ("route.assigned", {"route_id": f"R-{number}", "grade_id": f"G-{number}", "route": route, "value": "10",
                            "currency": "EUR", "repairs": [], "parts": [], "recycle_weight_g": 180,
                            "battery_removal": False, "ships_with_battery": True, "resale_blockers": [],
                            "reasons": [], "price_table": {}}, unit),
        ("unit.state_changed", {"from": "graded", "to": "routed"}, unit),
    ]


def build_lot(store: Store, clock: _Clock, units: int) -> int:
    """Record the lot; returns how many events."""
    rng = random.Random(5000)
    count = 0
    with store.transaction():
        store.record("operator.added", {"operator_id": "OP-1", "name": "Alex", "badge": "B1", "role": "admin",
                                        "pin_hash": "x"})
        store.record("lot.created", {"lot_id": LOT_ID, "code": LOT_CODE, "party_kind": "customer",
                                     "party": "Big Bank plc", "po": "PO-5000", "expected_count": units})
    for first in range(0, units, 250):
        with store.transaction():
            for number in range(first, min(units, first + 250)):
                clock.now = START + timedelta(minutes=number)
                for event_type, body, unit in _unit_events(number, rng):
                    needs_op = event_type in ("grade.assigned", "route.assigned")
                    store.record(event_type, body, unit_id=unit, operator_id="OP-1" if needs_op else None)
                    count += 1
        progress(f"  {min(units, first + 250):,} units recorded")
    return count


def plain_table(report: LotReport, rows_per_page: int) -> bytes:
    """The peer: the same cells drawn as a plain table with reportlab, nothing else."""
    width, height = landscape(A4)
    cells: list[Sequence[str]] = [[str(i + 1), u.identifier, u.model, u.serial, u.erasure, u.method, u.verification,
                                   u.certificate_id, u.erased_at, u.grade, u.route, u.state]
                                  for i, u in enumerate(report.units)]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), invariant=1, pageCompression=1)
    xs = [34.0]
    for _title, _key, w in COLUMNS[:-1]:
        xs.append(xs[-1] + w)
    for start in range(0, len(cells), rows_per_page):
        canvas.setFont("Helvetica", 7)
        y = height - 60
        for row in cells[start:start + rows_per_page]:
            for x, value in zip(xs, row, strict=True):
                canvas.drawString(x, y, value)
            y -= 19
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def run(sizes: Sizes) -> Results:
    units = 500 if sizes.quick else 5000
    results = Results(peers={"A": "reportlab canvas writing a plain table of the same rows (cells precomputed, "
                                  "one drawString each, same pages)",
                             "B": "the same lot report on the bench (its own log, same events)"})
    with scratch_dir("reports-") as folder:
        clock = _Clock(START - timedelta(days=1))
        with Store(folder / "data", clock=clock) as store:
            progress(f"recording a {units:,}-unit lot through Store.record")
            started = time.perf_counter()
            events = build_lot(store, clock, units)
            results.notes.append(f"Reports: a {units:,}-unit lot, {events:,} events recorded through Store.record "
                                 f"in {time.perf_counter() - started:.0f} s (set-up)")
            ours: list[float] = []
            pages = 0
            report: LotReport | None = None
            for _ in range(RUNS):
                started = time.perf_counter()
                report = lot_report(store, LOT_CODE)
                pdf = render_lot_report(report)
                ours.append(time.perf_counter() - started)
                pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
            if report is None or len(report.units) != units:
                raise RuntimeError(f"the report lists {len(report.units) if report else 0} of {units} units")
            started = time.perf_counter()
            lot_report_csv(report)
            csv_s = time.perf_counter() - started
            started = time.perf_counter()
            lot_report_json(report)
            json_s = time.perf_counter() - started
            peer: list[float] = []
            for _ in range(RUNS):
                started = time.perf_counter()
                plain_table(report, rows_per_page())
                peer.append(time.perf_counter() - started)
            hub_events = 20_000 if sizes.quick else 200_000
            before, after, stored = measure_hub_report(store, folder / "hub", LOT_ID, LOT_CODE, total=hub_events,
                                                       runs=RUNS, bench_pdf=pdf)
    results.rows += [
        Row("Reports", f"customer lot report, {units:,} units: events -> PDF ({pages} pages)", median(ours), "s",
            target=10.0 if not sizes.quick else None, peer=median(peer), peer_key="A",
            note="read + build + sustainability + render, median of 3"),
        Row("Reports", f"hub lot report, {units:,} units among {stored:,} events: events -> PDF", after, "s",
            peer=median(ours), peer_key="B", note=f"with the events unit_id/type indexes; without: {before:.2f} s"),
        Row("Reports", "the same hub lot report without the events indexes (a hub before them)", before, "s"),
        Row("Reports", f"the same report as CSV ({units:,} rows)", csv_s, "s"),
        Row("Reports", f"the same report as JSON ({units:,} units)", json_s, "s"),
    ]
    return results


def main(argv: list[str] | None = None) -> int:
    return section_main("bench_reports", run, argv)


if __name__ == "__main__":
    raise SystemExit(main())
