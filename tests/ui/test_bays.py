"""The bays page: four drives erased at once from the keyboard, each certified; refusals shown."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.drives import DriveService
from app.settings import Settings
from app.store.store import Store
from app.ui.main_window import MainWindow
from tests.drivers.loop_devices import loop_device

pytestmark = pytest.mark.gui
MIB = 1024 * 1024
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def four_drives(tmp_path: Path, store: Store) -> Iterator[list[str]]:
    with contextlib.ExitStack() as stack:
        paths = [stack.enter_context(loop_device(tmp_path / f"d{i}.img", 48 * MIB)) for i in range(4)]
        for bay, path in enumerate(paths, start=1):
            DriveService(store).assign_bay(bay, f"virtual/{os.path.basename(path)}")
        yield paths


@pytest.fixture
def bench_window(qtbot: QtBot, store: Store, intake: object) -> Iterator[MainWindow]:
    window = MainWindow(store, Settings(), allow_loop_devices=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    window.intake.login_badge("OP-0002")
    window._show_work()
    yield window
    window.shutdown()
    assert window.jobs.wait(10_000)


def _row_of(window: MainWindow, path: str) -> int:
    model = window.bays.page.model
    return next(i for i in range(model.rowCount()) if model.row(i).path == path)


def test_four_bays_erase_at_once_and_each_gets_a_certificate(
    bench_window: MainWindow, four_drives: list[str], qtbot: QtBot
) -> None:
    window = bench_window
    labels = {path: f"ST-BAY{i}" for i, path in enumerate(four_drives, start=1)}
    window.bays.ask_label = lambda drive: labels[drive.device.path]  # the label scanned for a drive with no serial
    window.bays.confirm = lambda drive, method: True
    qtbot.keyClick(window, Qt.Key.Key_F6)
    page = window.bays.page
    assert window.tabs.currentWidget() is page
    # the four start before any can finish: their jobs run side by side on the pool
    for path in four_drives:
        page.table.selectRow(_row_of(window, path))
        qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL_SHIFT)
    # each job records its own start on its own connection, off the window's thread
    qtbot.waitUntil(lambda: window.store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 4,
                    timeout=10_000)

    def all_done() -> bool:
        statuses = [page.model.row(_row_of(window, p)).status for p in four_drives]
        return all(s.startswith("Erased and verified") for s in statuses)

    qtbot.waitUntil(all_done, timeout=60_000)
    certs = sorted((window.store.data_dir / "certificates").glob("C-*.json"))
    assert len(certs) == 4
    for path in four_drives:
        with open(path, "rb") as handle:
            assert handle.read(1 * MIB) == bytes(MIB)


def test_a_refused_drive_says_why_and_is_not_touched(
    bench_window: MainWindow, tmp_path: Path, qtbot: QtBot, store: Store
) -> None:
    window = bench_window
    with loop_device(tmp_path / "unmapped.img", 16 * MIB) as path:
        with open(path, "r+b") as handle:
            handle.write(b"precious")
        window.show_bays_page()
        page = window.bays.page
        page.rescan()
        row = _row_of(window, path)
        assert page.model.row(row).status.startswith("Refused:")
        page.table.selectRow(row)
        assert "not in a bay" in page.detail.text()
        qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL_SHIFT)
        # only a supervisor may lift this refusal: the technician is asked for one, and walks away
        dialog = window.bays.override_dialog
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: window.bays.override_dialog is None)
        with open(path, "rb") as handle:
            assert handle.read(8) == b"precious"
        assert store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0


def test_a_background_rescan_shows_the_drives_and_an_overtaken_one_is_dropped(
    bench_window: MainWindow, four_drives: list[str], qtbot: QtBot
) -> None:
    """Hotplug events and the safety poll rescan on a job's thread; a scan that a rescan done here
    and now overtook while it read is not shown (an older picture never replaces a newer one)."""
    bays = bench_window.bays
    page = bays.page
    rescanned: list[int] = []
    page.rescanned.connect(lambda: rescanned.append(page.scan_generation))
    bays.request_rescan()
    qtbot.waitUntil(lambda: bool(rescanned), timeout=5000)
    assert {page.model.row(i).path for i in range(page.model.rowCount())} >= set(four_drives)
    stale = page.scan_generation
    page.rescan()  # Ctrl+R: read now, which overtakes any scan started at ``stale``
    shown = [page.model.row(i).path for i in range(page.model.rowCount())]
    assert page.apply_scan([], [], generation=stale) is False
    assert [page.model.row(i).path for i in range(page.model.rowCount())] == shown
    # Changes arriving while a rescan job reads are folded into one more rescan after it. (The
    # kernel's own events, which the probes' opening of the drives cause, are kept out of the count.)
    bays.watcher.changed.disconnect(bays.request_rescan)
    rescanned.clear()
    bays.request_rescan()
    bays.request_rescan()
    bays.request_rescan()
    qtbot.waitUntil(lambda: not bench_window.jobs.busy("bays:rescan") and len(rescanned) >= 2, timeout=5000)
    qtbot.wait(200)
    assert len(rescanned) == 2
