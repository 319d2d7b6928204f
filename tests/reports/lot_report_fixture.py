"""A customer lot worked through the real intake service and Store.record, across a carbon factor table change.

Lot LOT-2025-0900 (customer Acme Leasing, PO-7781, 4 expected; manifest: drives WD-K0001 and WD-K0404):

* WD-K0001, drive WD10EZEX, received 2025-12-20: overwritten and verified (certificate C-K0001, Clear),
  routed resale 2025-12-22: an hdd has no published CO2e factor nor typical mass (table 2025.1).
* Pixel 7 (IMEI 1), received 2025-12-20, serial added later: erasure failed its verification; graded B,
  routed resale 2025-12-30 (table 2025.1: 27 kg CO2e).
* iPhone 13 (IMEI 2), received 2025-12-21: phone reset passed (certificate PR-K2, Purge); graded A,
  overridden to B; routed resale, overridden to repair on 2026-01-05 (table 2026.1: 79.95 kg); boxed and
  the box closed: shipped.
* Galaxy S21 (IMEI 3), received 2025-12-21, never erased: harvested for parts on 2026-01-05, two of the four
  parts the packaged price table values for it (parts reuse rate 50 %).
* WD-K0404 is on the manifest and never arrives.

The lot's certificate of data destruction is issued at the end by the real service.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.grading.prices import load_price_table
from app.core.identifiers import IdentifierKind
from app.core.models import PartyKind, Role
from app.services.grading import GRADING_DIR
from app.services.intake import IntakeService
from app.services.lot_certificate import issue_lot_certificate
from app.store.store import Store
from tests.core.kpi_floor import SettableClock

LOT_K = "LOT-2025-0900"
MANIFEST = b"Serial,Model\nWD-K0001,WD10EZEX\nWD-K0404,ST1000DM010\n"


def luhn_imei(body14: str) -> str:
    total = 0
    for i, ch in enumerate(body14):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return body14 + str((10 - total % 10) % 10)


IMEI_PIXEL = luhn_imei("35600011000001")
IMEI_IPHONE = luhn_imei("35600011000002")
IMEI_GALAXY = luhn_imei("35600011000003")
PRICES = load_price_table(GRADING_DIR / "prices" / "phones-eu-v1.toml")


def at(clock: SettableClock, moment: str) -> None:
    clock.now = datetime.fromisoformat(moment + "+00:00")


def _erasure_body(erasure_id: str, outcome: str, verified: str, serial: str, model: str, started: str,
                  certificate_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "erasure_id": erasure_id, "outcome": outcome,
        "device": {"serial": serial, "model": model, "media_type": "magnetic"} if serial else {},
        "method": {"name": "Overwrite, 1 pass zeros", "category": "Clear"},
        "verification": {"method": "full read", "result": verified}, "result": {"summary": outcome},
        "station": {"station_id": "bench"}, "started_at": started, "finished_at": started.replace(":00Z", ":40Z")}
    if certificate_id:
        body["certificate_id"] = certificate_id
    return body


def _grade(store: Store, unit: str, grade_id: str, cosmetic: str, op: str) -> None:
    store.record("grade.assigned", {
        "grade_id": grade_id, "ruleset": {"id": "phones", "version": 1}, "inputs": {},
        "functional": {"code": "F3", "title": "", "failed": [], "reasons": []},
        "cosmetic": {"scale": "cosmetic", "title": "", "grade": cosmetic, "reasons": []},
        "r2": {"functional": "F3", "cosmetic": "C2", "controlled_stream": False}, "channels": [],
        "summary": cosmetic, "sources": {}, "photos": []}, unit_id=unit, operator_id=op)


def _route(store: Store, unit: str, route_id: str, route: str, op: str, parts: tuple[str, ...] = ()) -> None:
    store.record("route.assigned", {
        "route_id": route_id, "grade_id": f"G-{route_id}", "route": route, "value": "10", "currency": "EUR",
        "repairs": [],
        "parts": [{"part_id": f"P-{route_id}-{p}", "part": p, "grade": "B", "value": "5"} for p in parts],
        "recycle_weight_g": 180, "battery_removal": False, "ships_with_battery": True, "resale_blockers": [],
        "reasons": [], "price_table": {"id": PRICES.id, "version": PRICES.version, "digest": PRICES.digest}},
        unit_id=unit, operator_id=op)


def lot_clock() -> SettableClock:
    """The clock to open the store with: the store never records an event before its newest one, so it
    must open before the lot's first day."""
    clock = SettableClock()
    at(clock, "2025-12-20T07:00:00")
    return clock


