"""Grading inputs from what the bench already recorded about a unit, merged with the inspection.

The phone checks (``phone.*`` events), rig plan runs (``rig.test_completed``) and erasures
(``erasure.completed``, ``phone.reset_completed``) give the functional results, the battery health,
the locks and the sanitisation status; the technician's inspection gives the cosmetic zones, parts,
the battery's look, and whatever no device reported. A recorded fact always wins over a typed one
for the same field, and :class:`Merged` says where every section came from, for the grade event.

Event types are named here as strings (not imported from their domains' modules) because grading
reads them as recorded facts: a type this build does not know is simply not a source.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.models import Event

ERASURE_COMPLETED = "erasure.completed"
PHONE_RESET_COMPLETED = "phone.reset_completed"
PHONE_IDENTIFIED = "phone.identified"
PHONE_BATTERY_READ = "phone.battery_read"
PHONE_BLOCKERS_CHECKED = "phone.blockers_checked"
PHONE_CHECK_RECORDED = "phone.check_recorded"
PHONE_PLAN_STARTED = "phone.plan_started"
PHONE_PLAN_FINISHED = "phone.plan_finished"
RIG_TEST_COMPLETED = "rig.test_completed"

# Which ruleset tests a phone plan step answers (steps not listed answer a test of their own name).
# A step that answers none still counts when it fails or goes unanswered, under its own name.
PHONE_STEP_TESTS: dict[str, tuple[str, ...]] = {
    "speakers": ("speaker",),
    "cameras": ("camera_rear", "camera_front"),
    "cameras_photo": ("camera_rear", "camera_front"),
    "vibration": (),
    "storage": (),
}
_PHONE_OUTCOMES = {"pass": "pass", "fail": "fail"}  # skipped / could_not_check answer nothing
_NOT_TESTED = "not_tested"
_LOCK_KINDS = {"frp": "frp", "mdm": "mdm", "carrier_lock": "carrier", "activation_lock": "activation",
               "blocklist": "blocklisted"}
BLOCKING_LOCKS = ("activation", "frp", "mdm", "blocklisted")
# The phone's battery health as recorded: Android's BatteryManager code (drivers/android/models.py
# BatteryHealth, also used for the iPhone gauge's failure flag) or its name.
_HEALTH_GOOD = frozenset({2, "good"})
_HEALTH_FAULTS: dict[object, str] = {
    3: "overheat", 4: "dead", 5: "over_voltage", 6: "failure",
    "overheat": "overheat", "dead": "dead", "over_voltage": "over_voltage", "unspecified_failure": "failure",
    "failure": "failure",
}


@dataclass(frozen=True)
class Recorded:
    """Input sections read from a unit's events, and which event each came from."""

    sections: Mapping[str, Any]
    sources: Mapping[str, str]


@dataclass(frozen=True)
class Merged:
    inputs: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)


def _storage_text(value: object) -> str:
    if isinstance(value, int) and value > 0:
        gigabytes = value / 1e9
        for size in (8, 16, 32, 64, 128, 256, 512, 1024, 2048):
            if gigabytes <= size * 1.05:
                return f"{size}GB" if size < 1024 else f"{size // 1024}TB"
    return ""


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read_battery(known: dict[str, Any], battery: Mapping[str, Any]) -> bool:
    """Lay one battery reading over what earlier ones said, field by field; True if it said anything."""
    said = False
    if _number(battery.get("capacity_pct")):
        known["health_pct"] = battery["capacity_pct"]
        said = True
    if isinstance(battery.get("cycle_count"), int) and not isinstance(battery["cycle_count"], bool):
        known["cycles"] = battery["cycle_count"]
        said = True
    health = battery.get("health")
    health = health.lower() if isinstance(health, str) else health
    if not isinstance(health, bool) and health in _HEALTH_FAULTS:
        known["fault"] = _HEALTH_FAULTS[health]
        said = True
    elif not isinstance(health, bool) and health in _HEALTH_GOOD:
        known.pop("fault", None)
        said = True
    if isinstance(battery.get("swollen"), bool):
        if battery["swollen"]:
            known["condition"] = "swollen"
        else:
            known.pop("condition", None)  # the look stays the technician's
        said = True
    return said


