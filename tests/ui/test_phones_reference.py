"""The Phones tab tests each phone with the plan of the hub's reference data version in use: the bay walks
the hub's steps and the run names that version; a broken plan from the hub leaves the phone identified
but untested, the bay saying which file of which version is broken. A real hub on 127.0.0.1, the
bench's real sync client, emulated phones on a private adb server, the window offscreen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core import events_phones as pev
from app.core.phones import BayState
from app.services.phones_sim import SimulatedPhoneBench
from app.services.sync_enroll import enroll
from app.settings import Settings
from app.store.eventlog import unit_events
from app.store.store import Store
from app.ui.main_window import MainWindow
from app.ui.phones_tab import Bay, PhonesTab
from drivers.android import Timeouts
from tests.hub.helpers import RunningHub, running_hub
from tests.services.test_reference_phones import BROKEN, FIRST, publish, pull

pytestmark = pytest.mark.gui
SHOTS = Path(os.environ.get("REFURB_BENCH_SCREENSHOTS", "")) if os.environ.get("REFURB_BENCH_SCREENSHOTS") else None


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    with running_hub("sqlite", tmp_path / "hub") as running:
        yield running


@pytest.fixture
def data_dir(tmp_path: Path, hub: RunningHub) -> Path:
    """The bench's data folder (the ``store`` fixture opens it), enrolled with ``hub``."""
    folder = tmp_path / "bench"
    Store(folder).close()
    enroll(folder, hub.url, hub.hub.create_enrollment_code("Bench 1"), timeout=5)
    return folder


@pytest.fixture
def window(qtbot: QtBot, store: Store, intake: object) -> Iterator[MainWindow]:
    main = MainWindow(store, Settings())
    qtbot.addWidget(main)
    main.show()
    main.intake.login_badge("OP-0002")
    main._show_work()
    yield main
    main.shutdown()
    assert main.jobs.wait(15_000)


def plug(window: MainWindow) -> tuple[PhonesTab, SimulatedPhoneBench, str]:
    tab = window.work_tab(PhonesTab)
    bench = SimulatedPhoneBench(("pixel8-a16",), timeouts=Timeouts(command=3.0, reset_return=30.0))
    bench.start()
    tab.simulated = bench  # stopped with the window
    assert bench.source is not None
    tab.use_source(bench.source)
    return tab, bench, f"tcp:{bench.phones[0].address}"


def settled(tab: PhonesTab, key: str, *states: BayState) -> Bay | None:
    bay = tab.bays.get(key)
    return bay if bay is not None and bay.state in states else None


def test_the_tab_walks_the_hubs_plan_and_the_run_names_its_version(
        window: MainWindow, qtbot: QtBot, hub: RunningHub, tmp_path: Path) -> None:
    assert publish(hub, tmp_path / "v1", FIRST) == 1
    pull(window.store.data_dir)
    tab, _bench, key = plug(window)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: settled(tab, key, BayState.GUIDED) is not None, timeout=15_000)
    bay = tab.bays[key]
    assert bay.step is not None
    assert (bay.step.id, dict(bay.done)) == ("display", {"wifi": "pass", "storage": "pass"})
    tab.page.select(key)
    assert tab.page.step_title.text().endswith("step 3 of 3: Display")
    tab.page.table.setFocus()
    qtbot.keyClick(tab.page.table, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: bay.state is BayState.TESTED, timeout=3000)
    assert bay.note == "Tested: passed"
    assert bay.record is not None
    (started,) = [e.body for e in unit_events(window.store.db, bay.record.unit.unit_id)
                  if e.type == pev.PHONE_PLAN_STARTED]
    assert (started["plan_version"], started["steps"], started["reference_version"]) == (
        11, ["wifi", "storage", "display"], 1)


def test_a_broken_plan_from_the_hub_leaves_the_phone_untested_and_says_why(
        window: MainWindow, qtbot: QtBot, hub: RunningHub, tmp_path: Path) -> None:
    assert publish(hub, tmp_path / "v1", BROKEN) == 1
    pull(window.store.data_dir)
    tab, _bench, key = plug(window)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: settled(tab, key, BayState.READY) is not None and tab.bays[key].note != "",
                    timeout=15_000)
    bay = tab.bays[key]
    assert bay.note == "Not tested: the phone plan from the hub cannot be used (details below)"
    assert bay.detail.startswith("Reference data version 1, testplans/phone-android.toml: [plan] automatic")
    assert "the built-in plan is not used" in bay.detail
    assert bay.record is not None
    assert not [e for e in unit_events(window.store.db, bay.record.unit.unit_id) if e.type == pev.PHONE_PLAN_STARTED]
    tab.page.select(key)
    assert "ask the hub's admin to publish a corrected plan" in tab.page.step_text.text()
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / "phones-broken-reference-plan.png"))
