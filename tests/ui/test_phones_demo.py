"""The demo bench (--simulate demo) as a technician sees it on the Phones tab: six emulated Android phones
and two simulated iPhones in their bays, one iPhone asking "Trust This Computer?" until the simulated
technician taps it, one held for Activation Lock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.phones import BayState
from app.services import simulation
from app.services.intake import IntakeService
from app.settings import Settings
from app.store.store import Store
from app.ui.main_window import MainWindow
from app.ui.phones_tab import PhonesTab
from drivers.ios import TRUST_HINT
from drivers.sim.scenarios import SCENARIOS

pytestmark = pytest.mark.gui
SHOTS = Path(os.environ["REFURB_BENCH_SCREENSHOTS"]) if os.environ.get("REFURB_BENCH_SCREENSHOTS") else None


@pytest.fixture
def demo(qtbot: QtBot, store: Store) -> Iterator[MainWindow]:
    intake = IntakeService(store)
    simulation.seed(intake, SCENARIOS["demo"])
    main = MainWindow(store, Settings(), simulate="demo")
    qtbot.addWidget(main)
    main.resize(1600, 800)
    main.show()
    with qtbot.waitActive(main):
        main.activateWindow()
    main.intake.login_badge("OP-0002")
    main._show_work()
    yield main
    main.shutdown()
    assert main.jobs.wait(15_000)


def test_the_demo_bench_shows_two_iphones_beside_the_android_phones(demo: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(demo, Qt.Key.Key_F5)
    tab = demo.work_tab(PhonesTab)
    assert demo.tabs.currentWidget() is tab.page

    def by_bay(number: int) -> BayState | None:
        return next((b.state for b in tab.bays.values() if b.bay == number), None)

    qtbot.waitUntil(lambda: by_bay(17) is BayState.NOT_READY, timeout=20_000)
    trusting = next(b for b in tab.bays.values() if b.bay == 17)
    assert trusting.platform == "ios"
    qtbot.waitUntil(lambda: trusting.note == TRUST_HINT, timeout=10_000)
    seen_hint = tab.page.model.row(tab.page.model.index_of(trusting.attached.bay_key) or 0).status
    assert seen_hint == TRUST_HINT
    # the simulated technician taps Trust after a few seconds; then it is read and tested like the others
    qtbot.waitUntil(lambda: all(by_bay(n) in (BayState.GUIDED, BayState.ON_HOLD) for n in range(11, 19)),
                    timeout=40_000)
    assert [by_bay(n) for n in (13, 16, 18)] == [BayState.ON_HOLD] * 3  # FRP, device management, Activation Lock
    assert by_bay(17) is BayState.GUIDED
    locked = next(b for b in tab.bays.values() if b.bay == 18)
    assert locked.note == "On hold — Activation Lock"
    assert tab.page.source_label.text() == ("6 simulated Android phones on a private adb server and "
                                            "2 simulated iPhones on a private usbmuxd")
    tab.page.select(trusting.attached.bay_key)
    tab.page.table.setFocus()
    assert "step 4 of 14: Display" in tab.page.step_title.text()
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert demo.grab().save(str(SHOTS / "phones.png"))
