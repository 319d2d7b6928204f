"""Grading, routing, label and packing events.

``grade.assigned`` is the body of :meth:`app.core.grading.GradeResult.to_dict` (ruleset id, version
and digest, every input, every scale's grade and reasons) plus where each input came from and the
photos taken, so a grade can be recomputed and explained years later. ``route.assigned`` carries
:meth:`app.core.grading.Route.to_dict` with ids for the repair tasks and harvested parts it creates.
An override by a supervisor is its own event and never rewrites the grade it overrides.
"""

from __future__ import annotations

from app.core.event_schema import EventSchema
from app.core.event_schema import field as _f

GRADE_ASSIGNED = "grade.assigned"
GRADE_OVERRIDDEN = "grade.overridden"
ROUTE_ASSIGNED = "route.assigned"
ROUTE_OVERRIDDEN = "route.overridden"
LABEL_PRINTED = "label.printed"
BOX_CREATED = "box.created"
BOX_UNIT_ADDED = "box.unit_added"
BOX_UNIT_REMOVED = "box.unit_removed"
BOX_CLOSED = "box.closed"

ROUTES = {"resale", "repair", "parts_harvest", "recycle"}
SHIP_MODES = {"air", "road", "sea"}

SCHEMAS: tuple[EventSchema, ...] = (
    EventSchema(GRADE_ASSIGNED, 1, (
        _f("grade_id", str), _f("ruleset", dict), _f("inputs", dict), _f("functional", dict), _f("cosmetic", dict),
        _f("r2", dict), _f("channels", list), _f("summary", str),
        # input section -> where it came from ("inspection", "phone.battery_read", "erasure.completed", ...)
        _f("sources", dict),
        # [{sha256, name, bytes}]: the files are kept under photos/ in the data folder, named by hash
        _f("photos", list),
        # the hub reference data version the ruleset came from (0: the packaged files; absent in older grades)
        _f("reference_version", int, required=False),
    ), needs_unit=True, needs_operator=True),
    EventSchema(GRADE_OVERRIDDEN, 1, (
        _f("grade_id", str), _f("scale", str), _f("from", str), _f("to", str), _f("reason", str),
    ), needs_unit=True, needs_operator=True),
    EventSchema(ROUTE_ASSIGNED, 1, (
        _f("route_id", str), _f("grade_id", str), _f("route", str, choices=ROUTES), _f("channel", str, required=False),
        _f("grade", str, required=False), _f("value", str), _f("currency", str), _f("repairs", list),
        _f("parts", list), _f("recycle_weight_g", (int, float)), _f("battery_removal", bool),
        _f("ships_with_battery", bool), _f("un_number", str, required=False), _f("air_forbidden", str, required=False),
        _f("resale_blockers", list), _f("reasons", list), _f("price_table", dict),
        _f("reference_version", int, required=False),  # the version the price table came from
    ), needs_unit=True, needs_operator=True),
    EventSchema(ROUTE_OVERRIDDEN, 1, (
        _f("route_id", str), _f("from", str, choices=ROUTES), _f("to", str, choices=ROUTES),
        _f("channel", str, required=False), _f("grade", str, required=False), _f("reason", str),
        _f("repairs", list), _f("parts", list), _f("ships_with_battery", bool), _f("un_number", str, required=False),
    ), needs_unit=True, needs_operator=True),
    EventSchema(LABEL_PRINTED, 1, (
        _f("job_id", str), _f("kind", str, choices={"unit", "box"}), _f("subject", str), _f("printer", str),
        _f("format", str, choices={"zpl", "pdf"}), _f("copies", int), _f("reprint", bool), _f("fields", dict),
    ), needs_operator=True),
    EventSchema(BOX_CREATED, 1, (
        _f("box_id", str), _f("route", str, choices=ROUTES), _f("channel", str, required=False),
        _f("ship_mode", str, choices=SHIP_MODES),
    ), needs_operator=True),
    EventSchema(BOX_UNIT_ADDED, 1, (_f("box_id", str), _f("line", int)), needs_unit=True, needs_operator=True),
    EventSchema(BOX_UNIT_REMOVED, 1, (_f("box_id", str), _f("reason", str)), needs_unit=True, needs_operator=True),
    EventSchema(BOX_CLOSED, 1, (
        _f("box_id", str), _f("units", list), _f("manifest_sha256", str), _f("manifest_code", str),
        _f("un_number", str, required=False), _f("marks", list),
    ), needs_operator=True),
)

TYPES = tuple(dict.fromkeys(s.type for s in SCHEMAS))
