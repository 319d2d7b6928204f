"""The serial rigs' events: every body is checked against its schema, and each reads as plain words."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.core import events_rigs as rev
from app.core.describe import describe
from app.core.events import schema_for
from app.core.models import Event

UNIT = "U-ABCDEFGHIJKL"
OPERATOR = "O-ABCDEFGHIJKL"

GOOD: dict[str, tuple[dict[str, Any], str | None]] = {
    rev.RIG_BOUND: ({"bay": 2, "role": "load", "port": "/dev/serial/by-id/usb-RBSIM_ELOAD-if00", "protocol": "scpi",
                     "identity": "RBSIM ELOAD-150, firmware 2.0.1"}, None),
    rev.RIG_UNBOUND: ({"bay": 2, "role": "load"}, None),
    rev.RIG_TEST_STARTED: ({"run_id": "R-1", "plan_id": "laptop-charger-65w", "plan_version": 1,
                            "plan_name": "Laptop charger 65 W", "device_class": "laptop-charger", "bay": 2,
                            "rigs": {"load": {"port": "/dev/pts/3", "model": "ELOAD-150"}},
                            "grading_tests": ["power_output"]}, UNIT),
    rev.RIG_STEP_RECORDED: ({"run_id": "R-1", "index": 5, "name": "Voltage at 1 A", "kind": "measure",
                             "verdict": "pass", "message": "19.95 V within 19–21 V", "value": "19.95", "unit": "V",
                             "low": "19", "high": "21", "field": "imei", "millis": 12, "cleanup": False,
                             "wire_log": ">> MEAS:VOLT?"}, UNIT),
    rev.RIG_TEST_COMPLETED: ({"run_id": "R-1", "plan_id": "laptop-charger-65w", "plan_version": 1, "verdict": "pass",
                              "summary": "11 of 11 steps passed", "counts": {"pass": 11},
                              "identifiers": {"imei": "353911061234564"}, "grading_tests": ["power_output"]},
                             UNIT),
}
TYPES = sorted(s.type for s in rev.SCHEMAS)
CONSTANTS = sorted(v for k, v in vars(rev).items() if k.isupper() and isinstance(v, str)
                   and re.fullmatch(r"[a-z]+\.[a-z_]+", v))


def test_every_schema_has_a_good_body_and_a_constant() -> None:
    assert set(GOOD) == set(TYPES) == set(CONSTANTS)


@pytest.mark.parametrize("event_type", TYPES)
def test_good_body_validates_and_reads_as_words(event_type: str) -> None:
    body, unit_id = GOOD[event_type]
    schema = schema_for(event_type)
    schema.validate(body, unit_id, OPERATOR)
    event = Event(seq=1, stream_id="s", event_id="e", type=event_type, schema_version=1,
                  occurred_at="2026-11-22T06:00:00.000Z", operator_id=OPERATOR, unit_id=unit_id, body=body,
                  prev_hash="", hash="", signature="")
    text = describe(event)
    assert text != event_type
    assert "{" not in text


@pytest.mark.parametrize(("event_type", "field"), [(t, f.name) for t in TYPES for f in schema_for(t).fields
                                                   if f.required])
def test_a_missing_field_is_named(event_type: str, field: str) -> None:
    body, unit_id = GOOD[event_type]
    body = dict(body)
    del body[field]
    with pytest.raises(ValueError, match=f"missing field '{field}'"):
        schema_for(event_type).validate(body, unit_id, OPERATOR)


@pytest.mark.parametrize(("event_type", "field", "bad"), [
    (rev.RIG_STEP_RECORDED, "verdict", "passed"),
    (rev.RIG_STEP_RECORDED, "cleanup", 0),
    (rev.RIG_STEP_RECORDED, "value", 19),
    (rev.RIG_STEP_RECORDED, "millis", True),
    (rev.RIG_BOUND, "protocol", "gpib"),
    (rev.RIG_TEST_COMPLETED, "verdict", "skipped"),
])
def test_a_wrong_value_is_refused(event_type: str, field: str, bad: object) -> None:
    body, unit_id = GOOD[event_type]
    body = {**body, field: bad}
    with pytest.raises(ValueError, match=field):
        schema_for(event_type).validate(body, unit_id, OPERATOR)


def test_step_events_need_a_unit() -> None:
    body, _ = GOOD[rev.RIG_STEP_RECORDED]
    with pytest.raises(ValueError, match="needs a unit"):
        schema_for(rev.RIG_STEP_RECORDED).validate(body, None, OPERATOR)
