"""The units on hold: which lock keeps each one, since when and for how long (oldest first, as the
snapshot orders them). A flat table model; a new snapshot replaces every row at once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.core.kpi_snapshot import HeldUnit
from app.ui import style
from app.ui.dashboard_format import age_text, blocker_help, blocker_name, time_text, translate

Index = QModelIndex | QPersistentModelIndex
OLD_HOLD_S = 24 * 3600  # a hold older than a day needs someone to call the owner: shown in the warning colour
UNIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
AGE_COLUMN, MODEL_COLUMN = 2, 3


class HeldUnitsModel(QAbstractTableModel):
    """Columns: identifier, blocker, age (since when in its tooltip), model. UNIT_ID_ROLE gives the unit id."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[HeldUnit, ...] = ()

    @staticmethod
    def headers() -> tuple[str, ...]:
        return (translate("Dashboard", "Identifier"), translate("Dashboard", "Blocker"),
                translate("Dashboard", "Age"), translate("Dashboard", "Model"))

    def set_units(self, units: tuple[HeldUnit, ...]) -> None:
        self.beginResetModel()
        self._rows = tuple(units)
        self.endResetModel()

    def unit(self, row: int) -> HeldUnit:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        held = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (held.label, blocker_name(held.blocker), age_text(held.age_s), held.model)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (held.unit_id, blocker_help(held.blocker),
                    translate("Dashboard", "On hold since {0}").format(time_text(held.held_since)), held.model)[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == AGE_COLUMN and held.age_s >= OLD_HOLD_S:
            return QBrush(QColor(style.ERROR))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AGE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == UNIT_ID_ROLE:
            return held.unit_id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            headers = self.headers()
            return headers[section] if 0 <= section < len(headers) else None
        return str(section + 1)
