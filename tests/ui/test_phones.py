"""The Phones tab driven as a technician drives it: phones plugged into bays are identified and held
for blockers on their own, guided steps are answered with single keys, a reset ends in a certificate,
and a phone pulled mid-test resumes its plan when plugged back in while the other bays carry on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core import events_phones as pev
from app.core.certificate import check
from app.core.lifecycle import UnitState
from app.core.phones import BayState
from app.reports.certificate_pdf import embedded_document, qr_payload
from app.services.drives import DriveService
from app.services.jobs import JobProgress
from app.services.phones_sim import SimulatedPhoneBench
from app.settings import Settings
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store
from app.ui.main_window import MainWindow
from app.ui.phones_tab import Bay, PhonesTab
from drivers.android import CheckResult, Timeouts

pytestmark = pytest.mark.gui
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
SHOTS = Path(os.environ.get("REFURB_BENCH_SCREENSHOTS", "")) if os.environ.get("REFURB_BENCH_SCREENSHOTS") else None


@pytest.fixture
def window(qtbot: QtBot, store: Store, intake: object) -> Iterator[MainWindow]:
    main = MainWindow(store, Settings())
    qtbot.addWidget(main)
    main.show()
    with qtbot.waitActive(main):
        main.activateWindow()
    main.intake.login_badge("OP-0002")
    main._show_work()
    yield main
    main.shutdown()
    assert main.jobs.wait(15_000)


def plug(window: MainWindow, *profiles: str, timeouts: Timeouts | None = None,
         bays: int = 0) -> tuple[PhonesTab, SimulatedPhoneBench]:
    """Emulated phones on a private adb server; the first ``bays`` of them in mapped bays 11, 12, …"""
    tab = window.work_tab(PhonesTab)
    bench = SimulatedPhoneBench(profiles, timeouts=timeouts or Timeouts(command=3.0, reset_return=30.0))
    bench.start()
    for index, phone in enumerate(bench.phones[:bays]):
        DriveService(window.store).assign_bay(11 + index, f"tcp:{phone.address}")
    tab.simulated = bench  # stopped with the window, like the demo's
    assert bench.source is not None
    tab.use_source(bench.source)
    return tab, bench


def bay_of(tab: PhonesTab, bench: SimulatedPhoneBench, index: int) -> Bay:
    return tab.bays[f"tcp:{bench.phones[index].address}"]


def in_state(tab: PhonesTab, bench: SimulatedPhoneBench, index: int, *states: BayState) -> bool:
    bay = tab.bays.get(f"tcp:{bench.phones[index].address}")
    return bay is not None and bay.state in states


def select(tab: PhonesTab, bench: SimulatedPhoneBench, index: int) -> None:
    tab.page.select(f"tcp:{bench.phones[index].address}")
    tab.page.table.setFocus()


def answer(qtbot: QtBot, tab: PhonesTab, bay: Bay, key: Qt.Key) -> None:
    """Press one answer key on the table; the scanner filter hands it on once it knows a person typed it."""
    before = len(bay.done)
    qtbot.keyClick(tab.page.table, key)
    qtbot.waitUntil(lambda: len(bay.done) > before or bay.state is BayState.TESTED, timeout=3000)


def shot(window: MainWindow, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / f"{name}.png"))


def test_phones_are_identified_held_tested_by_keys_and_reset_with_a_certificate(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    tab, bench = plug(window, "pixel8-a16", "galaxy-a54", "galaxy-a54-frp", "galaxy-a54-mdm", "moto-low-battery",
                      "lg-g7-a10-fde", bays=5)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.tabs.currentWidget() is tab.page
    qtbot.waitUntil(lambda: all(in_state(tab, bench, i, BayState.GUIDED, BayState.ON_HOLD) for i in range(6)),
                    timeout=15_000)
    for i in (2, 3):
        assert bay_of(tab, bench, i).state is BayState.ON_HOLD
    frp, mdm = bay_of(tab, bench, 2), bay_of(tab, bench, 3)
    assert frp.record is not None
    assert frp.record.unit.state is UnitState.ON_HOLD
    assert frp.note == "On hold — Google FRP"
    assert frp.detail.startswith("On hold: Google FRP (signed in to Google account j***@gmail.com")
    assert mdm.detail.startswith("On hold: device management (managed: com.airwatch")
    model = tab.page.model
    rows = {model.row(i).bay_key: model.row(i) for i in range(model.rowCount())}
    assert rows[frp.attached.bay_key].locks == "Google FRP"
    moto = rows[f"tcp:{bench.phones[4].address}"]
    assert moto.battery == "4 % · 71 % health · 812 cycles"
    assert moto.phone == "Motorola moto g power (2022) (XT2165-5)"

    pixel = bay_of(tab, bench, 0)
    select(tab, bench, 0)
    assert tab.page.step_title.text() == "Bay 11 · Google Pixel 8 (GKWS6) — step 7 of 14: Display"
    assert tab.page.step_keys.text() == "P  pass     F  fail     S  skip"
    shot(window, "phones")
    answer(qtbot, tab, pixel, Qt.Key.Key_P)
    assert "Touch grid" in tab.page.step_title.text()
    answer(qtbot, tab, pixel, Qt.Key.Key_S)  # no stylus at this bench: skipped, not passed
    for _ in range(6):
        answer(qtbot, tab, pixel, Qt.Key.Key_P)
    assert pixel.state is BayState.TESTED
    assert pixel.note == "Tested: incomplete"
    assert pixel.record is not None
    unit_id = pixel.record.unit.unit_id
    checks = [e.body for e in unit_events(window.store.db, unit_id) if e.type == pev.PHONE_CHECK_RECORDED]
    assert [c["outcome"] for c in checks[6:8]] == ["pass", "skipped"]
    assert all(c["kind"] == "automatic" for c in checks[:6])

    tab.confirm = lambda bay: True
    select(tab, bench, 0)
    qtbot.keyClick(tab.page.table, Qt.Key.Key_E, CTRL_SHIFT)
    assert pixel.state is BayState.RESETTING
    qtbot.waitUntil(lambda: pixel.state is not BayState.RESETTING, timeout=30_000)
    assert pixel.state is BayState.SANITISED, pixel.note
    unit = queries.get_unit(window.store.db, unit_id)
    assert unit is not None
    assert unit.state is UnitState.SANITISED
    cert_id = pixel.note.removeprefix("Reset and verified — certificate ")
    folder = window.store.data_dir / "certificates"
    doc = json.loads((folder / f"{cert_id}.json").read_text())
    assert check(doc).ok
    body = doc["certificate"]
    assert (body["outcome"], body["method"]["category"], body["method"]["technique"]) == (
        "passed", "Purge", "Cryptographic Erase")
    assert body["device"]["imeis"] == list(pixel.record.unit.identifier("imei") and body["device"]["imeis"])
    assert "ok: setup wizard pending (user_setup_complete=0)" in body["verification"]["checks"]
    pdf = (folder / f"{cert_id}.pdf").read_bytes()
    assert embedded_document(pdf) == doc
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(folder / f"{cert_id}.pdf"),
                    str(tmp_path / "cert")], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "cert.png")], check=True,
                             capture_output=True, text=True).stdout.strip()
    assert decoded == qr_payload(doc)
    if SHOTS is not None:
        shutil.copy(tmp_path / "cert.png", SHOTS / "phone-certificate.png")

    # the phone without file-based encryption: reset, verified, but flagged and held, no certificate
    lg = bay_of(tab, bench, 5)
    for _ in range(8):
        select(tab, bench, 5)
        answer(qtbot, tab, lg, Qt.Key.Key_P)
    assert lg.state is BayState.TESTED
    select(tab, bench, 5)
    qtbot.keyClick(tab.page.table, Qt.Key.Key_E, CTRL_SHIFT)
    qtbot.waitUntil(lambda: lg.state is not BayState.RESETTING, timeout=30_000)
    assert lg.state is BayState.ON_HOLD
    assert lg.note.startswith("Reset flagged: factory reset verified, but not a cryptographic erase: "
                              "ro.crypto.type=block")
    assert len(list(folder.glob("C-*.json"))) == 1
    # a held phone is not reset
    select(tab, bench, 2)
    qtbot.keyClick(tab.page.table, Qt.Key.Key_E, CTRL_SHIFT)
    assert frp.state is BayState.ON_HOLD
    assert "is on hold for a blocker" in window.banner.text()


def test_a_phone_pulled_mid_test_says_so_and_resumes_when_plugged_back_while_others_carry_on(
        window: MainWindow, qtbot: QtBot) -> None:
    tab, bench = plug(window, "pixel8-slow", "galaxy-a54")
    pulled = bench.phones[0]

    def pull_at_its_next_command(progress: JobProgress) -> None:
        """Once its first check result is in, the cable comes out at the phone's next command, so the
        pull lands while a check is in flight however late this runs (each command answers 250 ms late)."""
        if progress.key == f"phone:tcp:{pulled.address}" and isinstance(progress.detail, CheckResult):
            window.jobs.progress.disconnect(pull_at_its_next_command)
            pulled.state.data.setdefault("faults", {})["drop_after_commands"] = pulled.state.commands_served

    window.jobs.progress.connect(pull_at_its_next_command)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: in_state(tab, bench, 0, BayState.UNPLUGGED), timeout=20_000)
    slow = bay_of(tab, bench, 0)
    assert 1 <= len(slow.done) < 6
    assert slow.note == "Unplugged during its tests — plug it back in to resume where it stopped"
    row = tab.page.model.row(tab.page.model.index_of(slow.attached.bay_key) or 0)
    assert row.status == slow.note
    done_before = dict(slow.done)
    qtbot.waitUntil(lambda: in_state(tab, bench, 1, BayState.GUIDED), timeout=10_000)  # never stalled
    shot(window, "phones-unplugged")

    bench.replug(pulled)
    qtbot.waitUntil(lambda: slow.state is BayState.GUIDED, timeout=20_000)
    assert slow.record is not None
    events = unit_events(window.store.db, slow.record.unit.unit_id)
    steps = [e.body["step"] for e in events if e.type == pev.PHONE_CHECK_RECORDED]
    assert steps == ["sensors", "cameras", "wifi", "bluetooth", "storage", "charging"]  # each once
    assert set(done_before) <= set(steps[:len(done_before)])
    assert [e.body["during"] for e in events if e.type == pev.PHONE_DISCONNECTED] == ["checking"]
    assert len({e.body["run_id"] for e in events if e.type == pev.PHONE_PLAN_STARTED}) == 1


def test_a_hung_phone_ends_in_a_clear_error_within_its_timeout_and_the_other_bay_is_tested(
        window: MainWindow, qtbot: QtBot) -> None:
    tab, bench = plug(window, "pixel8-hang", "galaxy-a54", timeouts=Timeouts(command=1.0))
    qtbot.waitUntil(lambda: in_state(tab, bench, 1, BayState.GUIDED), timeout=10_000)
    qtbot.waitUntil(lambda: in_state(tab, bench, 0, BayState.ERROR), timeout=15_000)
    hung = bay_of(tab, bench, 0)
    assert hung.note == ("phone " + bench.phones[0].address + " did not answer 'dumpsys battery' within 1 s — "
                         "Ctrl+R re-checks")
    row = tab.page.model.row(tab.page.model.index_of(hung.attached.bay_key) or 0)
    assert row.battery == "could not check"
    assert hung.record is not None
    checks = {e.body["step"]: e.body["outcome"] for e in unit_events(window.store.db, hung.record.unit.unit_id)
              if e.type == pev.PHONE_CHECK_RECORDED}
    assert "pass" not in checks.get("charging", "")
