"""The GUI's composition root: data folder, logging, store, window, simulators; then the event loop."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer, Slot
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, __version__
from app.core.errors import OperatorError
from app.log import setup_logging
from app.paths import resolve_data_dir
from app.services import simulation
from app.services.jobs import JobResult, Report
from app.settings import load_settings
from app.store.backups import newest_verified
from app.store.db import connect
from app.store.restore import restore_backup
from app.store.store import DB_FILE, Store
from app.ui.damaged_db_dialog import DamagedDatabaseDialog
from app.ui.database_check import EarlyDatabaseCheck
from app.ui.i18n import choose_language, error_text, install_translators
from app.ui.sim_player import KeystrokePlayer
from drivers.sim.scanner import SimulatedScanner
from drivers.sim.scenarios import SCENARIOS, Scenario

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

log = logging.getLogger("app.ui")
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
EXIT_NOT_OPENED = 1  # the database is damaged and the operator chose not to restore it
EXIT_BAD_INPUT = 2


class SimulatedBench:
    """Drives a window from a scenario: F9 makes the simulated scanner read its next code."""

    def __init__(self, window: MainWindow, scenario: Scenario) -> None:
        self.window, self.scenario = window, scenario
        self.scanner = SimulatedScanner(scenario.scanner)
        self.player = KeystrokePlayer(fallback=window, parent=window)
        self._next = 0
        action = QAction(QCoreApplication.translate("SimulatedBench", "Simulated scanner: read next code"), window)
        action.setShortcut(QKeySequence("F9"))
        action.triggered.connect(self.scan_next)
        window.menuBar().addMenu(QCoreApplication.translate("SimulatedBench", "&Simulator")).addAction(action)

    @Slot()
    def scan_next(self) -> None:
        codes = self.scenario.scan_codes
        if not codes:
            self.window.say(QCoreApplication.translate("SimulatedBench",
                    "This scenario's scanner has no codes to read"))
            return
        code = codes[self._next % len(codes)]
        self._next += 1
        self.player.play(self.scanner.keystrokes(code))


def _startup_check(window: MainWindow, checked_before_opening: bool) -> None:
    """Check the database file in the background on its own read-only connection, so a damaged
    disk is reported at start rather than mid-shift.

    When the whole file was quick_checked just before the Store opened, reading it all again would
    find nothing new: the job then only asks for the schema and the page count through a fresh
    connection (the header and the schema pages still read). A database created by this start is
    quick_checked here (it is small)."""
    path = window.store.path

    def work(cancel: threading.Event, report: Report) -> str:
        report(0, 1, "Checking the database")
        db = connect(path, readonly=True)
        if checked_before_opening:
            try:
                db.execute("SELECT count(*) FROM sqlite_schema").fetchone()
                db.execute("PRAGMA page_count").fetchone()
                return "ok"
            finally:
                db.close()
        try:
            return str(db.execute("PRAGMA quick_check").fetchone()[0])
        finally:
            db.close()

    def done(result: JobResult) -> None:
        if result.key != "startup-check":
            return
        window.jobs.finished.disconnect(done_slot)
        if result.error is not None or result.value != "ok":
            window.say(QCoreApplication.translate("application", "The database check failed: {value} — make a backup "
                    "and call a supervisor").format(
                    value=result.error or result.value), "error")

    done_slot = Slot(object)(done)
    window.jobs.finished.connect(done_slot)
    window.jobs.start("startup-check", work)


def _check_before_opening(data_dir: Path, check: EarlyDatabaseCheck) -> tuple[bool, str | None]:
    """Wait for the quick_check of the database, begun early, before the Store touches it (migrations
    and projections must not run over a damaged file); when it is damaged, offer the newest verified backup.

    Returns whether to go on opening, and a line for the banner after a restore.
    """
    path = data_dir / DB_FILE
    found = check.verdict()  # "ok" when there is no database yet: first start, the Store creates it
    if found == "ok":
        return True, None
    log.error("the database %s is damaged: %s", path, found)
    backup = newest_verified(data_dir)
    dialog = DamagedDatabaseDialog(path, found, backup)
    dialog.exec()
    if backup is None or not dialog.restore_chosen():
        log.warning("the damaged database was left as it is and the bench did not open")
        return False, None
    try:
        stream = restore_backup(path, backup.path)
    except OperatorError as exc:  # the backup went bad since it was checked a moment ago
        QMessageBox.critical(None, APP_NAME, error_text(exc))
        return False, None
    return True, (f"The damaged database was replaced by the backup {backup.path.name}; this bench continues on "
                  f"new stream {stream[:8]}. The damaged file is kept in {data_dir} for the investigation.")


def _screen_language(data_dir: Path, asked: str | None) -> str:
    """--lang, else the settings' language, else the system's: chosen before any window opens
    (the damaged-database dialog included), so unusable settings fall back to the system's here
    and are reported when they are loaded for the window."""
    try:
        setting = load_settings(data_dir).language
    except OperatorError:
        setting = ""
    return choose_language(asked, setting)


def open_window(data_dir: Path, scenario: Scenario | None, *, lang: str | None = None,
                check: EarlyDatabaseCheck | None = None) -> MainWindow | int:
    """Check the database, open the store and show the bench window; or the exit code when it cannot open.

    The start-up path shared by ``run_gui`` and the tests; the QApplication must exist. ``check`` is the
    database check ``run_gui`` began before anything else; without one it begins here.
    """
    check = check or EarlyDatabaseCheck(data_dir)
    install_translators(_screen_language(data_dir, lang))
    # The window's modules (about 0.3 s of imports) load while the check reads the file.
    from app.ui.main_window import MainWindow

    go_on, restored = _check_before_opening(data_dir, check)
    if not go_on:
        return EXIT_NOT_OPENED
    try:
        store = Store(data_dir)
    except OperatorError as exc:
        QMessageBox.critical(None, APP_NAME, error_text(exc))
        return EXIT_BAD_INPUT
    try:
        settings = load_settings(data_dir)
    except OperatorError as exc:
        store.close()
        QMessageBox.critical(None, APP_NAME, error_text(exc))
        return EXIT_BAD_INPUT
    window = MainWindow(store, settings, simulate=scenario.name if scenario else None)
    if scenario is not None:
        simulation.seed(window.intake, scenario)
        window.simulated = SimulatedBench(window, scenario)  # type: ignore[attr-defined]
        window.say(QCoreApplication.translate("application", "Simulated bench '{name}': press F9 to scan the next "
                "code; scan a badge to log in").format(
                name=scenario.name))
    if restored:
        window.say(restored, "warn")
    window.show()
    _startup_check(window, check.ran and not restored)
    return window


def _display_available() -> bool:
    """Qt aborts the process when it cannot reach a display; say so in words instead."""
    if QApplication.instance() is not None or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(args: argparse.Namespace) -> int:
    """Open the bench window; returns the process exit code."""
    data_dir = resolve_data_dir(args.data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        sys.stderr.write(f"refurb-bench: {data_dir} is a file, not a data folder — give --data-dir a folder\n")
        return 2
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_logging(data_dir, debug=args.debug, json_lines=args.json_logging)
    log.info("starting %s %s with data in %s", APP_NAME, __version__, data_dir)
    if not _display_available():
        sys.stderr.write(
            "refurb-bench: no display to open the window on — run it on the bench's desktop, or use the "
            "headless commands (refurb-bench --help)\n"
        )
        return 2
    scenario = None
    if args.simulate:
        scenario = SCENARIOS.get(args.simulate)
        if scenario is None:
            sys.stderr.write(f"refurb-bench: no simulation scenario {args.simulate!r} (see 'refurb-bench sim list')\n")
            return 2
    # Begun before the QApplication and the window's imports, so the file is read meanwhile;
    # after the refusals above, so no check is left running when the bench does not open.
    check = EarlyDatabaseCheck(data_dir)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "refurb-bench.svg")))
    opened = open_window(data_dir, scenario, lang=getattr(args, "lang", None), check=check)
    if isinstance(opened, int):
        return opened
    window = opened
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), window.close)
    try:
        return int(app.exec())
    finally:
        window.shutdown()
        window.store.close()
