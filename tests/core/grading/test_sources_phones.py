"""Phone facts as grading reads them from recorded events: locks one by one (present always counts, unknown
stays unanswered), the battery field by field (cycles, health state, swelling), and step results from the
newest run of each step with the plan's verdict read (failed or incomplete is never all passed)."""

from __future__ import annotations

from typing import Any

from app.core.grading import GradingInputs, Ruleset, load_ruleset, missing_inputs
from app.core.grading.questions import questions
from app.core.grading.sources import merge, recorded_inputs
from app.core.models import Event
from tests.core.grading.support import RULESETS, TESTS, clean_unit


def ruleset() -> Ruleset:
    return load_ruleset(RULESETS / "phones-ctia-r2-v1.toml")


def _events(*facts: tuple[str, dict[str, Any]]) -> list[Event]:
    return [Event(stream_id="s", seq=i, event_id=f"e{i}", type=kind, schema_version=1, occurred_at="t",
                  operator_id=None, unit_id="U-1", body=body) for i, (kind, body) in enumerate(facts, start=1)]


def _blockers(**statuses: str) -> tuple[str, dict[str, Any]]:
    return ("phone.blockers_checked", {"blockers": [{"kind": k, "status": s} for k, s in statuses.items()]})


def _asked(sections: dict[str, Any]) -> list[str]:
    return [q.key for q in questions(sections, TESTS, ["iPhone 13"], "iPhone 13")]


def test_a_present_lock_counts_though_another_is_unknown() -> None:
    recorded = recorded_inputs(_events(_blockers(activation_lock="present", mdm="absent", carrier_lock="unknown")))
    locks = recorded.sections["locks"]
    assert locks == {"activation": True, "mdm": False, "frp": False, "blocklisted": False}
    assert "locks.none" not in _asked(dict(recorded.sections))  # one lock present settles resale
    merged = merge(recorded, clean_unit())  # even a technician's "no locks" does not lift it
    assert GradingInputs.from_dict(merged.inputs).locks.blocking() == ("activation lock",)  # type: ignore[union-attr]


def test_an_unknown_lock_with_none_present_is_asked_and_a_typed_lock_is_kept() -> None:
    recorded = recorded_inputs(_events(_blockers(frp="unknown", mdm="absent", carrier_lock="absent")))
    assert "frp" not in recorded.sections["locks"]
    assert "locks.none" in _asked(dict(recorded.sections))
    typed = clean_unit()
    typed["locks"] = {"activation": True, "frp": False, "mdm": False, "blocklisted": False}  # answered "N"
    inputs = GradingInputs.from_dict(merge(recorded, typed).inputs)
    assert inputs.locks is not None
    assert inputs.locks.blocking() == ("activation lock",)
    assert recorded_inputs(_events(_blockers(all="unknown"))).sections == {}
    assert recorded_inputs(_events(_blockers(frp="unknown", mdm="unknown"))).sections == {}


def test_a_newer_check_replaces_an_older_one() -> None:
    recorded = recorded_inputs(_events(_blockers(frp="present", mdm="absent"), _blockers(frp="absent", mdm="absent")))
    assert recorded.sections["locks"]["frp"] is False
    assert recorded.sources["locks"] == "phone.blockers_checked #2"


def test_a_known_cycle_count_is_kept_when_the_capacity_is_unknown() -> None:
    recorded = recorded_inputs(_events(("phone.battery_read", {"battery": {"cycle_count": 640, "health": 2}})))
    assert recorded.sections["battery"] == {"chemistry": "li-ion", "cycles": 640}
    assert "battery.health_pct" in _asked(dict(recorded.sections))
    merged = merge(recorded, {**clean_unit(), "battery": {"condition": "normal", "health_pct": 86}})
    assert merged.inputs["battery"] == {"condition": "normal", "health_pct": 86, "chemistry": "li-ion", "cycles": 640}


def test_battery_health_state_and_swelling_are_read() -> None:
    dead = recorded_inputs(_events(("phone.battery_read", {"battery": {"capacity_pct": 90, "health": 4}})))
    assert dead.sections["battery"]["fault"] == "dead"
    hot = recorded_inputs(_events(("phone.battery_read", {"battery": {"health": "overheat"}})))
    assert hot.sections["battery"] == {"chemistry": "li-ion", "fault": "overheat"}
    swollen = recorded_inputs(_events(("phone.battery_read", {"battery": {"capacity_pct": 95, "swollen": True}})))
    merged = merge(swollen, clean_unit())  # the technician saw a normal battery; the phone says swollen
    inputs = GradingInputs.from_dict(merged.inputs)
    assert inputs.battery is not None
    assert inputs.battery.condition.value == "swollen"
    cleared = recorded_inputs(_events(("phone.battery_read", {"battery": {"capacity_pct": 70, "health": 6}}),
                                      ("phone.battery_read", {"battery": {"cycle_count": 10, "health": 2}})))
    assert cleared.sections["battery"] == {"chemistry": "li-ion", "health_pct": 70, "cycles": 10}
    cold = recorded_inputs(_events(("phone.battery_read", {"battery": {"health": 7}})))
    assert cold.sections == {}  # cold is the room, not the battery


