"""iPhones on the Phones tab, driven as a technician drives it: the real pymobiledevice3 client against
simulated iPhones on a simulated usbmuxd. A phone asking "Trust This Computer?" shows the hint in its bay
until the tap, then is identified and tested by keys and erased into a certificate; an Activation Lock
holds its unit with the reason. Also: each tab's keys are its own (F5 opens Phones from the Bays tab,
Ctrl+R rescans the bays there and re-checks a phone here), and looking at the bus holds no pool thread."""

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
from app.reports.certificate_pdf import qr_payload
from app.services.drives import DriveService
from app.services.phones_sim_ios import IPhoneSeat, SimulatedIPhoneBench
from app.settings import Settings
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store
from app.ui.main_window import MainWindow
from app.ui.phones_page import PhoneRow
from app.ui.phones_tab import POLL_KEY, Bay, PhonesTab
from drivers.ios import TRUST_HINT, Timeouts

pytestmark = pytest.mark.gui
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
SHOTS = Path(os.environ["REFURB_BENCH_SCREENSHOTS"]) if os.environ.get("REFURB_BENCH_SCREENSHOTS") else None
TIMEOUTS = Timeouts(command=5.0, trust_wait=60.0, erase_request=5.0, going_down=10.0, reset_return=20.0, poll=0.1)


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


def plug(window: MainWindow, *seats: IPhoneSeat) -> tuple[PhonesTab, SimulatedIPhoneBench]:
    """Simulated iPhones on their own usbmuxd, in mapped bays 17, 18, …"""
    tab = window.work_tab(PhonesTab)
    bench = SimulatedIPhoneBench(seats, timeouts=TIMEOUTS)
    bench.start()
    for index, phone in enumerate(bench.phones):
        DriveService(window.store).assign_bay(17 + index, f"usbmux:{phone.udid}")
    tab.simulated_iphones = bench  # stopped with the window, like the demo's
    assert bench.source is not None
    tab.use_source(bench.source)
    return tab, bench


def bay_of(tab: PhonesTab, bench: SimulatedIPhoneBench, index: int) -> Bay | None:
    return tab.bays.get(f"usbmux:{bench.phones[index].udid}")


def in_state(tab: PhonesTab, bench: SimulatedIPhoneBench, index: int, *states: BayState) -> bool:
    bay = bay_of(tab, bench, index)
    return bay is not None and bay.state in states


def select(tab: PhonesTab, bay: Bay) -> None:
    tab.page.select(bay.attached.bay_key)
    tab.page.table.setFocus()


def answer(qtbot: QtBot, tab: PhonesTab, bay: Bay, key: Qt.Key) -> None:
    before = len(bay.done)
    qtbot.keyClick(tab.page.table, key)
    qtbot.waitUntil(lambda: len(bay.done) > before or bay.state is BayState.TESTED, timeout=3000)


def row_of(tab: PhonesTab, bay: Bay) -> PhoneRow:
    index = tab.page.model.index_of(bay.attached.bay_key)
    assert index is not None
    return tab.page.model.row(index)


def shot(window: MainWindow, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / f"{name}.png"))


def test_an_iphone_waits_for_trust_with_the_hint_then_is_tested_by_keys_and_erased_with_a_certificate(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    tab, bench = plug(window, IPhoneSeat("iphone13-trust"), IPhoneSeat("iphone12-activation-lock"),
                      IPhoneSeat("iphone15-erase"))
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.tabs.currentWidget() is tab.page
    qtbot.waitUntil(lambda: in_state(tab, bench, 0, BayState.NOT_READY) and bench.phones[0].asking, timeout=15_000)
    trust = bay_of(tab, bench, 0)
    assert trust is not None
    qtbot.waitUntil(lambda: trust.note == TRUST_HINT, timeout=5000)
    assert row_of(tab, trust).status == TRUST_HINT
    # named from what it tells any host, by the next look at the bus
    qtbot.waitUntil(lambda: row_of(tab, trust).phone == "iPhone 13", timeout=3000)
    select(tab, trust)
    assert tab.page.step_title.text() == "Bay 17 · iPhone 13"
    assert tab.page.step_text.text() == TRUST_HINT
    qtbot.waitUntil(lambda: in_state(tab, bench, 1, BayState.ON_HOLD)
                    and in_state(tab, bench, 2, BayState.GUIDED), timeout=20_000)
    locked = bay_of(tab, bench, 1)
    assert locked is not None
    assert locked.record is not None
    assert locked.note == "On hold — Activation Lock"
    assert locked.detail.startswith("On hold: Activation Lock (Activation Lock is on (com.apple.fmip "
                                    "IsAssociated=true)")
    assert row_of(tab, locked).locks == "Activation Lock"
    held = queries.get_unit(window.store.db, locked.record.unit.unit_id)
    assert held is not None
    assert held.state is UnitState.ON_HOLD
    select(tab, trust)
    shot(window, "phones-iphone-trust")

    bench.phones[0].tap_trust()  # the technician unlocks the phone and taps Trust
    qtbot.waitUntil(lambda: trust.state is BayState.GUIDED, timeout=20_000)
    assert trust.record is not None
    assert trust.record.unit.model == "Apple iPhone 13"
    assert row_of(tab, trust).battery == "82 % · 91 % health · 412 cycles"
    select(tab, trust)
    assert tab.page.step_title.text() == "Bay 17 · Apple iPhone 13 (MLPF3LL/A) — step 4 of 14: Display"
    for key in [Qt.Key.Key_P] * 8 + [Qt.Key.Key_S] + [Qt.Key.Key_P] * 2:
        answer(qtbot, tab, trust, key)
    assert trust.state is BayState.TESTED
    checks = [e.body for e in unit_events(window.store.db, trust.record.unit.unit_id)
              if e.type == pev.PHONE_CHECK_RECORDED]
    assert [c["step"] for c in checks[:3]] == ["wifi", "storage", "charging"]
    assert all(c["kind"] == "automatic" for c in checks[:3])
    assert [c["outcome"] for c in checks if c["step"] == "cellular"] == ["skipped"]
    assert trust.note == "Tested: incomplete"

    erase = bay_of(tab, bench, 2)
    assert erase is not None
    select(tab, erase)
    for _ in range(11):
        answer(qtbot, tab, erase, Qt.Key.Key_P)
    assert erase.state is BayState.TESTED
    tab.confirm = lambda bay: True
    select(tab, erase)
    qtbot.keyClick(tab.page.table, Qt.Key.Key_E, CTRL_SHIFT)
    assert erase.state is BayState.RESETTING
    qtbot.waitUntil(lambda: erase.state is not BayState.RESETTING, timeout=40_000)
    assert erase.state is BayState.SANITISED, erase.note
    assert bench.phones[2].erased
    cert_id = erase.note.removeprefix("Reset and verified — certificate ")
    folder = window.store.data_dir / "certificates"
    doc = json.loads((folder / f"{cert_id}.json").read_text())
    assert check(doc).ok
    assert (doc["certificate"]["device"]["platform"], doc["certificate"]["method"]["technique"]) == (
        "ios", "Cryptographic Erase")
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(folder / f"{cert_id}.pdf"),
                    str(tmp_path / "cert")], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "cert.png")], check=True,
                             capture_output=True, text=True).stdout.strip()
    assert decoded == qr_payload(doc)
    if SHOTS is not None:
        shutil.copy(tmp_path / "cert.png", SHOTS / "phones-iphone-certificate.png")
    # back at its setup screen and paired again by itself: the bay stays sanitised, not unplugged
    qtbot.wait(1500)
    assert erase.state is BayState.SANITISED
    # the held phone is not erased
    select(tab, locked)
    qtbot.keyClick(tab.page.table, Qt.Key.Key_E, CTRL_SHIFT)
    assert locked.state is BayState.ON_HOLD
    assert "is on hold for a blocker" in window.banner.text()


