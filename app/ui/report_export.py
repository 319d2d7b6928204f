"""Reports from the bench window: a lot's report for its customer, the facility's daily production report.

The same builders and renderers as ``refurb-bench report lot`` / ``report daily`` (app/services/reports):
the window only asks where to write and which day, then reads, renders and writes on a job's thread,
so a 5,000-unit lot (a few seconds, a 200-page PDF) never freezes the screens. The job's progress lines
show in the status bar; the banner says where the file went, or what went wrong in words.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QWidget,
)

from app.core.errors import OperatorError
from app.core.models import Lot
from app.services.jobs import JobFunction, JobManager, JobResult, Report
from app.store.store import Store
from app.ui.i18n import error_text
from app.ui.work_tabs import Say

JOB_KEY = "report:export"
# The formats of app.services.reports' LOT_FORMATS and DAILY_FORMATS (a test holds them equal). That
# module is imported by the job that makes a report: it loads reportlab, which the window's start-up
# does not need.
LOT_REPORT_FORMATS = ("pdf", "csv", "json")
DAILY_REPORT_FORMATS = ("pdf", "csv")


@dataclass(frozen=True)
class Written:
    """What a finished export wrote, for the banner."""

    path: Path
    what: str  # "lot" or "daily"
    subject: str  # the lot's code or the day


def format_of(path: str, chosen_filter: str, formats: tuple[str, ...]) -> str:
    """The format a save-dialog answer asks for: the file's extension when it names one, else the filter's."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in formats:
        return suffix
    return next((f for f in formats if f"*.{f}" in chosen_filter), formats[0])


class DailyReportDialog(QDialog):
    """Which UTC day (today by default) and which format the daily production report is made for."""

    def __init__(self, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Daily production report"))
        day = today or dt.datetime.now(dt.UTC).date()
        self.day_edit = QDateEdit(QDate(day.year, day.month, day.day))
        self.day_edit.setObjectName("reportDay")
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setMaximumDate(QDate(day.year, day.month, day.day))
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("reportFormat")
        self.format_combo.addItem(self.tr("PDF"), "pdf")
        self.format_combo.addItem(self.tr("CSV (spreadsheet)"), "csv")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("&Day (UTC)"), self.day_edit)
        form.addRow(self.tr("&Format"), self.format_combo)
        form.addRow(buttons)
        self.day_edit.setFocus()

    def day(self) -> dt.date:
        chosen = self.day_edit.date()
        return dt.date(chosen.year(), chosen.month(), chosen.day())

    def report_format(self) -> str:
        return str(self.format_combo.currentData())