def record_lot(store: Store, clock: SettableClock, cert_dir: Path) -> dict[str, str]:
    """Record the lot (on a store opened with :func:`lot_clock`); returns the unit ids by name ("drive",
    "pixel", "iphone", "galaxy") and the lot certificate's id ("certificate")."""
    intake = IntakeService(store)
    at(clock, "2025-12-20T08:00:00")
    intake.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
    op = intake.login_badge("OP-0001").operator_id
    lot = intake.create_lot(LOT_K, PartyKind.CUSTOMER, "Acme Leasing", "PO-7781", 4)
    intake.import_manifest_file(lot, MANIFEST, "acme-manifest.csv")
    at(clock, "2025-12-20T09:00:00")
    drive, _ = intake.add_unit(IdentifierKind.SERIAL, "WD-K0001", lot_code=LOT_K, model="WD10EZEX")
    at(clock, "2025-12-20T09:10:00")
    pixel, _ = intake.add_unit(IdentifierKind.IMEI, IMEI_PIXEL, lot_code=LOT_K, model="Pixel 7")
    at(clock, "2025-12-21T09:00:00")
    iphone, _ = intake.add_unit(IdentifierKind.IMEI, IMEI_IPHONE, lot_code=LOT_K, model="iPhone 13")
    at(clock, "2025-12-21T09:30:00")
    galaxy, _ = intake.add_unit(IdentifierKind.IMEI, IMEI_GALAXY, lot_code=LOT_K, model="Galaxy S21")
    at(clock, "2025-12-21T10:00:00")
    for erasure_id, unit, outcome, verified, cert in (("EK1", drive.unit_id, "passed", "passed", "C-K0001"),
                                                      ("EK2", pixel.unit_id, "failed", "failed", None)):
        device = {"media_type": "magnetic"} if cert else {}
        store.record("erasure.started", {"erasure_id": erasure_id, "device": device, "method": {},
                                         "verification": "full", "seed_hex": "00", "sample_seed": 1},
                     unit_id=unit)
        store.record("erasure.completed", _erasure_body(erasure_id, outcome, verified, "WD-K0001" if cert else "",
                                                        "WD10EZEX" if cert else "", "2025-12-21T10:00:00Z", cert),
                     unit_id=unit)
    store.record("unit.identifier_added", {"kind": "serial", "value": "PX7-SERIAL-9"}, unit_id=pixel.unit_id)
    store.record("phone.reset_completed", {
        "erasure_id": "RK3", "outcome": "passed", "certificate_id": "PR-K2", "device": {"model": "iPhone 13"},
        "method": {"name": "Cryptographic erase", "category": "Purge"},
        "verification": {"method": "setup assistant shown", "result": "passed"}, "result": {}, "blockers": [],
        "station": {}, "started_at": "2025-12-21T10:00:00Z", "finished_at": "2025-12-21T10:05:00Z",
        "destination": "reuse"}, unit_id=iphone.unit_id)
    at(clock, "2025-12-22T09:00:00")
    _route(store, drive.unit_id, "RK1", "resale", op)
    at(clock, "2025-12-30T09:00:00")
    _grade(store, pixel.unit_id, "GK2", "B", op)
    _route(store, pixel.unit_id, "RK2", "resale", op)
    at(clock, "2026-01-05T09:00:00")
    _grade(store, iphone.unit_id, "GK3", "A", op)
    store.record("grade.overridden", {"grade_id": "GK3", "scale": "cosmetic", "from": "A", "to": "B",
                                      "reason": "scratch on the back"}, unit_id=iphone.unit_id, operator_id=op)
    _route(store, iphone.unit_id, "RK3", "resale", op)
    store.record("route.overridden", {"route_id": "RK3", "from": "resale", "to": "repair", "reason": "cheap fix",
                                      "repairs": [], "parts": [], "ships_with_battery": True},
                 unit_id=iphone.unit_id, operator_id=op)
    at(clock, "2026-01-05T10:00:00")
    _route(store, galaxy.unit_id, "RK4", "parts_harvest", op, ("display", "logic_board"))
    at(clock, "2026-01-06T09:00:00")
    store.record("box.created", {"box_id": "BX-K", "route": "repair", "ship_mode": "road"}, operator_id=op)
    store.record("box.unit_added", {"box_id": "BX-K", "line": 1}, unit_id=iphone.unit_id, operator_id=op)
    store.record("box.closed", {"box_id": "BX-K", "units": [iphone.unit_id], "manifest_sha256": "0" * 64,
                                "manifest_code": "M-K", "marks": []}, operator_id=op)
    at(clock, "2026-01-07T09:00:00")
    issued = issue_lot_certificate(store, LOT_K, cert_dir)
    return {"drive": drive.unit_id, "pixel": pixel.unit_id, "iphone": iphone.unit_id, "galaxy": galaxy.unit_id,
            "certificate": issued.certificate_id}
