"""Inbound lots: create one, import its manifest, receive units into it, see what is missing."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.models import Lot, LotProgress, PartyKind
from app.ui.models import LotsModel
from app.ui.record_table import RecordTableView


class NewLotDialog(QDialog):
    """The fields of a new lot; validation is the service's, errors come back to ``show_error``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New lot"))
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("lotCode")
        self.code_edit.setPlaceholderText(self.tr("LOT-2026-0042 (scan or type)"))
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("Customer (ITAD)"), PartyKind.CUSTOMER)
        self.kind_combo.addItem(self.tr("Supplier (purchase)"), PartyKind.SUPPLIER)
        self.party_edit = QLineEdit()
        self.party_edit.setObjectName("lotParty")
        self.po_edit = QLineEdit()
        self.po_edit.setObjectName("lotPo")
        self.expected_spin = QSpinBox()
        self.expected_spin.setObjectName("lotExpected")
        self.expected_spin.setRange(0, 1_000_000)
        self.error_label = QLabel("")
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Lot &code"), self.code_edit)
        form.addRow(self.tr("&From"), self.kind_combo)
        form.addRow(self.tr("&Name"), self.party_edit)
        form.addRow(self.tr("&PO"), self.po_edit)
        form.addRow(self.tr("&Expected units"), self.expected_spin)
        form.addRow(self.error_label)
        form.addRow(buttons)

    def values(self) -> tuple[str, PartyKind, str, str, int]:
        return (self.code_edit.text(), self.kind_combo.currentData(), self.party_edit.text(), self.po_edit.text(),
                self.expected_spin.value())

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)


class LotsPage(QWidget):
    """The list of lots and the selected lot's receiving progress.

    Signals:
        new_lot_requested(): Ctrl+N.
        import_requested(object): Ctrl+I on the selected Lot.
        receive_requested(object): Enter on a Lot: receive scanned units into it.
        export_requested(object): Alt+X (or Ctrl+Shift+S anywhere) on the selected Lot: its report.
    """

    new_lot_requested = Signal()
    import_requested = Signal(object)
    receive_requested = Signal(object)
    export_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LotsModel(self)
        self.table = RecordTableView(self.model, "lotsTable")
        self.new_button = QPushButton(self.tr("&New lot (Ctrl+N)"))
        self.import_button = QPushButton(self.tr("&Import manifest (Ctrl+I)"))
        self.receive_button = QPushButton(self.tr("&Receive into lot (Enter)"))
        self.export_button = QPushButton(self.tr("E&xport report… (Ctrl+Shift+S)"))
        self.export_button.setObjectName("exportReport")
        self.export_button.setToolTip(self.tr("The selected lot's report for its customer: every unit, its "
                                              "erasure and outcome, totals and sustainability (PDF, CSV or JSON)"))
        self.summary = QLabel(self.tr("Select a lot"))
        self.summary.setObjectName("lotSummary")
        self.summary.setWordWrap(True)
        self.missing = QListWidget()
        self.missing.setObjectName("lotMissing")

        buttons = QHBoxLayout()
        for button in (self.new_button, self.import_button, self.receive_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(self.tr("Expected but not yet received")))
        layout.addWidget(self.missing, 1)

        self.new_button.clicked.connect(self.new_lot_requested)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.receive_button.clicked.connect(self._on_receive_clicked)
        self.export_button.clicked.connect(self.request_export)
        self.table.activated_row.connect(self._on_row_activated)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def set_lots(self, progress: list[LotProgress], select_lot_id: str | None = None) -> None:
        selected = self.selected_lot()
        current = select_lot_id or (selected.lot_id if selected else None)
        self.model.set_rows(progress)
        row = next((i for i, p in enumerate(progress) if p.lot.lot_id == current), 0)
        if progress:
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._show_selected()

    def selected_lot(self) -> Lot | None:
        index = self.table.currentIndex()
        return self.model.lot(index.row()) if index.isValid() and index.row() < self.model.rowCount() else None

    def _show_selected(self) -> None:
        index = self.table.currentIndex()
        self.missing.clear()
        if not index.isValid() or index.row() >= self.model.rowCount():
            self.summary.setText(self.tr("No lots yet — press Ctrl+N to create one"))
            return
        p = self.model.row(index.row())
        self.summary.setText(
            self.tr("{code}: expected {expected}, received {received} ({received_expected} on the manifest, "
                    "{unexpected} unexpected), outstanding {outstanding}").format(
                    code=p.lot.code, expected=p.expected, received=p.received, received_expected=p.received_expected,
                            unexpected=p.unexpected, outstanding=p.outstanding)
        )
        for line in p.missing:
            self.missing.addItem(f"{line.kind.replace('_', ' ').upper()} {line.value}  {line.model}".rstrip())

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._show_selected()

    @Slot(int)
    def _on_row_activated(self, row: int) -> None:
        self.receive_requested.emit(self.model.lot(row))

    @Slot()
    def _on_import_clicked(self) -> None:
        lot = self.selected_lot()
        if lot is not None:
            self.import_requested.emit(lot)

    @Slot()
    def request_export(self) -> None:
        """Ask for the selected lot's report (None when no lot is selected: the window says so)."""
        self.export_requested.emit(self.selected_lot())

    def set_exporting(self, busy: bool) -> None:
        """Grey the export button while a report is being made."""
        self.export_button.setEnabled(not busy)

    @Slot()
    def _on_receive_clicked(self) -> None:
        lot = self.selected_lot()
        if lot is not None:
            self.receive_requested.emit(lot)
