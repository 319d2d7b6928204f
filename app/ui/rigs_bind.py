"""Binding a serial port to a rig bay: which bay, which role, which port, and (if known) its protocol."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QWidget

from app.services.rig_bays import MAX_BAY
from drivers.rig.ports import SerialPortInfo

AUTO = "identify it"


@dataclass(frozen=True)
class BindRequest:
    bay: int
    role: str
    port: str
    protocol: str | None  # None: identify the rig to find out


class BindDialog(QDialog):
    """Asks for a binding; the ports the machine has are offered, any path may be typed."""

    def __init__(self, ports: list[SerialPortInfo], roles: list[str], bay: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Bind a serial port to a rig bay"))
        self.setMinimumWidth(640)
        self.bay_spin = QSpinBox()
        self.bay_spin.setRange(1, MAX_BAY)
        self.bay_spin.setValue(bay)
        self.role_combo = QComboBox()
        self.role_combo.setEditable(True)
        self.role_combo.addItems(roles)
        self.port_combo = QComboBox()
        self.port_combo.setEditable(True)
        for port in ports:
            self.port_combo.addItem(port.description, port.path)
        self.protocol_combo = QComboBox()
        self.protocol_combo.addItems([AUTO, "scpi", "at", "line"])
        self.error_label = QLabel("")
        self.error_label.setObjectName("errorText")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("&Bay"), self.bay_spin)
        form.addRow(self.tr("&Role"), self.role_combo)
        form.addRow(self.tr("&Port (by-id)"), self.port_combo)
        form.addRow(self.tr("P&rotocol"), self.protocol_combo)
        form.addRow(self.error_label)
        form.addRow(buttons)

    def request(self) -> BindRequest:
        index = self.port_combo.currentIndex()
        typed = self.port_combo.currentText().strip()
        data = self.port_combo.itemData(index) if index >= 0 and self.port_combo.itemText(index) == typed else None
        protocol = self.protocol_combo.currentText()
        return BindRequest(self.bay_spin.value(), self.role_combo.currentText().strip().lower(),
                           str(data) if data else typed, None if protocol == AUTO else protocol)

    def accept(self) -> None:
        chosen = self.request()
        if not chosen.role or not chosen.port:
            self.error_label.setText(self.tr("Give the role and the port"))
            return
        super().accept()
