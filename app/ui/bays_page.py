"""The bays: every drive on the bench, whether it may be erased, and its erasure as it runs.

Besides the drives the kernel has now, the page keeps two kinds of rows for drives that are not
there: one pulled while it was being erased (its bay says so until something else is plugged in),
and erasures the database holds as unfinished (the app was killed, or the drive was pulled) so the
technician sees them and resumes each with one key once the drive is back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.erase_methods import METHODS
from app.core.i18n import QT_TRANSLATE_NOOP
from app.services.drives import BayDrive, DriveFirmware
from app.store.queries import UnfinishedErasure
from app.ui.bays_methods import MethodCombo, describe, drive_name
from app.ui.i18n import refusal_text
from app.ui.record_table import RecordTableView


@dataclass(frozen=True)
class BayRow:
    """One line of the bays table: a drive present (``drive``) or remembered (``drive`` is None)."""

    bay: int | None
    path: str
    model: str
    serial: str
    size_bytes: int
    status: str
    drive: BayDrive | None = None
    unfinished: UnfinishedErasure | None = None

    @classmethod
    def of(cls, drive: BayDrive, status: str, unfinished: UnfinishedErasure | None = None) -> BayRow:
        d = drive.device
        return cls(drive.bay, d.path, d.model, d.serial, d.size_bytes, status, drive, unfinished)


def _size(n: int) -> str:
    return f"{n / 1e9:,.1f} GB" if n >= 1e9 else f"{n / 1e6:,.0f} MB"


def _identity(drive: BayDrive) -> tuple[str, str, int, str]:
    """What tells one drive from the next one plugged into the same place."""
    d = drive.device
    return d.serial, d.wwn, d.size_bytes, d.loop_backing


def matches(unfinished: UnfinishedErasure, drive: BayDrive) -> bool:
    """Is ``drive`` the one this erasure was working on? By serial where the drive reports one,
    else (a drive identified by its label) by the same device at the same size."""
    d = drive.device
    if unfinished.total_bytes != d.size_bytes:
        return False
    if unfinished.device_serial:
        return unfinished.device_serial == d.serial
    return not d.serial and unfinished.device_path == d.path


def interrupted_text(unfinished: UnfinishedErasure, present: bool) -> str:
    translate = QCoreApplication.translate  # module functions have no QObject's tr; lupdate knows this name
    if not unfinished.pattern:  # a firmware sanitize is not resumed part-way: it is sent again
        if present:
            return translate("BaysPage", "Firmware erasure interrupted — Ctrl+Shift+E erases it again")
        return translate("BaysPage", "Firmware erasure interrupted — put the drive back, then erase it again")
    if present:
        return translate("BaysPage", "Interrupted at {percent} % — F7 resumes").format(percent=unfinished.percent)
    return translate("BaysPage", "Interrupted at {percent} % — put the drive back, then F7 resumes").format(
        percent=unfinished.percent)


_COLUMNS: tuple[tuple[str, Callable[[BayRow], str]], ...] = (
    (QT_TRANSLATE_NOOP("Column", "Bay"), lambda r: str(r.bay) if r.bay is not None else "—"),
    (QT_TRANSLATE_NOOP("Column", "Drive"), lambda r: drive_name(r.path) + (
        "" if r.drive is not None else QCoreApplication.translate("BaysPage", " (not present)"))),
    (QT_TRANSLATE_NOOP("Column", "Model"), lambda r: r.model),
    (QT_TRANSLATE_NOOP("Column", "Serial"), lambda r: r.serial),
    (QT_TRANSLATE_NOOP("Column", "Size"), lambda r: _size(r.size_bytes)),
    (QT_TRANSLATE_NOOP("Column", "Status"), lambda r: r.status),
)


class BaysModel(QStandardItemModel):
    """The bays table. Its cells are plain Qt items, so drawing the table (several times a second
    per erasing bay) never calls back into Python, which worker threads keep busy."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(_COLUMNS), parent)
        self.setHorizontalHeaderLabels([QCoreApplication.translate("Column", name) for name, _ in _COLUMNS])
        self._rows: list[BayRow] = []

    def set_rows(self, rows: list[BayRow]) -> None:
        self._rows = list(rows)
        self.setRowCount(0)
        for row in rows:
            self.appendRow([self._item(text(row)) for _, text in _COLUMNS])

    @staticmethod
    def _item(text: str) -> QStandardItem:
        item = QStandardItem(text)
        item.setEditable(False)
        item.setToolTip(text)
        return item

    def row(self, index: int) -> BayRow:
        return self._rows[index]

    def replace_row(self, index: int, record: BayRow) -> None:
        old, self._rows[index] = self._rows[index], record
        for column, (_, text) in enumerate(_COLUMNS):
            value = text(record)
            if value != text(old):
                item = self.item(index, column)
                item.setText(value)
                item.setToolTip(value)


