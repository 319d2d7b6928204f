"""The bays: every drive on the bench, whether it may be erased, and its erasure as it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.drives import BayDrive
from app.ui.models import RecordTableModel
from app.ui.record_table import RecordTableView


@dataclass(frozen=True)
class BayRow:
    drive: BayDrive
    status: str


def _size(n: int) -> str:
    return f"{n / 1e9:,.1f} GB" if n >= 1e9 else f"{n / 1e6:,.0f} MB"


class BaysModel(RecordTableModel[BayRow]):
    columns = (
        ("Bay", lambda r: str(r.drive.bay) if r.drive.bay is not None else "—"),
        ("Drive", lambda r: r.drive.device.path),
        ("Model", lambda r: r.drive.device.model),
        ("Serial", lambda r: r.drive.device.serial),
        ("Size", lambda r: _size(r.drive.device.size_bytes)),
        ("Status", lambda r: r.status),
    )


class BaysPage(QWidget):
    """Drives by bay. F5 rescans; Ctrl+Shift+E erases the selected drive; Ctrl+Shift+X cancels it.

    Signals:
        erase_requested(object): the BayDrive to erase, with the chosen method and verification.
        cancel_requested(str): the device path whose erasure to stop.
    """

    erase_requested = Signal(object, str, str)
    cancel_requested = Signal(str)

    def __init__(self, scan: Callable[[], list[BayDrive]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scan = scan
        self._status: dict[str, str] = {}
        self.model = BaysModel(self)
        self.table = RecordTableView(self.model, "baysTable")
        self.method_combo = QComboBox()
        for text, value in (("Overwrite: zeros", "overwrite-zeros"), ("Overwrite: random", "overwrite-random"),
                            ("Overwrite: ones", "overwrite-ones")):
            self.method_combo.addItem(text, value)
        self.verify_combo = QComboBox()
        self.verify_combo.addItem("Verify all", "full")
        self.verify_combo.addItem("Verify a NIST sample (≥ 10 %)", "sample")
        self.erase_button = QPushButton("&Erase selected (Ctrl+Shift+E)")
        self.cancel_button = QPushButton("&Cancel selected (Ctrl+Shift+X)")
        self.rescan_button = QPushButton("Rescan (F5)")
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        row = QHBoxLayout()
        for widget in (self.method_combo, self.verify_combo, self.erase_button, self.cancel_button, self.rescan_button):
            row.addWidget(widget)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.erase_button.clicked.connect(self._on_erase)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.rescan_button.clicked.connect(self.rescan)
        self.table.activated_row.connect(self._on_row_activated)
        for keys, slot in (("F5", self.rescan), ("Ctrl+Shift+E", self._on_erase), ("Ctrl+Shift+X", self._on_cancel)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        # Drives come and go; without udev events here, a slow poll keeps the list honest.
        self._poll = QTimer(self)
        self._poll.setInterval(2000)
        self._poll.timeout.connect(self.rescan)

    def start_polling(self) -> None:
        self._poll.start()

    def stop_polling(self) -> None:
        self._poll.stop()

    @Slot()
    def rescan(self) -> None:
        selected = self.selected()
        rows = [BayRow(d, self._status.get(d.device.path) or self._verdict(d)) for d in self._scan()]
        rows.sort(key=lambda r: (r.drive.bay is None, r.drive.bay or 0, r.drive.device.path))
        self.model.set_rows(rows)
        index = next((i for i, r in enumerate(rows) if selected and r.drive.device.path == selected.device.path), 0)
        if rows:
            self.table.selectRow(index)

    @staticmethod
    def _verdict(drive: BayDrive) -> str:
        return "Ready to erase" if drive.erasable else f"Refused: {drive.refusals[0].text}"

    def set_status(self, device_path: str, text: str) -> None:
        """Show ``text`` for a drive (progress, outcome) until the next change."""
        self._status[device_path] = text
        for i in range(self.model.rowCount()):
            row = self.model.row(i)
            if row.drive.device.path == device_path:
                self.model.replace_row(i, BayRow(row.drive, text))

    def selected(self) -> BayDrive | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()).drive if index.isValid() and index.row() < self.model.rowCount() else None

    @Slot()
    def _on_erase(self) -> None:
        drive = self.selected()
        if drive is not None:
            self.erase_requested.emit(drive, self.method_combo.currentData(), self.verify_combo.currentData())

    @Slot(int)
    def _on_row_activated(self, row: int) -> None:
        drive = self.model.row(row).drive
        self.detail.setText("\n".join(f"{r.text} — {r.hint}" for r in drive.refusals) or
                            f"{drive.device.path}: {drive.device.transport} {drive.device.model} "
                            f"{drive.device.serial} — may be erased")

    @Slot()
    def _on_cancel(self) -> None:
        drive = self.selected()
        if drive is not None:
            self.cancel_requested.emit(drive.device.path)
