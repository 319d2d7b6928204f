"""Events of the serial test rigs: which port is which rig of which bay, and every plan run on a unit.

A plan run is recorded as it happens: ``rig.test_started`` when the rigs are connected and
identified, one ``rig.step_recorded`` per step the moment its result is known (with the measured
value, its limits and the wire-log excerpt), and ``rig.test_completed`` with the plan's verdict.
A run whose cable is pulled half-way therefore keeps every step it finished, and a run with a
``started`` but no ``completed`` was cut short (the app was closed or died under it). A run's start
and end name the hub reference data version its plan came from (``reference_version``; absent in runs
recorded before benches took reference data, and for plans from a fixed folder).

Event bodies carry no floats (their text differs between implementations): a measured value and its
limits travel as the shortest decimal text that reads back as the same number (``"19.951"``).
"""

from __future__ import annotations

from app.core.event_schema import EventSchema
from app.core.event_schema import field as _f

RIG_BOUND = "rig.bound"
RIG_UNBOUND = "rig.unbound"
RIG_TEST_STARTED = "rig.test_started"
RIG_STEP_RECORDED = "rig.step_recorded"
RIG_TEST_COMPLETED = "rig.test_completed"

PROTOCOLS = {"scpi", "at", "line"}
STEP_KINDS = {"set", "wait", "measure", "expect", "read_id", "prompt"}
STEP_VERDICTS = {"pass", "fail", "rig error", "skipped"}
# A plan's end: its verdict, or cancelled by the technician (nothing about the unit was decided).
RUN_VERDICTS = {"pass", "fail", "rig error", "cancelled"}

SCHEMAS: tuple[EventSchema, ...] = (
    EventSchema(RIG_BOUND, 1, (
        _f("bay", int), _f("role", str), _f("port", str), _f("protocol", str, choices=PROTOCOLS),
        _f("identity", str, required=False),
    )),
    EventSchema(RIG_UNBOUND, 1, (_f("bay", int), _f("role", str))),
    EventSchema(RIG_TEST_STARTED, 1, (
        _f("run_id", str), _f("plan_id", str), _f("plan_version", int), _f("plan_name", str),
        _f("device_class", str), _f("bay", int, required=False), _f("rigs", dict), _f("grading_tests", list),
        _f("reference_version", int, required=False),
    ), needs_unit=True),
    EventSchema(RIG_STEP_RECORDED, 1, (
        _f("run_id", str), _f("index", int), _f("name", str), _f("kind", str, choices=STEP_KINDS),
        _f("verdict", str, choices=STEP_VERDICTS), _f("message", str),
        _f("value", str, required=False), _f("unit", str, required=False),
        _f("low", str, required=False), _f("high", str, required=False),
        _f("field", str, required=False), _f("millis", int), _f("cleanup", bool),
        _f("wire_log", str, required=False),
    ), needs_unit=True),
    EventSchema(RIG_TEST_COMPLETED, 1, (
        _f("run_id", str), _f("plan_id", str), _f("plan_version", int), _f("verdict", str, choices=RUN_VERDICTS),
        _f("summary", str), _f("counts", dict), _f("identifiers", dict), _f("grading_tests", list),
        _f("reference_version", int, required=False),
    ), needs_unit=True),
)
