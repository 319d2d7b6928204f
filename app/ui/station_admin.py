"""The station's maintenance actions: database backup, operators and settings (admin and supervisor only)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import QFileDialog, QMainWindow

from app import APP_NAME
from app.core.errors import OperatorError
from app.core.models import Operator, Role
from app.services.intake import IntakeService
from app.settings import Settings, save_settings
from app.store import queries
from app.store.store import Store
from app.ui.i18n import error_text, role_name
from app.ui.operators_dialog import OperatorsDialog
from app.ui.scanner_filter import ScannerFilter
from app.ui.settings_dialog import SettingsDialog
from drivers.scanner.wedge import WedgeConfig

# The mixin is typed as the window it is mixed into, and is a plain object at run time.
if TYPE_CHECKING:
    _Window = QMainWindow
else:
    _Window = object


def wedge_config(settings: Settings) -> WedgeConfig:
    s = settings.scanner
    return WedgeConfig(max_gap_ms=s.max_gap_ms, min_length=s.min_length, prefix=s.prefix,
                       suffixes=frozenset(s.suffixes))



class StationAdmin(_Window):
    """Backup, operators and settings, mixed into the main window."""

    store: Store
    intake: IntakeService
    settings: Settings
    scanner: ScannerFilter
    _operators_dialog: OperatorsDialog | None

    if TYPE_CHECKING:
        def say(self, text: str, tone: str = "info") -> None: ...

    @Slot()
    def backup_database(self) -> None:
        suggestion = str(Path.home() / "bench-backup.sqlite3")
        path, _ = QFileDialog.getSaveFileName(
            self, QCoreApplication.translate("StationAdmin", "Back up the bench database"), suggestion,
                    options=QFileDialog.Option.DontUseNativeDialog
        )
        if path:
            self.backup_to_path(Path(path))

    def backup_to_path(self, path: Path) -> None:
        from app.store.db import backup_to

        try:
            backup_to(self.store.db, path)
        except OperatorError as exc:
            self.say(error_text(exc), "error")
            return
        self.say(QCoreApplication.translate("StationAdmin", "Database backed up to {path}").format(path=path), "ok")

    @Slot()
    def open_operators(self) -> None:
        try:
            admin = self.intake.require_role(Role.ADMIN)
        except OperatorError:
            self.say(QCoreApplication.translate("StationAdmin", "Adding operators is for admins — ask one to log in "
                    "(scan their badge)"), "error")
            return

        def add(name: str, badge: str, role: Role, pin: str) -> Operator:
            return self.intake.add_operator(name, badge, role, pin, by=admin)

        dialog = OperatorsDialog(queries.list_operators(self.store.db), add, self)
        self._operators_dialog = dialog
        if dialog.exec() and dialog.added is not None:
            self.say(QCoreApplication.translate("StationAdmin", "{name} added as {role} with badge {badge}").format(
                    name=dialog.added.name, role=role_name(dialog.added.role), badge=dialog.added.badge), "ok")
        self._operators_dialog = None

    @Slot()
    def open_settings(self) -> None:
        try:
            self.intake.require_role(Role.SUPERVISOR)
        except OperatorError:
            self.say(QCoreApplication.translate("StationAdmin", "Station settings are for supervisors — ask one to "
                    "log in (scan their badge)"), "error")
            return
        dialog = SettingsDialog(self.settings, self, data_dir=self.store.data_dir)
        if dialog.exec():
            self.apply_settings(dialog.chosen())

    def apply_settings(self, settings: Settings) -> None:
        """Save and use new settings at once (scanner thresholds, prefixes, station name)."""
        try:
            self.intake.require_role(Role.SUPERVISOR)
            save_settings(self.store.data_dir, settings)
        except OperatorError as exc:
            self.say(error_text(exc), "error")
            return
        self.settings = settings
        self.intake.rules = settings.rules
        self.scanner.configure(wedge_config(settings))
        self.setWindowTitle(f"{APP_NAME} — {settings.station_name}")
        self.say(QCoreApplication.translate("StationAdmin", "Settings saved"), "ok")