class BaysPage(QWidget):
    """Drives by bay. Ctrl+R rescans; Enter on a drive goes to its method (the recommendation selected),
    where Enter erases with it; Ctrl+Shift+E erases the selected drive; Ctrl+Shift+X cancels it;
    F7 resumes its interrupted erasure.

    Signals:
        erase_requested(object, str, str): the BayDrive to erase, with the chosen method and verification.
        cancel_requested(str): the device path whose erasure to stop.
        resume_requested(object): the BayRow (drive and unfinished erasure) whose erasure to resume.
        inserted(object): a BayDrive that was not there at the previous scan (not sent for the first scan).
        pulled(object): a BayDrive that has gone since the previous scan.
        rescanned(): the rows were rebuilt from a new scan.
    """

    erase_requested = Signal(object, str, str)
    cancel_requested = Signal(str)
    resume_requested = Signal(object)
    inserted = Signal(object)
    pulled = Signal(object)
    rescanned = Signal()

    def __init__(self, scan: Callable[[], list[BayDrive]],
                 unfinished: Callable[[], list[UnfinishedErasure]] = list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scan, self._unfinished = scan, unfinished
        self._status: dict[str, str] = {}
        self._present: dict[str, BayDrive] | None = None  # None until the first scan
        self._generation = 0
        self._gone: dict[str, BayRow] = {}  # pulled drives whose bay must keep saying what happened
        self._firmware: dict[str, DriveFirmware] = {}  # what each present drive's firmware offers
        self._shown_for: tuple[object, ...] | None = None  # the drive and probe the method combo shows
        self.model = BaysModel(self)
        self.table = RecordTableView(self.model, "baysTable")
        self.method_combo = MethodCombo()
        self.verify_combo = QComboBox()
        self.verify_combo.addItem(self.tr("Verify all"), "full")
        self.verify_combo.addItem(self.tr("Verify a NIST sample (≥ 10 %)"), "sample")
        self.erase_button = QPushButton(self.tr("&Erase selected (Ctrl+Shift+E)"))
        self.cancel_button = QPushButton(self.tr("&Cancel selected (Ctrl+Shift+X)"))
        self.resume_button = QPushButton(self.tr("Res&ume (F7)"))
        self.rescan_button = QPushButton(self.tr("Rescan (Ctrl+R)"))
        self.detail = QLabel("")
        self.detail.setObjectName("bayDetail")
        self.detail.setWordWrap(True)
        # room for a refusal or a reason with its hint, so a long one is never cut off
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 5)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.source_label = QLabel("")
        self.source_label.setObjectName("hotplugSource")
        # Two rows, so the page fits a 1280-pixel bench screen: what to do, then the actions.
        choice = QHBoxLayout()
        method_label = QLabel(self.tr("&Method:"))
        method_label.setBuddy(self.method_combo)
        verify_label = QLabel(self.tr("Ver&ification:"))
        verify_label.setBuddy(self.verify_combo)
        choice.addWidget(method_label)
        choice.addWidget(self.method_combo, 2)
        choice.addWidget(verify_label)
        choice.addWidget(self.verify_combo, 1)
        actions = QHBoxLayout()
        for widget in (self.erase_button, self.cancel_button, self.resume_button, self.rescan_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(choice)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.detail, 1)
        bottom.addWidget(self.source_label)
        layout.addLayout(bottom)
        self.erase_button.clicked.connect(self._on_erase)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.resume_button.clicked.connect(self._on_resume)
        self.rescan_button.clicked.connect(self.rescan)
        self.table.activated_row.connect(self._on_row_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.method_combo.accepted.connect(self._on_erase)
        self.method_combo.currentIndexChanged.connect(self._on_method_changed)
        # Scoped to this page (F5 is the Phones tab's key; Ctrl+R and Ctrl+Shift+E mean other things on other tabs).
        for keys, slot in (("Ctrl+R", self.rescan), ("Ctrl+Shift+E", self._on_erase),
                           ("Ctrl+Shift+X", self._on_cancel), ("F7", self._on_resume)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    @Slot()
    def rescan(self) -> None:
        """Read the drives again, here and now; say which came and went; rebuild the rows."""
        self.apply_scan(self._scan(), self._unfinished())

    @property
    def scan_generation(self) -> int:
        """Counts the scans shown, so a scan read on a job's thread can tell it was overtaken."""
        return self._generation

    def apply_scan(self, scanned: list[BayDrive], unfinished: list[UnfinishedErasure],
                   *, generation: int | None = None) -> bool:
        """Show drives read elsewhere (a job's thread); say which came and went; rebuild the rows.

        ``generation`` is the scan_generation the scan started at: a scan that another one
        overtook meanwhile is dropped (False), so an older picture never replaces a newer one.
        """
        if generation is not None and generation != self._generation:
            return False
        self._generation += 1
        drives = {d.device.path: d for d in scanned}
        before, self._present = self._present, drives
        if before is not None:
            for path, drive in before.items():
                if path not in drives:
                    if path not in self._gone:  # a pulled drive's bay keeps saying what happened to it
                        self._status.pop(path, None)
                    self.pulled.emit(drive)
            for path, drive in drives.items():
                old = before.get(path)
                if old is None or _identity(old) != _identity(drive):
                    # A new drive in that place: what the bay said about the previous one is history.
                    self._status.pop(path, None)
                    self._gone.pop(path, None)
                    self._firmware.pop(path, None)
                    self.inserted.emit(drive)
        for path in [p for p in self._firmware if p not in drives]:
            del self._firmware[path]
        self._show(unfinished)
        self.rescanned.emit()
        return True

    def _show(self, unfinished: list[UnfinishedErasure]) -> None:
        selected = self.selected_row()
        present = self._present or {}
        rows: list[BayRow] = []
        shown: set[str] = set(present)
        for drive in present.values():
            match = next((u for u in unfinished if matches(u, drive)), None)
            status = self._status.get(drive.device.path) or (
                interrupted_text(match, True) if match else self._verdict(drive))
            rows.append(BayRow.of(drive, status, match))
        for path, row in self._gone.items():
            if path not in shown:
                rows.append(BayRow(row.bay, row.path, row.model, row.serial, row.size_bytes,
                                   self._status.get(path, row.status), None,
                                   next((u for u in unfinished if u.device_path == path), None)))
                shown.add(path)
        for u in unfinished:
            if u.device_path not in shown and not any(r.unfinished == u for r in rows):
                rows.append(BayRow(u.bay, u.device_path, "", u.identifier, u.total_bytes,
                                   interrupted_text(u, False), None, u))
                shown.add(u.device_path)
        rows.sort(key=lambda r: (r.bay is None, r.bay or 0, r.path))
        self.model.set_rows(rows)
        index = next((i for i, r in enumerate(rows) if selected and r.path == selected.path), 0)
        if rows:
            self.table.selectRow(index)
        self._show_methods()

    def present(self) -> list[BayDrive]:
        return list((self._present or {}).values())

    def firmware(self, device_path: str) -> DriveFirmware | None:
        return self._firmware.get(device_path)

    def set_firmware(self, firmware: DriveFirmware) -> None:
        """What a drive's firmware offers (from a probe job): its methods and their reasons."""
        if firmware.device_path in (self._present or {}):
            self._firmware[firmware.device_path] = firmware
            self._show_methods()

    def _show_methods(self) -> None:
        """The method combo and detail line follow the selected drive."""
        drive = self.selected()
        firmware = self._firmware.get(drive.device.path) if drive is not None else None
        key = (drive, firmware)
        if key == self._shown_for:
            return
        self._shown_for = key
        if drive is None:
            self.method_combo.show_generic()
            row = self.selected_row()
            self.detail.setText(self.tr("{path} is not plugged in: {status}").format(
                    path=row.path, status=row.status) if row is not None else "")
            return
        self.method_combo.show_drive(drive, firmware)
        self.detail.setText(describe(drive, firmware))

    @Slot(int)
    def _on_method_changed(self, index: int) -> None:
        # A firmware erase is always read back on a NIST sample; the choice is the overwrite's.
        method = self.method_combo.method()
        firmware = bool(method) and METHODS[str(method)].firmware
        self.verify_combo.setEnabled(not firmware)
        self.verify_combo.setToolTip(self.tr("A firmware erase is read back on a NIST sample (≥ 10 %) of the drive")
                                     if firmware else self.tr("How much of the drive is read back after the overwrite"))

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._show_methods()

    @staticmethod
    def _verdict(drive: BayDrive) -> str:
        if drive.erasable:
            return QCoreApplication.translate("BaysPage", "Ready to erase")
        return QCoreApplication.translate("BaysPage", "Refused: {why}").format(
            why=refusal_text(drive.refusals[0]).replace(drive.device.path, drive_name(drive.device.path)))

    def set_status(self, device_path: str, text: str) -> None:
        """Show ``text`` for a drive (progress, outcome) until the next change."""
        self._status[device_path] = text
        if device_path in self._gone:
            self._gone[device_path] = dataclasses.replace(self._gone[device_path], status=text)
        for i in range(self.model.rowCount()):
            row = self.model.row(i)
            if row.path == device_path:
                self.model.replace_row(i, BayRow(row.bay, row.path, row.model, row.serial, row.size_bytes, text,
                                                 row.drive, row.unfinished))

    def keep_pulled(self, drive: BayDrive, text: str) -> None:
        """Keep a row for a drive that is gone, saying ``text``, until a drive comes back in its place."""
        self._gone[drive.device.path] = BayRow.of(drive, text)
        self._status[drive.device.path] = text

    def forget_pulled(self, device_path: str) -> None:
        self._gone.pop(device_path, None)

    def row_of(self, device_path: str) -> int | None:
        return next((i for i in range(self.model.rowCount()) if self.model.row(i).path == device_path), None)

    def selected_row(self) -> BayRow | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() and index.row() < self.model.rowCount() else None

    def selected(self) -> BayDrive | None:
        row = self.selected_row()
        return row.drive if row is not None else None

    @Slot()
    def _on_erase(self) -> None:
        drive = self.selected()
        if drive is not None:
            self.erase_requested.emit(drive, self.method_combo.method() or "", self.verify_combo.currentData())

    @Slot()
    def _on_resume(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.resume_requested.emit(row)

    @Slot(int)
    def _on_row_activated(self, row: int) -> None:
        """Enter on a drive: its detail, and the focus on its method, ready for Enter to erase."""
        self._shown_for = None
        self._show_methods()
        if self.model.row(row).drive is not None:
            self.method_combo.setFocus()

    @Slot()
    def _on_cancel(self) -> None:
        row = self.selected_row()
        if row is not None:  # also a pulled drive's row: its job may not have noticed yet
            self.cancel_requested.emit(row.path)