def test_an_iphone_pulled_mid_test_resumes_its_plan_when_plugged_back(window: MainWindow, qtbot: QtBot) -> None:
    tab, bench = plug(window, IPhoneSeat("iphone13-paired"))
    qtbot.waitUntil(lambda: in_state(tab, bench, 0, BayState.GUIDED), timeout=20_000)
    bay = bay_of(tab, bench, 0)
    assert bay is not None
    select(tab, bay)
    answer(qtbot, tab, bay, Qt.Key.Key_P)
    answer(qtbot, tab, bay, Qt.Key.Key_F)
    bench.unplug(bench.phones[0])
    qtbot.waitUntil(lambda: bay.state is BayState.UNPLUGGED, timeout=5000)
    assert bay.note == "Unplugged during its tests — plug it back in to resume where it stopped"
    bench.replug(bench.phones[0])
    qtbot.waitUntil(lambda: bay.state is BayState.GUIDED, timeout=20_000)
    assert bay.step is not None
    assert bay.step.id == "buttons"  # where it stopped
    assert bay.record is not None
    events = unit_events(window.store.db, bay.record.unit.unit_id)
    assert [e.body["during"] for e in events if e.type == pev.PHONE_DISCONNECTED] == ["guided tests"]
    assert len({e.body["run_id"] for e in events if e.type == pev.PHONE_PLAN_STARTED}) == 1


def test_each_tab_keeps_its_own_keys_and_the_bus_poll_holds_no_pool_thread(
        window: MainWindow, qtbot: QtBot) -> None:
    bays = window.bays
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert window.tabs.currentWidget() is bays.page
    bays.page.table.setFocus()
    with qtbot.waitSignal(bays.page.rescanned, timeout=3000):
        qtbot.keyClick(bays.page.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(bays.page.table, Qt.Key.Key_F5)  # F5 is the Phones tab's, also from the Bays tab
    tab = window.work_tab(PhonesTab)
    assert window.tabs.currentWidget() is tab.page

    tab2, bench = plug(window, IPhoneSeat("iphone13-paired"))
    assert tab2 is tab
    qtbot.waitUntil(lambda: in_state(tab, bench, 0, BayState.GUIDED), timeout=20_000)
    bay = bay_of(tab, bench, 0)
    assert bay is not None
    select(tab, bay)
    rescans: list[object] = []
    bays.page.rescanned.connect(lambda: rescans.append(1))
    qtbot.keyClick(tab.page.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # re-check, not rescan
    qtbot.waitUntil(lambda: bay.state is BayState.GUIDED and bay.record is not None, timeout=10_000)
    assert rescans == []
    # the bus is looked at by short jobs, twice a second: between looks no job (no pool thread) is busy with it
    looks: list[object] = []
    window.jobs.finished.connect(lambda result: looks.append(result) if result.key == POLL_KEY else None)
    idle = []
    for _ in range(40):
        qtbot.wait(50)
        idle.append(not window.jobs.busy(POLL_KEY))
    assert any(idle)
    assert len(looks) >= 3
    bench.unplug(bench.phones[0])
    qtbot.waitUntil(lambda: bay.state is BayState.UNPLUGGED, timeout=3000)