def test_a_failed_battery_fails_the_grade_and_recomputes_the_same() -> None:
    recorded = recorded_inputs(_events(("phone.battery_read", {"battery": {"capacity_pct": 92, "health": 5}})))
    inputs = GradingInputs.from_dict(merge(recorded, clean_unit()).inputs)
    assert inputs.battery is not None
    assert inputs.battery.fault is not None
    assert GradingInputs.from_dict(inputs.to_dict()) == inputs


def _plan(run: str, plan: str = "phone-ios") -> tuple[str, dict[str, Any]]:
    return ("phone.plan_started", {"run_id": run, "plan_id": plan, "plan_version": 1, "steps": []})


def _check(run: str, step: str, outcome: str) -> tuple[str, dict[str, Any]]:
    return ("phone.check_recorded", {"run_id": run, "step": step, "kind": "guided", "outcome": outcome})


def _finished(run: str, verdict: str, plan: str = "phone-ios") -> tuple[str, dict[str, Any]]:
    return ("phone.plan_finished", {"run_id": run, "plan_id": plan, "verdict": verdict, "counts": {}})


def test_only_the_newest_run_of_each_step_counts() -> None:
    recorded = recorded_inputs(_events(
        _plan("T-1"), _check("T-1", "display", "pass"), _check("T-1", "touch", "fail"),
        _check("T-1", "microphone", "pass"), _finished("T-1", "failed"),
        _plan("T-2"), _check("T-2", "display", "could_not_check"), _check("T-2", "touch", "pass"),
        _finished("T-2", "incomplete"),
    ))
    functional = recorded.sections["functional"]
    assert "display" not in functional  # the newest run could not check it: still to be answered
    assert functional["touch"] == "pass"
    assert functional["microphone"] == "pass"  # not re-run: the older run's result stands
    assert "display" in [k.split(".", 1)[1] for k in _asked(dict(recorded.sections)) if k.startswith("test.")]


def test_a_rig_result_stands_when_the_phone_could_not_check() -> None:
    recorded = recorded_inputs(_events(
        ("rig.test_completed", {"verdict": "pass", "grading_tests": ["charging"]}),
        _plan("T-1"), _check("T-1", "charging", "could_not_check"), _finished("T-1", "incomplete"),
    ))
    assert recorded.sections["functional"]["charging"] == "pass"


def test_an_unfinished_or_failed_step_outside_the_ruleset_is_not_a_pass() -> None:
    recorded = recorded_inputs(_events(
        _plan("T-1"), _check("T-1", "vibration", "skipped"), _check("T-1", "storage", "fail"),
        _finished("T-1", "failed"),
    ))
    assert recorded.sections["functional"] == {"vibration": "not_tested", "storage": "fail"}
    assert "test.vibration" in _asked(dict(recorded.sections))
    everything = clean_unit()
    inputs = GradingInputs.from_dict(merge(recorded, everything).inputs)
    assert "the vibration test result" in missing_inputs(inputs, ruleset())
    typed = {**everything, "functional": {**everything["functional"], "vibration": "pass"}}
    inputs = GradingInputs.from_dict(merge(recorded, typed).inputs)  # the technician's answer fills the gap
    assert missing_inputs(inputs, ruleset()) == ()
    assert dict(inputs.functional or ())["storage"].value == "fail"


def test_the_plan_verdict_is_read_when_no_step_says_so() -> None:
    incomplete = recorded_inputs(_events(_plan("T-1"), _check("T-1", "display", "pass"),
                                         _finished("T-1", "incomplete")))
    assert incomplete.sections["functional"] == {"display": "pass", "phone-ios": "not_tested"}
    failed = recorded_inputs(_events(_plan("T-1"), _check("T-1", "display", "pass"), _finished("T-1", "failed")))
    assert failed.sections["functional"]["phone-ios"] == "fail"
    passed = recorded_inputs(_events(_plan("T-1"), _check("T-1", "display", "pass"), _finished("T-1", "passed")))
    assert passed.sections["functional"] == {"display": "pass"}
    superseded = recorded_inputs(_events(_plan("T-1"), _check("T-1", "display", "pass"),
                                         _finished("T-1", "incomplete"), _plan("T-2"),
                                         _check("T-2", "display", "pass")))
    assert superseded.sections["functional"] == {"display": "pass"}  # the newer run answers step by step
