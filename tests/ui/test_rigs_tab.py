"""The Rigs tab driven as a technician drives it: scan the unit, Ctrl+R, watch each step's value come in,
answer the plan's question with one key; a cable pulled mid-plan ends as a rig error with what to check.
Real simulated rigs on ptys, real pyserial, the real job manager and store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core import events_rigs as rev
from app.core.lifecycle import UnitState
from app.services.rig_bays import RigBayService, RigState
from app.services.rig_results import latest_functional_results
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store
from app.ui.rigs_tab import CHECK_JOB, RigsTab
from drivers.sim.rigs.faults import RigFaults
from drivers.sim.rigs.profiles import SimBench, start_bench
from tests.ui.conftest import Bench

PROTOCOL = {"load": "scpi", "dmm": "scpi", "psu": "scpi", "modem": "at", "console": "line"}


@pytest.fixture
def rig_benches(store: Store) -> Iterator[Callable[..., SimBench]]:
    """Start a simulated rig bench and bind its ports to a rig bay (stopped after the window)."""
    started: list[SimBench] = []

    def start(profile: str, bay: int, faults: dict[str, RigFaults] | None = None) -> SimBench:
        bench = start_bench(profile, faults)
        started.append(bench)
        for role, path in bench.ports.items():
            RigBayService(store).bind(bay, role, path, PROTOCOL[role])
        return bench

    yield start
    for bench in started:
        bench.stop()


def _open_rigs(bench: Bench) -> RigsTab:
    tab = bench.window.work_tab(RigsTab)
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F8)
    bench.qtbot.waitUntil(lambda: bench.window.tabs.currentWidget() is tab.page)
    return tab


def _row(tab: RigsTab, name: str) -> list[str]:
    model = tab.page.steps_model
    for row in range(model.rowCount()):
        item = model.item(row, 1)
        if item is not None and item.text() == name:
            return [model.item(row, c).text() for c in range(model.columnCount())]  # type: ignore[union-attr]
    raise AssertionError(f"no step {name!r}")


def _save(bench: Bench, name: str) -> None:
    """Saved when $REFURB_BENCH_SCREENSHOTS names a folder (resources/screenshots for the README's)."""
    bench.qtbot.wait(50)
    bench.screenshot(name)


@pytest.mark.gui
def test_a_charger_plan_runs_with_a_prompt_answered_by_a_key(
        rig_benches: Callable[..., SimBench], make_bench: Callable[..., Bench], qtbot: QtBot, store: Store) -> None:
    rig_benches("charger-bench", 1)
    rig_benches("modem", 2)
    bench = make_bench().login()
    tab = _open_rigs(bench)
    # Both bays' rigs are identified in the background and show model and firmware.
    qtbot.waitUntil(lambda: tab.page.bays_model.rowCount() == 3 and not bench.window.jobs.busy(CHECK_JOB)
                    and "ready" in tab.page.bays_model.item(0, 4).text(), timeout=10_000)  # type: ignore[union-attr]
    rigs = [tab.page.bays_model.item(r, 3).text() for r in range(3)]  # type: ignore[union-attr]
    assert rigs == ["RBSIM DMM-6500, firmware 1.1.0", "RBSIM ELOAD-150, firmware 2.0.1",
                    "RBSIM LTE-400, firmware LTE400R02A07M4G"]
    tab.page.select_bay(1)
    bench.scan("CHG65W004417")
    qtbot.waitUntil(lambda: tab.unit is not None)
    assert bench.window.tabs.currentWidget() is tab.page  # the scan put the unit on the rig; the tab stays
    # The load and meter suit the battery plan too: the technician moves down to the charger's.
    assert tab.page.chosen_plan_id() == "laptop-battery-discharge"
    tab.page.plan_combo.setFocus()
    qtbot.keyClick(tab.page.plan_combo, Qt.Key.Key_Down)
    assert tab.page.chosen_plan_id() == "laptop-charger-65w"
    qtbot.keyClick(tab.page.plan_combo, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    # The run reaches the operator's question with every measurement shown against its limits.
    qtbot.waitUntil(lambda: tab.page.prompt_label.isVisible(), timeout=20_000)
    sag = _row(tab, "Voltage at rated load (sag)")
    assert sag[3] == "18.6–21 V"
    assert sag[4] == "pass"
    assert 18.6 <= float(sag[2].split()[0]) <= 21.0
    assert _row(tab, "Visual check")[4] == "running"
    assert "Press Y for yes (pass) or N for no (fail)" in tab.page.prompt_label.text()
    _save(bench, "rigs-mid-plan")
    qtbot.keyClick(tab.page.steps_table, Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: not tab.controller.busy(1), timeout=10_000)
    assert _row(tab, "Visual check")[4] == "pass"
    assert _row(tab, "Load input off (cleanup)")[4] == "pass"
    assert tab.page.result_label.text() == "Rig bay 1: PASS — 11 of 11 steps passed"
    assert tab.unit is not None
    unit = queries.get_unit(store.db, tab.unit.unit_id)
    assert unit is not None
    assert unit.state is UnitState.TESTED
    types = [e.type for e in unit_events(store.db, unit.unit_id) if e.type.startswith("rig.")]
    assert types.count(rev.RIG_STEP_RECORDED) == 12
    visual = next(e for e in unit_events(store.db, unit.unit_id)
                  if e.type == rev.RIG_STEP_RECORDED and e.body["name"] == "Visual check")
    assert (visual.body["value"], visual.body["verdict"]) == ("y", "pass")
    assert latest_functional_results(store.db, unit.unit_id).functional() == {"power_output": "pass"}
    _save(bench, "rigs-passed")
    # The unit's timeline reads the run step by step, in words.
    qtbot.keyClick(bench.window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: bench.window.tabs.currentWidget() is bench.window.unit_page)
    bench.window.open_unit(unit.unit_id)
    model = bench.window.unit_page.timeline_model
    texts = [str(model.index(row, column).data()) for row in range(model.rowCount())
             for column in range(model.columnCount())]
    assert any(t.startswith("Test plan Laptop charger 65 W (20 V) under load v1 started in rig bay 1") for t in texts)
    assert any(t.startswith("Step 8 Voltage at rated load (sag): pass — ") and t.endswith(" V within 18.6–21 V")
               for t in texts)
    assert "Test plan laptop-charger-65w v1: pass — 11 of 11 steps passed" in texts
    _save(bench, "rigs-unit-timeline")


@pytest.mark.gui
def test_a_cable_pulled_mid_plan_ends_as_rig_error_and_keeps_the_steps(
        rig_benches: Callable[..., SimBench], make_bench: Callable[..., Bench], qtbot: QtBot, store: Store) -> None:
    rig_benches("modem", 1, {"modem": RigFaults(unplug_on="AT+CSQ")})
    bench = make_bench().login()
    tab = _open_rigs(bench)
    bench.scan("LTE400R00088")
    qtbot.waitUntil(lambda: tab.unit is not None)
    assert tab.page.chosen_plan_id() == "cellular-modem-at"
    qtbot.keyClick(tab.page.bays_table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tab.controller.busy(1) and bool(tab.page.result_label.text()), timeout=20_000)
    signal = _row(tab, "Signal quality (CSQ index)")
    assert signal[4] == "rig error"
    assert "check the USB/serial cable" in signal[5]
    assert _row(tab, "IMEI")[2:5] == ["353911061234564", "valid imei", "pass"]
    assert tab.page.result_label.text().startswith("Rig bay 1: RIG ERROR — 5 of 6 steps passed")
    assert "check the USB/serial cable" in bench.window.banner.text()
    assert tab.unit is not None
    unit = queries.get_unit(store.db, tab.unit.unit_id)
    assert unit is not None
    assert unit.state is UnitState.TESTING
    assert unit.identifier("imei") == "353911061234564"  # read before the pull, kept
    steps = [e.body for e in unit_events(store.db, unit.unit_id) if e.type == rev.RIG_STEP_RECORDED]
    assert [b["verdict"] for b in steps] == ["pass"] * 5 + ["rig error"]
    # The bay now says its rig is gone.
    qtbot.waitUntil(lambda: not bench.window.jobs.busy(CHECK_JOB) and RigState.ABSENT.value in
                    tab.page.bays_model.item(0, 4).text(), timeout=10_000)  # type: ignore[union-attr]
    _save(bench, "rigs-rig-error")


@pytest.mark.gui
def test_a_serial_port_event_rechecks_the_rigs(rig_benches: Callable[..., SimBench],
                                                make_bench: Callable[..., Bench], qtbot: QtBot) -> None:
    rig_benches("psu", 1)
    bench = make_bench().login()
    tab = bench.window.work_tab(RigsTab)
    qtbot.waitUntil(lambda: not bench.window.jobs.busy(CHECK_JOB), timeout=10_000)
    seen = tab.watcher.events_seen
    with qtbot.waitSignal(tab.watcher.changed, timeout=5_000):
        Path("/sys/class/tty/ttyS0/uevent").write_text("change")  # the kernel sends a real tty uevent
    assert tab.watcher.events_seen > seen
    qtbot.waitUntil(lambda: "ready" in tab.page.bays_model.item(0, 4).text(), timeout=10_000)  # type: ignore[union-attr]


@pytest.mark.gui
def test_the_rigs_scenario_puts_simulated_rigs_in_bays(qtbot: QtBot, store: Store, intake: object) -> None:
    from app.settings import Settings
    from app.ui.main_window import MainWindow

    window = MainWindow(store, Settings(), simulate="rigs")
    qtbot.addWidget(window)
    try:
        tab = window.work_tab(RigsTab)
        assert [(b.bay, b.role) for b in tab.bays.bindings()] == [(1, "dmm"), (1, "load"), (2, "modem"),
                                                                   (3, "console"), (3, "psu")]
        qtbot.waitUntil(lambda: not window.jobs.busy(CHECK_JOB), timeout=20_000)
        states = [tab.page.bays_model.item(r, 4).text() for r in range(5)]  # type: ignore[union-attr]
        # The set-top box's console is silent until its supply is switched on by the plan.
        assert states[:3] + states[4:] == ["ready"] * 4
        assert states[3].startswith("not answering")
    finally:
        window.shutdown()
    assert window.jobs.wait(5000)
