"""Event types and their versioned body schemas.

An event body is validated against the schema of its (type, version) before it is stored, so a
malformed fact is a bug caught at the source, never a surprise for the projections or the hub.
Schemas are append-only: a change of shape is a new version, and old versions stay readable.
"""

from __future__ import annotations

from app.core import events_phones, events_rigs
from app.core.event_schema import EventSchema, FieldSpec
from app.core.event_schema import field as _f
from app.core.events_grading import SCHEMAS as _GRADING

__all__ = ["CURRENT_VERSION", "SCHEMAS", "EventSchema", "FieldSpec", "schema_for"]


_ROLES = {"technician", "supervisor", "admin"}
_STATES = {
    "received", "identified", "testing", "tested", "sanitising", "sanitised", "graded", "routed",
    "labelled", "packed", "shipped", "on_hold", "quarantined", "failed",
}

# Event type names, so callers never spell them twice.
STATION_INITIALISED = "station.initialised"
OPERATOR_ADDED = "operator.added"
OPERATOR_LOGGED_IN = "operator.logged_in"
OPERATOR_LOGGED_OUT = "operator.logged_out"
UNIT_CREATED = "unit.created"
UNIT_IDENTIFIER_ADDED = "unit.identifier_added"
UNIT_STATE_CHANGED = "unit.state_changed"
LOT_CREATED = "lot.created"
LOT_MANIFEST_IMPORTED = "lot.manifest_imported"
LOT_UNIT_RECEIVED = "lot.unit_received"
ERASURE_STARTED = "erasure.started"
ERASURE_CHECKPOINT = "erasure.checkpoint"
ERASURE_COMPLETED = "erasure.completed"
BAY_ASSIGNED = "bay.assigned"
BAY_CLEARED = "bay.cleared"
LOT_CERTIFICATE_ISSUED = "lot.certificate_issued"

_STARTED_V1 = (
    _f("erasure_id", str), _f("device", dict), _f("method", dict), _f("verification", str),
    _f("seed_hex", str), _f("sample_seed", int), _f("resumed_from", str, required=False),
    _f("override", dict, required=False),
)
_COMPLETED_V1 = (
    _f("erasure_id", str), _f("outcome", str, choices={"passed", "failed", "interrupted"}),
    _f("certificate_id", str, required=False), _f("device", dict), _f("method", dict),
    _f("verification", dict), _f("result", dict), _f("operator", dict, required=False),
    _f("station", dict), _f("started_at", str), _f("finished_at", str),
    _f("destination", str, required=False), _f("field_digests", dict, required=False),
)
# v2 of both erasure events adds the drive's SMART summary and its HPA/DCO state (before, and in the
# completed body after); the completed body also repeats a supervisor's override of the interlock.
_ERASURE_V2_EXTRA = (_f("smart", dict, required=False), _f("hidden_areas", dict, required=False))

_FOUNDATION: tuple[EventSchema, ...] = (
        EventSchema(STATION_INITIALISED, 1, (
            _f("station_id", str), _f("public_key", str), _f("app_version", str), _f("sqlite_version", str),
        )),
        EventSchema(OPERATOR_ADDED, 1, (
            _f("operator_id", str), _f("name", str), _f("badge", str), _f("role", str, choices=_ROLES),
            _f("pin_hash", str),
        )),
        EventSchema(OPERATOR_LOGGED_IN, 1, (_f("method", str, choices={"badge", "pin"}),), needs_operator=True),
        EventSchema(OPERATOR_LOGGED_OUT, 1, (_f("reason", str, required=False),), needs_operator=True),
        EventSchema(UNIT_CREATED, 1, (
            _f("identifiers", list), _f("model", str, required=False), _f("gtin", str, required=False),
            _f("source", str, choices={"scan", "typed", "cli", "manifest", "device"}),
            _f("raw_scan", str, required=False),
        ), needs_unit=True),
        EventSchema(UNIT_IDENTIFIER_ADDED, 1, (_f("kind", str), _f("value", str)), needs_unit=True),
        EventSchema(UNIT_STATE_CHANGED, 1, (
            _f("from", str, choices=_STATES), _f("to", str, choices=_STATES), _f("reason", str, required=False),
        ), needs_unit=True),
        EventSchema(LOT_CREATED, 1, (
            _f("lot_id", str), _f("code", str), _f("party_kind", str, choices={"supplier", "customer"}),
            _f("party", str), _f("po", str), _f("expected_count", int),
        )),
        EventSchema(LOT_MANIFEST_IMPORTED, 1, (
            _f("lot_id", str), _f("file_name", str), _f("file_sha256", str), _f("lines", list),
        )),
        EventSchema(LOT_UNIT_RECEIVED, 1, (_f("lot_id", str), _f("expected", bool)), needs_unit=True),
        EventSchema(ERASURE_STARTED, 1, _STARTED_V1, needs_unit=True),
        EventSchema(ERASURE_CHECKPOINT, 1, (_f("erasure_id", str), _f("next_offset", int)), needs_unit=True),
        # The body of a passed erasure is its certificate (see app/core/certificate.py).
        EventSchema(ERASURE_COMPLETED, 1, _COMPLETED_V1, needs_unit=True),
        EventSchema(BAY_ASSIGNED, 1, (_f("bay", int), _f("bay_key", str), _f("label", str, required=False))),
        EventSchema(BAY_CLEARED, 1, (_f("bay", int),)),
        # v2 names the lot's code too, so a timeline reads without looking the lot up.
        EventSchema(LOT_UNIT_RECEIVED, 2, (_f("lot_id", str), _f("lot_code", str), _f("expected", bool)),
                    needs_unit=True),
        EventSchema(ERASURE_STARTED, 2, (*_STARTED_V1, *_ERASURE_V2_EXTRA), needs_unit=True),
        EventSchema(ERASURE_COMPLETED, 2, (*_COMPLETED_V1, *_ERASURE_V2_EXTRA, _f("override", dict, required=False)),
                    needs_unit=True),
        # A lot's certificate of data destruction is signed the way a drive's is: as the body of an event
        # (see app/core/certificate.py); one row per unit of the lot, erased or not.
        EventSchema(LOT_CERTIFICATE_ISSUED, 1, (
            _f("certificate_id", str), _f("lot", dict), _f("units", list), _f("totals", dict),
            _f("statement", str), _f("station", dict), _f("issued_at", str), _f("operator", dict, required=False),
            _f("field_digests", dict, required=False),
        )),
)

# Each domain's own event schemas, one line per module (app/core/events_*.py, each a tuple named SCHEMAS).
_DOMAINS: tuple[tuple[EventSchema, ...], ...] = (
    _GRADING,
    events_rigs.SCHEMAS,
    events_phones.SCHEMAS,
)

SCHEMAS: dict[tuple[str, int], EventSchema] = {
    (s.type, s.version): s for group in (_FOUNDATION, *_DOMAINS) for s in group
}

CURRENT_VERSION: dict[str, int] = {}
for _type, _version in SCHEMAS:
    CURRENT_VERSION[_type] = max(_version, CURRENT_VERSION.get(_type, 0))


def schema_for(event_type: str, version: int | None = None) -> EventSchema:
    """The schema of ``event_type`` at ``version`` (default: the current one)."""
    if version is None:
        if event_type not in CURRENT_VERSION:
            raise ValueError(f"unknown event type {event_type!r}")
        version = CURRENT_VERSION[event_type]
    try:
        return SCHEMAS[(event_type, version)]
    except KeyError:
        raise ValueError(f"unknown event type {event_type!r} v{version}") from None
