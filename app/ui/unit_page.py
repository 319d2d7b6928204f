"""One unit: its identity, state and timeline."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.models import Event, Unit
from app.ui.i18n import state_name
from app.ui.models import TimelineModel


class UnitPage(QWidget):
    """Shows the open unit; empty until a unit is scanned or opened from a search."""

    def __init__(self, operator_names: Callable[[str | None], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit: Unit | None = None
        self.heading = QLabel(self.tr("No unit open — scan an IMEI, serial or asset tag"))
        self.heading.setObjectName("unitHeading")
        self.heading.setWordWrap(True)  # the heading's big type would otherwise widen the window in French
        self.state_label = QLabel("")
        self.state_label.setObjectName("stateBadge")
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.timeline_model = TimelineModel(operator_names, self)
        self.timeline = QTableView()
        self.timeline.setObjectName("timeline")
        self.timeline.setModel(self.timeline_model)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.verticalHeader().hide()
        header = self.timeline.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        top = QFormLayout()
        top.addRow(self.heading)
        top.addRow(self.tr("State"), self.state_label)
        top.addRow(self.tr("Details"), self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel(self.tr("Timeline")))
        layout.addWidget(self.timeline, 1)

    def show_unit(self, unit: Unit, events: list[Event], lot_code: str) -> None:
        self.unit = unit
        self.heading.setText(unit.label)
        self.state_label.setText(state_name(unit.state).upper())
        idents = "   ".join(f"{i.kind.replace('_', ' ').upper()} {i.value}" for i in unit.identifiers)
        parts = [idents, self.tr("Model {model}").format(model=unit.model) if unit.model else "",
                 self.tr("Lot {code}").format(code=lot_code) if lot_code else "",
                 self.tr("Unit id {unit_id}").format(unit_id=unit.unit_id)]
        self.details.setText("\n".join(p for p in parts if p))
        self.timeline_model.set_rows(events)
        self.timeline.scrollToBottom()
