"""The dashboard page draws a snapshot's figures: tiles, chart series read back, the held-units model,
and "No data" where a figure does not exist (never a 0)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.core.kpi_snapshot import (
    DashboardSnapshot,
    ErasureRates,
    FailureCount,
    Stage,
    StageTime,
)
from app.ui.dashboard_held import UNIT_ID_ROLE, HeldUnitsModel
from app.ui.dashboard_page import DashboardPage
from app.ui.style import STYLE
from tests.ui.dashboard_data import TODAY, busy_day

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot: QtBot) -> DashboardPage:
    shown = DashboardPage()
    qtbot.addWidget(shown)
    shown.setStyleSheet(STYLE + shown.styleSheet())  # as in the window, whose sheet the page inherits
    shown.resize(1280, 700)
    shown.show()
    return shown


def test_tiles_show_the_stage_counts_and_erasure_rates(page: DashboardPage) -> None:
    page.show_snapshot(busy_day())
    tiles = page.tiles
    assert [tiles.stages[s].text for s in Stage] == ["1,248", "1,102", "1,064", "987", "0"]
    assert tiles.erasure_success.text == "99.4 %"  # 1058 passed of 1064 finished
    assert tiles.erasure_success.property("tone") == "ok"
    assert tiles.verification_failures.text == "0.2 %"  # 2 of 1064
    assert tiles.verification_failures.property("tone") == "error"
    assert "2 of 1,064" in tiles.verification_failures.toolTip()
    assert page.as_of.text() == "As of 2026-12-04 14:32 UTC"


def test_charts_draw_the_snapshot_values(page: DashboardPage) -> None:
    page.show_snapshot(busy_day())
    assert all(chart.showing_chart for chart in page.charts())
    assert page.per_station.values() == {"Units per hour": {"bench-1": 51.5, "bench-2": 47.5, "bench-3": 36.3}}
    assert page.per_station.footnote.text() == "No data: packing"  # no active hour: named, not drawn as 0
    assert page.per_operator.values()["Units per hour"]["Amélie Durand"] == 37.6
    # Durations in minutes (the longest p90 is 90 min); the stage with no timing is named below the chart.
    assert page.stage_times.values() == {
        "Median": {"Received": 21.0, "Tested": 14.0, "Sanitised": 38.0},
        "90th percentile": {"Received": 90.0, "Tested": 35.0, "Sanitised": 67.0},
    }
    assert page.stage_times.bars.axis_title == "minutes"
    assert page.stage_times.footnote.text() == "No data: Graded"
    assert page.grade_yield.values() == {"Share of units": {"A (402)": 40.7, "B (331)": 33.5, "C (171)": 17.3,
                                                            "D (83)": 8.4}}
    assert page.route_yield.values()["Share of units"]["resale (733)"] == 74.3


def test_failure_pareto_is_sorted_most_first_from_the_top(page: DashboardPage) -> None:
    unsorted = (FailureCount("speaker", "iPhone 11", 7, 130), FailureCount("battery_health", "Pixel 6", 41, 120),
                FailureCount("camera_rear", "iPhone 12", 27, 140))
    page.show_snapshot(replace(busy_day(), failure_pareto=unsorted))
    assert page.pareto.bars.categories == ("battery_health · Pixel 6", "camera_rear · iPhone 12",
                                           "speaker · iPhone 11")
    assert page.pareto.values() == {"Failures": {"battery_health · Pixel 6": 41.0, "camera_rear · iPhone 12": 27.0,
                                                 "speaker · iPhone 11": 7.0}}
    # Horizontal bars grow from the bottom: the axis lists the most failed last so that it reads at the top.
    series = page.pareto.series()
    assert series is not None
    assert [series.barSets()[0].at(i) for i in range(3)] == [7.0, 27.0, 41.0]


def test_held_units_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = HeldUnitsModel()
    qtmodeltester.check(model)
    model.set_units(busy_day().held)
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    rows = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert rows[0] == ["356938035643809", "FRP", "3 d 5 h", "Galaxy S21"]
    assert rows[3] == ["C02XG0FDJG5J", "Activation Lock", "27 min", "iPhone 11"]
    assert model.data(model.index(1, 2)) == "21 h 52 min"
    assert model.data(model.index(2, 0), UNIT_ID_ROLE) == "u-3"
    model.set_units(())
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_nothing_computed_yet_shows_no_data_everywhere(page: DashboardPage) -> None:
    page.show_snapshot(None)
    tiles = page.tiles
    assert {t.text for t in (*tiles.stages.values(), tiles.erasure_success, tiles.verification_failures)} == {
        "No data"}
    assert not any(chart.showing_chart for chart in page.charts())
    assert all(chart.no_data_label.isVisible() for chart in page.charts())
    assert page.held_model.rowCount() == 0


def test_an_empty_scope_tells_zero_from_no_data(page: DashboardPage) -> None:
    empty = DashboardSnapshot(
        scope=TODAY, as_of="2026-12-04T06:00:00.000Z", through_seq=12, stage_counts=dict.fromkeys(Stage, 0),
        stage_times=tuple(StageTime(s, 0, None, None) for s in (Stage.RECEIVED, Stage.TESTED)),
        erasures=ErasureRates(started=3, passed=0, failed=0, verification_failed=0, interrupted=0))
    page.show_snapshot(empty)
    tiles = page.tiles
    assert [tiles.stages[s].text for s in Stage] == ["0"] * 5  # nothing happened yet: a true zero
    assert tiles.erasure_success.text == "No data"  # three running, none finished: no rate exists
    assert tiles.erasure_success.value_label.property("nodata") == "true"
    assert tiles.verification_failures.text == "No data"
    assert not page.stage_times.showing_chart
    assert page.stage_times.footnote.text() == "No data: Received, Tested"
    assert not page.pareto.showing_chart
    assert page.held_heading.text() == "Units on hold (0)"

