"""One chart of the dashboard: a heading, a Qt Charts bar chart (or the words "No data" in its
place) and a footnote naming what had no data or did not fit.

Horizontal bars where categories are names (stations, operators, tests): long names stay readable.
Fonts are set on the chart itself, since a style sheet does not reach inside a QChart.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from app.ui import style
from app.ui.dashboard_chart_data import Bars
from app.ui.dashboard_format import no_data, number_locale

AXIS_POINT_SIZE = 11
LABEL_POINT_SIZE = 11
SERIES_COLOURS = (style.ACCENT, style.ACCENT_LIGHT)
HEADROOM = 1.45


def _font(points: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


class ChartPanel(QWidget):
    """Heading, chart-or-"No data", footnote. ``show_bars`` redraws it from a :class:`Bars`."""

    def __init__(self, heading: str, *, horizontal: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horizontal = horizontal
        self.heading = QLabel(heading)
        self.heading.setObjectName("dashboardHeading")
        self.chart = QChart()
        self.chart.setBackgroundVisible(False)
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart.layout().setContentsMargins(0, 0, 0, 0)
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setFont(_font(LABEL_POINT_SIZE))
        # Bar labels and axis numbers written as the screens' language writes them (51,5 in French).
        self.chart.setLocale(number_locale())
        self.chart.setLocalizeNumbers(True)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.no_data_label = QLabel(no_data())
        self.no_data_label.setObjectName("dashboardNoData")
        self.no_data_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.no_data_label)
        self.stack.setCurrentWidget(self.no_data_label)
        self.footnote = QLabel()
        self.footnote.setObjectName("dashboardFootnote")
        # One line, full text in the tooltip: a wrapping label gives the page a height-for-width, and the
        # scroll area then sizes it for a narrower width than it has (a needless scroll bar).
        self.footnote.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.footnote.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.heading)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.footnote)
        self.bars = Bars((), (), "")

    @property
    def showing_chart(self) -> bool:
        return self.stack.currentWidget() is self.view

    def series(self) -> QAbstractBarSeries | None:
        found = self.chart.series()
        return found[0] if found and isinstance(found[0], QAbstractBarSeries) else None

    def show_bars(self, bars: Bars) -> None:
        self.bars = bars
        self.footnote.setText(bars.footnote)
        self.footnote.setToolTip(bars.footnote)
        self.footnote.setVisible(bool(bars.footnote))
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        if bars.empty:
            self.stack.setCurrentWidget(self.no_data_label)
            return
        self._draw(bars)
        self.stack.setCurrentWidget(self.view)

    def _draw(self, bars: Bars) -> None:
        series: QAbstractBarSeries = QHorizontalBarSeries() if self.horizontal else QBarSeries()
        # Horizontal bars grow upwards from the first category: reverse so the first reads at the top.
        order = list(range(len(bars.categories)))
        if self.horizontal:
            order.reverse()
        for number, data in enumerate(bars.series):
            bar_set = QBarSet(data.name)
            bar_set.append([data.values[i] for i in order])
            bar_set.setColor(QColor(SERIES_COLOURS[number % len(SERIES_COLOURS)]))
            bar_set.setBorderColor(QColor(SERIES_COLOURS[number % len(SERIES_COLOURS)]))
            bar_set.setLabelColor(QColor(style.INK))
            bar_set.setLabelFont(_font(LABEL_POINT_SIZE, bold=True))
            series.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsFormat(bars.label_format)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([bars.categories[i] for i in order])
        categories.setLabelsFont(_font(AXIS_POINT_SIZE))
        values = QValueAxis()
        values.setLabelsFont(_font(AXIS_POINT_SIZE - 1))
        values.setTitleText(bars.axis_title)
        values.setTitleFont(_font(AXIS_POINT_SIZE - 1))
        top = max((v for s in bars.series for v in s.values), default=0.0)
        # Headroom for the labels printed past the longest bar's end (else Qt prints it inside, dark on
        # dark); a nice round top for the ticks.
        values.setRange(0.0, top * HEADROOM if top > 0 else 1.0)
        values.setTickCount(5)
        values.applyNiceNumbers()
        values.setLabelFormat("%.0f" if top >= 10 else "%.1f")
        first, second = (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom)
        if not self.horizontal:
            first, second = second, first
        self.chart.addAxis(categories, first)
        self.chart.addAxis(values, second)
        values.setVisible(bars.value_axis)
        series.attachAxis(categories)
        series.attachAxis(values)
        self.chart.legend().setVisible(len(bars.series) > 1)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)

    def values(self) -> dict[str, dict[str, float]]:
        """What the chart draws, read back from its series: {series name: {category: value}}."""
        series = self.series()
        axes = self.chart.axes(Qt.Orientation.Vertical if self.horizontal else Qt.Orientation.Horizontal)
        if series is None or not axes or not isinstance(axes[0], QBarCategoryAxis):
            return {}
        categories = axes[0].categories()
        return {bar_set.label(): {categories[i]: bar_set.at(i) for i in range(bar_set.count())}
                for bar_set in series.barSets()}
