"""Plan runs recorded on the unit, against the simulated rigs over ptys and a real store: every step's
value as an event, the plan's verdict, identifiers into the record, the lifecycle, and the form grading
reads. A cable pulled mid-plan ends as a rig error with every finished step kept."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pytest

from app.core import events as ev
from app.core import events_rigs as rev
from app.core.errors import OperatorError
from app.core.identifiers import IdentifierKind
from app.core.lifecycle import UnitState
from app.core.models import Unit
from app.core.testplans import Verdict
from app.services.intake import IntakeService
from app.services.rig_plans import OperatorPrompt, PromptCancelled
from app.services.rig_results import latest_functional_results
from app.services.rig_tests import RigTestService, RunReport
from app.store import queries, rig_queries
from app.store.eventlog import unit_events
from app.store.store import Store
from drivers.rig.errors import RigDisconnected
from drivers.sim.rigs.faults import RigFaults
from drivers.sim.rigs.profiles import SimBench, start_bench

PROFILE_OF = {"laptop-charger-65w": "charger-bench", "laptop-battery-discharge": "battery-bench",
              "cellular-modem-at": "modem", "settop-box-post": "stb-bench"}


@pytest.fixture
def benches() -> Iterator[Callable[..., SimBench]]:
    started: list[SimBench] = []

    def start(profile: str, faults: Mapping[str, RigFaults] | None = None,
              dut: Mapping[str, object] | None = None) -> SimBench:
        started.append(start_bench(profile, faults, dut))
        return started[-1]

    yield start
    for bench in started:
        bench.stop()


def _unit(intake: IntakeService, serial: str) -> Unit:
    intake.login_badge("OP-0002")
    unit, _ = intake.add_unit(IdentifierKind.SERIAL, serial)
    return unit


def _run(store: Store, intake: IntakeService, bench: SimBench, plan_id: str, unit: Unit,
         answer: str = "y") -> RunReport:
    service = RigTestService(store, intake.operator)
    return service.run(unit, service.plan(plan_id), bench.ports, lambda _prompt: answer, bay=1)


def _types(store: Store, unit_id: str) -> list[str]:
    return [e.type for e in unit_events(store.db, unit_id) if e.type.startswith("rig.")]


def test_a_passing_charger_is_recorded_step_by_step(store: Store, intake: IntakeService,
                                                    benches: Callable[..., SimBench]) -> None:
    unit = _unit(intake, "CHG65W000101")
    report = _run(store, intake, benches("charger-bench"), "laptop-charger-65w", unit)
    assert report.outcome.verdict == "pass"
    assert report.outcome.summary == "11 of 11 steps passed"
    types = _types(store, unit.unit_id)
    assert types == [rev.RIG_TEST_STARTED] + [rev.RIG_STEP_RECORDED] * 12 + [rev.RIG_TEST_COMPLETED]
    started = next(e for e in unit_events(store.db, unit.unit_id) if e.type == rev.RIG_TEST_STARTED)
    assert started.body["rigs"]["load"]["model"] == "ELOAD-150"
    assert started.body["bay"] == 1
    assert intake.operator is not None
    assert started.operator_id == intake.operator.operator_id
    steps = [e.body for e in unit_events(store.db, unit.unit_id) if e.type == rev.RIG_STEP_RECORDED]
    sag = next(b for b in steps if b["name"] == "Voltage at rated load (sag)")
    assert (sag["unit"], sag["low"], sag["high"], sag["verdict"]) == ("V", "18.6", "21", "pass")
    assert 18.6 <= float(sag["value"]) <= 21.0
    assert "MEAS:VOLT:DC?" in sag["wire_log"]
    fresh = queries.get_unit(store.db, unit.unit_id)
    assert fresh is not None
    assert fresh.state is UnitState.TESTED
    results = latest_functional_results(store.db, unit.unit_id)
    assert results.functional() == {"power_output": "pass"}
    (run,) = results.runs
    assert [s.name for s in run.steps][-1] == "Load input off"
    assert next(s for s in run.steps if s.name == "Current at rated load").number == pytest.approx(3.25, abs=0.05)


def test_identifiers_read_go_into_the_record_but_not_the_sims(store: Store, intake: IntakeService,
                                                              benches: Callable[..., SimBench]) -> None:
    unit = _unit(intake, "LTE400SN0001")
    report = _run(store, intake, benches("modem"), "cellular-modem-at", unit)
    assert report.outcome.verdict == "pass"
    fresh = queries.get_unit(store.db, unit.unit_id)
    assert fresh is not None
    assert fresh.identifier("imei") == "353911061234564"
    assert fresh.identifier("iccid") is None  # the test SIM's, not the unit's
    assert queries.find_unit(store.db, "353911061234564") == fresh
    completed = next(e for e in unit_events(store.db, unit.unit_id) if e.type == rev.RIG_TEST_COMPLETED)
    assert completed.body["identifiers"] == {"imei": "353911061234564", "firmware": "LTE400R02A07M4G",
                                             "iccid": "8944501234567890123"}
    assert latest_functional_results(store.db, unit.unit_id).functional() == {"cellular": "pass"}


def test_an_imei_of_another_unit_is_a_warning_not_a_takeover(store: Store, intake: IntakeService,
                                                             benches: Callable[..., SimBench]) -> None:
    intake.login_badge("OP-0002")
    other, _ = intake.add_unit(IdentifierKind.IMEI, "353911061234564")
    unit = _unit(intake, "LTE400SN0002")
    report = _run(store, intake, benches("modem"), "cellular-modem-at", unit)
    assert report.outcome.verdict == "pass"
    assert report.outcome.warnings == (f"IMEI 353911061234564 already belongs to unit {other.label} — check which "
                                       "unit is on the rig",)
    assert queries.find_unit(store.db, "353911061234564") == queries.get_unit(store.db, other.unit_id)


def test_a_failing_unit_is_tested_and_fails_grading(store: Store, intake: IntakeService,
                                                    benches: Callable[..., SimBench]) -> None:
    unit = _unit(intake, "STB71A0000009")
    report = _run(store, intake, benches("stb-bench", dut={"failing_item": "Tuner"}), "settop-box-post", unit)
    assert report.outcome.verdict == "fail"
    assert "Tuner: fail" in report.outcome.summary
    fresh = queries.get_unit(store.db, unit.unit_id)
    assert fresh is not None
    assert fresh.state is UnitState.TESTED
    assert latest_functional_results(store.db, unit.unit_id).functional() == {"power": "fail", "self_test": "fail"}


def test_a_cable_pulled_mid_plan_is_a_rig_error_and_nothing_is_lost(store: Store, intake: IntakeService,
                                                                    benches: Callable[..., SimBench]) -> None:
    unit = _unit(intake, "CHG65W000102")
    bench = benches("charger-bench", {"load": RigFaults(unplug_on="MEAS:POW")})
    report = _run(store, intake, bench, "laptop-charger-65w", unit)
    assert report.outcome.verdict == "rig error"
    assert "Power delivered: rig error — Lost the connection" in report.outcome.summary
    steps = [e.body for e in unit_events(store.db, unit.unit_id) if e.type == rev.RIG_STEP_RECORDED]
    verdicts = {b["name"]: b["verdict"] for b in steps if not b["cleanup"]}
    # Every step measured before the pull is recorded with its value; the one that hit it says what to check.
    assert list(verdicts.values())[:9] == ["pass"] * 9
    assert verdicts["Power delivered"] == "rig error"
    assert verdicts["Visual check"] == "skipped"
    pulled = next(b for b in steps if b["name"] == "Power delivered")
    assert "check the USB/serial cable" in pulled["message"]
    assert all("value" in b for b in steps if b["kind"] == "measure" and b["verdict"] == "pass")
    fresh = queries.get_unit(store.db, unit.unit_id)
    assert fresh is not None
    assert fresh.state is UnitState.TESTING  # nothing was decided about the unit
    assert latest_functional_results(store.db, unit.unit_id).functional() == {"power_output": "not_tested"}
    # Cable back in: the retest passes, and grading reads the new run.
    again = _run(store, intake, benches("charger-bench"), "laptop-charger-65w", unit)
    assert again.outcome.verdict == "pass"
    assert latest_functional_results(store.db, unit.unit_id).functional() == {"power_output": "pass"}
    assert len(rig_queries.unit_runs(store.db, unit.unit_id)) == 2


def test_a_rig_that_cannot_be_reached_records_nothing(store: Store, intake: IntakeService,
                                                      benches: Callable[..., SimBench]) -> None:
    unit = _unit(intake, "CHG65W000103")
    bench = benches("charger-bench")
    ports = {**bench.ports, "dmm": "/dev/serial/by-id/usb-missing-dmm"}
    service = RigTestService(store, intake.operator)
    with pytest.raises(RigDisconnected, match="Cannot open /dev/serial/by-id/usb-missing-dmm"):
        service.run(unit, service.plan("laptop-charger-65w"), ports, lambda _p: "y")
    assert _types(store, unit.unit_id) == []
    fresh = queries.get_unit(store.db, unit.unit_id)
    assert fresh is not None
    assert fresh.state is UnitState.RECEIVED


def test_cancelling_at_a_prompt_decides_nothing(store: Store, intake: IntakeService,
                                                benches: Callable[..., SimBench]) -> None:
    unit = _unit(intake, "CHG65W000104")

    def walk_away(_prompt: OperatorPrompt) -> str:
        raise PromptCancelled

    service = RigTestService(store, intake.operator)
    report = service.run(unit, service.plan("laptop-charger-65w"), benches("charger-bench").ports, walk_away)
    visual = next(r for r in report.results if r.name == "Visual check")
    assert (visual.verdict, visual.message) == (Verdict.SKIPPED, "not answered: the run was cancelled")
    # The runner does not know the technician cancelled; the GUI's job says so when it finishes the run.
    assert report.outcome.verdict == "fail"


def test_a_graded_unit_is_not_put_on_a_rig(store: Store, intake: IntakeService,
                                           benches: Callable[..., SimBench]) -> None:
    unit = _unit(intake, "CHG65W000105")
    for before, after in (("received", "identified"), ("identified", "graded")):
        store.record(ev.UNIT_STATE_CHANGED, {"from": before, "to": after}, unit_id=unit.unit_id)
    service = RigTestService(store, intake.operator)
    with pytest.raises(OperatorError, match="is graded: it cannot be tested now"):
        service.run(unit, service.plan("laptop-charger-65w"), benches("charger-bench").ports, lambda _p: "y")
    assert _types(store, unit.unit_id) == []


def test_the_plan_offered_follows_the_bay_and_the_unit(store: Store, intake: IntakeService,
                                                       benches: Callable[..., SimBench]) -> None:
    service = RigTestService(store, intake.operator)

    def offered(unit_id: str | None, roles: set[str], bay: int) -> str | None:
        plan = service.offer_plan(unit_id, roles, bay)
        return plan.plan_id if plan is not None else None

    assert offered(None, {"modem"}, 3) == "cellular-modem-at"
    assert offered(None, {"console"}, 3) is None  # the set-top plan needs a supply too
    unit = _unit(intake, "BAT3S0000001")
    service.run(unit, service.plan("laptop-battery-discharge"), benches("battery-bench").ports, lambda _p: "y",
                bay=2)
    assert offered(None, {"load", "dmm"}, 2) == "laptop-battery-discharge"  # what bay 2 ran last
    assert offered(unit.unit_id, {"load", "dmm"}, 5) == "laptop-battery-discharge"  # what the unit was tested as


def test_projections_rebuild_to_the_same_rig_tables(store: Store, intake: IntakeService,
                                                    benches: Callable[..., SimBench]) -> None:
    unit = _unit(intake, "LTE400SN0003")
    _run(store, intake, benches("modem", {"modem": RigFaults(drop_reply_to="AT+CPIN")}), "cellular-modem-at", unit)
    store.record(rev.RIG_BOUND, {"bay": 4, "role": "modem", "port": "/dev/serial/by-id/usb-x", "protocol": "at"})
    before = (rig_queries.unit_runs(store.db, unit.unit_id), rig_queries.bindings(store.db))
    store.rebuild_projections()
    assert (rig_queries.unit_runs(store.db, unit.unit_id), rig_queries.bindings(store.db)) == before
    assert before[0][0].verdict == "rig error"
