"""Logging out, backing up: the rest of a shift, by keyboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3
import pytest
from PySide6.QtCore import Qt

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
