"""The bays on a simulated drive bench (--simulate drives): each drive's methods with the rules'
recommendation first, a Purge chosen with the keyboard and run by the drive's simulated firmware to
a certificate, a frozen drive's hint, a supervisor's override, and a refusal nobody can lift."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.core import certificate
from app.services import simulation
from app.services.drives import DriveService
from app.settings import Settings
from app.store.keys import public_key_text
from app.store.store import Store
from app.ui.main_window import MainWindow
from drivers.sim.scenarios import SCENARIOS
from tests.drivers.loop_devices import loop_device
from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui
MIB = 1024 * 1024
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
SHOTS = os.environ.get("REFURB_BENCH_SCREENSHOTS")


@pytest.fixture
def drive_bench(qtbot: QtBot, store: Store, intake: object) -> Iterator[Callable[..., MainWindow]]:
    """Factory: the window of a simulated drive bench, the technician (OP-0002) logged in, on the bays."""
    windows: list[MainWindow] = []

    def make(scenario: str = "drives") -> MainWindow:
        window = MainWindow(store, Settings(), simulate=scenario)
        simulation.seed(window.intake, SCENARIOS[scenario])  # operators, and the drives' bays in the bay map
        qtbot.addWidget(window)
        window.resize(1180, 640)
        window.show()
        with qtbot.waitActive(window):
            window.activateWindow()
        window.handle_input("OP-0002")  # the technician's badge
        qtbot.keyClick(window, Qt.Key.Key_F6)
        window.bays.page.rescan()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
        assert window.jobs.wait(20_000)


def row_of_bay(window: MainWindow, bay: int) -> int:
    model = window.bays.page.model
    return next(i for i in range(model.rowCount()) if model.row(i).bay == bay)


def status(window: MainWindow, bay: int) -> str:
    return window.bays.page.model.row(row_of_bay(window, bay)).status


def go_to_bay(window: MainWindow, qtbot: QtBot, bay: int) -> None:
    """Arrow keys down the table to the bay, as a technician would, and wait for its firmware's answer."""
    page = window.bays.page
    page.table.setFocus()
    page.table.selectRow(0)
    for _ in range(row_of_bay(window, bay)):
        qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.selected_row() is not None
    assert page.selected_row().bay == bay  # type: ignore[union-attr]
    path = page.selected_row().path  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: page.firmware(path) is not None, timeout=10_000)


def combo_items(window: MainWindow) -> list[tuple[str, str, bool]]:
    combo = window.bays.page.method_combo
    model = combo.model()
    assert isinstance(model, QStandardItemModel)
    return [(combo.itemText(i), str(combo.itemData(i)), model.item(i).isEnabled()) for i in range(combo.count())]


