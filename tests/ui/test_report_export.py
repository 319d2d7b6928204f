"""Reports from the window, by keyboard: a lot's report (PDF, CSV, JSON) from the Lots page and the
facility's daily production report from the File menu, each made on a job's thread and written where
the operator typed; refusals and failures said in words."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QLineEdit

from app.services.reports import DAILY_FORMATS, LOT_FORMATS
from app.ui.report_export import DAILY_REPORT_FORMATS, JOB_KEY, LOT_REPORT_FORMATS, DailyReportDialog, format_of
from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui

MANIFEST = "IMEI,Model\n490154203237518,iPhone 12\n356938035643809,Galaxy S10\n"
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class ModalAnswers:
    """Answers the modal dialogs that open, one after the other, as an operator at the keyboard would.

    Each answer is a function given the dialog; it runs from a timer because exec() only returns once
    the dialog is answered. A dialog left open for 5 s is rejected, so a test fails instead of hanging.
    """

    def __init__(self, *answers: Callable[[QDialog], None], shots: Path | None = None) -> None:
        self.answers = list(answers)
        self.expected = len(answers)
        self.failure: Exception | None = None
        self.seen: list[str] = []
        self.shots = shots
        self._answered: dict[int, float] = {}
        self._kept: list[QDialog] = []  # held, so a later dialog never reuses an answered one's id
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._poll)

    def __enter__(self) -> ModalAnswers:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # The window's scanner filter may hold typed keys for a moment before it lets them through:
        # wait until every expected dialog has come and been answered.
        deadline = time.monotonic() + 10
        while len(self.seen) < self.expected and time.monotonic() < deadline:
            QTest.qWait(20)
        self.timer.stop()
        if self.failure is not None:
            raise self.failure

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog) or not dialog.isVisible():
            return
        if id(dialog) in self._answered:
            if time.monotonic() - self._answered[id(dialog)] > 5:
                dialog.reject()  # the answer did not close it: end the modal loop so the test fails, not hangs
                self.failure = self.failure or AssertionError(f"{dialog.windowTitle()!r} stayed open")
            return
        self._answered[id(dialog)] = time.monotonic()
        self._kept.append(dialog)
        self.seen.append(dialog.windowTitle())
        if self.shots is not None:
            assert dialog.grab().save(str(self.shots / f"dialog-{len(self.seen)}.png"))
        if not self.answers:
            dialog.reject()
            return
        try:
            self.answers.pop(0)(dialog)
        except Exception as exc:  # noqa: BLE001 - raised again by __exit__, after the dialog is closed
            self.failure = exc
            dialog.reject()


def type_file(path: Path) -> Callable[[QDialog], None]:
    """In the save dialog: replace the proposed name by ``path``, then Enter."""

    def answer(dialog: QDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        assert isinstance(edit, QLineEdit)
        edit.setFocus()
        edit.setText(str(path))  # pasted: typed keys would open the completer's list, which takes Enter
        QTest.keyClick(edit, Qt.Key.Key_Return)

    return answer


def escape(dialog: QDialog) -> None:
    QTest.keyClick(dialog, Qt.Key.Key_Escape)


def received_lot(bench: Bench, tmp_path: Path) -> None:
    """LOT-2026-0300 with its manifest, both phones scanned in: the lot the reports are made of."""
    window = bench.window
    lot = window.intake.create_lot("LOT-2026-0300", "customer", "Acme Leasing", "PO-30", 2)  # type: ignore[arg-type]
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(MANIFEST)
    window.import_manifest(lot, manifest)
    bench.qtbot.waitUntil(lambda: "Imported 2 manifest lines" in window.banner.text(), timeout=5000)
    bench.qtbot.keyClick(window, Qt.Key.Key_F4)
    bench.qtbot.keyClick(window.lots_page.table, Qt.Key.Key_Return)
    for imei in ("490154203237518", "356938035643809"):
        bench.scan(imei)
        bench.qtbot.waitUntil(lambda imei=imei: "received into LOT-2026-0300" in window.banner.text())
    bench.qtbot.keyClick(window, Qt.Key.Key_F4)


def wait_written(bench: Bench, what: str, path: Path) -> None:
    bench.qtbot.waitUntil(lambda: f"{what} written to {path}" in bench.window.banner.text(), timeout=30_000)
    assert not bench.window.jobs.busy(JOB_KEY)
    assert bench.window.lots_page.export_button.isEnabled()


def test_the_window_offers_the_formats_the_report_service_makes() -> None:
    assert tuple(LOT_FORMATS) == LOT_REPORT_FORMATS
    assert tuple(DAILY_FORMATS) == DAILY_REPORT_FORMATS
    assert format_of("/x/r.JSON", "PDF files (*.pdf)", LOT_REPORT_FORMATS) == "json"
    assert format_of("/x/report", "CSV files (*.csv)", LOT_REPORT_FORMATS) == "csv"
    assert format_of("/x/report.txt", "PDF files (*.pdf)", LOT_REPORT_FORMATS) == "pdf"


def test_lot_report_pdf_from_the_lots_page_by_keyboard(make_bench: Callable[..., Bench], tmp_path: Path) -> None:
    bench = make_bench().login()
    received_lot(bench, tmp_path)
    window = bench.window
    out = tmp_path / "reports" / "acme.pdf"
    out.parent.mkdir()
    proposed: list[str] = []

    def look_then_type(dialog: QDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        assert isinstance(edit, QLineEdit)
        proposed.append(edit.text())
        type_file(out)(dialog)

    window.lots_page.export_button.setFocus()  # reached with Tab from the lots table
    with ModalAnswers(look_then_type) as answers:
        bench.qtbot.keyClick(window.lots_page.export_button, Qt.Key.Key_Space)
    assert answers.seen == ["Export the report of lot LOT-2026-0300"], window.banner.text()
    assert proposed == ["lot-report-LOT-2026-0300.pdf"]
    wait_written(bench, "Report of lot LOT-2026-0300", out)

    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("LOT-2026-0300", "Acme Leasing", "490154203237518", "356938035643809"):
        assert expected in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
                   check=True)
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 5000, "the first page renders with content"


def test_lot_report_csv_by_the_typed_extension_and_the_menu_key(
    make_bench: Callable[..., Bench], tmp_path: Path
) -> None:
    bench = make_bench().login()
    received_lot(bench, tmp_path)
    window = bench.window
    as_csv = tmp_path / "lot.csv"
    with ModalAnswers(type_file(as_csv)):
        bench.qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)  # Lots ▸ Export the selected lot's report…
    wait_written(bench, "Report of lot LOT-2026-0300", as_csv)
    rows = list(csv.DictReader(io.StringIO(as_csv.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2
    assert {"490154203237518", "356938035643809"} <= {v for row in rows for v in row.values()}



def test_lot_report_json_by_the_typed_extension(make_bench: Callable[..., Bench], tmp_path: Path) -> None:
    bench = make_bench().login()
    received_lot(bench, tmp_path)
    window = bench.window
    as_json = tmp_path / "lot.json"
    with ModalAnswers(type_file(as_json)):
        bench.qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)
    wait_written(bench, "Report of lot LOT-2026-0300", as_json)
    report = json.loads(as_json.read_text())
    assert "LOT-2026-0300" in json.dumps(report)
    assert "490154203237518" in json.dumps(report)


def test_cancelled_and_refused_exports_say_so(make_bench: Callable[..., Bench], tmp_path: Path) -> None:
    bench = make_bench().login()
    window = bench.window
    bench.qtbot.keyClick(window, Qt.Key.Key_F4)
    with ModalAnswers() as answers:
        bench.qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)
        bench.qtbot.waitUntil(lambda: "Select a lot first" in window.banner.text())
    assert answers.seen == []

    received_lot(bench, tmp_path)
    with ModalAnswers(escape) as answers:
        bench.qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)
    assert len(answers.seen) == 1
    assert not window.jobs.busy(JOB_KEY)


def test_daily_report_of_today_as_csv_from_the_file_menu(make_bench: Callable[..., Bench], tmp_path: Path) -> None:
    bench = make_bench().login()
    received_lot(bench, tmp_path)
    window = bench.window
    out = tmp_path / "today.csv"
    chosen: list[str] = []

    def csv_of_today(dialog: QDialog) -> None:
        assert isinstance(dialog, DailyReportDialog)
        chosen.append(dialog.day().isoformat())
        assert QApplication.focusWidget() is dialog.day_edit
        dialog.format_combo.setFocus()  # Tab walks the date's sections first, then comes here
        QTest.keyClick(dialog.format_combo, Qt.Key.Key_Down)  # PDF -> CSV
        QTest.keyClick(dialog.format_combo, Qt.Key.Key_Return)

    with ModalAnswers(csv_of_today, type_file(out), shots=tmp_path) as answers:
        bench.qtbot.keyClick(window, Qt.Key.Key_D, CTRL_SHIFT)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert chosen == [today]
    assert answers.seen == ["Daily production report", f"Export the production report of {today}"]
    assert (tmp_path / "dialog-1.png").stat().st_size > 1000
    wait_written(bench, f"Production report of {today}", out)
    text = out.read_text(encoding="utf-8-sig")
    assert today in text
    assert "received" in text.lower()
