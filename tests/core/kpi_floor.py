"""A recorded week on one bench, written through the real Store: the event set of the golden KPI tests.

Six units (times UTC; "today" is Friday 2026-12-04, its week starts Monday 2026-11-30):

* U1 Pixel 7, customer lot LOT-C (Acme ITAD). Today: received 09:00 (Alice), tested 09:30 (Alice; rig
  steps battery pass, speaker fail), erased 10:00–10:30 passed, sanitised 10:30 (Alice), graded B 11:00
  (Bob), routed resale 11:05, shipped in box BX-1 closed 12:00 (Alice).
* U2 Pixel 7, LOT-C. Today: received 09:30 (Bob), tested 10:00 (Bob; speaker fail, battery pass), erasure
  10:10–10:40 failed its verification, second erasure 10:50–11:20 passed, sanitised 11:20 (Bob), graded A
  11:40 (Bob) overridden to C 11:45, routed resale 11:50 overridden to repair 11:55, shipped in BX-1 12:00.
* U3 iPhone 13, supplier lot LOT-S. Today: received 13:00 (Alice), phone checks touchscreen fail and
  face_id pass, Activation Lock found 13:10: on hold since 13:10.
* U4 Galaxy S22, no lot. Wednesday 12-02: received 08:00 (Bob), tested 08:30, phone reset 09:00 flagged,
  graded 09:30 with no cosmetic grade (not eligible), routed recycle 09:40.
* U5 Pixel 7, LOT-C. Monday 11-30: received 10:00 (Alice), FRP and MDM found 10:05: on hold since then.
* U6 LOT-C, the week before (11-20): received 10:00 (Alice), erasure 11:00 interrupted 11:30.

``record_floor(store, until=...)`` records the events up to a moment, so a test can record the rest
later (incremental folding).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.store.store import Store

AS_OF = "2026-12-04T16:00:00.000Z"
ALICE, BOB = "OP-ALICE", "OP-BOB"
LOT_C, LOT_S = "LOT-ID-C", "LOT-ID-S"
CUSTOMER = "Acme ITAD"
SUPPLIER = "Phones Ltd"


class SettableClock:
    def __init__(self) -> None:
        self.now = datetime.fromisoformat("2026-11-01T00:00:00+00:00")

    def __call__(self) -> datetime:
        return self.now


Step = tuple[str, Callable[[Store], Any]]


def _event(event_type: str, body: dict[str, Any], unit: str | None = None, op: str | None = None
           ) -> Callable[[Store], Any]:
    return lambda store: store.record(event_type, body, unit_id=unit, operator_id=op)


def _state(unit: str, frm: str, to: str, op: str) -> Callable[[Store], Any]:
    return _event("unit.state_changed", {"from": frm, "to": to}, unit, op)


def _created(unit: str, imei: str, model: str, op: str) -> Callable[[Store], Any]:
    return _event("unit.created", {"identifiers": [{"kind": "imei", "value": imei}], "model": model,
                                   "source": "scan"}, unit, op)


def _received(unit: str, lot: str) -> Callable[[Store], Any]:
    return _event("lot.unit_received", {"lot_id": lot, "lot_code": lot.replace("-ID", ""), "expected": True}, unit)


def _rig_step(unit: str, index: int, name: str, verdict: str) -> Callable[[Store], Any]:
    return _event("rig.step_recorded", {"run_id": f"RUN-{unit}", "index": index, "name": name, "kind": "measure",
                                        "verdict": verdict, "message": "", "millis": 10, "cleanup": False}, unit)


def _phone_check(unit: str, step: str, outcome: str) -> Callable[[Store], Any]:
    return _event("phone.check_recorded", {"run_id": f"PRUN-{unit}", "step": step, "kind": "automatic",
                                           "outcome": outcome, "evidence": ""}, unit)


def _blockers(unit: str, holds: list[str]) -> Callable[[Store], Any]:
    return _event("phone.blockers_checked", {
        "blockers": [{"kind": k, "status": "present", "evidence": "seen"} for k in holds], "holds": holds}, unit)


def _erasure_started(unit: str, erasure: str) -> Callable[[Store], Any]:
    return _event("erasure.started", {"erasure_id": erasure, "device": {}, "method": {}, "verification": "full",
                                      "seed_hex": "00", "sample_seed": 1}, unit)


def _erasure_completed(unit: str, erasure: str, outcome: str, verified: str, started: str) -> Callable[[Store], Any]:
    body: dict[str, Any] = {
        "erasure_id": erasure, "outcome": outcome, "device": {}, "method": {},
        "verification": {"method": "full read", "result": verified}, "result": {"summary": outcome},
        "station": {}, "started_at": started, "finished_at": started}
    if outcome == "passed":
        body["certificate_id"] = f"C-{erasure}"
    return _event("erasure.completed", body, unit)


def _grade(unit: str, grade_id: str, cosmetic: str | None, op: str) -> Callable[[Store], Any]:
    return _event("grade.assigned", {
        "grade_id": grade_id, "ruleset": {"id": "phones", "version": 1}, "inputs": {},
        "functional": {"code": "F3", "title": "", "failed": [], "reasons": []},
        "cosmetic": {"scale": "cosmetic", "title": "", "grade": cosmetic, "reasons": []},
        "r2": {"functional": "F3", "cosmetic": "C2", "controlled_stream": False}, "channels": [],
        "summary": f"{cosmetic}", "sources": {}, "photos": []}, unit, op)


def _route(unit: str, route_id: str, grade_id: str, route: str, op: str) -> Callable[[Store], Any]:
    return _event("route.assigned", {
        "route_id": route_id, "grade_id": grade_id, "route": route, "value": "10", "currency": "EUR", "repairs": [],
        "parts": [], "recycle_weight_g": 180, "battery_removal": False, "ships_with_battery": True,
        "resale_blockers": [], "reasons": [], "price_table": {}}, unit, op)


def floor_steps() -> list[Step]:
    """Every step of the week, in time order."""
    steps: list[Step] = [
        ("2026-11-20T08:00:00", _event("operator.added", {"operator_id": ALICE, "name": "Alice", "badge": "B1",
                                                          "role": "technician", "pin_hash": "x"})),
        ("2026-11-20T08:00:00", _event("operator.added", {"operator_id": BOB, "name": "Bob", "badge": "B2",
                                                          "role": "supervisor", "pin_hash": "y"})),
        ("2026-11-20T08:00:00", _event("lot.created", {"lot_id": LOT_C, "code": "LOT-C", "party_kind": "customer",
                                                       "party": CUSTOMER, "po": "PO-1", "expected_count": 4})),
        ("2026-11-20T08:00:00", _event("lot.created", {"lot_id": LOT_S, "code": "LOT-S", "party_kind": "supplier",
                                                       "party": SUPPLIER, "po": "PO-2", "expected_count": 1})),
        # U6, the week before
        ("2026-11-20T10:00:00", _created("U6", "356000000000006", "Pixel 7", ALICE)),
        ("2026-11-20T10:00:00", _received("U6", LOT_C)),
        ("2026-11-20T11:00:00", _erasure_started("U6", "E6")),
        ("2026-11-20T11:30:00", _erasure_completed("U6", "E6", "interrupted", "not run", "2026-11-20T11:00:00Z")),
        # U5, Monday
        ("2026-11-30T10:00:00", _created("U5", "356000000000005", "Pixel 7", ALICE)),
        ("2026-11-30T10:00:00", _received("U5", LOT_C)),
        ("2026-11-30T10:05:00", _blockers("U5", ["frp", "mdm"])),
        ("2026-11-30T10:05:00", _state("U5", "received", "on_hold", ALICE)),
        # U4, Wednesday
        ("2026-12-02T08:00:00", _created("U4", "356000000000004", "Galaxy S22", BOB)),
        ("2026-12-02T08:10:00", _state("U4", "received", "testing", BOB)),
        ("2026-12-02T08:30:00", _state("U4", "testing", "tested", BOB)),
        ("2026-12-02T09:00:00", _event("phone.reset_completed", {
            "erasure_id": "R4", "outcome": "flagged", "device": {}, "method": {},
            "verification": {"result": "passed"}, "result": {}, "blockers": [], "station": {},
            "started_at": "2026-12-02T08:50:00Z", "finished_at": "2026-12-02T09:00:00Z", "destination": "reuse"},
            "U4")),
        ("2026-12-02T09:30:00", _grade("U4", "G4", None, BOB)),
        ("2026-12-02T09:30:00", _state("U4", "tested", "graded", BOB)),
        ("2026-12-02T09:40:00", _route("U4", "R4", "G4", "recycle", BOB)),
        # U1 and U2, today
        ("2026-12-04T09:00:00", _created("U1", "356000000000001", "Pixel 7", ALICE)),
        ("2026-12-04T09:00:00", _received("U1", LOT_C)),
        ("2026-12-04T09:05:00", _state("U1", "received", "identified", ALICE)),
        ("2026-12-04T09:10:00", _state("U1", "identified", "testing", ALICE)),
        ("2026-12-04T09:20:00", _rig_step("U1", 1, "battery", "pass")),
        ("2026-12-04T09:25:00", _rig_step("U1", 2, "speaker", "fail")),
        ("2026-12-04T09:30:00", _state("U1", "testing", "tested", ALICE)),
        ("2026-12-04T09:30:00", _created("U2", "356000000000002", "Pixel 7", BOB)),
        ("2026-12-04T09:30:00", _received("U2", LOT_C)),
        ("2026-12-04T09:40:00", _state("U2", "received", "testing", BOB)),
        ("2026-12-04T09:45:00", _rig_step("U2", 1, "speaker", "fail")),
        ("2026-12-04T09:50:00", _rig_step("U2", 2, "battery", "pass")),
        ("2026-12-04T10:00:00", _state("U1", "tested", "sanitising", ALICE)),
        ("2026-12-04T10:00:00", _erasure_started("U1", "E1")),
        ("2026-12-04T10:00:00", _state("U2", "testing", "tested", BOB)),
        ("2026-12-04T10:10:00", _state("U2", "tested", "sanitising", BOB)),
        ("2026-12-04T10:10:00", _erasure_started("U2", "E2a")),
        ("2026-12-04T10:30:00", _erasure_completed("U1", "E1", "passed", "passed", "2026-12-04T10:00:00Z")),
        ("2026-12-04T10:30:00", _state("U1", "sanitising", "sanitised", ALICE)),
        ("2026-12-04T10:40:00", _erasure_completed("U2", "E2a", "failed", "failed", "2026-12-04T10:10:00Z")),
        ("2026-12-04T10:50:00", _erasure_started("U2", "E2b")),
        ("2026-12-04T11:00:00", _grade("U1", "G1", "B", BOB)),
        ("2026-12-04T11:00:00", _state("U1", "sanitised", "graded", BOB)),
        ("2026-12-04T11:05:00", _route("U1", "R1", "G1", "resale", BOB)),
        ("2026-12-04T11:05:00", _state("U1", "graded", "routed", BOB)),
        ("2026-12-04T11:20:00", _erasure_completed("U2", "E2b", "passed", "passed", "2026-12-04T10:50:00Z")),
        ("2026-12-04T11:20:00", _state("U2", "sanitising", "sanitised", BOB)),
        ("2026-12-04T11:40:00", _grade("U2", "G2", "A", BOB)),
        ("2026-12-04T11:40:00", _state("U2", "sanitised", "graded", BOB)),
        ("2026-12-04T11:45:00", _event("grade.overridden", {"grade_id": "G2", "scale": "cosmetic", "from": "A",
                                                            "to": "C", "reason": "scratch"}, "U2", BOB)),
        ("2026-12-04T11:50:00", _route("U2", "R2", "G2", "resale", BOB)),
        ("2026-12-04T11:55:00", _event("route.overridden", {
            "route_id": "R2", "from": "resale", "to": "repair", "reason": "cheap fix", "repairs": [], "parts": [],
            "ships_with_battery": True}, "U2", BOB)),
        ("2026-12-04T11:58:00", _event("box.created", {"box_id": "BX-1", "route": "resale", "ship_mode": "road"},
                                       None, ALICE)),
        ("2026-12-04T11:59:00", _event("box.unit_added", {"box_id": "BX-1", "line": 1}, "U1", ALICE)),
        ("2026-12-04T11:59:00", _event("box.unit_added", {"box_id": "BX-1", "line": 2}, "U2", ALICE)),
        ("2026-12-04T12:00:00", _event("box.closed", {"box_id": "BX-1", "units": ["U1", "U2"],
                                                      "manifest_sha256": "0" * 64, "manifest_code": "M-1",
                                                      "marks": []}, None, ALICE)),
        # U3, today afternoon
        ("2026-12-04T13:00:00", _created("U3", "356000000000003", "iPhone 13", ALICE)),
        ("2026-12-04T13:00:00", _received("U3", LOT_S)),
        ("2026-12-04T13:05:00", _phone_check("U3", "touchscreen", "fail")),
        ("2026-12-04T13:06:00", _phone_check("U3", "face_id", "pass")),
        ("2026-12-04T13:10:00", _blockers("U3", ["activation_lock"])),
        ("2026-12-04T13:10:00", _state("U3", "received", "identified", ALICE)),
        ("2026-12-04T13:10:00", _state("U3", "identified", "on_hold", ALICE)),
    ]
    assert [t for t, _ in steps] == sorted(t for t, _ in steps)
    return steps


def record_floor(store: Store, clock: SettableClock, *, after: str = "", until: str = "9999") -> int:
    """Record the steps with ``after < time <= until``; returns how many."""
    count = 0
    for moment, step in floor_steps():
        if after < moment <= until:
            clock.now = datetime.fromisoformat(moment + "+00:00")
            step(store)
            count += 1
    return count
