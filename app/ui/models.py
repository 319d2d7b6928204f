"""Qt item models over the store's read-side records. No business logic: rows in, cells out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

from app.core.describe import Phrase, description
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.models import Event, Lot, LotProgress, Unit
from app.ui.i18n import state_name

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, Callable[[Any], str]]
_ROOT = QModelIndex()


class RecordTableModel(QAbstractTableModel, Generic[T]):
    """A read-only table of immutable records with named columns."""

    columns: Sequence[Column] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> T:
        return self._rows[index]

    def replace_row(self, index: int, record: T) -> None:
        self._rows[index] = record
        self.dataChanged.emit(self.index(index, 0), self.index(index, len(self.columns) - 1))

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()][1](self._rows[index.row()])
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            # Column names are marked QT_TRANSLATE_NOOP("Column", ...) where the columns are listed.
            return QCoreApplication.translate("Column", self.columns[section][0]) if 0 <= section < len(self.columns) \
                else None
        return None


def phrase_text(phrase: Phrase) -> str:
    """A phrase of app/core/describe.py in the screens' language: its template translated under its
    context, then filled with its values (phrases among them translated the same way)."""
    template = QCoreApplication.translate(phrase.context, phrase.template) if phrase.context else phrase.template
    if not phrase.values:
        return template
    return template.format(**{k: phrase_text(v) if isinstance(v, Phrase) else v for k, v in phrase.values.items()})


def event_text(event: Event) -> str:
    """What an event means (the timeline's What column), in the screens' language."""
    return "".join(phrase_text(phrase) for phrase in description(event))


def _short_time(iso_time: str) -> str:
    return iso_time.replace("T", " ")[:19]


class UnitsModel(RecordTableModel[Unit]):
    """Units found by a search."""

    def __init__(self, lot_codes: Callable[[str | None], str], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = (
            (QT_TRANSLATE_NOOP("Column", "Identifier"), lambda u: u.label),
            (QT_TRANSLATE_NOOP("Column", "State"), lambda u: state_name(u.state)),
            (QT_TRANSLATE_NOOP("Column", "Model"), lambda u: u.model),
            (QT_TRANSLATE_NOOP("Column", "Lot"), lambda u: lot_codes(u.lot_id)),
            (QT_TRANSLATE_NOOP("Column", "Updated"), lambda u: _short_time(u.updated_at)),
            (QT_TRANSLATE_NOOP("Column", "Unit id"), lambda u: u.unit_id),
        )


class TimelineModel(RecordTableModel[Event]):
    """Every event of one unit: when, who, what."""

    def __init__(self, operator_names: Callable[[str | None], str], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = (
            (QT_TRANSLATE_NOOP("Column", "When (UTC)"), lambda e: _short_time(e.occurred_at)),
            (QT_TRANSLATE_NOOP("Column", "Who"), lambda e: operator_names(e.operator_id)),
            (QT_TRANSLATE_NOOP("Column", "What"), event_text),
            (QT_TRANSLATE_NOOP("Column", "Seq"), lambda e: str(e.seq)),
        )


class LotsModel(RecordTableModel[LotProgress]):
    """Lots with their receiving progress."""

    columns = (
        (QT_TRANSLATE_NOOP("Column", "Lot"), lambda p: p.lot.code),
        (QT_TRANSLATE_NOOP("Column", "From"), lambda p: f"{p.lot.party} ({p.lot.party_kind})"),
        (QT_TRANSLATE_NOOP("Column", "PO"), lambda p: p.lot.po),
        (QT_TRANSLATE_NOOP("Column", "Expected"), lambda p: str(p.expected)),
        (QT_TRANSLATE_NOOP("Column", "Received"), lambda p: str(p.received)),
        (QT_TRANSLATE_NOOP("Column", "Unexpected"), lambda p: str(p.unexpected)),
        (QT_TRANSLATE_NOOP("Column", "Outstanding"), lambda p: str(p.outstanding)),
    )

    def lot(self, index: int) -> Lot:
        return self.row(index).lot
