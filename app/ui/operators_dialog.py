"""The station's operators, and adding one: for an admin, with the new badge scanned into its field."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.models import Operator, Role
from app.ui.i18n import error_text, role_name
from app.ui.models import RecordTableModel
from app.ui.record_table import RecordTableView

AddOperator = Callable[[str, str, Role, str], Operator]


class OperatorsModel(RecordTableModel[Operator]):
    columns = (
        (QT_TRANSLATE_NOOP("Column", "Name"), lambda o: o.name),
        (QT_TRANSLATE_NOOP("Column", "Badge"), lambda o: o.badge),
        (QT_TRANSLATE_NOOP("Column", "Role"), lambda o: role_name(o.role)),
    )


class OperatorsDialog(QDialog):
    """Lists operators; Ok adds the one described by the form (the service checks everything)."""

    def __init__(self, operators: list[Operator], add: AddOperator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Operators"))
        self.setMinimumWidth(560)
        self._add = add
        self.added: Operator | None = None
        self.model = OperatorsModel(self)
        self.model.set_rows(operators)
        self.table = RecordTableView(self.model, "operatorsTable")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("operatorName")
        self.badge_edit = QLineEdit()
        self.badge_edit.setObjectName("operatorBadge")
        self.badge_edit.setPlaceholderText(self.tr("scan the new badge, or type it (OP-0042)"))
        self.role_combo = QComboBox()
        for role in Role:
            self.role_combo.addItem(role_name(role), role)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again_edit = QLineEdit()
        self.pin_again_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel("")
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Add operator"))
        buttons.accepted.connect(self._on_add)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("&Name"), self.name_edit)
        form.addRow(self.tr("&Badge"), self.badge_edit)
        form.addRow(self.tr("&Role"), self.role_combo)
        form.addRow(self.tr("&PIN"), self.pin_edit)
        form.addRow(self.tr("PIN &again"), self.pin_again_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel(self.tr("New operator")))
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.name_edit.setFocus()

    @Slot()
    def _on_add(self) -> None:
        if self.pin_edit.text() != self.pin_again_edit.text():
            self.error_label.setText(self.tr("The two PINs differ — type the same PIN twice"))
            self.pin_edit.clear()
            self.pin_again_edit.clear()
            self.pin_edit.setFocus()
            return
        try:
            self.added = self._add(self.name_edit.text(), self.badge_edit.text(), self.role_combo.currentData(),
                                   self.pin_edit.text())
        except OperatorError as exc:
            self.error_label.setText(error_text(exc))
            return
        self.accept()
