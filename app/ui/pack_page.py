"""The Pack tab's widgets: the box being filled, its units, the open boxes, and the choice of a new box."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import QT_TRANSLATE_NOOP
from app.store.grading_queries import BoxRow

# Texts marked here are translated where they are shown (self.tr finds them under "PackPage").
KEY_HELP = QT_TRANSLATE_NOOP("PackPage", "N: new box with the choices above · scan a box label to pick it · "
                             "scan units to pack them · Delete: take the selected unit out · Ctrl+Enter: close the box "
                             "(manifest CSV and PDF, box label) · R: reprint the box label")
ROUTES = (("resale", QT_TRANSLATE_NOOP("PackPage", "Resale")), ("repair", QT_TRANSLATE_NOOP("PackPage", "Repair")),
          ("parts_harvest", QT_TRANSLATE_NOOP("PackPage", "Parts harvest")),
          ("recycle", QT_TRANSLATE_NOOP("PackPage", "Recycle")))
CHANNELS = (("backmarket", "Back Market"), ("wholesale", QT_TRANSLATE_NOOP("PackPage", "Wholesale")), ("", "—"))
SHIP = (("road", QT_TRANSLATE_NOOP("PackPage", "Road")), ("air", QT_TRANSLATE_NOOP("PackPage", "Air")),
        ("sea", QT_TRANSLATE_NOOP("PackPage", "Sea")))


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAccessibleName(name)
    return table


def _combo(items: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox()
    for value, text in items:
        combo.addItem(QCoreApplication.translate("PackPage", text), value)
    return combo


def fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            table.setItem(r, c, item)


class PackPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.route_combo = _combo(ROUTES)
        self.channel_combo = _combo(CHANNELS)
        self.ship_combo = _combo(SHIP)
        choices = QFormLayout()
        for text, combo in ((self.tr("Ro&ute"), self.route_combo), (self.tr("C&hannel"), self.channel_combo),
                            (self.tr("Ship &by"), self.ship_combo)):
            label = QLabel(text)
            label.setBuddy(combo)
            choices.addRow(label, combo)
        self.box_label = QLabel(self.tr("No box open — N opens one"))
        self.box_label.setObjectName("packBox")
        self.box_label.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.marks_label = QLabel("")
        self.marks_label.setWordWrap(True)
        self.units = _table([self.tr("Line"), self.tr("Identifier"), self.tr("Model"), self.tr("Grade"),
                             self.tr("Route")], self.tr("Units in the box"))
        self.boxes = _table([self.tr("Box"), self.tr("Route"), self.tr("Ship by"), self.tr("Units")],
                            self.tr("Open boxes"))
        self.help_label = QLabel(self.tr(KEY_HELP))
        self.help_label.setWordWrap(True)
        left = QVBoxLayout()
        left.addLayout(choices)
        left.addWidget(QLabel(self.tr("Open boxes")))
        left.addWidget(self.boxes, 1)
        right = QVBoxLayout()
        right.addWidget(self.box_label)
        right.addWidget(self.marks_label)
        right.addWidget(self.units, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.help_label)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def show_boxes(self, boxes: list[BoxRow], current: str | None) -> None:
        fill(self.boxes, [[b.box_id, b.route_text.split(" · by ")[0], b.ship_mode, str(b.units)] for b in boxes])
        for row, box in enumerate(boxes):
            if box.box_id == current:
                self.boxes.selectRow(row)
