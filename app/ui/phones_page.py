"""The Phones page: one line per phone bay, and the guided step of the selected phone shown big.

Widgets only; the tab (app/ui/phones_tab.py) decides what the rows say. Answers to a guided step are
single keys on the table (P pass, F fail, S skip), taken from key presses the scanner filter has
judged to be a person's, so a scanned code that happens to contain a P never answers a step.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.phones import ANSWER_KEYS
from app.ui.flow_layout import FlowLayout
from app.ui.models import RecordTableModel
from app.ui.record_table import RecordTableView


@dataclass(frozen=True)
class PhoneRow:
    """One line of the phones table, as shown."""

    bay_key: str
    bay: str
    phone: str
    imei: str
    serial: str
    os: str
    battery: str
    locks: str
    status: str
    state: str


class PhonesModel(RecordTableModel[PhoneRow]):
    columns = (
        (QT_TRANSLATE_NOOP("Column", "Bay"), lambda r: r.bay),
        (QT_TRANSLATE_NOOP("Column", "Phone"), lambda r: r.phone),
        (QT_TRANSLATE_NOOP("Column", "Status"), lambda r: r.status),
        (QT_TRANSLATE_NOOP("Column", "Locks"), lambda r: r.locks),
        (QT_TRANSLATE_NOOP("Column", "Battery"), lambda r: r.battery),
        (QT_TRANSLATE_NOOP("Column", "IMEI"), lambda r: r.imei),
        (QT_TRANSLATE_NOOP("Column", "Serial"), lambda r: r.serial),
        (QT_TRANSLATE_NOOP("Column", "OS"), lambda r: r.os),
    )

    def index_of(self, bay_key: str) -> int | None:
        return next((i for i in range(self.rowCount()) if self.row(i).bay_key == bay_key), None)


WRAPPED_COLUMNS = (1, 2, 4)  # PhonesModel's Phone, Status and Battery


class PhonesTable(RecordTableView):
    """The bays table; P, F and S (no modifier) answer the selected phone's guided step.

    Signals:
        answered(str): the key pressed, lower-case.
    """

    answered = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text().lower()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if text in ANSWER_KEYS and modifiers == Qt.KeyboardModifier.NoModifier:
            self.answered.emit(text)
            return
        super().keyPressEvent(event)


class PhonesPage(QWidget):
    """Signals: recheck_requested(), reset_requested(), retest_requested() for the selected row."""

    recheck_requested = Signal()
    reset_requested = Signal()
    retest_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PhonesModel(self)
        self.table = PhonesTable(self.model, "phonesTable")
        # The long texts (the phone, its status, its battery) share the width left and wrap onto more lines,
        # rather than pushing the IMEI and serial off the side of the screen.
        for column in WRAPPED_COLUMNS:
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        self.step_title = QLabel("")
        self.step_title.setObjectName("phoneStepTitle")
        self.step_title.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.step_title.setWordWrap(True)  # bay, phone and step name in big type: long in any language
        self.step_text = QLabel(self.tr("Plug a phone into a bay: it is identified and tested on its own."))
        self.step_text.setObjectName("phoneStepText")
        self.step_text.setWordWrap(True)
        self.step_text.setStyleSheet("font-size: 16pt;")
        self.step_keys = QLabel("")
        self.step_keys.setObjectName("phoneStepKeys")
        self.step_keys.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.step_keys.setWordWrap(True)
        self.recheck_button = QPushButton(self.tr("&Re-check (Ctrl+R)"))
        self.retest_button = QPushButton(self.tr("&Test again (Ctrl+T)"))
        self.reset_button = QPushButton(self.tr("&Factory reset (Ctrl+Shift+E)"))
        self.source_label = QLabel("")
        self.source_label.setObjectName("phoneSource")
        self.source_label.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        # The buttons flow onto a second line when their language makes them long, and where the phones
        # come from has a line of its own: side by side they made the French window wider than the screen.
        buttons = FlowLayout()
        for button in (self.recheck_button, self.retest_button, self.reset_button):
            buttons.addWidget(button)
        panel = QVBoxLayout()
        panel.addWidget(self.step_title)
        panel.addWidget(self.step_text)
        panel.addWidget(self.step_keys)
        step_box = QWidget()
        step_box.setObjectName("phoneStepPanel")
        step_box.setLayout(panel)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.source_label)
        layout.addWidget(self.table, 3)
        layout.addWidget(step_box, 2)
        layout.addWidget(self.detail)
        self.recheck_button.clicked.connect(self.recheck_requested)
        self.retest_button.clicked.connect(self.retest_requested)
        self.reset_button.clicked.connect(self.reset_requested)
        for keys, signal in (("Ctrl+R", self.recheck_requested), ("Ctrl+T", self.retest_requested),
                             ("Ctrl+Shift+E", self.reset_requested)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(signal)

    def selected_key(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()).bay_key if index.isValid() else None

    def select(self, bay_key: str) -> None:
        row = self.model.index_of(bay_key)
        if row is not None:
            self.table.selectRow(row)

    def set_row(self, row: PhoneRow) -> None:
        """Show ``row`` in place of the bay's line (or as a new line, the rows kept in bay order)."""
        index = self.model.index_of(row.bay_key)
        if index is not None:
            self.model.replace_row(index, row)
            return
        selected = self.selected_key()
        rows = [self.model.row(i) for i in range(self.model.rowCount())] + [row]
        rows.sort(key=lambda r: (not r.bay.isdigit(), int(r.bay) if r.bay.isdigit() else 0, r.bay_key))
        self.model.set_rows(rows)
        self.select(selected or row.bay_key)

    def show_step(self, title: str, text: str, keys: str) -> None:
        self.step_title.setText(title)
        self.step_text.setText(text)
        self.step_keys.setText(keys)
