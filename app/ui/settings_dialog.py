"""Station settings for a supervisor: the scanner's timing and framing, the code prefixes, the name,
whether drives start erasing when inserted, and enrolling the bench with a hub."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.settings import ScannerSettings, Settings, validate
from app.ui.i18n import LANGUAGES
from app.ui.label_settings_row import LabelSettingsRow
from app.ui.rigs_scanner import ScannerPortsRow
from app.ui.sync_enroll_row import HubEnrolRow

_ESCAPES = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def show_control_chars(text: str) -> str:
    """Scanner framing characters as the person can read and type them: \\r, \\t, \\x02."""
    return "".join(_ESCAPES.get(c) or (f"\\x{ord(c):02x}" if not c.isprintable() else c) for c in text)


def parse_control_chars(text: str) -> str:
    """Inverse of show_control_chars; anything else stays as typed."""
    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        return {"\\r": "\r", "\\n": "\n", "\\t": "\t", "\\\\": "\\"}.get(token) or chr(int(token[2:], 16))

    return re.sub(r"\\x[0-9a-fA-F]{2}|\\[rnt\\]", one, text)


class SettingsDialog(QDialog):
    """Edits a copy of the settings; ``chosen()`` returns the new settings after Ok."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, *, data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Station settings"))
        self.setMinimumWidth(720)  # room for the longer French labels beside the fields
        self._settings = settings
        s, r = settings.scanner, settings.rules
        self.station_edit = QLineEdit(settings.station_name)
        self.gap_spin = QSpinBox()
        self.gap_spin.setRange(5, 500)
        self.gap_spin.setSuffix(self.tr(" ms"))
        self.gap_spin.setValue(s.max_gap_ms)
        self.min_spin = QSpinBox()
        self.min_spin.setRange(1, 64)
        self.min_spin.setValue(s.min_length)
        self.prefix_edit = QLineEdit(show_control_chars(s.prefix))
        self.prefix_edit.setPlaceholderText(self.tr("none (e.g. \\x02 if the scanner sends STX first)"))
        self.suffix_edit = QLineEdit(show_control_chars(s.suffixes))
        self.badge_edit = QLineEdit(r.badge_prefix)
        self.lot_edit = QLineEdit(r.lot_prefix)
        self.po_edit = QLineEdit(r.po_prefix)
        self.asset_edit = QLineEdit(r.asset_prefix)
        self.auto_erase_check = QCheckBox(self.tr("Start erasing drives when &inserted into a mapped bay"))
        self.auto_erase_check.setChecked(settings.auto_erase_on_insert)
        self.auto_erase_check.setToolTip(self.tr("Uses the method and verification chosen on the bays page"))
        self.language_combo = QComboBox()
        self.language_combo.addItem(self.tr("The system's language"), "")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(settings.language)))
        self.language_combo.setToolTip(self.tr("Takes effect when the app is started again"))
        self.error_label = QLabel("")
        self.error_label.setObjectName("errorText")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Station &name"), self.station_edit)
        form.addRow(self.tr("Longest &gap inside a scan"), self.gap_spin)
        form.addRow(self.tr("Shortest &scan"), self.min_spin)
        form.addRow(self.tr("Scanner &prefix"), self.prefix_edit)
        form.addRow(self.tr("Scan &ends with"), self.suffix_edit)
        form.addRow(self.tr("&Badge codes start"), self.badge_edit)
        form.addRow(self.tr("&Lot codes start"), self.lot_edit)
        form.addRow(self.tr("P&O codes start"), self.po_edit)
        form.addRow(self.tr("&Asset tags start"), self.asset_edit)
        form.addRow(self.tr("Drive ba&ys"), self.auto_erase_check)
        form.addRow(self.tr("Language of the s&creens"), self.language_combo)
        self.labels_row = LabelSettingsRow(settings.labels, self)
        form.addRow(self.tr("Label prin&ter"), self.labels_row)
        self.scanner_ports_row = ScannerPortsRow(settings.scanner_ports, self)
        form.addRow(self.tr("Scanner po&rts"), self.scanner_ports_row)
        # Enrolling is done at once, in the background, with its own button: it is not a setting to save.
        self.hub_row = HubEnrolRow(data_dir, self) if data_dir is not None else None
        if self.hub_row is not None:
            form.addRow(self.tr("H&ub"), self.hub_row)
            self.finished.connect(self.hub_row.finish)
        form.addRow(self.error_label)
        form.addRow(buttons)

    def chosen(self) -> Settings:
        """The settings as edited; raises ValueError with a message when they are unusable."""
        scanner = ScannerSettings(max_gap_ms=self.gap_spin.value(), min_length=self.min_spin.value(),
                                  prefix=parse_control_chars(self.prefix_edit.text()),
                                  suffixes=parse_control_chars(self.suffix_edit.text()))
        rules = dataclasses.replace(
            self._settings.rules, badge_prefix=self.badge_edit.text().strip().upper(),
            lot_prefix=self.lot_edit.text().strip().upper(), po_prefix=self.po_edit.text().strip().upper(),
            asset_prefix=self.asset_edit.text().strip().upper(),
        )
        chosen = dataclasses.replace(self._settings, station_name=self.station_edit.text().strip(),
                                     scanner=scanner, rules=rules,
                                     auto_erase_on_insert=self.auto_erase_check.isChecked(),
                                     scanner_ports=self.scanner_ports_row.value())
        chosen = dataclasses.replace(chosen, labels=self.labels_row.value(),
                                     language=str(self.language_combo.currentData()))
        validate(chosen)
        return chosen

    def accept(self) -> None:
        try:
            self.chosen()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return
        super().accept()
