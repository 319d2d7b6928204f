"""Grading inputs read from a unit's recorded facts: phone checks, rig runs, blockers and erasures; what
could not be checked answers nothing (never a pass), and a recorded fact wins over a typed one."""

from __future__ import annotations

from typing import Any

from app.core.grading.questions import InspectionDraft, Kind, questions
from app.core.grading.sources import merge, recorded_inputs
from app.core.models import Event
from tests.core.grading.support import TESTS


def _events(*facts: tuple[str, dict[str, Any]]) -> list[Event]:
    return [Event(stream_id="s", seq=i, event_id=f"e{i}", type=kind, schema_version=1, occurred_at="t",
                  operator_id=None, unit_id="U-1", body=body) for i, (kind, body) in enumerate(facts, start=1)]


def test_phone_facts_become_sections() -> None:
    recorded = recorded_inputs(_events(
        ("phone.identified", {"identity": {"model": "Pixel 8", "storage_bytes": 128_000_000_000,
                                           "colour": "Obsidian"}}),
        ("phone.battery_read", {"battery": {"capacity_pct": 88, "cycle_count": 402}}),
        ("phone.blockers_checked", {"blockers": [{"kind": "frp", "status": "present"},
                                                 {"kind": "mdm", "status": "absent"}]}),
        ("phone.check_recorded", {"step": "display", "outcome": "pass"}),
        ("phone.check_recorded", {"step": "speakers", "outcome": "fail"}),
        ("phone.check_recorded", {"step": "cameras_photo", "outcome": "pass"}),
        ("phone.check_recorded", {"step": "sensors", "outcome": "could_not_check"}),
        ("phone.reset_completed", {"outcome": "passed", "certificate_id": "C-PHONE"}),
    ))
    s = recorded.sections
    assert s["device"] == {"model": "Pixel 8", "colour": "Obsidian", "storage": "128GB"}
    assert s["battery"] == {"chemistry": "li-ion", "health_pct": 88, "cycles": 402}
    assert s["locks"]["frp"] is True
    assert s["locks"]["mdm"] is False
    assert s["functional"] == {"display": "pass", "speaker": "fail", "camera_rear": "pass", "camera_front": "pass"}
    assert "sensors" not in s["functional"]  # could not check: still to be answered, never a pass
    assert s["sanitisation"] == {"status": "passed", "certificate_id": "C-PHONE"}
    assert recorded.sources["battery"] == "phone.battery_read #2"


def test_what_answers_nothing() -> None:
    recorded = recorded_inputs(_events(
        ("phone.blockers_checked", {"blockers": [{"kind": "all", "status": "unknown"}]}),
        ("phone.battery_read", {"battery": {}}),
        ("rig.test_completed", {"verdict": "rig error", "grading_tests": ["charging"]}),
        ("rig.test_completed", {"verdict": "cancelled", "grading_tests": ["display"]}),
        ("erasure.completed", {"outcome": "interrupted"}),
    ))
    assert recorded.sections == {}


def test_a_failure_or_a_missing_certificate_is_a_failed_sanitisation() -> None:
    failed = recorded_inputs(_events(("erasure.completed", {"outcome": "passed", "certificate_id": "C-1"}),
                                     ("erasure.completed", {"outcome": "failed"})))
    assert failed.sections["sanitisation"] == {"status": "failed"}  # the latest erasure counts
    flagged = recorded_inputs(_events(("phone.reset_completed", {"outcome": "flagged"})))
    assert flagged.sections["sanitisation"] == {"status": "failed"}


def test_recorded_wins_field_by_field() -> None:
    recorded = recorded_inputs(_events(("rig.test_completed", {"verdict": "fail", "grading_tests": ["charging"]}),
                                       ("phone.battery_read", {"battery": {"capacity_pct": 76}})))
    typed = {"functional": {"charging": "pass", "wifi": "pass"}, "battery": {"condition": "swollen", "health_pct": 99}}
    merged = merge(recorded, typed)
    assert merged.inputs["functional"] == {"charging": "fail", "wifi": "pass"}
    assert merged.inputs["battery"] == {"condition": "swollen", "health_pct": 76, "chemistry": "li-ion"}
    assert merged.sources["functional"] == "rig.test_completed + inspection"


def test_only_unanswered_questions_are_asked_and_the_draft_reads_back() -> None:
    everything = {"device": {}, "battery": {"health_pct": 91}, "sanitisation": {},
                  "locks": {"activation": False, "frp": False, "mdm": False, "blocklisted": False},
                  "functional": dict.fromkeys(TESTS, "pass")}
    asked = questions(everything, TESTS, ["iPhone 13"], "iPhone 13")
    assert [q.key for q in asked][-2:] == ["battery.condition", "parts.all_genuine"]
    asked = questions({}, TESTS, ["iPhone 13", "Galaxy S21"])
    kinds = {q.key: q.kind for q in asked}
    assert kinds["device.model"] is Kind.CHOICE
    assert kinds["battery.health_pct"] is Kind.NUMBER
    assert sum(k is Kind.PASS_FAIL for k in kinds.values()) == len(TESTS)
    draft = InspectionDraft()
    draft.answers.update({"device.model": "Galaxy S21", "battery.condition": "S", "parts.all_genuine": "N",
                          "battery.health_pct": "81", "test.display": "F", "locks.none": "Y",
                          "sanitisation.status": "A"})
    inspection = draft.to_inspection()
    assert inspection["device"] == {"model": "Galaxy S21"}
    assert inspection["battery"] == {"condition": "swollen", "chemistry": "li-ion", "health_pct": 81.0,
                                     "genuine": False}
    assert inspection["parts"] == {"all_genuine": False}
    assert inspection["functional"] == {"display": "fail"}
    assert inspection["locks"]["activation"] is False
    assert inspection["sanitisation"] == {"status": "not_applicable"}
    assert "cosmetic" not in inspection  # no zone was done yet
