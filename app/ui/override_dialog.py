"""A supervisor lifts an erase refusal for one drive, giving a reason that goes on the certificate.

Only refusals a supervisor may lift (drivers.block.safety.SUPERVISOR_OVERRIDABLE) ever open this
dialog. The supervisor is the logged-in operator when their role allows it; otherwise the badge
field has the focus, and a supervisor scans their badge into it (the window puts a scan into the
focused field of an open dialog) or types it. The service checks the role again from the database
before anything is erased.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import OperatorError
from app.core.models import Operator, Role
from app.services.drives import BayDrive
from app.services.erasure_records import check_override_reason
from app.ui.bays_methods import drive_name
from app.ui.i18n import error_text, refusal_text, role_name


class OverrideDialog(QDialog):
    """Reason and supervisor for erasing ``drive`` despite its refusal.

    Signals:
        approved(str, str): the reason and the supervisor's operator id.
    """

    approved = Signal(str, str)

    def __init__(self, drive: BayDrive, logged_in: Operator | None, find_badge: Callable[[str], Operator | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overrideDialog")
        self.setWindowTitle(self.tr("Supervisor override"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._find_badge = find_badge
        self._supervisor: Operator | None = logged_in if logged_in and _is_supervisor(logged_in) else None
        name = drive_name(drive.device.path)
        refused = "; ".join(refusal_text(r).replace(drive.device.path, name) for r in drive.refusals)
        intro = QLabel(self.tr("<b>{name}</b> ({model} {serial}) is refused: {refused}.<br>A supervisor may erase it "
                "anyway. The reason and the supervisor's name are recorded with the erasure and printed on its "
                        "certificate.").format(
                name=name, model=drive.device.model, serial=drive.device.serial, refused=refused))
        intro.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("overrideReason")
        self.reason_edit.setPlaceholderText(self.tr("Why may this drive be erased? (a few words)"))
        self.badge_edit = QLineEdit()
        self.badge_edit.setObjectName("overrideBadge")
        self.badge_edit.setPlaceholderText(self.tr("Scan the supervisor's badge"))
        self.supervisor_label = QLabel()
        self.error_label = QLabel("")
        self.error_label.setObjectName("overrideError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow(self.tr("Supervisor &badge:"), self.badge_edit)
        form.addRow(self.tr("Supervisor:"), self.supervisor_label)
        form.addRow(self.tr("&Reason:"), self.reason_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("&Erase with override"))
        ok.setDefault(True)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.badge_edit.textChanged.connect(self._on_badge_text)
        self._show_supervisor()
        self.setMinimumWidth(560)
        self.reason_edit.textEdited.connect(lambda _text: self.error_label.setText(""))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The badge first when nobody at the bench is a supervisor yet; the reason otherwise.
        (self.reason_edit if self._supervisor is not None else self.badge_edit).setFocus()

    def _show_supervisor(self) -> None:
        if self._supervisor is not None:
            self.supervisor_label.setText(f"{self._supervisor.name} ({role_name(self._supervisor.role)})")
            self.badge_edit.setEnabled(False)
        else:
            self.supervisor_label.setText(self.tr("none yet: a supervisor scans their badge"))
            self.badge_edit.setEnabled(True)

    @Slot(str)
    def _on_badge_text(self, text: str) -> None:
        """A scanned badge arrives whole; a typed one is taken once it names an operator."""
        if self._supervisor is None and self._find_badge(text.strip()) is not None:
            self.take_badge(text)

    def take_badge(self, code: str) -> None:
        """A badge scanned (or typed) while the dialog is open."""
        operator = self._find_badge(code.strip())
        if operator is None:
            self.error_label.setText(self.tr("{strip!r} is not an operator badge of this bench").format(
                    strip=code.strip()))
            self.badge_edit.selectAll()
            return
        if not _is_supervisor(operator):
            self.error_label.setText(self.tr("{name} is a {role}: a supervisor must scan their badge").format(
                    name=operator.name, role=role_name(operator.role)))
            self.badge_edit.selectAll()  # the next scan replaces it
            return
        self._supervisor = operator
        self.error_label.setText("")
        self._show_supervisor()
        self.reason_edit.setFocus()

    @Slot()
    def _on_ok(self) -> None:
        if self._supervisor is None and self.badge_edit.text().strip():
            self.take_badge(self.badge_edit.text())
            if self._supervisor is None:
                return
        try:
            reason = check_override_reason(self.reason_edit.text())
        except OperatorError as exc:
            self.error_label.setText(error_text(exc))
            self.reason_edit.setFocus()
            return
        if self._supervisor is None:
            self.error_label.setText(self.tr("A supervisor must scan their badge to override this refusal"))
            self.badge_edit.setFocus()
            return
        self.approved.emit(reason, self._supervisor.operator_id)
        self.accept()


def _is_supervisor(operator: Operator) -> bool:
    return operator.active and operator.role.includes(Role.SUPERVISOR)
