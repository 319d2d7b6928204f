"""The login screen: scan a badge, or type name and PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget


class LoginPage(QWidget):
    """Asks who is at the bench.

    Signals:
        pin_login_requested(str, str): name and PIN typed and confirmed with Enter.
    """

    pin_login_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("Scan your operator badge"))
        title.setObjectName("loginTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle = QLabel(self.tr("…or type your name and PIN, then press Enter"))
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("loginName")
        self.name_edit.setPlaceholderText(self.tr("Name"))
        self.pin_edit = QLineEdit()
        self.pin_edit.setObjectName("loginPin")
        self.pin_edit.setPlaceholderText(self.tr("PIN"))
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.login_button = QPushButton(self.tr("&Log in"))
        self.error_label = QLabel("")
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        form = QFormLayout()
        form.addRow(self.tr("&Name"), self.name_edit)
        form.addRow(self.tr("&PIN"), self.pin_edit)
        form_box = QWidget()
        form_box.setLayout(form)
        form_box.setMinimumWidth(360)
        form_box.setMaximumWidth(480)

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(24)
        layout.addWidget(form_box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.login_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.error_label)
        layout.addStretch(3)

        self.name_edit.returnPressed.connect(self._on_name_entered)
        self.pin_edit.returnPressed.connect(self._on_submit)
        self.login_button.clicked.connect(self._on_submit)

    def reset(self) -> None:
        self.name_edit.clear()
        self.pin_edit.clear()
        self.error_label.clear()
        self.name_edit.setFocus()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.pin_edit.clear()

    @Slot()
    def _on_name_entered(self) -> None:
        self.pin_edit.setFocus()

    @Slot()
    def _on_submit(self) -> None:
        name, pin = self.name_edit.text().strip(), self.pin_edit.text()
        if not name:
            self.show_error(self.tr("Type your name first"))
            self.name_edit.setFocus()
            return
        self.pin_login_requested.emit(name, pin)