class ReportExporter(QObject):
    """Asks where to write a report, then builds and writes it through the job manager.

    Signals:
        busy_changed(bool): an export started or ended (the Lots page greys its button meanwhile).
        written(object): a :class:`Written` once the file is on disk.
    """

    busy_changed = Signal(bool)
    written = Signal(object)

    def __init__(self, store: Store, jobs: JobManager, say: Say, window: QWidget) -> None:
        super().__init__(window)
        self.store, self.jobs, self.say, self.window = store, jobs, say, window
        self.folder = Path.home()  # where the save dialog opens; the last folder written to afterwards
        jobs.finished.connect(self._on_finished)

    # --- asking -----------------------------------------------------------------------------------------

    def _ask_path(self, title: str, default_name: str, formats: tuple[str, ...]) -> tuple[Path, str] | None:
        """The file chosen in a save dialog and its format; None when cancelled."""
        names = {"pdf": self.tr("PDF files (*.pdf)"), "csv": self.tr("CSV files (*.csv)"),
                 "json": self.tr("JSON files (*.json)")}
        dialog = QFileDialog(self.window, title, str(self.folder / default_name))
        dialog.setObjectName("reportSaveDialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # the same keys on every bench, and testable
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters([names[f] for f in formats])
        dialog.selectNameFilter(names[Path(default_name).suffix.lstrip(".")])
        dialog.selectFile(default_name)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        chosen = dialog.selectedFiles()[0]
        kind = format_of(chosen, dialog.selectedNameFilter(), formats)
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(f".{kind}")
        return path, kind

    def _refuse_when_busy(self) -> bool:
        if self.jobs.busy(JOB_KEY):
            self.say(self.tr("A report is still being made — wait for it to finish"), "warn")
            return True
        return False

    # --- exporting --------------------------------------------------------------------------------------

    @Slot(object)
    def export_lot(self, lot: Lot | None) -> None:
        """Ask where to write ``lot``'s report (PDF, CSV or JSON), then make it on a job's thread."""
        if lot is None:
            self.say(self.tr("Select a lot first, then export its report"), "warn")
            return
        if self._refuse_when_busy():
            return
        answer = self._ask_path(self.tr("Export the report of lot {code}").format(code=lot.code),
                                f"lot-report-{_file_safe(lot.code)}.pdf", LOT_REPORT_FORMATS)
        if answer is None:
            return
        path, kind = answer
        store, code = self.store, lot.code

        def work(cancel: threading.Event, report: Report) -> Written:
            from app.services.reports import LOT_FORMATS, lot_report, write_report

            report(0, 3, f"Report of {code}: reading its units' events")
            built = lot_report(store, code)
            report(1, 3, f"Report of {code}: {built.totals.get('units', 0)} unit(s), making the {kind.upper()}")
            data = LOT_FORMATS[kind](built)
            report(2, 3, f"Report of {code}: writing {path.name}")
            return Written(write_report(data, path), "lot", code)

        self._start(work, path, self.tr("Making the report of lot {code}…").format(code=code))

    @Slot()
    def export_daily(self) -> None:
        """Ask for the day (today by default) and the format, then where to write; make it on a job's thread."""
        if self._refuse_when_busy():
            return
        dialog = DailyReportDialog(self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        day, kind = dialog.day(), dialog.report_format()
        answer = self._ask_path(self.tr("Export the production report of {day}").format(day=day.isoformat()),
                                f"daily-report-{day.isoformat()}.{kind}", DAILY_REPORT_FORMATS)
        if answer is None:
            return
        path, kind = answer
        store = self.store

        def work(cancel: threading.Event, report: Report) -> Written:
            from app.services.reports import DAILY_FORMATS, daily_snapshot, write_report

            report(0, 2, f"Daily report of {day.isoformat()}: computing the day's figures")
            data = DAILY_FORMATS[kind](daily_snapshot(store, day))
            report(1, 2, f"Daily report of {day.isoformat()}: writing {path.name}")
            return Written(write_report(data, path), "daily", day.isoformat())

        self._start(work, path, self.tr("Making the production report of {day}…").format(day=day.isoformat()))

    def _start(self, work: JobFunction, path: Path, text: str) -> None:
        self.folder = path.parent
        self.jobs.start(JOB_KEY, work, label="the report being made")
        self.busy_changed.emit(True)
        self.say(text, "info")

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        if result.key != JOB_KEY:
            return
        self.busy_changed.emit(False)
        if isinstance(result.error, OperatorError):
            self.say(self.tr("The report was not made: {error}").format(error=error_text(result.error)), "error")
        elif result.error is not None:
            self.say(self.tr("The report was not made: {error} — try again; if it fails again, call a supervisor "
                             "with the bench's log").format(error=result.error), "error")
        elif result.cancelled:
            self.say(self.tr("The report was cancelled"), "warn")
        elif isinstance(result.value, Written):
            done: Written = result.value
            self.written.emit(done)
            if done.what == "lot":
                self.say(self.tr("Report of lot {code} written to {path}").format(code=done.subject,
                                                                                   path=done.path), "ok")
            else:
                self.say(self.tr("Production report of {day} written to {path}").format(day=done.subject,
                                                                                         path=done.path), "ok")


def _file_safe(text: str) -> str:
    """A lot code as part of a file name: letters, digits, '-', '_' and '.' kept, anything else '_'."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text) or "lot"
