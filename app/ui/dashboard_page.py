"""The dashboard page: the scope picker, the KPI tiles, six charts and the units on hold, laid out
to fit a 1280x800 bench screen and scroll on a smaller one. It only draws snapshots it is given."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
from app.ui.dashboard_charts import ChartPanel
from app.ui.dashboard_format import time_text
from app.ui.dashboard_held import MODEL_COLUMN, HeldUnitsModel
from app.ui.dashboard_scope import ScopePicker
from app.ui.dashboard_tiles import KpiTiles
from app.ui.style import DASHBOARD_STYLE

CHART_MIN_HEIGHT = 180  # two rows of charts and the tiles fit a 1280x800 window without scrolling


class DashboardPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(DASHBOARD_STYLE)
        self.scope = ScopePicker()
        self.as_of = QLabel(self.tr("Waiting for the figures…"))
        self.as_of.setObjectName("dashboardAsOf")
        self.tiles = KpiTiles()
        self.per_station = ChartPanel(self.tr("Units per hour, per station"), horizontal=True)
        self.per_operator = ChartPanel(self.tr("Units per hour, per operator"), horizontal=True)
        self.stage_times = ChartPanel(self.tr("Time per stage"), horizontal=True)
        self.grade_yield = ChartPanel(self.tr("Yield by grade"), horizontal=True)
        self.route_yield = ChartPanel(self.tr("Yield by route"), horizontal=True)
        self.pareto = ChartPanel(self.tr("Most failed tests, per model"), horizontal=True)
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
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        # Eight narrow columns: the top row's charts take two each; below, the Pareto and the held
        # units (long names) take three each and the route yield the two between them.
        for column, panel in enumerate((self.per_station, self.per_operator, self.stage_times, self.grade_yield)):
            grid.addWidget(panel, 0, 2 * column, 1, 2)
        grid.addWidget(self.pareto, 1, 0, 1, 3)
        grid.addWidget(self.route_yield, 1, 3, 1, 2)
        grid.addWidget(held, 1, 5, 1, 3)
        for row in range(2):
            grid.setRowMinimumHeight(row, CHART_MIN_HEIGHT)
            grid.setRowStretch(row, 1)
        for column in range(8):
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

    def charts(self) -> tuple[ChartPanel, ...]:
        return (self.per_station, self.per_operator, self.stage_times, self.grade_yield, self.route_yield,
                self.pareto)

    def show_snapshot(self, snapshot: DashboardSnapshot | None) -> None:
        """Draw every figure of ``snapshot``; None (nothing computed yet) shows "No data" everywhere."""
        self.snapshot = snapshot
        self.tiles.show_snapshot(snapshot)
        # Before the first snapshot every chart shows "No data": an empty snapshot has no rows at all.
        s = snapshot or DashboardSnapshot(scope=KpiScope(Period.TODAY), as_of="", through_seq=0)
        self.per_station.show_bars(throughput_bars(s.per_station))
        self.per_operator.show_bars(throughput_bars(s.per_operator))
        self.stage_times.show_bars(stage_time_bars(s.stage_times))
        self.grade_yield.show_bars(share_bars(s.grade_yield))
        self.route_yield.show_bars(share_bars(s.route_yield))
        self.pareto.show_bars(pareto_bars(s.failure_pareto))
        self.held_model.set_units(s.held)
        if snapshot is None:
            self.held_heading.setText(self.tr("Units on hold"))
        else:
            self.held_heading.setText(self.tr("Units on hold ({0})").format(len(snapshot.held)))
            self.as_of.setText(self.tr("As of {0}").format(time_text(snapshot.as_of)))

    def show_waiting(self, text: str) -> None:
        self.as_of.setText(text)

    def focus_start(self) -> None:
        """Where the keyboard starts on this page: the chosen scope's button."""
        self.scope.buttons[self.scope.period()].setFocus(Qt.FocusReason.OtherFocusReason)
