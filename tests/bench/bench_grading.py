"""Grading and labels: grade time, one label as ZPL and as PDF, 1,000 labels as one job, and the keys
pressed from scan to printed label on the real Grade tab.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_grading [--quick]

Rows and their peers:

* grade + route of one unit (the ruleset's golden cases, p50/p99): target < 5 ms. Peer [A]: checking the
  inspection dict alone (GradingInputs.from_dict), the floor any grading must pay.
* one unit label, ZPL and PDF: target < 50 ms each. 1,000 different units' PDF labels as one job: target
  < 6 s. Peer [B]: the same labels drawn with reportlab's stock barcode widgets (QrCodeWidget, Code128) —
  what the label PDFs used before their own QR encoder and single-path bars.
* keystrokes from scan to printed label for a typical phone (its checks, battery, locks and erasure already
  recorded; one light scratch on the back), driven on the Grade tab with real key events, the label sent
  to the network printer simulator: target ≤ 12. The note gives the time from the scan to the printed label.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from app.core.grading import GradingInputs, evaluate, load_ruleset, route
from app.core.grading.prices import load_price_table
from app.core.identifiers import luhn_check_digit
from app.reports.labels import to_pdf, to_zpl, unit_label
from tests.bench.bench_util import Results, Row, Sizes, percentile, progress, scratch_dir, section_main
from tests.core.grading.support import PRICES, RULESETS, varied
from tests.reports.labels.support import WITH_GTIN

SECTION = "Grading"
GOLDEN = Path(__file__).resolve().parents[1] / "core" / "grading" / "golden" / "phones-ctia-r2-v1.json"


def _labels(count: int) -> list:  # type: ignore[type-arg]
    out = []
    for i in range(count):
        body = f"35678901{i:06d}"
        out.append(unit_label(dataclasses.replace(WITH_GTIN, imei=body + str(luhn_check_digit(body)))))
    return out


def _stock_reportlab_pdf(labels: list) -> bytes:  # type: ignore[type-arg]
    """Peer [B]: the labels' texts, Code 128 and QR drawn with reportlab's stock widgets."""
    import io

    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from app.reports.labels.layout import Code128 as Bars
    from app.reports.labels.layout import Text, TwoD

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(labels[0].width_mm * mm, labels[0].height_mm * mm), invariant=True)
    for label in labels:
        page_h = label.height_mm * mm
        for element in label.elements:
            if isinstance(element, Text):
                canvas.setFont("Helvetica-Bold" if element.bold else "Helvetica", element.height / 0.72 * mm)
                canvas.drawString(element.x * mm, page_h - (element.y + element.height) * mm, element.text)
            elif isinstance(element, Bars):
                Code128(element.data, barWidth=0.25 * mm, barHeight=element.height * mm, humanReadable=False) \
                    .drawOn(canvas, element.x * mm, page_h - (element.y + element.height) * mm)
            elif isinstance(element, TwoD):
                widget = QrCodeWidget(element.data, barLevel="M")
                x0, y0, x1, y1 = widget.getBounds()
                drawing = Drawing(element.size * mm, element.size * mm,
                                  transform=[element.size * mm / (x1 - x0), 0, 0, element.size * mm / (y1 - y0), 0, 0])
                drawing.add(widget)
                renderPDF.draw(drawing, canvas, element.x * mm, page_h - (element.y + element.size) * mm)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _grading_rows(results: Results, rounds: int) -> None:
    ruleset = load_ruleset(RULESETS / "phones-ctia-r2-v1.toml")
    table = load_price_table(PRICES / "phones-eu-v1.toml")
    cases = [varied(c) for c in json.loads(GOLDEN.read_text())["cases"]]
    ours, routed, peer = [], [], []
    for _ in range(rounds):
        for case in cases:
            started = time.perf_counter()
            grade = evaluate(GradingInputs.from_dict(case), ruleset)
            graded = time.perf_counter()
            route(grade, ruleset, table)
            ours.append((graded - started) * 1000)
            routed.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            GradingInputs.from_dict(case)
            peer.append((time.perf_counter() - started) * 1000)
    # The median is the grade's cost; the p99 (in the note) mostly measures the other work on a shared machine:
    # the peer's p99 moves with it.
    results.rows.append(Row(SECTION, "grade one unit (inputs checked), p50", percentile(ours, 50), "ms", 5.0,
                            peer=percentile(peer, 50), peer_key="A",
                            note=f"{len(ours):,} grades of {len(cases)} golden cases; p99 {percentile(ours, 99):.2f} "
                                 f"ms (peer p99 {percentile(peer, 99):.2f} ms)"))
    results.rows.append(Row(SECTION, "grade + route one unit (repair regraded), p50", percentile(routed, 50), "ms",
                            5.0, note=f"p99 {percentile(routed, 99):.2f} ms"))


def _label_rows(results: Results, count: int) -> None:
    one = _labels(1)[0]
    to_pdf([one])  # warm caches (fonts, the QR layouts) as a running bench has them
    times_zpl, times_pdf, times_peer = [], [], []
    for _ in range(20):
        started = time.perf_counter()
        to_zpl(one, 203)
        times_zpl.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        to_pdf([one])
        times_pdf.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        _stock_reportlab_pdf([one])
        times_peer.append((time.perf_counter() - started) * 1000)
    results.rows.append(Row(SECTION, "one unit label as ZPL, p50 of 20", percentile(times_zpl, 50), "ms", 50.0))
    results.rows.append(Row(SECTION, "one unit label as PDF, p50 of 20", percentile(times_pdf, 50), "ms", 50.0,
                            peer=percentile(times_peer, 50), peer_key="B"))
    labels = _labels(count)
    progress(f"{count:,} PDF labels (ours, then reportlab's stock widgets)")
    runs, cpu = [], []
    for _ in range(3):  # the least disturbed of three runs: other work on a shared machine only adds time
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf = to_pdf(labels)
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    ours = min(runs)
    started = time.perf_counter()
    zpl = "".join(to_zpl(label, 203) for label in labels)
    zpl_s = time.perf_counter() - started
    started = time.perf_counter()
    stock = _stock_reportlab_pdf(labels)
    peer = time.perf_counter() - started
    scale = 1000 / count
    results.rows.append(Row(SECTION, "1,000 different units' PDF labels, one job", ours * scale, "s", 6.0,
                            peer=peer * scale, peer_key="B",
                            note=f"{count:,} labels measured{' and scaled to 1,000' if count != 1000 else ''}, best "
                                 f"of {', '.join(f'{r * scale:.2f}' for r in runs)} s (CPU "
                                 f"{min(cpu) * scale:.2f} s: the rest is other work on the machine); "
                                 f"{len(pdf) // 1024} KiB "
                                 f"(peer {len(stock) // 1024} KiB, one run)"))
    results.rows.append(Row(SECTION, "1,000 different units' ZPL labels, one job", zpl_s * scale, "s",
                            note=f"{len(zpl) // 1024} KiB at 203 dpi"))


def _keystroke_row(results: Results) -> None:
    """The Grade tab flow of tests/ui/test_grade.py, with real key events, counting keys to the printed label."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.core.models import Role
    from app.services.intake import IntakeService
    from app.settings import LabelSettings, Settings
    from app.store.store import Store
    from app.ui.grade_tab import GradeTab
    from app.ui.main_window import MainWindow
    from drivers.sim.printer import PrinterSimulator
    from tests.services.grading_support import imei
    from tests.ui.grading_flow import TYPICAL_KEYS, phone_after_checks

    app = QApplication.instance() or QApplication([])

    def wait(ms: float) -> None:
        deadline = time.monotonic() + ms / 1000
        while time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.005)

    with scratch_dir("grading-") as folder, PrinterSimulator() as printer:
        store = Store(folder / "data")
        intake = IntakeService(store)
        admin = intake.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
        intake.add_operator("Sam Okafor", "OP-0002", Role.TECHNICIAN, "2345", by=admin)
        settings = dataclasses.replace(Settings(), labels=LabelSettings(printer=f"tcp://127.0.0.1:{printer.port}"))
        window = MainWindow(store, settings)
        window.show()
        window.handle_input("OP-0002")
        operator = window.intake.operator
        assert operator is not None
        phone_after_checks(store, operator, 1)
        tab = window.work_tab(GradeTab)
        window.show_tab(tab)
        wait(100)
        started = time.perf_counter()
        window.handle_input(imei(1))  # the scan
        keys = 0
        for key, _meaning in TYPICAL_KEYS:
            QTest.keyClick(tab.page.table, key)
            keys += 1
            wait(200)  # a person's pace, longer than the scanner filter's patience
        while not printer.printed and time.perf_counter() - started < 30:
            wait(20)
        elapsed = time.perf_counter() - started
        printed = len(printer.printed)
        window.shutdown()
        window.close()
        store.close()
    del app
    results.rows.append(Row(SECTION, "keys from scan to printed label, typical phone (target ≤ 12)",
                            keys if printed else None, "keys", 13.0,
                            note=f"{'printed' if printed else 'NOT printed'} {elapsed:.1f} s after the scan, "
                                 "with 0.2 s between keys as a person types"))


def run(sizes: Sizes) -> Results:
    results = Results(peers={
        "A": "checking the inspection alone (GradingInputs.from_dict), no rules",
        "B": "reportlab's stock barcode widgets (QrCodeWidget, Code128) for the same labels",
    })
    progress("grading the golden cases")
    _grading_rows(results, 5 if sizes.quick else 40)
    _label_rows(results, 100 if sizes.quick else 1000)
    progress("the Grade tab, scan to printed label")
    _keystroke_row(results)
    return results


def main() -> int:
    return section_main("bench_grading", run)


if __name__ == "__main__":
    raise SystemExit(main())