def shot(widget: QWidget, name: str) -> None:
    """Save what ``widget`` shows to $REFURB_BENCH_SCREENSHOTS/NAME.png when that is set."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        QApplication.processEvents()
        assert widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def test_a_purge_chosen_by_keys_is_run_by_the_drives_firmware_to_a_certificate(
    drive_bench: Callable[..., MainWindow], qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    window = drive_bench()
    page = window.bays.page
    asked: list[str] = []
    window.bays.confirm = lambda drive, method: asked.append(method) is None
    go_to_bay(window, qtbot, 1)  # the NVMe SSD
    items = combo_items(window)
    assert items[0] == ("NVMe Sanitize crypto erase — Purge (recommended)", "nvme-sanitize-crypto", True)
    assert ("NVMe Sanitize block erase — Purge", "nvme-sanitize-block", True) in items
    assert ("Overwrite with zeros — Clear", "overwrite-zeros", True) in items
    assert "reaches over-provisioned and retired blocks" in page.detail.text()
    # Enter on the drive goes to its method; Down picks the block erase; Enter erases with it.
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.method_combo.hasFocus()
    qtbot.keyClick(page.method_combo, Qt.Key.Key_Down)
    assert page.method_combo.method() == "nvme-sanitize-block"
    seen: list[str] = []
    window.bays.controller.progress.connect(lambda p: seen.append(p.phase))
    qtbot.keyClick(page.method_combo, Qt.Key.Key_Return)
    assert asked == ["nvme-sanitize-block"]
    qtbot.waitUntil(lambda: status(window, 1).startswith("The drive is sanitising itself"), timeout=20_000)
    shot(window, "bays-purge")
    # a firmware sanitize cannot be called back once the drive has it: cancel says so, and it carries on
    qtbot.keyClick(page.table, Qt.Key.Key_X, CTRL_SHIFT)
    assert "cannot be cancelled" in window.banner.text()
    qtbot.waitUntil(lambda: status(window, 1).startswith("Erased and verified"), timeout=30_000)
    assert {"sanitize", "verify"} <= set(seen)
    body = json.loads(store.db.execute(
        "SELECT body FROM events WHERE type = 'erasure.completed' ORDER BY seq DESC").fetchone()[0])
    assert body["outcome"] == "passed"
    assert (body["method"]["name"], body["method"]["category"]) == ("nvme-sanitize-block", "Purge")
    assert [(s["name"], s["ok"]) for s in body["result"]["steps"]] == [
        ("command sent", True), ("drive reports done", True), ("read-back passed", True)]
    assert body["device"]["serial"] == "S5GXNF0R123456W"
    cert = store.data_dir / "certificates" / f"{body['certificate_id']}.json"
    doc = json.loads(cert.read_text())
    assert certificate.check(doc, public_key_text(store.public_key)).ok
    png = tmp_path / "cert"
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", str(cert.with_suffix(".pdf")), str(png)],
                   check=True, timeout=60)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", f"{png}.png"], capture_output=True, text=True,
                             check=True, timeout=60).stdout.strip()
    assert decoded == f"RBCERT:1:{body['certificate_id']}:{doc['event']['hash']}"


def test_a_frozen_drive_offers_overwrite_and_says_how_to_thaw_it(
    drive_bench: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = drive_bench()
    page = window.bays.page
    go_to_bay(window, qtbot, 5)  # the SATA SSD frozen by the BIOS
    items = combo_items(window)
    assert items[0][1] == "overwrite-random"
    assert items[0][0].endswith("— Clear (recommended)")
    blocked = [(text, data) for text, data, enabled in items if not enabled]
    assert ("ATA SANITIZE crypto scramble — blocked: the drive is frozen", "ata-sanitize-crypto") in blocked
    assert page.method_combo.method() == "overwrite-random"
    assert "suspend and resume the bench" in page.detail.text()
    assert "unplug the drive and plug it back in" in page.detail.text()
    shot(window, "bays-frozen")
    # the arrow keys never land on a blocked method
    for _ in range(len(items)):
        qtbot.keyClick(page.method_combo, Qt.Key.Key_Down)
        assert page.method_combo.method() not in {data for _, data in blocked}


def test_a_supervisor_overrides_the_bay_map_refusal_with_a_recorded_reason(
    drive_bench: Callable[..., MainWindow], qtbot: QtBot, store: Store
) -> None:
    window = drive_bench()
    DriveService(store).clear_bay(3)  # the SATA hard disk's dock is not in the bay map any more
    page = window.bays.page
    page.rescan()
    row = next(i for i in range(page.model.rowCount()) if "bay3" in page.model.row(i).path)
    page.table.selectRow(row)
    page.table.setFocus()
    assert page.model.row(row).status == "Refused: bay3-sata-hdd.img (simulated) is not in a bay of this bench"
    assert "A supervisor may override this" in page.detail.text()
    qtbot.waitUntil(lambda: page.firmware(page.model.row(row).path) is not None, timeout=10_000)
    qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL_SHIFT)
    dialog = window.bays.override_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert any("not in a bay of this bench" in label.text() for label in dialog.findChildren(QLabel))
    bench = Bench(window, qtbot)
    qtbot.waitUntil(dialog.badge_edit.hasFocus)  # the technician is no supervisor: a badge is needed first
    bench.scan("OP-0002")  # their own badge does not make them one
    assert "a supervisor must scan their badge" in dialog.error_label.text()
    bench.scan("OP-0003")  # Priya Nair, supervisor, scans her badge at the bench
    assert "Priya Nair" in dialog.supervisor_label.text()
    assert dialog.reason_edit.hasFocus()
    bench.type_slowly("ok", per_key_ms=60)
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert "too short" in dialog.error_label.text()  # "ok" is no reason anyone can audit later
    dialog.reason_edit.selectAll()
    bench.type_slowly("dock 3 rewired today", per_key_ms=60)
    qtbot.waitUntil(lambda: dialog.reason_edit.text() == "dock 3 rewired today")
    assert dialog.error_label.text() == ""  # the complaint about "ok" goes once the reason is edited
    shot(dialog, "bays-override")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.bays.override_dialog is None)
    assert window.intake.operator is not None
    assert window.intake.operator.badge == "OP-0002"  # the badge scan did not switch the operator
    path = page.model.row(row).path
    qtbot.waitUntil(lambda: (page.model.row(page.row_of(path) or 0).status).startswith("Erased and verified"),
                    timeout=30_000)
    started = json.loads(store.db.execute(
        "SELECT body FROM events WHERE type = 'erasure.started' ORDER BY seq DESC").fetchone()[0])
    assert started["override"]["reason"] == "dock 3 rewired today"
    assert started["override"]["by"]["name"] == "Priya Nair"
    assert started["override"]["by"]["role"] == "supervisor"
    assert [r["code"] for r in started["override"]["refusals"]] == ["not_in_bay_map"]
    assert started["method"]["name"] == "ata-sanitize-overwrite"  # the recommendation for a hard disk
    operator = store.db.execute("SELECT operator_id FROM events WHERE type = 'erasure.started'").fetchone()[0]
    assert operator == window.intake.operator.operator_id  # type: ignore[union-attr]  (the technician erased it)


def test_firmware_faults_fail_the_bay_with_the_claim_that_did_not_hold(
    drive_bench: Callable[..., MainWindow], qtbot: QtBot, store: Store, log_warnings: list[logging.LogRecord]
) -> None:
    window = drive_bench("drive_faults")
    page = window.bays.page
    window.bays.confirm = lambda drive, method: True
    for bay in (1, 3, 4, 5):  # rejects the command, hangs, says done but erased nothing, locked
        go_to_bay(window, qtbot, bay)
    assert combo_items(window) == [("No method can run on this drive (see below)", "", False)]  # locked (bay 5)
    assert "locked with a password" in page.detail.text()
    for bay in (1, 3, 4):
        go_to_bay(window, qtbot, bay)
        qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL_SHIFT)
    qtbot.waitUntil(lambda: all(status(window, b).startswith("Failed") for b in (1, 3, 4)), timeout=60_000)
    assert "command sent did not hold" in status(window, 1)
    assert "Unsupported command" in status(window, 1)
    assert "did not finish within" in status(window, 3)  # the hung tool was killed at its timeout
    assert "read-back passed did not hold" in status(window, 4)
    assert store.db.execute("SELECT count(*) FROM erasures WHERE state = 'failed'").fetchone()[0] == 3
    assert not (store.data_dir / "certificates").exists() or not list((store.data_dir / "certificates").iterdir())
    go_to_bay(window, qtbot, 5)
    qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL_SHIFT)
    assert "cannot be erased" in window.banner.text()
    assert any("failed at" in r.getMessage() for r in log_warnings)


def test_a_refusal_no_supervisor_can_lift_is_said_and_offers_no_override(
    qtbot: QtBot, store: Store, intake: object, tmp_path: Path
) -> None:
    window = MainWindow(store, Settings())  # loop devices are not drives on this bench
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    window.intake.login_badge("OP-0002")
    window._show_work()
    try:
        with loop_device(tmp_path / "stick.img", 16 * MIB) as path:
            with open(path, "r+b") as handle:
                handle.write(b"precious")
            window.show_bays_page()
            page = window.bays.page
            page.rescan()
            page.table.selectRow(page.row_of(path) or 0)
            assert "This refusal cannot be overridden." in page.detail.text()
            qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL_SHIFT)
            assert window.bays.override_dialog is None
            assert "is a loop device" in window.banner.text()
            assert "no override can lift this" in window.banner.text()
            with open(path, "rb") as handle:
                assert handle.read(8) == b"precious"
        assert store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0
    finally:
        window.shutdown()
        assert window.jobs.wait(10_000)