def _read_locks(blockers: object) -> dict[str, bool] | None:
    """The locks one blocker check saw: present counts, absent clears, unknown leaves the lock unanswered.
    Kinds the platform has no check for (an Android's activation lock) are not locks it can have."""
    if not isinstance(blockers, list):
        return None
    found = {b.get("kind"): b.get("status") for b in blockers if isinstance(b, dict)}
    if "all" in found:
        return None  # the check could not run at all
    locks: dict[str, bool | None] = dict.fromkeys((*BLOCKING_LOCKS, "carrier"), False)
    for kind, status in found.items():
        if kind in _LOCK_KINDS:
            locks[_LOCK_KINDS[kind]] = {"present": True, "absent": False}.get(str(status))
    if not any(kind in _LOCK_KINDS and status in ("present", "absent") for kind, status in found.items()):
        return None  # it saw no lock either way
    return {kind: value for kind, value in locks.items() if value is not None}


@dataclass
class _PhoneSteps:
    """Each plan step's result from the newest run that recorded it, and each plan's newest run."""

    run_order: dict[str, int] = field(default_factory=dict)  # run_id -> seq of its plan_started
    run_plan: dict[str, str] = field(default_factory=dict)
    newest_run: dict[str, str] = field(default_factory=dict)  # plan_id -> run_id
    results: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)  # step -> order, seq, run, outcome
    verdicts: dict[str, tuple[str, str]] = field(default_factory=dict)  # plan_id -> run_id, verdict

    def started(self, event: Event) -> None:
        run, plan = str(event.body.get("run_id", "")), str(event.body.get("plan_id", ""))
        self.run_order[run] = event.seq
        self.run_plan[run] = plan
        self.newest_run[plan] = run

    def checked(self, event: Event) -> None:
        run = str(event.body.get("run_id", ""))
        order = self.run_order.get(run, 0)
        step = str(event.body.get("step", ""))
        if step not in self.results or order >= self.results[step][0]:
            self.results[step] = (order, event.seq, run, str(event.body.get("outcome", "")))

    def finished(self, event: Event) -> None:
        run = str(event.body.get("run_id", ""))
        plan = self.run_plan.get(run, str(event.body.get("plan_id", "")))
        self.verdicts[plan] = (run, str(event.body.get("verdict", "")))

    def answers(self) -> dict[str, tuple[int, str | None]]:
        """test -> (seq, outcome); an outcome of None: the newest run could not answer it."""
        out: dict[str, tuple[int, str | None]] = {}
        for step, (_, seq, _, outcome) in self.results.items():
            answer = _PHONE_OUTCOMES.get(outcome)
            tests = PHONE_STEP_TESTS.get(step, (step,))
            if tests:
                for test in tests:
                    out[test] = (seq, answer)
            elif answer != "pass":
                out[step] = (seq, answer or _NOT_TESTED)
        for plan, (run, verdict) in self.verdicts.items():
            if self.newest_run.get(plan, run) != run:
                continue  # a newer run of the plan supersedes this verdict step by step
            outcomes = {o for _, _, r, o in self.results.values() if r == run}
            seq = max((s for _, s, r, _ in self.results.values() if r == run), default=0)
            # The verdict is the plan's own word: a failed or incomplete run never reads as all passed.
            if verdict == "failed" and "fail" not in outcomes:
                out[plan] = (seq, "fail")
            elif verdict not in ("passed", "failed") and outcomes <= {"pass"}:
                out[plan] = (seq, _NOT_TESTED)
        return out


