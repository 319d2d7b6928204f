"""The dialog shown at start when the bench database fails its check: restore a backup, or quit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from app import APP_NAME
from app.store.backups import BackupInfo


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _local_iso(text: str | None) -> str:
    """An event's ISO UTC time as the operator's local time; unparsable text is shown as it is."""
    if not text:
        return "-"
    try:
        return _local(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return text


class DamagedDatabaseDialog(QMessageBox):
    """Says the database is damaged and offers the newest verified backup, or quitting.

    Restoring is the default button (Enter), quitting the escape button (Esc). With no verified
    backup only Quit is offered, with what to do next.
    """

    def __init__(self, db_path: Path, found: str, backup: BackupInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backup = backup
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(self.tr("{APP_NAME}: the database is damaged").format(APP_NAME=APP_NAME))
        self.setText(self.tr("The bench database is damaged and cannot be opened safely."))
        self.restore_button: QPushButton | None = None
        if backup is not None:
            self.setInformativeText(
                self.tr("The newest verified backup is {name}, written {local} ({events} events, the newest from "
                        "{local_iso}).\n\nRestore it? Work recorded after it and not yet sent to the hub is lost. The "
                                "damaged file stays in the data folder, renamed, for the investigation, and the bench "
                                        "continues on a new stream so nothing collides at the hub.").format(
                        name=backup.path.name, local=_local(backup.written_at), events=backup.events,
                                local_iso=_local_iso(backup.last_event_at))
            )
            self.restore_button = self.addButton(self.tr("Restore this backup"), QMessageBox.ButtonRole.AcceptRole)
            self.setDefaultButton(self.restore_button)
        else:
            self.setInformativeText(
                self.tr("No verified backup was found in {parent}.\n\nQuit, then restore a backup from elsewhere with "
                        "'refurb-bench db restore PATH', or call a supervisor. Do not delete the damaged file: it is "
                                "needed for the investigation.").format(
                        parent=db_path.parent)
            )
        quit_button = self.addButton(self.tr("Quit"), QMessageBox.ButtonRole.RejectRole)
        self.setEscapeButton(quit_button)
        if backup is None:
            self.setDefaultButton(quit_button)
        where = f"Database: {db_path}\n"
        if backup is not None:
            where += f"Backup: {backup.path}\n"
        self.setDetailedText(f"{where}\nSQLite quick_check found:\n{found}")

    def restore_chosen(self) -> bool:
        """After exec(): whether the operator chose to restore the backup."""
        return self.restore_button is not None and self.clickedButton() is self.restore_button
