"""The dashboard's "All benches (hub)" source in the real window: a real hub on 127.0.0.1 with two
benches' events, chosen with the keyboard; not enrolled and hub gone are said in words, and the last
figures the hub sent stay on screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.kpi_snapshot import Period, Stage
from app.hub.kpi_source import hub_snapshot
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store.store import Store
from app.ui import dashboard_tab
from app.ui.dashboard_tab import DashboardTab
from tests.core.kpi_floor import SettableClock
from tests.hub.helpers import RunningHub, running_hub
from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    with running_hub("sqlite", tmp_path / "hub") as running:
        yield running


@pytest.fixture
def brisk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard_tab, "POLL_MS", 100)
    monkeypatch.setattr(dashboard_tab, "HUB_REFRESH_S", 0.3)


def _sync(data_dir: Path) -> None:
    client = SyncClient(data_dir, timeout=5)
    try:
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error


def _other_bench(hub: RunningHub, data_dir: Path) -> str:
    """Another bench receives three units today and pushes them; returns its station id."""
    clock = SettableClock()
    with Store(data_dir, clock=clock) as store:
        clock.now = datetime.now().astimezone()
        for i in range(3):
            store.record("unit.created", {"identifiers": [{"kind": "imei", "value": f"35600000000020{i}"}],
                                          "model": "Pixel 8", "source": "scan"}, unit_id=f"OTHER-{i}")
        station = store.station_id
    enroll(data_dir, hub.url, hub.hub.create_enrollment_code("Bench 2"), timeout=5)
    _sync(data_dir)
    return station


def test_all_benches_from_the_hub(make_bench: Callable[..., Bench], hub: RunningHub, data_dir: Path,
                                  tmp_path: Path, brisk: None) -> None:
    bench = make_bench().login()
    window = bench.window
    tab = window.work_tab(DashboardTab)
    picker = tab.page.scope
    window.intake.handle_scan("490154203237518")  # this bench receives one unit
    bench.qtbot.keyClick(window, Qt.Key.Key_F12)
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None
                          and tab.page.tiles.stages[Stage.RECEIVED].text == "1", timeout=10_000)

    # Not enrolled: the hub source says so, and this bench's figures are not passed off as every bench's.
    bench.qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)  # Figures fro&m
    assert picker.source.hasFocus()
    bench.qtbot.keyClick(picker.source, Qt.Key.Key_Down)
    assert picker.from_hub()
    bench.qtbot.waitUntil(lambda: "not enrolled with a hub" in tab.page.as_of.text(), timeout=10_000)
    assert tab.page.snapshot is None
    assert "Enroll it in Settings" in window.banner.text()

    # Enrolled, both benches pushed: every bench's figures, as the hub computes them.
    other_station = _other_bench(hub, tmp_path / "other")
    enroll(data_dir, hub.url, hub.hub.create_enrollment_code("Bench 1"), timeout=5)
    _sync(data_dir)
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None
                          and tab.page.tiles.stages[Stage.RECEIVED].text == "4", timeout=10_000)
    shown = tab.page.snapshot
    assert shown is not None
    assert shown == hub_snapshot(hub.storage, shown.scope, shown.as_of)
    assert {t.who for t in shown.per_station} == {window.store.station_id, other_station}
    assert "Every bench (hub)" in tab.page.as_of.text()
    path = tmp_path / "dashboard-all-benches.png"
    assert window.grab().save(str(path))
    bench.screenshot("dashboard-all-benches")

    # The hub goes away: the page says so and keeps the last figures it sent.
    hub.server.stop()
    bench.qtbot.waitUntil(lambda: "cannot be reached" in tab.page.as_of.text(), timeout=15_000)
    assert "figures as of" in tab.page.as_of.text()
    assert "connection refused" in tab.page.as_of.toolTip()
    assert "asks it again" in window.banner.text()
    assert tab.page.snapshot is shown
    assert tab.page.tiles.stages[Stage.RECEIVED].text == "4"
    bench.screenshot("dashboard-hub-unreachable")

    # Back to this bench: its own figures again.
    bench.qtbot.keyClick(picker.source, Qt.Key.Key_Up)
    assert not picker.from_hub()
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None and tab.page.snapshot is not shown
                          and tab.page.tiles.stages[Stage.RECEIVED].text == "1", timeout=10_000)
    assert picker.period() is Period.TODAY
