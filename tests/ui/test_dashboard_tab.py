"""The Dashboard tab in the real window over a real store: F12 shows it, the KPI service computes on a
job's thread, new events recorded while it is shown update the tiles, the scope changes with keys
only, and an answer that is stale (older log position or another scope) is dropped."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.kpi_snapshot import DashboardSnapshot, KpiScope, Period, Stage
from app.ui import dashboard_tab
from app.ui.dashboard_tab import DashboardTab
from tests.ui.conftest import Bench
from tests.ui.dashboard_data import busy_day

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
IMEIS = ("490154203237518", "356938035643809", "353270111234565")


@pytest.fixture
def brisk_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard_tab, "POLL_MS", 100)


def _dashboard(bench: Bench) -> DashboardTab:
    return bench.window.work_tab(DashboardTab)


def _received(tab: DashboardTab) -> str:
    return tab.page.tiles.stages[Stage.RECEIVED].text


def test_f12_shows_todays_figures_and_new_events_update_them(make_bench: Callable[..., Bench],
                                                             brisk_poll: None) -> None:
    bench = make_bench().login()
    window, tab = bench.window, _dashboard(bench)
    window.intake.handle_scan(IMEIS[0])  # a unit received before the dashboard is opened
    bench.qtbot.keyClick(window, Qt.Key.Key_F12)
    assert window.tabs.currentWidget() is tab.page
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None and _received(tab) == "1", timeout=10_000)
    assert tab.page.scope.period() is Period.TODAY
    assert tab.page.tiles.erasure_success.text == "No data"  # no erasure on this bench yet
    first = tab.page.snapshot
    assert first is not None
    value = tab.page.tiles.stages[Stage.RECEIVED].value_label  # laid out in its large type before the picture
    bench.qtbot.waitUntil(lambda: value.height() >= value.fontMetrics().height(), timeout=2_000)
    bench.screenshot("dashboard-first-unit")
    # Recorded while the tab is shown (by intake here; a phone or drive job alike): the poll sees the log grow.
    window.intake.handle_scan(IMEIS[1])
    window.intake.handle_scan(IMEIS[2])
    bench.qtbot.waitUntil(lambda: _received(tab) == "3", timeout=10_000)
    latest = tab.page.snapshot
    assert latest is not None
    assert latest.through_seq > first.through_seq
    assert latest.through_seq == bench.event_count()  # seq 1.. on a fresh bench: every event folded in


def test_the_poll_stops_when_the_tab_is_hidden(make_bench: Callable[..., Bench], brisk_poll: None) -> None:
    bench = make_bench().login()
    window, tab = bench.window, _dashboard(bench)
    bench.qtbot.keyClick(window, Qt.Key.Key_F12)
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None, timeout=10_000)
    assert tab.poll.isActive()
    bench.qtbot.keyClick(window, Qt.Key.Key_F4)  # the Lots page
    bench.qtbot.waitUntil(lambda: not tab.poll.isActive(), timeout=2_000)
    seen = tab.page.snapshot
    window.intake.handle_scan(IMEIS[0])
    bench.qtbot.wait(400)  # several poll intervals: a hidden dashboard asks nothing
    assert tab.page.snapshot is seen


def test_scope_changes_with_the_keyboard_only(make_bench: Callable[..., Bench], brisk_poll: None) -> None:
    bench = make_bench().login()
    window, tab = bench.window, _dashboard(bench)
    intake = window.intake
    acme = intake.create_lot("LOT-2026-0200", "customer", "Acme Leasing", "PO-1", 2)  # type: ignore[arg-type]
    intake.create_lot("LOT-2026-0201", "supplier", "Phone Brokers", "PO-2", 1)  # type: ignore[arg-type]
    intake.receive_into(acme)
    intake.handle_scan(IMEIS[0])
    intake.handle_scan(IMEIS[1])
    intake.stop_receiving()
    intake.handle_scan(IMEIS[2])  # received outside any lot
    bench.qtbot.keyClick(window, Qt.Key.Key_F12)
    bench.qtbot.waitUntil(lambda: _received(tab) == "3", timeout=10_000)

    # A mnemonic "clicks" its button after a short animation: wait for the choice, not the key.
    bench.qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    bench.qtbot.waitUntil(lambda: tab.page.scope.period() is Period.WEEK, timeout=2_000)
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None and tab.page.snapshot.scope.period is Period.WEEK,
                          timeout=10_000)

    bench.qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Lo&t…
    picker = tab.page.scope
    bench.qtbot.waitUntil(lambda: picker.period() is Period.LOT, timeout=2_000)
    assert QApplication.focusWidget() is picker.target  # the list of lots, to choose with arrows
    assert picker.target.count() == 2
    bench.qtbot.keyClick(picker.target, Qt.Key.Key_Home)
    for _ in range(picker.target.findData(acme.lot_id)):
        bench.qtbot.keyClick(picker.target, Qt.Key.Key_Down)
    assert picker.target.currentText().startswith("LOT-2026-0200")
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None and tab.page.snapshot.scope.lot_id == acme.lot_id
                          and _received(tab) == "2", timeout=10_000)

    bench.qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # &Customer…
    bench.qtbot.waitUntil(lambda: picker.period() is Period.CUSTOMER, timeout=2_000)
    assert [picker.target.itemText(i) for i in range(picker.target.count())] == ["Acme Leasing"]  # suppliers not
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None
                          and tab.page.snapshot.scope.customer == "Acme Leasing" and _received(tab) == "2",
                          timeout=10_000)

    bench.qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)  # Toda&y
    bench.qtbot.waitUntil(lambda: picker.period() is Period.TODAY, timeout=2_000)
    assert not picker.target.isEnabled()
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None and tab.page.snapshot.scope.period is Period.TODAY
                          and _received(tab) == "3", timeout=10_000)


def test_a_customer_scope_with_no_customer_lot_says_so(make_bench: Callable[..., Bench], brisk_poll: None) -> None:
    bench = make_bench().login()
    window, tab = bench.window, _dashboard(bench)
    window.intake.create_lot("LOT-2026-0300", "supplier", "Phone Brokers", "PO-3", 1)  # type: ignore[arg-type]
    window.intake.handle_scan(IMEIS[0])
    bench.qtbot.keyClick(window, Qt.Key.Key_F12)
    bench.qtbot.waitUntil(lambda: _received(tab) == "1", timeout=10_000)
    bench.qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    bench.qtbot.waitUntil(lambda: tab.page.as_of.text() == "No customer lot on this bench yet", timeout=2_000)
    assert tab.page.scope.target.currentText() == "No customer lots yet"
    assert tab.page.snapshot is None
    assert _received(tab) == "No data"  # not today's 1, and not a 0
    assert not any(chart.showing_chart for chart in tab.page.charts())


def test_an_answer_for_the_previous_scope_is_dropped(make_bench: Callable[..., Bench], brisk_poll: None) -> None:
    """The scope changes while Today's figures are being computed: Today's answer never reaches the page."""
    bench = make_bench().login()
    window, tab = bench.window, _dashboard(bench)
    window.intake.handle_scan(IMEIS[0])
    real = tab.source
    gate = threading.Event()
    answered: list[DashboardSnapshot] = []

    def gated(scope: KpiScope, as_of: str) -> DashboardSnapshot:
        if scope.period is Period.TODAY:
            assert gate.wait(10), "the test never opened the gate"
        snapshot = real(scope, as_of)
        answered.append(snapshot)
        return snapshot

    tab.source = gated
    drawn: list[DashboardSnapshot | None] = []
    original = tab.page.show_snapshot
    tab.page.show_snapshot = lambda s: (drawn.append(s), original(s))  # type: ignore[method-assign]
    try:
        bench.qtbot.keyClick(window, Qt.Key.Key_F12)  # asks for Today: held at the gate
        bench.qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
        bench.qtbot.waitUntil(lambda: tab.page.scope.period() is Period.WEEK, timeout=2_000)
    finally:
        gate.set()
    bench.qtbot.waitUntil(lambda: any(s.scope.period is Period.WEEK for s in answered), timeout=10_000)
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None, timeout=10_000)
    assert answered[0].scope.period is Period.TODAY  # computed, then dropped
    assert [s.scope.period for s in drawn if s is not None] == [Period.WEEK]
    assert _received(tab) == "1"


def test_an_older_answer_is_dropped(make_bench: Callable[..., Bench], brisk_poll: None) -> None:
    bench = make_bench().login()
    window, tab = bench.window, _dashboard(bench)
    bench.qtbot.keyClick(window, Qt.Key.Key_F12)
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None, timeout=10_000)
    shown = tab.page.snapshot
    assert shown is not None
    assert not tab.accepts(replace(shown, through_seq=shown.through_seq - 1))  # computed before the one shown
    assert tab.accepts(replace(shown, through_seq=shown.through_seq + 5))
    other = KpiScope(Period.WEEK, start="2026-11-30T00:00:00.000Z", end="2026-12-07T00:00:00.000Z")
    assert not tab.accepts(replace(shown, scope=other))


def test_screenshot_of_the_dashboard_in_the_window(make_bench: Callable[..., Bench]) -> None:
    """The window at 1280x800 with a realistic snapshot drawn (REFURB_BENCH_SCREENSHOTS saves it)."""
    bench = make_bench().login()
    window, tab = bench.window, _dashboard(bench)
    window.resize(1280, 800)
    bench.qtbot.keyClick(window, Qt.Key.Key_F12)
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None, timeout=10_000)
    tab.poll.stop()  # the drawn snapshot stays while the picture is taken
    tab.page.show_snapshot(busy_day(scope=tab.page.snapshot.scope if tab.page.snapshot else busy_day().scope))
    value = tab.page.tiles.stages[Stage.RECEIVED].value_label
    assert value.text() == "1,248"
    bench.qtbot.waitUntil(lambda: value.height() >= value.fontMetrics().height(), timeout=2_000)
    bench.qtbot.wait(200)  # the scroll area settles its bars after the layout
    bench.screenshot("dashboard")


def test_the_charts_are_built_when_the_tab_is_first_shown(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    window, tab = bench.window, _dashboard(bench)
    bench.qtbot.keyClick(window, Qt.Key.Key_F4)  # another tab shown: the dashboard has built nothing yet
    assert not tab.page.charts_built
    bench.qtbot.keyClick(window, Qt.Key.Key_F12)
    assert tab.page.charts_built
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None, timeout=10_000)
    assert len(tab.page.charts()) == 6
    assert not any(chart.showing_chart for chart in tab.page.charts())  # drawn from the snapshot: no bars yet


_START_UP = """
import sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.ui.application import open_window
window = open_window(Path(tempfile.mkdtemp()), None, lang="en")
print("QtCharts imported" if "PySide6.QtCharts" in sys.modules else "no QtCharts")
window.shutdown()
assert window.jobs.wait(5000)
window.store.close()
"""


def test_opening_the_window_imports_no_qt_charts(tmp_path: Path) -> None:
    """The start-up path of a bench (a fresh process: this one has imported Qt Charts long ago)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _START_UP], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "no QtCharts"
