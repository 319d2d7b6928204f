"""The label printer's settings in the station settings dialog: where labels go, the printer's resolution,
and the telephone number on the lithium battery mark."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.settings import LabelSettings


class LabelSettingsRow(QWidget):
    def __init__(self, labels: LabelSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels = labels
        self.printer_edit = QLineEdit(labels.printer)
        self.printer_edit.setPlaceholderText(self.tr("tcp://HOST:9100, file:///dev/usb/lp0, cups://QUEUE — empty: PDF "
                "files"))
        self.printer_edit.setAccessibleName("Label printer")
        self.dpi_combo = QComboBox()
        for dpi in (203, 300):
            self.dpi_combo.addItem(self.tr("{dpi} dpi").format(dpi=dpi), dpi)
        self.dpi_combo.setCurrentIndex(self.dpi_combo.findData(labels.dpi))
        self.phone_edit = QLineEdit(labels.lithium_phone)
        self.phone_edit.setPlaceholderText(self.tr("phone on the lithium mark"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.printer_edit, 3)
        layout.addWidget(self.dpi_combo)
        layout.addWidget(QLabel(self.tr("Tel")))
        layout.addWidget(self.phone_edit, 1)

    def value(self) -> LabelSettings:
        return dataclasses.replace(self._labels, printer=self.printer_edit.text().strip(),
                                   dpi=int(self.dpi_combo.currentData()), lithium_phone=self.phone_edit.text().strip())
