"""Logging out, backing up: the rest of a shift, by keyboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui


def test_logout_with_the_keyboard_returns_to_the_badge_screen(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench()
    bench.scan("OP-0001")
    bench.qtbot.waitUntil(lambda: bench.window.intake.operator is not None)
    shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_L, shift)
    assert bench.window.intake.operator is None
    assert bench.window.stack.currentWidget() is bench.window.login_page
    last = bench.window.store.db.execute("SELECT type, body FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    assert last[0] == "operator.logged_out"
    assert '"logout"' in last[1]
    # a unit scanned now is refused until someone logs in again
    events = bench.event_count()
    bench.scan("490154203237518")
    bench.qtbot.waitUntil(lambda: "Nobody is logged in" in bench.window.banner.text())
    assert bench.event_count() == events


def test_backup_writes_a_checked_copy_and_refuses_to_overwrite(make_bench: Callable[..., Bench],
                                                               tmp_path: Path) -> None:
    bench = make_bench()
    bench.scan("OP-0001")
    bench.scan("490154203237518")
    bench.qtbot.waitUntil(lambda: bench.window.unit_page.heading.text() == "490154203237518")
    target = tmp_path / "backup.sqlite3"
    bench.window.backup_to_path(target)
    assert "backed up" in bench.window.banner.text()
    copy = sqlite3.connect(str(target))
    try:
        assert copy.execute("SELECT count(*) FROM units").fetchone()[0] == 1
    finally:
        copy.close()
    bench.window.backup_to_path(target)
    assert bench.window.banner.property("tone") == "error"
    assert "already exists" in bench.window.banner.text()


def test_settings_are_for_supervisors(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench()
    bench.scan("OP-0002")  # a technician
    bench.qtbot.waitUntil(lambda: bench.window.intake.operator is not None)
    bench.window.open_settings()
    assert "for supervisors" in bench.window.banner.text()


def test_new_scanner_timing_applies_at_once_and_is_saved(make_bench: Callable[..., Bench]) -> None:
    from app.settings import load_settings
    from app.ui.settings_dialog import SettingsDialog

    bench = make_bench()
    bench.scan("OP-0001")
    bench.qtbot.waitUntil(lambda: bench.window.intake.operator is not None)
    dialog = SettingsDialog(bench.window.settings, bench.window)
    bench.qtbot.addWidget(dialog)
    dialog.gap_spin.setValue(300)  # a very slow scanner: 300 ms between characters still counts
    dialog.station_edit.setText("intake-2")
    bench.window.apply_settings(dialog.chosen())
    assert load_settings(bench.window.store.data_dir).scanner.max_gap_ms == 300
    assert "intake-2" in bench.window.windowTitle()
    bench.window.focus_manual_entry()
    bench.type_slowly("C02XK1JHJG5J", end="\r", per_key_ms=140)  # what was typing is now a scan
    bench.qtbot.waitUntil(lambda: bench.window.unit_page.heading.text() == "C02XK1JHJG5J")
    assert bench.window.manual_edit.text() == ""


def test_settings_dialog_refuses_clashing_prefixes(qtbot: QtBot) -> None:
    from app.settings import Settings
    from app.ui.settings_dialog import SettingsDialog, parse_control_chars, show_control_chars

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.lot_edit.setText("OP-")
    with pytest.raises(ValueError, match="must be set and differ"):
        dialog.chosen()
    dialog.lot_edit.setText("LOT-")
    dialog.suffix_edit.setText("")
    with pytest.raises(ValueError, match="a scan must end with"):
        dialog.chosen()
    assert parse_control_chars(show_control_chars("\x02\r\t")) == "\x02\r\t"
    assert show_control_chars("\x02") == "\\x02"
