"""Every shipped test plan against its simulated bench, over ptys and real pyserial: a good unit
passes, and each injected fault ends the right step with the right verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from app.core.testplans import PlanResult, Verdict
from app.core.testplans_loader import load_plans
from app.services.rig_plans import OperatorPrompt, PlanRunner, close_rigs, connect_plan_rigs
from drivers.rig.errors import RigGarbled
from drivers.sim.rigs.faults import RigFaults
from drivers.sim.rigs.profiles import SimBench, start_bench

PLANS = {plan.plan_id: plan for plan in load_plans(Path(__file__).parents[2] / "resources" / "testplans" / "rigs")}
PROFILE_OF = {"laptop-charger-65w": "charger-bench", "laptop-battery-discharge": "battery-bench",
              "cellular-modem-at": "modem", "settop-box-post": "stb-bench"}


@pytest.fixture
def run_plan() -> Iterator[Callable[..., tuple[PlanResult, list[OperatorPrompt]]]]:
    benches: list[SimBench] = []

    def run(plan_id: str, faults: Mapping[str, RigFaults] | None = None, dut: Mapping[str, object] | None = None,
            answer: str = "y") -> tuple[PlanResult, list[OperatorPrompt]]:
        plan = PLANS[plan_id]
        benches.append(start_bench(PROFILE_OF[plan_id], faults, dut))
        asked: list[OperatorPrompt] = []

        def prompt(question: OperatorPrompt) -> str:
            asked.append(question)
            return answer

        rigs = connect_plan_rigs(plan, benches[-1].ports)
        try:
            return PlanRunner(plan, rigs, prompt).run(), asked
        finally:
            close_rigs(rigs)

    yield run
    for bench in benches:
        bench.stop()


def _step(result: PlanResult, name: str) -> Verdict:
    return next(r.verdict for r in result.results if r.name == name and not r.cleanup)


def test_every_plan_has_a_simulator() -> None:
    assert set(PLANS) == set(PROFILE_OF)


@pytest.mark.parametrize("plan_id", sorted(PROFILE_OF))
def test_a_good_unit_passes_every_step(run_plan: Callable[..., tuple[PlanResult, list[OperatorPrompt]]],
                                       plan_id: str) -> None:
    result, _ = run_plan(plan_id)
    problems = [(r.name, r.verdict, r.message) for r in result.results if r.verdict is not Verdict.PASS]
    assert problems == []
    assert result.verdict is Verdict.PASS
    for step in result.results:
        if step.limits is not None:
            assert isinstance(step.value, float)
            assert step.limits.contains(step.value)
            assert step.wire_log  # what went over the cable is kept with every rig step


def test_identifiers_go_into_the_record(run_plan: Callable[..., tuple[PlanResult, list[OperatorPrompt]]]) -> None:
    modem, _ = run_plan("cellular-modem-at")
    assert dict(modem.identifiers) == {"imei": "353911061234564", "firmware": "LTE400R02A07M4G",
                                       "iccid": "8944501234567890123"}
    box, asked = run_plan("settop-box-post")
    assert dict(box.identifiers) == {"mac": "00:1A:2B:3C:4D:5E", "firmware": "STB-7100-4.2.17"}
    assert [q.step_name for q in asked] == ["Front panel"]


FAULTS = [
    # plan, rig faults, unit faults, operator's key, the step that must not pass, its verdict
    ("laptop-charger-65w", {}, {"output_resistance": 0.6}, "y", "Voltage at rated load (sag)", Verdict.FAIL),
    ("laptop-charger-65w", {}, {"current_limit": 2.0}, "y", "Voltage at rated load (sag)", Verdict.FAIL),
    ("laptop-charger-65w", {}, {}, "n", "Visual check", Verdict.FAIL),
    ("laptop-charger-65w", {}, {}, "x", "Visual check", Verdict.FAIL),
    ("laptop-charger-65w", {"load": RigFaults(drop_reply_to="MEAS:POW")}, {}, "y", "Power delivered",
     Verdict.RIG_ERROR),
    ("laptop-charger-65w", {"dmm": RigFaults(stall_reply_to="MEAS:VOLT")}, {}, "y", "Open-circuit voltage",
     Verdict.RIG_ERROR),
    ("laptop-charger-65w", {"load": RigFaults(noise_on="MEAS:CURR")}, {}, "y", "Current at rated load",
     Verdict.RIG_ERROR),
    ("laptop-charger-65w", {"load": RigFaults(partial_reply_to="MEAS:VOLT")}, {}, "y", "Voltage at 1 A",
     Verdict.RIG_ERROR),
    ("laptop-charger-65w", {"load": RigFaults(unplug_on="CURR 3.25")}, {}, "y", "Load to rated 3.25 A",
     Verdict.RIG_ERROR),
    ("laptop-battery-discharge", {}, {"internal_resistance": 0.6}, "y", "Voltage under 2 A (internal resistance)",
     Verdict.FAIL),
    ("laptop-battery-discharge", {}, {"thermistor_ohms": float("inf")}, "y", "Thermistor (pack temperature sense)",
     Verdict.FAIL),
    ("laptop-battery-discharge", {}, {"state_of_charge": 0.3}, "y", "Open-circuit voltage (state of charge)",
     Verdict.FAIL),
    ("cellular-modem-at", {}, {"corrupt_imei": True}, "y", "IMEI", Verdict.FAIL),
    ("cellular-modem-at", {}, {"sim": "ABSENT"}, "y", "Test SIM ready", Verdict.FAIL),
    ("cellular-modem-at", {}, {"sim": "PIN"}, "y", "Test SIM ready", Verdict.FAIL),
    ("cellular-modem-at", {}, {"csq": 99}, "y", "Signal quality (CSQ index)", Verdict.FAIL),
    ("cellular-modem-at", {"modem": RigFaults(drop_reply_to="AT+CPIN")}, {}, "y", "Test SIM ready",
     Verdict.RIG_ERROR),
    ("cellular-modem-at", {"modem": RigFaults(unplug_on="AT+CSQ")}, {}, "y", "Signal quality (CSQ index)",
     Verdict.RIG_ERROR),
    ("settop-box-post", {}, {"failing_item": "Tuner"}, "y", "Tuner", Verdict.FAIL),
    ("settop-box-post", {}, {"mac": "00:00:00:00:00:00"}, "y", "MAC address", Verdict.FAIL),
    ("settop-box-post", {}, {"idle_amps": 1.5}, "y", "Idle supply current", Verdict.FAIL),
    ("settop-box-post", {"console": RigFaults(wrong_baud=True)}, {}, "y", "Boot starts", Verdict.RIG_ERROR),
    ("settop-box-post", {"psu": RigFaults(noise_on="MEAS:CURR")}, {}, "y", "Idle supply current", Verdict.RIG_ERROR),
    ("settop-box-post", {"psu": RigFaults(unplug_on="VOLT")}, {}, "y", "Supply 12 V", Verdict.RIG_ERROR),
    ("settop-box-post", {}, {"min_volts": 12.5}, "y", "Boot starts", Verdict.RIG_ERROR),
    ("settop-box-post", {}, {}, "n", "Front panel", Verdict.FAIL),
    ("laptop-battery-discharge", {"dmm": RigFaults(stall_reply_to="MEAS:RES")}, {}, "y",
     "Thermistor (pack temperature sense)", Verdict.RIG_ERROR),
    ("laptop-battery-discharge", {"load": RigFaults(partial_reply_to="MEAS:CURR")}, {}, "y", "Discharge current",
     Verdict.RIG_ERROR),
    ("laptop-battery-discharge", {"load": RigFaults(unplug_on="MEAS:POW")}, {}, "y", "Power delivered",
     Verdict.RIG_ERROR),
    ("cellular-modem-at", {"modem": RigFaults(noise_on="AT+CGSN")}, {}, "y", "IMEI", Verdict.RIG_ERROR),
    ("cellular-modem-at", {"modem": RigFaults(partial_reply_to="AT+CSQ")}, {}, "y", "Signal quality (CSQ index)",
     Verdict.RIG_ERROR),
    ("cellular-modem-at", {"modem": RigFaults(stall_reply_to="AT+CCID", stall_seconds=6.0)}, {}, "y", "SIM ICCID",
     Verdict.RIG_ERROR),
]


@pytest.mark.parametrize(("plan_id", "faults", "dut", "answer", "step", "verdict"), FAULTS,
                         ids=[f"{f[0]}-{f[4]}-{next(iter(f[1] or f[2] or {'key': f[3]}))}" for f in FAULTS])
def test_a_fault_fails_the_right_step(run_plan: Callable[..., tuple[PlanResult, list[OperatorPrompt]]],
                                      plan_id: str, faults: dict[str, RigFaults], dut: dict[str, object],
                                      answer: str, step: str, verdict: Verdict) -> None:
    result, _ = run_plan(plan_id, faults, dut, answer)
    first = result.first_problem()
    assert first is not None
    assert (first.name, first.verdict) == (step, verdict), first.message
    assert _step(result, step) is verdict
    assert result.verdict is verdict
    # Everything after it was skipped (the plans stop on failure); cleanup still ran.
    later = [r for r in result.results if not r.cleanup and r.index > first.index]
    assert all(r.verdict is Verdict.SKIPPED for r in later)
    if verdict is Verdict.RIG_ERROR:
        assert " — check " in first.message
        assert first.wire_log


def test_wrong_baud_rate_is_refused_at_connect() -> None:
    plan = PLANS["laptop-charger-65w"]
    with (start_bench("charger-bench", {"dmm": RigFaults(wrong_baud=True)}) as bench,
          pytest.raises(RigGarbled, match="unreadable bytes") as caught):
        connect_plan_rigs(plan, bench.ports)
    assert "baud rate" in str(caught.value)


def test_cleanup_switches_the_load_off_after_a_failure(
        run_plan: Callable[..., tuple[PlanResult, list[OperatorPrompt]]]) -> None:
    result, _ = run_plan("laptop-charger-65w", {}, {"output_resistance": 0.6})
    cleanup = [r for r in result.results if r.cleanup]
    assert [(r.name, r.verdict) for r in cleanup] == [("Load input off", Verdict.PASS)]
    assert "INP OFF" in cleanup[0].wire_log


