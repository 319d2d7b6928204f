"""The hub in the status bar: a supervisor enrolls the bench from the settings dialog, the status
bar says online with nothing pending; the hub goes down, work goes on and the bar says offline,
how much is pending and why in words; the hub comes back and the backlog drains by itself."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError as WaitTimeout

from app.hub.server import HubServer
from app.services.sync import SyncState
from app.ui import sync_status
from app.ui.settings_dialog import SettingsDialog
from app.ui.sync_status import SyncStatusPart
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, running_hub
from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui

IMEIS = ("490154203237518", "356938035643809", "352099001761481")


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    with running_hub("sqlite", tmp_path / "hub") as running:
        yield running


@pytest.fixture(autouse=True)
def brisk_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop at test pace: sessions every half second, retries within a second."""
    monkeypatch.setattr(sync_status, "INTERVAL", 0.5)
    monkeypatch.setattr(sync_status, "REFRESH", 0.2)
    monkeypatch.setattr(sync_status, "BACKOFF_BASE", 0.1)
    monkeypatch.setattr(sync_status, "BACKOFF_CAP", 0.5)
    monkeypatch.setattr(sync_status, "TIMEOUT", 3.0)


def _save(widget_grab: Callable[[], object], name: str) -> None:
    folder = os.environ.get("REFURB_BENCH_SCREENSHOTS")
    if folder:
        QApplication.processEvents()
        pixmap = widget_grab()
        assert pixmap.save(str(Path(folder) / f"{name}.png"))  # type: ignore[attr-defined]


def _part(bench: Bench) -> SyncStatusPart:
    part = bench.window.findChild(SyncStatusPart)
    assert part is not None
    return part


def _enrol_from_settings(bench: Bench, url: str, code: str) -> str:
    """Open File ▸ Settings with Ctrl+, type the hub's address and the code, click Enroll; return what it says."""
    window, qtbot = bench.window, bench.qtbot
    said: dict[str, str] = {}

    def in_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(20, in_dialog)
            return
        row = None
        try:
            row = dialog.hub_row
            assert row is not None
            said["before"] = row.state_label.text()
            # typed by hand (keystrokes this fast would be a scan to the bench's scanner filter)
            row.url_edit.setText(url)
            row.code_edit.setText(code)
            qtbot.mouseClick(row.enrol_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: "Enrolled as" in row.state_label.text(), timeout=10_000)
            said["after"] = row.state_label.text()
            # the offscreen screen is 800 px wide and caps a dialog's first size at two thirds of it
            dialog.resize(max(dialog.width(), dialog.minimumSizeHint().width()), dialog.height())
            _save(dialog.grab, "sync-enrol-settings")
        except (AssertionError, WaitTimeout) as exc:
            said["error"] = repr(exc) + " " + (row.result_label.text() if row else "")
        finally:
            dialog.reject()

    QTimer.singleShot(0, in_dialog)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert said, "the settings dialog did not open"
    assert "error" not in said, said["error"]
    return said["before"] + " | " + said["after"]


def test_status_bar_follows_the_hub_down_and_up(make_bench: Callable[..., Bench], hub: RunningHub) -> None:
    bench = make_bench()
    window, qtbot = bench.window, bench.qtbot
    part = _part(bench)
    qtbot.waitUntil(lambda: part.status is not None and part.status.state is SyncState.NOT_ENROLLED)
    assert part.label.text() == "Hub: not enrolled"

    bench.login("OP-0001")  # the admin may change settings
    words = _enrol_from_settings(bench, hub.url, hub.hub.create_enrollment_code("Bench 7"))
    assert words.startswith("Not enrolled: everything stays on this bench")
    assert "Enrolled as “Bench 7”" in words

    bench.scan(IMEIS[0])
    qtbot.waitUntil(lambda: part.status is not None and part.status.state is SyncState.IDLE
                    and part.status.pending == 0 and part.status.last_seq == bench.event_count(), timeout=10_000)
    text = part.label.text()
    assert text.startswith("Hub online  ·  0 pending  ·  last sync just now"), text
    assert hub_hashes(hub.storage) == bench_hashes(window.store.data_dir)
    _save(window.statusBar().grab, "sync-status-online")
    _save(window.grab, "sync-window-online")

    host, port = hub.server.server_address[:2]
    hub.server.stop()  # the hub goes away; the bench works on
    bench.scan(IMEIS[1])
    bench.scan(IMEIS[2])
    qtbot.waitUntil(lambda: part.status is not None and part.status.state is SyncState.BACKING_OFF
                    and part.status.pending >= 2, timeout=10_000)
    assert window.intake.operator is not None, "the bench kept working"
    text = part.label.text()
    assert text.startswith("Hub offline  ·  "), text
    assert f"{part.status.pending:,} pending, oldest just now" in text
    assert text.endswith("no answer from the hub: connection refused"), text
    assert "Last error: no answer from the hub" in part.toolTip()
    _save(window.statusBar().grab, "sync-status-offline")
    _save(window.grab, "sync-window-offline")

    with HubServer(hub.hub, str(host), port):  # back on the same address
        qtbot.waitUntil(lambda: part.status is not None and part.status.state is SyncState.IDLE
                        and part.status.pending == 0, timeout=10_000)
        assert part.label.text().startswith("Hub online  ·  0 pending"), part.label.text()
        assert "Last error" not in part.toolTip(), "a session that reached the end clears the error"
        assert hub_hashes(hub.storage) == bench_hashes(window.store.data_dir)


def test_a_wrong_code_is_said_in_the_dialog_and_nothing_is_enrolled(
    make_bench: Callable[..., Bench], hub: RunningHub
) -> None:
    bench = make_bench()
    bench.login("OP-0001")
    dialog = SettingsDialog(bench.window.settings, bench.window, data_dir=bench.window.store.data_dir)
    bench.qtbot.addWidget(dialog)
    dialog.show()
    row = dialog.hub_row
    assert row is not None
    row.url_edit.setText(hub.url)
    row.code_edit.setText("AAAAAA-BBBBBB-CCCCCC")
    bench.qtbot.mouseClick(row.enrol_button, Qt.MouseButton.LeftButton)
    bench.qtbot.waitUntil(lambda: "refused the enrolment" in row.result_label.text(), timeout=10_000)
    assert "unknown, used or expired" in row.result_label.text()
    assert row.state_label.text().startswith("Not enrolled")
    assert not (bench.window.store.data_dir / "sync.json").exists()
    dialog.reject()
