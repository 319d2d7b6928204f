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
RIG_TEST_COMPLETED = "rig.test_completed"

# Which ruleset tests a phone plan step answers (steps not listed answer a test of their own name).
PHONE_STEP_TESTS: dict[str, tuple[str, ...]] = {
    "speakers": ("speaker",),
    "cameras": ("camera_rear", "camera_front"),
    "cameras_photo": ("camera_rear", "camera_front"),
    "vibration": (),
    "storage": (),
}
_PHONE_OUTCOMES = {"pass": "pass", "fail": "fail"}  # skipped / could_not_check answer nothing
_LOCK_KINDS = {"frp": "frp", "mdm": "mdm", "carrier_lock": "carrier", "activation_lock": "activation",
               "blocklist": "blocklisted"}


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


def recorded_inputs(events: Iterable[Event]) -> Recorded:
    """Every section the unit's events can answer; the latest fact of each kind wins."""
    sections: dict[str, Any] = {}
    sources: dict[str, str] = {}
    functional: dict[str, str] = {}
    functional_from: set[str] = set()
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
            battery = body.get("battery", {})
            reading: dict[str, Any] = {"chemistry": "li-ion"}
            if isinstance(battery.get("capacity_pct"), (int, float)):
                reading["health_pct"] = battery["capacity_pct"]
            if isinstance(battery.get("cycle_count"), int):
                reading["cycles"] = battery["cycle_count"]
            if "health_pct" in reading:
                sections["battery"] = reading
                sources["battery"] = where
        elif event.type == PHONE_BLOCKERS_CHECKED:
            found = {b.get("kind"): b.get("status") for b in body.get("blockers", [])}
            if "all" in found or "unknown" in found.values():
                continue  # a check that could not see every lock answers nothing
            locks = {"activation": False, "frp": False, "mdm": False, "blocklisted": False, "carrier": False}
            for kind, status in found.items():
                if kind in _LOCK_KINDS:
                    locks[_LOCK_KINDS[kind]] = status == "present"
            sections["locks"] = locks
            sources["locks"] = where
        elif event.type == PHONE_CHECK_RECORDED:
            outcome = _PHONE_OUTCOMES.get(body.get("outcome", ""))
            if outcome is None:
                continue
            step = str(body.get("step", ""))
            for test in PHONE_STEP_TESTS.get(step, (step,)):
                functional[test] = outcome
                functional_from.add(PHONE_CHECK_RECORDED)
        elif event.type == RIG_TEST_COMPLETED:
            verdict = _PHONE_OUTCOMES.get(body.get("verdict", ""))
            if verdict is None:
                continue  # a rig error or a cancelled run says nothing about the unit
            for test in body.get("grading_tests") or [body.get("plan_id", "")]:
                functional[test] = verdict
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
    if functional:
        sections["functional"] = functional
        sources["functional"] = " + ".join(sorted(functional_from))
    return Recorded(sections, sources)


def merge(recorded: Recorded, inspection: Mapping[str, Any]) -> Merged:
    """The inspection with every recorded fact laid over it (recorded wins field by field)."""
    out = copy.deepcopy(dict(inspection))
    sources = dict.fromkeys(out, "inspection")
    for key, value in recorded.sections.items():
        if key in ("functional", "battery", "device") and isinstance(out.get(key), dict):
            # Field by field: tests no device answered, and the battery's look, stay as inspected.
            out[key] = {**out[key], **value}
            sources[key] = f"{recorded.sources[key]} + inspection"
        else:
            out[key] = copy.deepcopy(value)
            sources[key] = recorded.sources[key]
    return Merged(out, sources)
