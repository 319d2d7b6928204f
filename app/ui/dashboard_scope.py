"""The dashboard's scope picker: Today, Week, a lot or a customer, each reachable by its Alt key.

Choosing Lot… or Customer… fills the list beside the buttons and moves the focus into it, so the
whole choice is made with the keyboard: Alt+T, arrow keys, done. The picker only says what was
chosen; the tab turns the choice into a KpiScope with the clock's bounds.

The source list beside it chooses whose figures: this bench's own log, or every bench's as the hub
it is enrolled with computes them (the hub's clock then sets Today and Week).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QRadioButton, QWidget

from app.core.kpi import period_bounds
from app.core.kpi_snapshot import KpiScope, Period
from app.core.models import Lot, PartyKind


@dataclass(frozen=True)
class ScopeChoice:
    period: Period
    lot_id: str | None = None
    customer: str | None = None
    hub: bool = False  # every bench's figures, from the hub

    def scope(self, as_of: str) -> KpiScope:
        """The KpiScope of this choice at ``as_of`` (Today and Week get their UTC bounds)."""
        start, end = period_bounds(self.period, as_of)
        return KpiScope(self.period, start=start, end=end, lot_id=self.lot_id, customer=self.customer)


class ScopePicker(QWidget):
    """The source, four radio buttons and the list of lots or customers. ``changed`` fires with each new
    choice."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = QComboBox()
        self.source.addItem(self.tr("This bench"), False)
        self.source.addItem(self.tr("All benches (hub)"), True)
        self.source.setAccessibleName(self.tr("Whose figures"))
        self.source.currentIndexChanged.connect(self._on_target_changed)
        source_label = QLabel(self.tr("Figures fro&m:"))
        source_label.setBuddy(self.source)
        self.buttons = {
            Period.TODAY: QRadioButton(self.tr("Toda&y")),
            Period.WEEK: QRadioButton(self.tr("&Week")),
            Period.LOT: QRadioButton(self.tr("Lo&t…")),
            Period.CUSTOMER: QRadioButton(self.tr("&Customer…")),
        }
        self.group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(source_label)
        layout.addWidget(self.source)
        layout.addWidget(QLabel(self.tr("Show:")))
        for button in self.buttons.values():
            self.group.addButton(button)
            layout.addWidget(button)
            button.toggled.connect(self._on_toggled)
        self.target = QComboBox()
        self.target.setMinimumContentsLength(24)
        self.target.setAccessibleName(self.tr("Lot or customer"))
        self.target.setEnabled(False)
        self.target.currentIndexChanged.connect(self._on_target_changed)
        layout.addWidget(self.target)
        layout.addStretch(1)
        self._lots: list[Lot] = []
        self._filling = False
        self.buttons[Period.TODAY].setChecked(True)

    def set_lots(self, lots: list[Lot]) -> None:
        """The lots known here (newest first as the store lists them); the list refills if open."""
        self._lots = list(lots)
        if self.period() in (Period.LOT, Period.CUSTOMER):
            self._fill(self.period())

    def from_hub(self) -> bool:
        return bool(self.source.currentData())

    def period(self) -> Period:
        return next((p for p, b in self.buttons.items() if b.isChecked()), Period.TODAY)

    def choice(self) -> ScopeChoice | None:
        """What is chosen now; None while Lot… or Customer… has nothing to pick from."""
        period, hub = self.period(), self.from_hub()
        if period in (Period.TODAY, Period.WEEK):
            return ScopeChoice(period, hub=hub)
        value = self.target.currentData()
        if not isinstance(value, str):
            return None
        return (ScopeChoice(period, lot_id=value, hub=hub) if period is Period.LOT
                else ScopeChoice(period, customer=value, hub=hub))

    def _fill(self, period: Period) -> None:
        previous = self.target.currentData()
        self._filling = True
        try:
            self.target.clear()
            if period is Period.LOT:
                for lot in self._lots:
                    self.target.addItem(self.tr("{0} — {1}").format(lot.code, lot.party), lot.lot_id)
            else:
                customers = sorted({lot.party for lot in self._lots if lot.party_kind is PartyKind.CUSTOMER})
                for name in customers:
                    self.target.addItem(name, name)
            if self.target.count() == 0:
                self.target.addItem(self.tr("No lots yet") if period is Period.LOT
                                    else self.tr("No customer lots yet"), None)
            found = self.target.findData(previous)
            self.target.setCurrentIndex(max(found, 0))
        finally:
            self._filling = False

    @Slot(bool)
    def _on_toggled(self, checked: bool) -> None:
        if not checked:
            return
        period = self.period()
        listed = period in (Period.LOT, Period.CUSTOMER)
        self.target.setEnabled(listed)
        if listed:
            self._fill(period)
            self.target.setFocus()
        else:
            self.target.clear()
        self.changed.emit()

    @Slot(int)
    def _on_target_changed(self, _index: int) -> None:
        if not self._filling:
            self.changed.emit()
