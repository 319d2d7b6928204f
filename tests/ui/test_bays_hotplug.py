"""The bays page follows real kernel hotplug events: drives appear and leave on their own, start on
their own when the station says so, and a pulled or interrupted erasure is shown and resumed."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core import events as ev
from app.services.drives import DriveService
from app.services.erasure import EraseRequest, EraseService
from app.services.hotplug import HotplugWatcher, WatchState
from app.settings import Settings
from app.store.store import Store
from app.ui.main_window import MainWindow
from drivers.block.hotplug import BlockEventSource, HotplugError
from drivers.block.overwrite import Checkpoint, VerifyMode
from tests.drivers.test_hotplug import new_loop_device

pytestmark = [pytest.mark.gui, pytest.mark.skipif(os.geteuid() != 0, reason="loop devices need root")]
MIB = 1024 * 1024
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def open_window(qtbot: QtBot, store: Store, intake: object) -> Iterator[Callable[..., MainWindow]]:
    """Factory: a logged-in window that counts loop devices as drives; labels asked are answered
    ``ST-<loop name>`` and every erase confirmation is yes."""
    windows: list[MainWindow] = []

    def make(settings: Settings | None = None) -> MainWindow:
        window = MainWindow(store, settings or Settings(), allow_loop_devices=True)
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitActive(window):
            window.activateWindow()
        window.intake.login_badge("OP-0002")
        window._show_work()
        window.bays.ask_label = lambda drive: f"ST-{drive.device.name.upper()}"
        window.bays.confirm = lambda drive, method: True
        window.show_bays_page()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
        assert window.jobs.wait(20_000)


@contextlib.contextmanager
def mapped_empty_bay(store: Store, bay: int) -> Iterator[str]:
    """A loop device with nothing attached (no drive yet), mapped to ``bay``; yields /dev/loopN."""
    with new_loop_device() as name:
        DriveService(store).assign_bay(bay, f"virtual/{name}")
        path = f"/dev/{name}"
        try:
            yield path
        finally:
            subprocess.run(["losetup", "--detach", path], capture_output=True, check=False)


def plug(path: str, backing: Path, size: int) -> None:
    if not backing.exists():
        with backing.open("wb") as handle:
            handle.truncate(size)
    subprocess.run(["losetup", "--direct-io=on", path, str(backing)], check=True)


def status(window: MainWindow, path: str) -> str | None:
    page = window.bays.page
    row = page.row_of(path)
    return None if row is None else page.model.row(row).status


def test_a_drive_shows_in_its_bay_within_a_second_and_pulling_it_clears_the_bay(
    open_window: Callable[..., MainWindow], store: Store, tmp_path: Path, qtbot: QtBot
) -> None:
    window = open_window()
    assert window.bays.watcher.source_name == "kernel"
    with mapped_empty_bay(store, 3) as path:
        assert status(window, path) is None
        plug(path, tmp_path / "disk.img", 32 * MIB)
        started = time.monotonic()
        qtbot.waitUntil(lambda: status(window, path) == "Ready to erase", timeout=1000)
        took = time.monotonic() - started
        row = window.bays.page.model.row(window.bays.page.row_of(path) or 0)
        assert (row.bay, row.size_bytes) == (3, 32 * MIB)
        subprocess.run(["losetup", "--detach", path], check=True)
        qtbot.waitUntil(lambda: status(window, path) is None, timeout=1000)
    print(f"drive shown {took * 1000:.0f} ms after it was plugged in")


def test_a_drive_inserted_while_others_run_starts_on_its_own_and_is_certified(
    open_window: Callable[..., MainWindow], store: Store, tmp_path: Path, qtbot: QtBot
) -> None:
    window = open_window(Settings(auto_erase_on_insert=True))
    window.bays.page.method_combo.setCurrentIndex(window.bays.page.method_combo.findData("overwrite-random"))
    with mapped_empty_bay(store, 1) as first, mapped_empty_bay(store, 2) as second:
        plug(first, tmp_path / "a.img", 96 * MIB)
        qtbot.waitUntil(lambda: window.bays.controller.busy(first), timeout=1000)
        plug(second, tmp_path / "b.img", 32 * MIB)  # while the first one runs
        qtbot.waitUntil(lambda: window.bays.controller.busy(second) or
                        (status(window, second) or "").startswith("Erased"), timeout=1000)
        for path in (first, second):
            qtbot.waitUntil(lambda p=path: (status(window, p) or "").startswith("Erased and verified"),  # type: ignore[misc]
                            timeout=60_000)
    rows = store.db.execute("SELECT pattern, verification, state, bay FROM erasures ORDER BY bay").fetchall()
    assert [tuple(r) for r in rows] == [("random", "full", "passed", 1), ("random", "full", "passed", 2)]
    assert len(list((store.data_dir / "certificates").glob("C-*.json"))) == 2


def test_without_the_setting_an_inserted_drive_waits(
    open_window: Callable[..., MainWindow], store: Store, tmp_path: Path, qtbot: QtBot
) -> None:
    window = open_window()
    with mapped_empty_bay(store, 1) as path:
        plug(path, tmp_path / "a.img", 16 * MIB)
        qtbot.waitUntil(lambda: status(window, path) == "Ready to erase", timeout=1000)
        qtbot.wait(300)
        assert not window.bays.controller.busy(path)
    assert store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0


def test_a_drive_pulled_mid_erasure_says_so_loses_nothing_and_resumes_when_put_back(
    open_window: Callable[..., MainWindow], store: Store, tmp_path: Path, qtbot: QtBot,
    log_warnings: list[logging.LogRecord],
) -> None:
    window = open_window()
    page = window.bays.page
    backing, size = tmp_path / "pulled.img", 512 * MIB
    with mapped_empty_bay(store, 4) as path:
        plug(path, backing, size)
        qtbot.waitUntil(lambda: status(window, path) == "Ready to erase", timeout=1000)
        page.table.selectRow(page.row_of(path) or 0)
        with qtbot.waitSignal(window.bays.controller.progress, timeout=5000):
            qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL_SHIFT)
        # Pulled: the kernel drops the disk's capacity to 0 under the open descriptor. Writes already
        # queued to the backing file can grow it again, so once the job has stopped it is done again.
        for _ in range(2):
            os.truncate(backing, 0)
            subprocess.run(["losetup", "--set-capacity", path], check=True)
            qtbot.waitUntil(lambda: not window.bays.controller.busy(path), timeout=5000)
        # The bay says so whichever sees it first: the engine's next write or the kernel's event.
        qtbot.waitUntil(lambda: (status(window, path) or "").endswith("put it back, then F7 resumes")
                        and page.model.row(page.row_of(path) or 0).drive is None, timeout=5000)
        text = status(window, path) or ""
        assert text.startswith("Pulled during erasure — interrupted at ")
        row = page.model.row(page.row_of(path) or 0)
        assert row.drive is None
        assert row.bay == 4
        state, next_offset, detail = store.db.execute("SELECT state, next_offset, detail FROM erasures").fetchone()
        assert state == "interrupted"
        assert "gone" in detail
        assert f"{100 * next_offset // size} %" in text
        assert any("stopped" in r.getMessage() for r in log_warnings)  # the engine's own account of it
        # Put back: same drive, same place; F7 carries on from the recorded point and certifies.
        os.truncate(backing, size)
        subprocess.run(["losetup", "--set-capacity", path], check=True)
        qtbot.waitUntil(lambda: (status(window, path) or "").endswith("— F7 resumes") and
                        page.model.row(page.row_of(path) or 0).drive is not None, timeout=1000)
        page.table.selectRow(page.row_of(path) or 0)
        qtbot.keyClick(page.table, Qt.Key.Key_F7)
        qtbot.waitUntil(lambda: (status(window, path) or "").startswith("Erased and verified"), timeout=60_000)
    started = [json.loads(b) for (b,) in store.db.execute("SELECT body FROM events WHERE type = ? ORDER BY seq",
                                                          [ev.ERASURE_STARTED])]
    assert len(started) == 2
    assert started[1]["resumed_from"] == started[0]["erasure_id"]
    assert started[1]["method"]["start_offset"] == next_offset


def test_an_interrupted_erasure_is_listed_at_start_and_resumes_with_one_key(
    open_window: Callable[..., MainWindow], store: Store, tmp_path: Path, qtbot: QtBot,
) -> None:
    size = 64 * MIB
    with mapped_empty_bay(store, 2) as path:
        plug(path, tmp_path / "left.img", size)
        # Yesterday's shift: the erasure was stopped a quarter of the way through.
        cancel = threading.Event()
        service = EraseService(store)
        prepared = service.prepare(EraseRequest(path, "overwrite-zeros", VerifyMode.SAMPLE, allow_loop=True,
                                                unit_identifier="ST-LEFT", checkpoint_every=16 * MIB, block_size=MIB))

        def stop_at_first_checkpoint(checkpoint: Checkpoint) -> None:
            service.record_checkpoint(prepared, checkpoint)
            cancel.set()

        prepared.job.on_checkpoint = stop_at_first_checkpoint
        for _ in service.run(prepared, cancel):
            pass
        assert service.finish(prepared).outcome == "interrupted"
        window = open_window()
        page = window.bays.page
        assert status(window, path) == "Interrupted at 25 % — F7 resumes"
        page.table.selectRow(page.row_of(path) or 0)
        qtbot.keyClick(page.table, Qt.Key.Key_F7)
        qtbot.waitUntil(lambda: (status(window, path) or "").startswith("Erased and verified"), timeout=60_000)
        with open(path, "rb") as handle:
            assert handle.read() == bytes(size)
    rows = store.db.execute("SELECT state, verification FROM erasures ORDER BY started_at, rowid").fetchall()
    assert [tuple(r) for r in rows] == [("interrupted", "sample"), ("passed", "sample")]


def test_four_bays_plugged_as_drives_erase_at_once_from_the_keyboard(
    open_window: Callable[..., MainWindow], store: Store, tmp_path: Path, qtbot: QtBot,
) -> None:
    """Four drives arriving by hotplug are erased at once, each certified. (How long the window's
    event loop stalls meanwhile is a figure of `make bench`, the erase section.)"""
    window = open_window()
    page = window.bays.page
    page.method_combo.setCurrentIndex(page.method_combo.findData("overwrite-random"))
    page.verify_combo.setCurrentIndex(page.verify_combo.findData("sample"))
    with contextlib.ExitStack() as stack:
        # Direct I/O to the backing files, as four real drives would be.
        paths = [stack.enter_context(mapped_empty_bay(store, bay)) for bay in range(1, 5)]
        for i, path in enumerate(paths):
            plug(path, tmp_path / f"d{i}.img", 256 * MIB)
        qtbot.waitUntil(lambda: all(status(window, p) == "Ready to erase" for p in paths), timeout=2000)
        for path in paths:
            page.table.selectRow(page.row_of(path) or 0)
            qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL_SHIFT)
        qtbot.waitUntil(lambda: all((status(window, p) or "").startswith("Erased and verified") for p in paths),
                        timeout=120_000)
    rows = store.db.execute("SELECT state FROM erasures").fetchall()
    assert sorted(r[0] for r in rows) == ["passed"] * 4


def test_a_burst_of_events_gives_one_rescan(qtbot: QtBot, tmp_path: Path) -> None:
    watcher = HotplugWatcher(quiet_ms=200)
    watcher.start()
    try:
        count: list[int] = []
        watcher.changed.connect(lambda: count.append(1))
        with new_loop_device() as name:  # add, then attach: change, change (a burst of its own)
            subprocess.run(["losetup", f"/dev/{name}", str(_sparse(tmp_path / "burst.img"))], check=True)
            subprocess.run(["losetup", "--detach", f"/dev/{name}"], check=True)
            qtbot.waitUntil(lambda: len(count) >= 1, timeout=1000)
            qtbot.wait(400)
        assert watcher.events_seen >= 4
        assert len(count) == 1
    finally:
        watcher.stop()
        watcher.stop()


def test_without_an_event_source_the_bays_poll_and_say_so_once(qtbot: QtBot,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    def refused() -> BlockEventSource:
        raise HotplugError(13, "netlink refused by this sandbox")

    watcher = HotplugWatcher(fallback_poll_ms=50, open_source=refused)
    with caplog.at_level(logging.INFO, logger="app.hotplug"):
        watcher.start()
        watcher.start()
    try:
        assert watcher.state is WatchState.POLLING
        said = [r for r in caplog.records if "rescanning every" in r.getMessage()]
        assert len(said) == 1
        assert said[0].levelno == logging.INFO
        with qtbot.waitSignal(watcher.changed, timeout=1000):
            pass
    finally:
        watcher.stop()


def _sparse(path: Path, size: int = 8 * MIB) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path
