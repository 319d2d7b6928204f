"""The dashboard page: the scope picker, the KPI tiles, six charts and the units on hold, laid out
to fit a 1280x800 bench screen and scroll on a smaller one. It only draws snapshots it is given.

The charts are built the first time the page is shown (or first asked for): the window builds this
page when it opens, and importing Qt Charts and building six chart views would otherwise be paid at
every start of the bench, for a tab a technician may never open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.kpi_snapshot import DashboardSnapshot, KpiScope, Period
from app.ui.dashboard_chart_data import pareto_bars, share_bars, stage_time_bars, throughput_bars
from app.ui.dashboard_format import time_text
from app.ui.dashboard_held import MODEL_COLUMN, HeldUnitsModel
from app.ui.dashboard_scope import ScopePicker
from app.ui.dashboard_tiles import KpiTiles
from app.ui.style import DASHBOARD_STYLE

if TYPE_CHECKING:
    from app.ui.dashboard_charts import ChartPanel

GRID_COLUMNS = 16
CHART_MIN_HEIGHT = 180  # two rows of charts and the tiles fit a 1280x800 window without scrolling


class DashboardPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(DASHBOARD_STYLE)
        self.scope = ScopePicker()
        self.as_of = QLabel(self.tr("Waiting for the figures…"))
        self.as_of.setObjectName("dashboardAsOf")
        self.tiles = KpiTiles()
        self._charts: _Charts | None = None
        self.held_model = HeldUnitsModel(self)
        self.held_table = QTableView()
        self.held_table.setModel(self.held_model)
        self.held_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.held_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.held_table.verticalHeader().hide()
        self.held_table.setAlternatingRowColors(True)
        header = self.held_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MODEL_COLUMN, QHeaderView.ResizeMode.Stretch)  # the one that may be elided
        self.held_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.held_heading = QLabel(self.tr("Units on hold"))
        self.held_heading.setObjectName("dashboardHeading")
        self.held_heading.setBuddy(self.held_table)

        top = QHBoxLayout()
        top.addWidget(self.scope, 1)
        top.addWidget(self.as_of)
        held = QWidget()
        held_layout = QVBoxLayout(held)
        held_layout.setContentsMargins(0, 0, 0, 0)
        held_layout.setSpacing(2)
        held_layout.addWidget(self.held_heading)
        held_layout.addWidget(self.held_table, 1)
        self.grid = grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        # Sixteen narrow columns: the top row's charts take four each; below, the Pareto (long test and
        # model names) six, the route yield (four short routes) three and the held units' table, whose
        # identifiers, locks and ages must not squeeze the model out, seven (see _make_charts).
        grid.addWidget(held, 1, 9, 1, GRID_COLUMNS - 9)
        for row in range(2):
            grid.setRowMinimumHeight(row, CHART_MIN_HEIGHT)
            grid.setRowStretch(row, 1)
        for column in range(GRID_COLUMNS):
            grid.setColumnStretch(column, 1)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(6, 6, 6, 6)
        body_layout.addLayout(top)
        body_layout.addWidget(self.tiles)
        body_layout.addLayout(grid, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.snapshot: DashboardSnapshot | None = None
        self.show_snapshot(None)

    @property
    def charts_built(self) -> bool:
        return self._charts is not None

    def _built(self) -> _Charts:
        """The six charts, built (and drawn with the snapshot shown) the first time they are needed."""
        if self._charts is None:
            self._charts = self._make_charts()
            self._draw_charts()
        return self._charts

    def _make_charts(self) -> _Charts:
        from app.ui.dashboard_charts import ChartPanel  # Qt Charts: imported on first need, not at start-up

        charts = _Charts(
            per_station=ChartPanel(self.tr("Units per hour, per station"), horizontal=True),
            per_operator=ChartPanel(self.tr("Units per hour, per operator"), horizontal=True),
            stage_times=ChartPanel(self.tr("Time per stage"), horizontal=True),
            grade_yield=ChartPanel(self.tr("Yield by grade"), horizontal=True),
            route_yield=ChartPanel(self.tr("Yield by route"), horizontal=True),
            pareto=ChartPanel(self.tr("Most failed tests, per model"), horizontal=True))
        for column, panel in enumerate(charts.all()[:4]):
            self.grid.addWidget(panel, 0, 4 * column, 1, 4)
        self.grid.addWidget(charts.pareto, 1, 0, 1, 6)
        self.grid.addWidget(charts.route_yield, 1, 6, 1, 3)
        return charts

    @property
    def per_station(self) -> ChartPanel:
        return self._built().per_station

    @property
    def per_operator(self) -> ChartPanel:
        return self._built().per_operator

    @property
    def stage_times(self) -> ChartPanel:
        return self._built().stage_times

    @property
    def grade_yield(self) -> ChartPanel:
        return self._built().grade_yield

    @property
    def route_yield(self) -> ChartPanel:
        return self._built().route_yield

    @property
    def pareto(self) -> ChartPanel:
        return self._built().pareto

    def charts(self) -> tuple[ChartPanel, ...]:
        return self._built().all()

    def showEvent(self, event: QShowEvent) -> None:
        self._built()
        super().showEvent(event)

    def show_snapshot(self, snapshot: DashboardSnapshot | None) -> None:
        """Draw every figure of ``snapshot``; None (nothing computed yet) shows "No data" everywhere."""
        self.snapshot = snapshot
        self.tiles.show_snapshot(snapshot)
        self._draw_charts()
        self.held_model.set_units(snapshot.held if snapshot else ())
        if snapshot is None:
            self.held_heading.setText(self.tr("Units on hold"))
        else:
            self.held_heading.setText(self.tr("Units on hold ({0})").format(len(snapshot.held)))
            self.as_of.setText(self.tr("As of {0}").format(time_text(snapshot.as_of)))

    def _draw_charts(self) -> None:
        charts = self._charts
        if charts is None:
            return  # not built yet: drawn from self.snapshot when they are
        # Before the first snapshot every chart shows "No data": an empty snapshot has no rows at all.
        s = self.snapshot or DashboardSnapshot(scope=KpiScope(Period.TODAY), as_of="", through_seq=0)
        charts.per_station.show_bars(throughput_bars(s.per_station))
        charts.per_operator.show_bars(throughput_bars(s.per_operator))
        charts.stage_times.show_bars(stage_time_bars(s.stage_times))
        charts.grade_yield.show_bars(share_bars(s.grade_yield))
        charts.route_yield.show_bars(share_bars(s.route_yield))
        charts.pareto.show_bars(pareto_bars(s.failure_pareto))

    def show_waiting(self, text: str) -> None:
        self.as_of.setText(text)

    def focus_start(self) -> None:
        """Where the keyboard starts on this page: the chosen scope's button."""
        self.scope.buttons[self.scope.period()].setFocus(Qt.FocusReason.OtherFocusReason)


@dataclass(frozen=True)
class _Charts:
    per_station: ChartPanel
    per_operator: ChartPanel
    stage_times: ChartPanel
    grade_yield: ChartPanel
    route_yield: ChartPanel
    pareto: ChartPanel

    def all(self) -> tuple[ChartPanel, ...]:
        return (self.per_station, self.per_operator, self.stage_times, self.grade_yield, self.route_yield,
                self.pareto)
