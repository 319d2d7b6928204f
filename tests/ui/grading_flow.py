"""A phone as the bench knows it after the Phones tab and an erasure, and the Grade tab's keystrokes for it
(shared by the Grade/Pack GUI tests and the grading benchmark, which counts the same keys)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core import events as ev
from app.core import events_phones as pev
from app.core.models import Operator
from app.services.intake import IntakeService
from app.store.store import Store
from tests.core.grading.support import TESTS
from tests.services.grading_support import imei

# Scan-to-label for a typical phone with one light scratch on the back: screen clean; back: a light scratch,
# 8 mm long, done; frame, camera lens and ports clean; battery looks normal; parts genuine; record and print.
TYPICAL_KEYS: tuple[tuple[Qt.Key, str], ...] = (
    (Qt.Key.Key_Return, "screen done"),
    (Qt.Key.Key_L, "a light scratch on the back"), (Qt.Key.Key_8, "8"), (Qt.Key.Key_Return, "mm"),
    (Qt.Key.Key_Return, "back done"), (Qt.Key.Key_Return, "frame done"), (Qt.Key.Key_Return, "camera lens done"),
    (Qt.Key.Key_Return, "ports done"), (Qt.Key.Key_Y, "battery looks normal"), (Qt.Key.Key_Y, "parts genuine"),
    (Qt.Key.Key_Return, "record the grade and print the label"),
)


def phone_after_checks(store: Store, operator: Operator, n: int) -> str:
    """A unit with what the Phones tab and an erasure record: identity, battery, locks, every test, a certificate."""
    intake = IntakeService(store)
    intake.operator = operator
    result = intake.handle_scan(imei(n))
    assert result.unit is not None
    unit_id, op = result.unit.unit_id, operator.operator_id
    store.record(pev.PHONE_IDENTIFIED, {
        "platform": "android", "transport_serial": f"emulator-{5554 + 2 * n}", "bay_key": f"tcp:127.0.0.1:{6200 + n}",
        "bay": n, "identity": {"make": "Apple", "model": "iPhone 13", "storage_bytes": 128_000_000_000,
                               "colour": "Midnight", "imeis": [{"value": imei(n), "slot": 0, "luhn_valid": True,
                                                                "source": "tradeinmode"}]},
        "unknowns": []}, unit_id=unit_id, operator_id=op)
    store.record(pev.PHONE_BATTERY_READ, {"battery": {"level_pct": 64, "capacity_pct": 91, "cycle_count": 312},
                                          "unknowns": []}, unit_id=unit_id, operator_id=op)
    store.record(pev.PHONE_BLOCKERS_CHECKED, {"blockers": [
        {"kind": kind, "status": "absent", "evidence": "checked"} for kind in ("frp", "mdm", "carrier_lock", "root")],
        "holds": []}, unit_id=unit_id, operator_id=op)
    for step in TESTS:
        store.record(pev.PHONE_CHECK_RECORDED, {"run_id": f"T-{n}", "step": step, "kind": "guided", "outcome": "pass",
                                                "evidence": "technician: pass"}, unit_id=unit_id, operator_id=op)
    store.record(ev.ERASURE_COMPLETED, {
        "erasure_id": f"E-{n}", "outcome": "passed", "certificate_id": f"C-TESTCERT{n:07d}", "device": {},
        "method": {}, "verification": {}, "result": {"summary": "verified"}, "station": {},
        "started_at": "2026-11-22T06:00:00.000Z", "finished_at": "2026-11-22T06:10:00.000Z"},
        unit_id=unit_id, operator_id=op)
    return unit_id