def recorded_inputs(events: Iterable[Event]) -> Recorded:
    """Every section the unit's events can answer; the latest fact of each kind wins."""
    sections: dict[str, Any] = {}
    sources: dict[str, str] = {}
    functional: dict[str, tuple[int, str]] = {}  # test -> (seq, outcome)
    functional_from: set[str] = set()
    battery: dict[str, Any] = {}
    phone = _PhoneSteps()
    for event in events:
        body = event.body
        where = f"{event.type} #{event.seq}"
        if event.type == PHONE_IDENTIFIED:
            identity = body.get("identity", {})
            device = {k: v for k, v in (("model", identity.get("model")), ("colour", identity.get("colour")),
                                        ("storage", _storage_text(identity.get("storage_bytes")))) if v}
            if device:
                sections["device"] = device
                sources["device"] = where
        elif event.type == PHONE_BATTERY_READ:
            if isinstance(body.get("battery"), dict) and _read_battery(battery, body["battery"]):
                sections["battery"] = {"chemistry": "li-ion", **battery}
                sources["battery"] = where
        elif event.type == PHONE_BLOCKERS_CHECKED:
            locks = _read_locks(body.get("blockers"))
            if locks is not None:
                sections["locks"] = locks
                sources["locks"] = where
        elif event.type == PHONE_PLAN_STARTED:
            phone.started(event)
        elif event.type == PHONE_CHECK_RECORDED:
            phone.checked(event)
        elif event.type == PHONE_PLAN_FINISHED:
            phone.finished(event)
        elif event.type == RIG_TEST_COMPLETED:
            verdict = _PHONE_OUTCOMES.get(body.get("verdict", ""))
            if verdict is None:
                continue  # a rig error or a cancelled run says nothing about the unit
            for test in body.get("grading_tests") or [body.get("plan_id", "")]:
                functional[test] = (event.seq, verdict)
                functional_from.add(RIG_TEST_COMPLETED)
        elif event.type in (ERASURE_COMPLETED, PHONE_RESET_COMPLETED):
            outcome = body.get("outcome")
            if outcome == "interrupted":
                continue
            status = "passed" if outcome == "passed" and body.get("certificate_id") else "failed"
            sanitisation = {"status": status}
            if status == "passed":
                sanitisation["certificate_id"] = body["certificate_id"]
            sections["sanitisation"] = sanitisation
            sources["sanitisation"] = where
    for test, (seq, answer) in phone.answers().items():
        # Unanswered by the phone's newest run: an older run's answer is gone, a rig's still stands.
        if answer is not None and (test not in functional or seq > functional[test][0]):
            functional[test] = (seq, answer)
            functional_from.add(PHONE_CHECK_RECORDED)
    if functional:
        sections["functional"] = {test: outcome for test, (_, outcome) in functional.items()}
        sources["functional"] = " + ".join(sorted(functional_from))
    return Recorded(sections, sources)


def merge(recorded: Recorded, inspection: Mapping[str, Any]) -> Merged:
    """The inspection with every recorded fact laid over it (recorded wins field by field)."""
    out = copy.deepcopy(dict(inspection))
    sources = dict.fromkeys(out, "inspection")
    for key, value in recorded.sections.items():
        if key == "functional" and isinstance(out.get(key), dict):
            # A test a plan could not finish is the technician's to answer; a recorded pass or fail wins.
            answered = {test: outcome for test, outcome in value.items()
                        if outcome != _NOT_TESTED or test not in out[key]}
            out[key] = {**out[key], **answered}
            sources[key] = f"{recorded.sources[key]} + inspection"
        elif key == "locks" and isinstance(out.get(key), dict):
            # A lock anyone found counts; a lock the check could not see takes the technician's answer.
            typed = out[key]
            out[key] = {lock: True if True in (value.get(lock), typed.get(lock)) else value.get(lock, typed.get(lock))
                        for lock in dict.fromkeys((*typed, *value))}
            sources[key] = f"{recorded.sources[key]} + inspection"
        elif key in ("battery", "device") and isinstance(out.get(key), dict):
            # Field by field: tests no device answered, and the battery's look, stay as inspected.
            out[key] = {**out[key], **value}
            sources[key] = f"{recorded.sources[key]} + inspection"
        else:
            out[key] = copy.deepcopy(value)
            sources[key] = recorded.sources[key]
    return Merged(out, sources)
