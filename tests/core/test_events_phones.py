"""Phone events: every body is checked against its schema, and each reads as plain words."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.core import events_phones as pev
from app.core.describe import describe
from app.core.events import schema_for
from app.core.models import Event

UNIT = "U-ABCDEFGHIJKL"
OPERATOR = "O-ABCDEFGHIJKL"

GOOD: dict[str, dict[str, Any]] = {
    pev.PHONE_IDENTIFIED: {
        "platform": "android", "transport_serial": "127.0.0.1:6211", "bay_key": "tcp:127.0.0.1:6211", "bay": 11,
        "identity": {"make": "Google", "model": "Pixel 8", "model_number": "GKWS6", "os_version": "Android 16 (API 36)",
                     "imeis": [{"value": "356904211835270", "slot": 0, "luhn_valid": True, "source": "tradeinmode"}]},
        "unknowns": [{"field": "colour", "reason": "the phone does not expose its colour"}]},
    pev.PHONE_BATTERY_READ: {"battery": {"level_pct": 87, "capacity_pct": 91, "cycle_count": 312},
                             "unknowns": []},
    pev.PHONE_BLOCKERS_CHECKED: {"blockers": [{"kind": "frp", "status": "present", "evidence": "Google account"}],
                                 "holds": ["frp"]},
    pev.PHONE_PLAN_STARTED: {"run_id": "T-1", "plan_id": "phone-android", "plan_version": 1,
                             "steps": ["sensors", "display"]},
    pev.PHONE_CHECK_RECORDED: {"run_id": "T-1", "step": "sensors", "kind": "automatic", "outcome": "could_not_check",
                               "evidence": "the sensor service listed no sensors", "resumed": True},
    pev.PHONE_PLAN_FINISHED: {"run_id": "T-1", "plan_id": "phone-android", "verdict": "incomplete",
                              "counts": {"pass": 13, "could_not_check": 1}},
    pev.PHONE_DISCONNECTED: {"transport_serial": "1A2B3C", "bay_key": "usb:1-2.3", "during": "checking",
                             "detail": "phone 1A2B3C went away during 'dumpsys battery'"},
    pev.PHONE_RESET_COMPLETED: {
        "erasure_id": "R-1", "outcome": "passed", "certificate_id": "C-1", "device": {"kind": "phone"},
        "method": {"category": "Purge"}, "verification": {"result": "passed"}, "result": {"summary": "verified"},
        "blockers": [], "operator": {"name": "Sam"}, "station": {"station_id": "S"},
        "started_at": "2026-11-22T06:00:00.000Z", "finished_at": "2026-11-22T06:01:00.000Z", "destination": "reuse",
        "field_digests": {}},
}
TYPES = sorted(s.type for s in pev.SCHEMAS)
CONSTANTS = sorted(v for k, v in vars(pev).items() if k.isupper() and isinstance(v, str)
                   and re.fullmatch(r"[a-z]+\.[a-z_]+", v))


def test_every_schema_has_a_good_body_and_a_constant() -> None:
    assert set(GOOD) == set(TYPES) == set(CONSTANTS) == set(pev.TYPES)


@pytest.mark.parametrize("event_type", TYPES)
def test_good_body_validates_and_reads_as_words(event_type: str) -> None:
    schema_for(event_type).validate(GOOD[event_type], UNIT, OPERATOR)
    event = Event(seq=1, stream_id="s", event_id="e", type=event_type, schema_version=1,
                  occurred_at="2026-11-22T06:00:00.000Z", operator_id=OPERATOR, unit_id=UNIT, body=GOOD[event_type],
                  prev_hash="", hash="", signature="")
    text = describe(event)
    assert text != event_type
    assert "{" not in text


def test_phone_events_need_a_unit_and_known_outcomes() -> None:
    with pytest.raises(ValueError, match="needs a unit"):
        schema_for(pev.PHONE_CHECK_RECORDED).validate(GOOD[pev.PHONE_CHECK_RECORDED], None, OPERATOR)
    with pytest.raises(ValueError, match="'outcome' must be one of"):
        schema_for(pev.PHONE_CHECK_RECORDED).validate({**GOOD[pev.PHONE_CHECK_RECORDED], "outcome": "ok"}, UNIT, None)


def test_descriptions_say_what_happened() -> None:
    def text(event_type: str) -> str:
        return describe(Event(seq=1, stream_id="s", event_id="e", type=event_type, schema_version=1,
                              occurred_at="", operator_id=None, unit_id=UNIT, body=GOOD[event_type]))

    assert text(pev.PHONE_IDENTIFIED) == "Phone identified: Google Pixel 8 GKWS6 Android 16 (API 36) in bay 11"
    assert text(pev.PHONE_BATTERY_READ) == "Battery: charge 87 %, capacity 91 % of design, cycles 312"
    assert text(pev.PHONE_BLOCKERS_CHECKED) == "Blockers checked: held for frp"
    assert text(pev.PHONE_CHECK_RECORDED) == ("Automatic check sensors: could not check — the sensor service "
                                              "listed no sensors")
    assert text(pev.PHONE_RESET_COMPLETED) == "Phone factory reset passed: verified — certificate C-1"
