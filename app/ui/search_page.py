"""Find units by any identifier (prefix), model, lot code or state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.lifecycle import UnitState
from app.core.models import Unit
from app.ui.i18n import state_name
from app.ui.models import UnitsModel
from app.ui.record_table import RecordTableView

Search = Callable[[str, UnitState | None], list[Unit]]


class SearchPage(QWidget):
    """Type to search; Down moves into the results; Enter opens a unit.

    Signals:
        unit_activated(str): the unit id chosen.
    """

    unit_activated = Signal(str)

    def __init__(self, search: Search, lot_codes: Callable[[str | None], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self.query_edit = QLineEdit()
        self.query_edit.setObjectName("searchQuery")
        self.query_edit.setPlaceholderText(self.tr("IMEI, serial or asset tag (start of it), model, or lot code"))
        self.query_edit.setClearButtonEnabled(True)
        self.state_combo = QComboBox()
        self.state_combo.addItem(self.tr("Any state"), None)
        for state in UnitState:
            self.state_combo.addItem(state_name(state), state)
        self.count_label = QLabel("")
        self.model = UnitsModel(lot_codes, self)
        self.results = RecordTableView(self.model, "searchResults")

        row = QHBoxLayout()
        find_label = QLabel(self.tr("&Find"))
        find_label.setBuddy(self.query_edit)
        row.addWidget(find_label)
        row.addWidget(self.query_edit, 1)
        row.addWidget(self.state_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.count_label)

        # Searching on every key would hit the database per keystroke; 150 ms after the last one is enough.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.refresh)
        self.query_edit.textChanged.connect(self._on_text_changed)
        self.query_edit.returnPressed.connect(self._on_return)
        self.state_combo.currentIndexChanged.connect(self._on_text_changed)
        self.results.activated_row.connect(self._on_row_activated)

    def focus_query(self) -> None:
        self.query_edit.setFocus()
        self.query_edit.selectAll()

    @Slot()
    def _on_text_changed(self) -> None:
        self._debounce.start()

    @Slot()
    def refresh(self) -> None:
        self._debounce.stop()
        units = self._search(self.query_edit.text(), self.state_combo.currentData())
        self.model.set_rows(units)
        self.count_label.setText(self.tr("{count} unit(s)").format(
                count=len(units)) + (self.tr(" — showing the newest 200") if len(units) >= 200 else ""))
        if units:
            self.results.setCurrentIndex(self.model.index(0, 0))

    @Slot()
    def _on_return(self) -> None:
        self.refresh()
        if self.model.rowCount() == 1:
            self.unit_activated.emit(self.model.row(0).unit_id)
        elif self.model.rowCount():
            self.results.setFocus()

    @Slot(int)
    def _on_row_activated(self, row: int) -> None:
        self.unit_activated.emit(self.model.row(row).unit_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and self.query_edit.hasFocus():
            self.results.setFocus()
            return
        super().keyPressEvent(event)
