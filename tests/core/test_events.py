"""Tests for app.core.events: every event body is checked against its versioned schema before it is stored."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.core import events as ev
from app.core.events import CURRENT_VERSION, SCHEMAS, schema_for

UNIT = "U-ABCDEFGHIJKL"
OPERATOR = "O-ABCDEFGHIJKL"

# One good body per event type, with the unit and operator ids the type needs.
GOOD: dict[str, tuple[dict[str, Any], str | None, str | None]] = {
    ev.STATION_INITIALISED: (
        {"station_id": "st-1", "public_key": "ed25519:AAAA", "app_version": "0.1.0", "sqlite_version": "3.53.0"},
        None, None,
    ),
    ev.OPERATOR_ADDED: (
        {"operator_id": OPERATOR, "name": "Alex Martin", "badge": "OP-0001", "role": "admin",
         "pin_hash": "scrypt$16384$8$1$00$00"},
        None, None,
    ),
    ev.OPERATOR_LOGGED_IN: ({"method": "badge"}, None, OPERATOR),
    ev.OPERATOR_LOGGED_OUT: ({"reason": "switched"}, None, OPERATOR),
    ev.UNIT_CREATED: (
        {"identifiers": [{"kind": "imei", "value": "490154203237518"}], "model": "Pixel 7",
         "gtin": "09501101530003", "source": "scan", "raw_scan": "490154203237518"},
        UNIT, OPERATOR,
    ),
    ev.UNIT_IDENTIFIER_ADDED: ({"kind": "serial", "value": "SN12345"}, UNIT, OPERATOR),
    ev.UNIT_STATE_CHANGED: ({"from": "received", "to": "testing", "reason": "bench 3"}, UNIT, OPERATOR),
    ev.LOT_CREATED: (
        {"lot_id": "L-1", "code": "LOT-2026-0042", "party_kind": "supplier", "party": "Acme Phones",
         "po": "PO-4711", "expected_count": 40},
        None, OPERATOR,
    ),
    ev.LOT_MANIFEST_IMPORTED: (
        {"lot_id": "L-1", "file_name": "acme.csv", "file_sha256": "ab" * 32,
         "lines": [{"kind": "imei", "value": "490154203237518", "model": "", "description": ""}]},
        None, OPERATOR,
    ),
    ev.LOT_UNIT_RECEIVED: ({"lot_id": "L-1", "lot_code": "LOT-2026-0042", "expected": True}, UNIT, OPERATOR),
    ev.BAY_ASSIGNED: ({"bay": 3, "bay_key": "pci0000:00/0000:00:17.0/ata3", "label": "dock 3"}, None, OPERATOR),
    ev.BAY_CLEARED: ({"bay": 3}, None, OPERATOR),
    ev.ERASURE_STARTED: (
        {"erasure_id": "E-1", "device": {"path": "/dev/sdb", "serial": "WD-1"}, "method": {"pattern": "zeros"},
         "verification": "full", "seed_hex": "", "sample_seed": 7, "resumed_from": "E-0",
         "override": {"by": OPERATOR, "reason": "test"}, "smart": {"verdict": "unknown", "reasons": []},
         "hidden_areas": {"before": {"hpa": "not supported", "dco": "not supported"}}},
        UNIT, OPERATOR,
    ),
    ev.ERASURE_CHECKPOINT: ({"erasure_id": "E-1", "next_offset": 2**31}, UNIT, OPERATOR),
    ev.ERASURE_COMPLETED: (
        {"erasure_id": "E-1", "outcome": "passed", "certificate_id": "C-1", "device": {}, "method": {},
         "verification": {}, "result": {}, "operator": {"name": "Alex"}, "station": {},
         "started_at": "2026-11-22T06:00:00.000Z", "finished_at": "2026-11-22T06:10:00.000Z",
         "destination": "reuse", "field_digests": {}, "smart": {"verdict": "pass", "reasons": []},
         "hidden_areas": {"before": {"hpa": "absent"}, "after": {"hpa": "absent"}},
         "override": {"by": {"name": "Pat"}, "reason": "spare dock not yet mapped", "refusals": []}},
        UNIT, OPERATOR,
    ),
    ev.LOT_CERTIFICATE_ISSUED: (
        {"certificate_id": "LC-1", "lot": {"code": "LOT-2026-0042"}, "units": [{"unit_id": UNIT}],
         "totals": {"units": 1}, "statement": "1 unit erased", "station": {}, "issued_at": "2026-11-22T06:10:00.000Z",
         "operator": {"name": "Alex"}, "field_digests": {}},
        None, OPERATOR,
    ),
}

# The foundation's types; each domain's own (app/core/events_<domain>.py) are checked in its
# tests/core/test_events_<domain>.py the same way.
ALL_TYPES = sorted({schema.type for schema in ev._FOUNDATION})
# The module's own name constants (UNIT_CREATED = "unit.created", ...), found by shape, not by list.
TYPE_CONSTANTS = sorted(
    value for name, value in vars(ev).items()
    if name.isupper() and isinstance(value, str) and re.fullmatch(r"[a-z]+\.[a-z_]+", value)
)


def _validate(event_type: str, body: dict[str, Any], unit_id: str | None = None,
              operator_id: str | None = None) -> None:
    schema_for(event_type).validate(body, unit_id, operator_id)


def _good(event_type: str) -> tuple[dict[str, Any], str | None, str | None]:
    body, unit_id, operator_id = GOOD[event_type]
    return dict(body), unit_id, operator_id


def test_the_good_bodies_cover_every_schema() -> None:
    assert set(GOOD) == set(ALL_TYPES)


def test_every_type_constant_has_a_schema() -> None:
    assert TYPE_CONSTANTS, "no event type constants found"
    assert set(TYPE_CONSTANTS) == set(ALL_TYPES)


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_good_body_validates(event_type: str) -> None:
    body, unit_id, operator_id = _good(event_type)
    _validate(event_type, body, unit_id, operator_id)


REQUIRED = [
    pytest.param(t, spec.name, id=f"{t}-{spec.name}")
    for t in ALL_TYPES for spec in schema_for(t).fields if spec.required
]
OPTIONAL = [
    pytest.param(t, spec.name, id=f"{t}-{spec.name}")
    for t in ALL_TYPES for spec in schema_for(t).fields if not spec.required
]


@pytest.mark.parametrize(("event_type", "field"), REQUIRED)
def test_missing_required_field_is_named(event_type: str, field: str) -> None:
    body, unit_id, operator_id = _good(event_type)
    del body[field]
    with pytest.raises(ValueError, match=f"missing field '{re.escape(field)}'"):
        _validate(event_type, body, unit_id, operator_id)


@pytest.mark.parametrize(("event_type", "field"), OPTIONAL)
def test_optional_field_may_be_left_out(event_type: str, field: str) -> None:
    body, unit_id, operator_id = _good(event_type)
    del body[field]
    _validate(event_type, body, unit_id, operator_id)


def test_the_optional_fields_are_the_expected_ones() -> None:
    assert {p.values for p in OPTIONAL} == {
        (ev.OPERATOR_LOGGED_OUT, "reason"), (ev.UNIT_CREATED, "model"), (ev.UNIT_CREATED, "gtin"),
        (ev.UNIT_CREATED, "raw_scan"), (ev.UNIT_STATE_CHANGED, "reason"), (ev.BAY_ASSIGNED, "label"),
        (ev.ERASURE_STARTED, "resumed_from"), (ev.ERASURE_STARTED, "override"),
        (ev.ERASURE_COMPLETED, "certificate_id"), (ev.ERASURE_COMPLETED, "operator"),
        (ev.ERASURE_COMPLETED, "destination"), (ev.ERASURE_COMPLETED, "field_digests"),
        (ev.ERASURE_STARTED, "smart"), (ev.ERASURE_STARTED, "hidden_areas"), (ev.ERASURE_COMPLETED, "smart"),
        (ev.ERASURE_COMPLETED, "hidden_areas"), (ev.ERASURE_COMPLETED, "override"),
        (ev.LOT_CERTIFICATE_ISSUED, "operator"), (ev.LOT_CERTIFICATE_ISSUED, "field_digests"),
    }


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_unknown_field_is_named(event_type: str) -> None:
    body, unit_id, operator_id = _good(event_type)
    body["colour"] = "blue"
    with pytest.raises(ValueError, match=r"unknown fields \['colour'\]"):
        _validate(event_type, body, unit_id, operator_id)


@pytest.mark.parametrize(
    ("event_type", "field", "value"),
    [
        pytest.param(ev.LOT_CREATED, "expected_count", "40", id="str-for-int"),
        pytest.param(ev.LOT_CREATED, "expected_count", 40.0, id="float-for-int"),
        pytest.param(ev.UNIT_CREATED, "identifiers", "490154203237518", id="str-for-list"),
        pytest.param(ev.UNIT_CREATED, "identifiers", ({"kind": "imei", "value": "1"},), id="tuple-for-list"),
        pytest.param(ev.STATION_INITIALISED, "station_id", 7, id="int-for-str"),
        pytest.param(ev.UNIT_IDENTIFIER_ADDED, "value", b"SN12345", id="bytes-for-str"),
        pytest.param(ev.LOT_UNIT_RECEIVED, "expected", 1, id="int-for-bool"),
        pytest.param(ev.LOT_UNIT_RECEIVED, "expected", "true", id="str-for-bool"),
        pytest.param(ev.LOT_MANIFEST_IMPORTED, "lines", {"a": 1}, id="dict-for-list"),
    ],
)
def test_wrong_type_is_named(event_type: str, field: str, value: object) -> None:
    body, unit_id, operator_id = _good(event_type)
    body[field] = value
    with pytest.raises(ValueError, match=f"field '{field}' must be"):
        _validate(event_type, body, unit_id, operator_id)


@pytest.mark.parametrize("flag", [True, False], ids=["True", "False"])
def test_bool_given_for_int_is_refused(flag: bool) -> None:
    body, unit_id, operator_id = _good(ev.LOT_CREATED)
    body["expected_count"] = flag
    with pytest.raises(ValueError, match=r"field 'expected_count' must be .*got bool"):
        _validate(ev.LOT_CREATED, body, unit_id, operator_id)


@pytest.mark.parametrize(
    ("event_type", "field", "value"),
    [
        pytest.param(ev.OPERATOR_ADDED, "role", "owner", id="role"),
        pytest.param(ev.OPERATOR_ADDED, "role", "Admin", id="role-case-matters"),
        pytest.param(ev.OPERATOR_LOGGED_IN, "method", "rfid", id="login-method"),
        pytest.param(ev.UNIT_CREATED, "source", "email", id="unit-source"),
        pytest.param(ev.UNIT_STATE_CHANGED, "from", "lost", id="state-from"),
        pytest.param(ev.UNIT_STATE_CHANGED, "to", "sold", id="state-to"),
        pytest.param(ev.LOT_CREATED, "party_kind", "broker", id="party-kind"),
    ],
)
def test_value_outside_choices_is_named(event_type: str, field: str, value: str) -> None:
    body, unit_id, operator_id = _good(event_type)
    body[field] = value
    with pytest.raises(ValueError, match=f"field '{field}' must be one of"):
        _validate(event_type, body, unit_id, operator_id)


NEEDS_UNIT = [t for t in ALL_TYPES if schema_for(t).needs_unit]
NEEDS_OPERATOR = [t for t in ALL_TYPES if schema_for(t).needs_operator]


def test_unit_and_operator_requirements_are_the_expected_types() -> None:
    assert set(NEEDS_UNIT) == {ev.UNIT_CREATED, ev.UNIT_IDENTIFIER_ADDED, ev.UNIT_STATE_CHANGED,
                               ev.LOT_UNIT_RECEIVED, ev.ERASURE_STARTED, ev.ERASURE_CHECKPOINT,
                               ev.ERASURE_COMPLETED}
    assert set(NEEDS_OPERATOR) == {ev.OPERATOR_LOGGED_IN, ev.OPERATOR_LOGGED_OUT}


@pytest.mark.parametrize("missing", [None, ""], ids=["None", "empty"])
@pytest.mark.parametrize("event_type", NEEDS_UNIT)
def test_missing_unit_id_is_refused(event_type: str, missing: str | None) -> None:
    body, _unit_id, operator_id = _good(event_type)
    with pytest.raises(ValueError, match=f"^{re.escape(event_type)} needs a unit$"):
        _validate(event_type, body, missing, operator_id)


@pytest.mark.parametrize("event_type", NEEDS_OPERATOR)
def test_missing_operator_id_is_refused(event_type: str) -> None:
    body, unit_id, _operator_id = _good(event_type)
    with pytest.raises(ValueError, match=f"^{re.escape(event_type)} needs an operator$"):
        _validate(event_type, body, unit_id, None)


@pytest.mark.parametrize("event_type", sorted(set(ALL_TYPES) - set(NEEDS_UNIT)))
def test_types_without_a_unit_validate_without_one(event_type: str) -> None:
    body, _unit_id, operator_id = _good(event_type)
    _validate(event_type, body, None, operator_id)


@pytest.mark.parametrize(
    ("event_type", "version"),
    [
        pytest.param("unit.exploded", None, id="unknown-type"),
        pytest.param("", None, id="empty-type"),
        pytest.param("unit.exploded", 1, id="unknown-type-with-version"),
        pytest.param(ev.UNIT_CREATED, 99, id="unknown-version"),
        pytest.param(ev.UNIT_CREATED, 0, id="version-zero"),
    ],
)
def test_schema_for_unknown_type_or_version_raises(event_type: str, version: int | None) -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        schema_for(event_type, version)


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_current_version_covers_every_type(event_type: str) -> None:
    assert event_type in CURRENT_VERSION
    current = CURRENT_VERSION[event_type]
    assert current == max(v for t, v in SCHEMAS if t == event_type)
    schema = schema_for(event_type)
    assert (schema.type, schema.version) == (event_type, current)
    assert schema_for(event_type, current) is schema


def test_current_version_names_no_type_without_a_schema() -> None:
    assert set(CURRENT_VERSION) == {event_type for event_type, _version in SCHEMAS}


@pytest.mark.parametrize(
    ("event_type", "field"),
    [
        pytest.param(ev.LOT_CREATED, "expected_count", id="lot-expected_count"),
        pytest.param(ev.LOT_CREATED, "party", id="lot-party"),
        pytest.param(ev.OPERATOR_ADDED, "pin_hash", id="operator-pin_hash"),
        pytest.param(ev.UNIT_CREATED, "identifiers", id="unit-identifiers"),
    ],
)
def test_none_for_a_required_field_is_refused(event_type: str, field: str) -> None:
    body, unit_id, operator_id = _good(event_type)
    body[field] = None
    with pytest.raises(ValueError, match=f"'{field}'"):
        _validate(event_type, body, unit_id, operator_id)
