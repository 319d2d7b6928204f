"""The bench window: login, then the unit, search and lots pages, with scans accepted anywhere.

The window wires views to the intake service; every rule lives in the service or the core.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.core.errors import OperatorError
from app.core.lifecycle import UnitState
from app.core.models import Lot, Unit
from app.services.intake import SCAN_CONTEXT, IntakeService, ScanResult
from app.services.jobs import JobManager, JobProgress, JobResult
from app.settings import Settings
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store
from app.ui.i18n import error_text, role_name, said, tab_title
from app.ui.login_page import LoginPage
from app.ui.lots_page import LotsPage, NewLotDialog
from app.ui.manifest_import import ImportOutcome, ManifestImporter
from app.ui.name_cache import NameCache
from app.ui.operators_dialog import OperatorsDialog
from app.ui.report_export import ReportExporter
from app.ui.scanner_filter import ScannerFilter
from app.ui.search_page import SearchPage
from app.ui.station_admin import StationAdmin, wedge_config
from app.ui.style import STYLE
from app.ui.unit_page import UnitPage
from app.ui.work_tabs import STATUS_PARTS, WORK_TABS, BenchContext, StatusPart, WorkTab

if TYPE_CHECKING:
    from app.ui.bays_tab import BaysTab

log = logging.getLogger("app.ui")
_Tab = TypeVar("_Tab", bound=WorkTab)



class MainWindow(StationAdmin, QMainWindow):
    """The whole bench UI of one station."""

    def __init__(self, store: Store, settings: Settings, parent: QWidget | None = None, *,
                 allow_loop_devices: bool = False, simulate: str | None = None) -> None:
        super().__init__(parent)
        self._simulate = simulate
        self._allow_loop = allow_loop_devices  # loop devices count as drives: tests and demos only
        self.store = store
        self.settings = settings
        self.intake = IntakeService(store, settings.rules)
        self.jobs = JobManager(parent=self)
        self.jobs.finished.connect(self._on_job_finished)
        self.jobs.progress.connect(self._on_job_progress)
        self.scanner = ScannerFilter(wedge_config(settings), self)
        self.scanner.scanned.connect(self._on_scanned)
        self.importer = ManifestImporter(self.jobs, self.intake, self)
        self.importer.done.connect(self._on_import_done)
        self.reports = ReportExporter(store, self.jobs, self.say, self)
        self.scanner.install()
        self._job_texts: dict[str, str] = {}
        self._lots_stale = True
        self._shut_down = False
        self._new_lot_dialog: NewLotDialog | None = None
        self._operators_dialog: OperatorsDialog | None = None
        self.names = NameCache(store.db)
        self._build()
        for tab in self.work_tabs:
            tab.start()  # devices plugged in while another tab is shown start too (continuous flow)
        for part in self.status_parts:
            part.start()
        self.setWindowTitle(self.tr("{app} — {station}").format(app=APP_NAME, station=settings.station_name))
        self.setStyleSheet(STYLE)
        self.resize(1280, 800)
        self._show_login()

    # --- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = QLabel(self.tr("Ready — scan a badge to log in"))
        self.banner.setObjectName("scanBanner")
        self.banner.setWordWrap(True)
        self.manual_edit = QLineEdit()
        self.manual_edit.setObjectName("manualEntry")
        self.manual_edit.setPlaceholderText(self.tr("Type an identifier when the label will not scan, then Enter "
                "(Ctrl+E)"))
        self.manual_edit.returnPressed.connect(self._on_manual_entry)

        self.login_page = LoginPage()
        self.login_page.pin_login_requested.connect(self._on_pin_login)
        self.unit_page = UnitPage(self.names.operator_name)
        self.search_page = SearchPage(self._search, self.names.lot_code)
        self.search_page.unit_activated.connect(self._on_unit_activated)
        self.lots_page = LotsPage()
        self.lots_page.new_lot_requested.connect(self.new_lot)
        self.lots_page.import_requested.connect(self._on_import_requested)
        self.lots_page.receive_requested.connect(self._on_receive_requested)
        self.lots_page.export_requested.connect(self.reports.export_lot)
        self.reports.busy_changed.connect(self.lots_page.set_exporting)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.unit_page, self.tr("&Unit  F2"))
        self.tabs.addTab(self.search_page, self.tr("&Search  F3"))
        self.tabs.addTab(self.lots_page, self.tr("&Lots  F4"))
        ctx = BenchContext(self.store, self.jobs, self.say, lambda: self.intake.operator, lambda: self.settings,
                           self.open_unit, self, allow_loop=self._allow_loop, simulate=self._simulate)
        self.work_tabs: list[WorkTab] = [make(ctx) for make in WORK_TABS]
        for tab in self.work_tabs:
            self.tabs.addTab(tab.page, f"{tab_title(tab)}  {tab.key}")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        work = QWidget()
        work_layout = QVBoxLayout(work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        entry_row = QHBoxLayout()
        entry_row.addWidget(QLabel(self.tr("Identifier")))
        entry_row.addWidget(self.manual_edit, 1)
        work_layout.addLayout(entry_row)
        work_layout.addWidget(self.tabs, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.login_page)
        self.stack.addWidget(work)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.operator_label = QLabel(self.tr("Not logged in"))
        self.lot_label = QLabel("")
        self.job_label = QLabel("")
        status = self.statusBar()
        status.addWidget(self.operator_label)
        status.addWidget(self.lot_label)
        status.addPermanentWidget(self.job_label)
        self.status_parts: list[StatusPart] = [make(ctx) for make in STATUS_PARTS]
        for part in self.status_parts:
            status.addPermanentWidget(part)
        self._build_menus()

    def _action(self, menu_name: str, text: str, shortcuts: list[str], slot: object) -> QAction:
        menu = self._menus.get(menu_name) or self.menuBar().addMenu(menu_name)
        self._menus[menu_name] = menu
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        self._menus: dict[str, QMenu] = {}
        self._action(self.tr("&File"), self.tr("&Back up database…"), ["Ctrl+B"], self.backup_database)
        self._action(self.tr("&File"), self.tr("Export &daily production report…"), ["Ctrl+Shift+D"],
                     self.reports.export_daily)
        self._action(self.tr("&File"), self.tr("&Settings…"), ["Ctrl+,"], self.open_settings)
        self._action(self.tr("&File"), self.tr("&Quit"), ["Ctrl+Q"], self.close)
        self._action(self.tr("&View"), self.tr("&Unit"), ["F2"], self.show_unit_page)
        self._action(self.tr("&View"), self.tr("&Search"), ["F3", "Ctrl+F"], self.show_search_page)
        self._action(self.tr("&View"), self.tr("&Lots"), ["F4"], self.show_lots_page)
        for tab in self.work_tabs:
            self._action(self.tr("&View"), tab_title(tab), [tab.key], lambda _=False, t=tab: self.show_tab(t))
        self._action(self.tr("&View"), self.tr("&Type an identifier"), ["Ctrl+E"], self.focus_manual_entry)
        self._action(self.tr("&Lots"), self.tr("&New lot…"), ["Ctrl+N"], self.new_lot)
        self._action(self.tr("&Lots"), self.tr("&Import manifest…"), ["Ctrl+I"], self._on_import_shortcut)
        self._action(self.tr("&Lots"), self.tr("&Stop receiving into a lot"), ["Ctrl+Shift+R"], self.stop_receiving)
        self._action(self.tr("&Lots"), self.tr("E&xport the selected lot's report…"), ["Ctrl+Shift+S"],
                     self._on_export_shortcut)
        self._action(self.tr("&Operator"), self.tr("&Operators…"), ["Ctrl+Shift+O"], self.open_operators)
        self._action(self.tr("&Operator"), self.tr("&Log out"), ["Ctrl+Shift+L"], self.logout)

    # --- lookups for the views -------------------------------------------------------------------

    def _search(self, text: str, state: UnitState | None) -> list[Unit]:
        return queries.search_units(self.store.db, text, state=state)

    # --- feedback --------------------------------------------------------------------------------

    def say(self, text: str, tone: str = "info") -> None:
        """Show one line of feedback in the banner (tone: info, ok, warn, error)."""
        self.banner.setText(text)
        self.banner.setProperty("tone", tone)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        log.info("banner [%s]: %s", tone, text)

    def _refresh_status(self) -> None:
        op = self.intake.operator
        self.operator_label.setText(self.tr("Operator: {name} ({role})").format(
                name=op.name, role=role_name(op.role)) if op else self.tr("Not logged in"))
        lot = self.intake.active_lot
        self.lot_label.setText(self.tr("Receiving into {code}").format(code=lot.code) if lot else "")

    # --- navigation ------------------------------------------------------------------------------

    def _show_login(self) -> None:
        self.stack.setCurrentWidget(self.login_page)
        self.login_page.reset()
        self._refresh_status()

    def _show_work(self) -> None:
        self.stack.setCurrentIndex(1)
        self._refresh_status()

    @Slot()
    def show_unit_page(self) -> None:
        if self.intake.operator:
            self.tabs.setCurrentWidget(self.unit_page)
            self.unit_page.timeline.setFocus()

    @Slot()
    def show_search_page(self) -> None:
        if self.intake.operator:
            self.tabs.setCurrentWidget(self.search_page)
            self.search_page.refresh()
            self.search_page.focus_query()

    @Slot()
    def show_lots_page(self) -> None:
        if self.intake.operator:
            self.tabs.setCurrentWidget(self.lots_page)
            self.refresh_lots(self.intake.active_lot.lot_id if self.intake.active_lot else None)
            self.lots_page.table.setFocus()

    def show_tab(self, tab: WorkTab) -> None:
        if self.intake.operator:
            if self.tabs.currentWidget() is tab.page:
                tab.shown()
            self.tabs.setCurrentWidget(tab.page)  # otherwise its shown() runs from _on_tab_changed

    def work_tab(self, kind: type[_Tab]) -> _Tab:
        """The window's tab of this class (tests and scenarios reach a tab's parts through it)."""
        return next(t for t in self.work_tabs if isinstance(t, kind))

    @property
    def bays(self) -> BaysTab:
        from app.ui.bays_tab import BaysTab

        return self.work_tab(BaysTab)

    @Slot()
    def show_bays_page(self) -> None:
        self.show_tab(self.bays)

    @Slot()
    def focus_manual_entry(self) -> None:
        if self.intake.operator:
            self.manual_edit.setFocus()

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.lots_page and self._lots_stale:
            self.refresh_lots(self.intake.active_lot.lot_id if self.intake.active_lot else None)
        for tab in self.work_tabs:
            if self.tabs.widget(index) is tab.page:
                tab.shown()

    @Slot(str)
    def _on_unit_activated(self, unit_id: str) -> None:
        self.open_unit(unit_id)

    def open_unit(self, unit_id: str) -> None:
        unit = queries.get_unit(self.store.db, unit_id)
        if unit is None:
            self.say(self.tr("Unit {unit_id} not found").format(unit_id=unit_id), "error")
            return
        self.unit_page.show_unit(unit, unit_events(self.store.db, unit_id), self.names.lot_code(unit.lot_id))
        self.tabs.setCurrentWidget(self.unit_page)

    def refresh_lots(self, select_lot_id: str | None = None) -> None:
        """Recount the lots page; deferred until it is shown (a count per lot is not free)."""
        if self.tabs.currentWidget() is not self.lots_page:
            self._lots_stale = True
            return
        self._lots_stale = False
        progress = [queries.lot_progress(self.store.db, lot) for lot in queries.list_lots(self.store.db)]
        self.lots_page.set_lots(progress, select_lot_id)

    # --- scans and logins ------------------------------------------------------------------------

    @Slot(str)
    def _on_scanned(self, text: str) -> None:
        # A dialog asking for a code (a new lot's code, say) takes the scan as its input.
        focus = QApplication.focusWidget()
        if QApplication.activeModalWidget() is not None:
            if isinstance(focus, QLineEdit):
                focus.insert(text.strip())
            else:
                # Never act on a scan behind an open dialog (a badge would switch operator under it).
                self.say(self.tr("A dialog is open: the scan was not used — finish or close the dialog first"), "warn")
            return
        self.handle_input(text)

    @Slot()
    def _on_manual_entry(self) -> None:
        text = self.manual_edit.text()
        if text.strip():
            self.manual_edit.clear()
            self.handle_input(text)

    def handle_input(self, text: str) -> None:
        """One scanned or typed code: the service decides, the window shows the outcome."""
        tab = self._current_work_tab()
        if tab is not None and self.intake.operator is not None and tab.take_scan(text):
            return
        try:
            result = self.intake.handle_scan(text)
        except OperatorError as exc:
            self.say(error_text(exc), "error")
            return
        self._show_result(result, tab)

    def _current_work_tab(self) -> WorkTab | None:
        return next((t for t in self.work_tabs if self.tabs.currentWidget() is t.page), None)

    def _show_result(self, result: ScanResult, tab: WorkTab | None = None) -> None:
        self.say(said(SCAN_CONTEXT, result.template, result.values, result.message),
                 "warn" if result.received_expected is False else "ok")
        if result.operator is not None:
            self._show_work()
            self.show_unit_page()
        if result.lot is not None:
            self.refresh_lots(result.lot.lot_id)
        if result.unit is not None and not (tab is not None and tab.unit_scanned(result.unit)):
            self.open_unit(result.unit.unit_id)
        self._refresh_status()

    @Slot(str, str)
    def _on_pin_login(self, name: str, pin: str) -> None:
        try:
            operator = self.intake.login_pin(name, pin)
        except OperatorError as exc:
            self.login_page.show_error(error_text(exc))
            return
        self.say(self.tr("{name} logged in").format(name=operator.name), "ok")
        self._show_work()
        self.show_unit_page()

    @Slot()
    def logout(self) -> None:
        self.intake.logout()
        self.say(self.tr("Logged out — scan a badge to log in"))
        self._show_login()

    # --- lots --------------------------------------------------------------------------------------

    @Slot()
    def new_lot(self) -> None:
        if not self.intake.operator:
            return
        dialog = NewLotDialog(self)
        self._new_lot_dialog = dialog
        while dialog.exec():
            try:
                lot = self.intake.create_lot(*dialog.values())
            except OperatorError as exc:
                dialog.show_error(error_text(exc))
                continue
            self.say(self.tr("Lot {code} created").format(code=lot.code), "ok")
            self.show_lots_page()
            self.refresh_lots(lot.lot_id)
            break
        self._new_lot_dialog = None

    @Slot()
    def _on_import_shortcut(self) -> None:
        lot = self.lots_page.selected_lot() or self.intake.active_lot
        if lot is None:
            self.say(self.tr("Select a lot first (F4)"), "error")
            return
        self._on_import_requested(lot)

    @Slot(object)
    def _on_import_requested(self, lot: Lot) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Manifest for {code}").format(
                    code=lot.code), str(Path.home()), self.tr("CSV files (*.csv *.txt);;All files (*)"),
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        if path:
            self.import_manifest(lot, Path(path))

    def import_manifest(self, lot: Lot, path: Path) -> None:
        """Read and check the file in the background; it is stored, in one event, when it is good."""
        try:
            self.importer.start(lot, path)
        except OperatorError as exc:
            self.say(error_text(exc), "error")
            return
        self.say(self.tr("Importing manifest {name} into {code}…").format(name=path.name, code=lot.code))

    @Slot(object)
    def _on_import_done(self, outcome: ImportOutcome) -> None:
        self.say(outcome.message, outcome.tone)
        if outcome.tone == "ok":
            self.refresh_lots(outcome.lot.lot_id)

    @Slot(object)
    def _on_job_progress(self, progress: JobProgress) -> None:
        self._job_texts[progress.key] = progress.text
        self._show_jobs()

    def _show_jobs(self) -> None:
        self.job_label.setText("  ·  ".join(self._job_texts.values()))

    @Slot(object)
    def _on_job_finished(self, result: JobResult) -> None:
        self._job_texts.pop(result.key, None)
        self._show_jobs()

    @Slot()
    def _on_export_shortcut(self) -> None:
        """Ctrl+Shift+S: the Lots page's selected lot (the page is shown, so the operator sees which)."""
        self.show_lots_page()
        self.lots_page.request_export()

    @Slot(object)
    def _on_receive_requested(self, lot: Lot) -> None:
        try:
            self.intake.receive_into(lot)
        except OperatorError as exc:
            self.say(error_text(exc), "error")
            return
        self.say(self.tr("Receiving into lot {code} — scan its units").format(code=lot.code), "ok")
        self._refresh_status()

    @Slot()
    def stop_receiving(self) -> None:
        self.intake.stop_receiving()
        self.say(self.tr("No longer receiving into a lot"))
        self._refresh_status()

    def shutdown(self) -> None:
        """Stop background work and the scanner filter; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        for part in self.status_parts:
            part.stop()
        for tab in self.work_tabs:
            tab.stop()
        self.scanner.remove()
        self.jobs.shutdown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Focus set before the window existed on screen is lost; put the cursor where the person starts.
        if self.stack.currentWidget() is self.login_page:
            self.login_page.name_edit.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

