"""Phone events: what a phone said about itself (identity, battery, blockers), each plan step's result
with its evidence, cables pulled mid-test, and the verified reset whose body is its certificate."""

from __future__ import annotations

from app.core.event_schema import EventSchema
from app.core.event_schema import field as _f

PHONE_IDENTIFIED = "phone.identified"
PHONE_BATTERY_READ = "phone.battery_read"
PHONE_BLOCKERS_CHECKED = "phone.blockers_checked"
PHONE_PLAN_STARTED = "phone.plan_started"
PHONE_CHECK_RECORDED = "phone.check_recorded"
PHONE_PLAN_FINISHED = "phone.plan_finished"
PHONE_DISCONNECTED = "phone.disconnected"
PHONE_RESET_COMPLETED = "phone.reset_completed"

_OUTCOMES = {"pass", "fail", "skipped", "could_not_check"}

SCHEMAS: tuple[EventSchema, ...] = (
    # identity: make, model, model_number, serial, imeis [{value, slot, luhn_valid, source}], os_version,
    # storage_bytes, colour, crypto_type…; unknowns: [{field, reason}] for every value the phone did not give.
    EventSchema(PHONE_IDENTIFIED, 1, (
        _f("platform", str, choices={"android", "ios"}), _f("transport_serial", str), _f("bay_key", str),
        _f("bay", int, required=False), _f("identity", dict), _f("unknowns", list),
    ), needs_unit=True),
    EventSchema(PHONE_BATTERY_READ, 1, (_f("battery", dict), _f("unknowns", list)), needs_unit=True),
    # blockers: [{kind, status present/absent/unknown, evidence}]; holds: the kinds found present.
    EventSchema(PHONE_BLOCKERS_CHECKED, 1, (_f("blockers", list), _f("holds", list)), needs_unit=True),
    EventSchema(PHONE_PLAN_STARTED, 1, (
        _f("run_id", str), _f("plan_id", str), _f("plan_version", int), _f("steps", list),
        # the hub reference data version the plan came from (0: the packaged plans); absent in runs recorded
        # before benches took reference data, and for a plan the caller fixed
        _f("reference_version", int, required=False),
    ), needs_unit=True),
    EventSchema(PHONE_CHECK_RECORDED, 1, (
        _f("run_id", str), _f("step", str), _f("kind", str, choices={"automatic", "guided"}),
        _f("outcome", str, choices=_OUTCOMES), _f("evidence", str), _f("resumed", bool, required=False),
    ), needs_unit=True),
    EventSchema(PHONE_PLAN_FINISHED, 1, (
        _f("run_id", str), _f("plan_id", str), _f("verdict", str, choices={"passed", "failed", "incomplete"}),
        _f("counts", dict),
    ), needs_unit=True),
    EventSchema(PHONE_DISCONNECTED, 1, (
        _f("transport_serial", str), _f("bay_key", str), _f("during", str), _f("detail", str),
    ), needs_unit=True),
    # The body of a reset is its certificate, in the same format as a drive's erasure.completed body
    # (see app/core/certificate.py): erasure_id, outcome, device, method, verification, result, station,
    # times, operator; certificate_id only for a verified cryptographic erase.
    EventSchema(PHONE_RESET_COMPLETED, 1, (
        _f("erasure_id", str), _f("outcome", str, choices={"passed", "flagged", "failed"}),
        _f("certificate_id", str, required=False), _f("device", dict), _f("method", dict),
        _f("verification", dict), _f("result", dict), _f("blockers", list), _f("operator", dict, required=False),
        _f("station", dict), _f("started_at", str), _f("finished_at", str), _f("destination", str),
        _f("field_digests", dict, required=False),
    ), needs_unit=True),
)

# No projection table reads these: a phone's facts are read from its unit's events.
TYPES = tuple(dict.fromkeys(s.type for s in SCHEMAS))
