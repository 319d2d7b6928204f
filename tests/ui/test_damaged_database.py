"""Failure matrix row 18 at the bench: a damaged database found at start is never opened; the operator
restores the newest verified backup from a dialog, with the keyboard, or quits with nothing deleted."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.store.restore import check_database
from app.store.store import DB_FILE
from app.ui.application import EXIT_NOT_OPENED, open_window
from app.ui.damaged_db_dialog import DamagedDatabaseDialog
from app.ui.main_window import MainWindow
from tests.store.db_damage import damage_a_page, damaged_bench, event_hashes, record_bay_events, snapshot

pytestmark = pytest.mark.gui


class DialogAnswer:
    """Waits for the start-up dialog, photographs it and answers it with one key, as an operator would.

    It runs on a timer because the dialog is modal: open_window only returns once it is answered.
    """

    def __init__(self, key: Qt.Key, screenshot: Path) -> None:
        self.key, self.screenshot = key, screenshot
        self.texts: list[str] = []
        self.buttons: list[str] = []
        self._pressed_at: float | None = None
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._poll)

    def __enter__(self) -> DialogAnswer:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()

    def _poll(self) -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, DamagedDatabaseDialog) and w.isVisible()]
        if not dialogs:
            return
        dialog = dialogs[0]
        if self._pressed_at is not None:
            if time.monotonic() - self._pressed_at > 5:
                dialog.reject()  # the key did nothing: end the modal loop so the test fails instead of hanging
            return
        self.texts = [dialog.text(), dialog.informativeText(), dialog.detailedText()]
        self.buttons = [b.text() for b in dialog.buttons()]
        dialog.grab().save(str(self.screenshot))
        folder = os.environ.get("REFURB_BENCH_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            dialog.grab().save(str(Path(folder) / self.screenshot.name))
        self._pressed_at = time.monotonic()
        QTest.keyClick(dialog, self.key)


def _assert_untouched(data_dir: Path, before: dict[str, bytes]) -> None:
    """Every file as it was. The read-only check may add the database's empty WAL and its shared-memory
    index (SQLite needs them to read a WAL database); nothing else may appear."""
    after = snapshot(data_dir)
    assert {name: after.get(name) for name in before} == before, "a file was changed, renamed or deleted"
    assert set(after) - set(before) <= {f"{DB_FILE}-wal", f"{DB_FILE}-shm"}
    assert not after.get(f"{DB_FILE}-wal"), "nothing was written to the damaged database"


def _close(window: MainWindow) -> None:
    window.shutdown()
    assert window.jobs.wait(5000), "background jobs still running at the end of the test"
    window.store.close()


def test_enter_restores_the_newest_verified_backup_and_the_bench_opens_on_a_new_stream(
    qtbot: QtBot, tmp_path: Path, log_warnings: list[logging.LogRecord]
) -> None:
    data_dir = tmp_path / "data"
    verified, bad, old_stream = damaged_bench(data_dir)
    assert check_database(data_dir / DB_FILE) != "ok"
    damaged = (data_dir / DB_FILE).read_bytes()

    with DialogAnswer(Qt.Key.Key_Return, tmp_path / "damaged-database-dialog.png") as answer:
        opened = open_window(data_dir, None)
    assert isinstance(opened, MainWindow), f"the bench did not open (exit {opened})"
    qtbot.addWidget(opened)
    try:
        heading, offer, details = answer.texts
        assert "damaged" in heading
        backup_events = event_hashes(verified)
        # the newest *verified* backup is offered, not the newer damaged one
        assert verified.name in offer
        assert f"({len(backup_events)} events" in offer
        assert bad.name not in offer
        assert "quick_check" in details
        assert str(data_dir / DB_FILE) in details
        assert {"Restore this backup", "Quit"} <= set(answer.buttons)
        assert (tmp_path / "damaged-database-dialog.png").stat().st_size > 1000

        store = opened.store
        assert store.stream_id != old_stream
        assert event_hashes(data_dir / DB_FILE) == backup_events
        assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == len(backup_events) == 301
        assert "new stream" in opened.banner.text()
        assert opened.isVisible()
    finally:
        _close(opened)
    assert check_database(data_dir / DB_FILE) == "ok"
    kept = [p for p in data_dir.glob(f"{DB_FILE}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1
    assert kept[0].read_bytes() == damaged, "the damaged file is kept as it was"
    assert verified.exists()
    assert bad.exists()
    assert any("restored from" in r.getMessage() for r in log_warnings)


def test_escape_quits_without_opening_or_deleting_anything(
    qtbot: QtBot, tmp_path: Path, log_warnings: list[logging.LogRecord]
) -> None:
    data_dir = tmp_path / "data"
    damaged_bench(data_dir)
    before = snapshot(data_dir)

    with DialogAnswer(Qt.Key.Key_Escape, tmp_path / "declined.png") as answer:
        result = open_window(data_dir, None)
    assert answer.texts, "the dialog was shown"
    assert result == EXIT_NOT_OPENED
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    _assert_untouched(data_dir, before)
    assert any("did not open" in r.getMessage() for r in log_warnings)


def test_without_a_verified_backup_only_quit_is_offered_with_what_to_do(
    qtbot: QtBot, tmp_path: Path, log_warnings: list[logging.LogRecord]
) -> None:
    data_dir = tmp_path / "data"
    record_bay_events(data_dir, 500)
    damage_a_page(data_dir / DB_FILE)
    before = snapshot(data_dir)

    with DialogAnswer(Qt.Key.Key_Return, tmp_path / "no-backup.png") as answer:
        result = open_window(data_dir, None)
    assert result == EXIT_NOT_OPENED
    assert "Quit" in answer.buttons
    assert not [b for b in answer.buttons if b.startswith("Restore")]
    assert "db restore" in answer.texts[1]
    assert "Do not delete" in answer.texts[1]
    _assert_untouched(data_dir, before)
