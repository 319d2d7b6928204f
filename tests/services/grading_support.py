"""Shared set-up for the grading, label and packing service tests: scanned units and their inspections."""

from __future__ import annotations

import copy
from typing import Any

from app.core.identifiers import luhn_check_digit
from app.core.models import Operator, Unit
from app.services.intake import IntakeService
from tests.core.grading.support import clean_unit


def imei(n: int) -> str:
    body = f"35678901{n:06d}"
    return body + str(luhn_check_digit(body))


def scan_unit(intake: IntakeService, n: int = 1) -> Unit:
    """A unit scanned in by its IMEI, as a technician at the bench would."""
    result = intake.handle_scan(imei(n))
    assert result.unit is not None
    return result.unit


def login(intake: IntakeService, badge: str = "OP-0002") -> Operator:
    return intake.login_badge(badge)


def inspection(**changes: Any) -> dict[str, Any]:
    """A clean iPhone 13 inspection (every section typed) with ``changes`` laid over it."""
    data = copy.deepcopy(clean_unit())
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def grade_route_print_and_pack(intake: IntakeService) -> None:
    """Every grading, label and box event through the real services (the projection rebuild tests use this):
    grades and an override, a repair route overridden, a parts donor, labels printed to a file, a box packed,
    a unit taken out again and the box closed. ``intake`` must have a supervisor logged in."""
    from app.core.grading import RouteKind
    from app.services.grading import GradingService
    from app.services.labels import LabelTarget, unit_print_job
    from app.services.packing import PackingService
    from app.services.print_queue import PrintSpool
    from app.store import queries

    store, boss = intake.store, intake.operator
    assert boss is not None
    grading, spool, packing = GradingService(store), PrintSpool(store), PackingService(store)
    sold = [scan_unit(intake, 900 + i) for i in range(2)]
    for unit in sold:
        grading.grade(unit.unit_id, inspection(), boss)
    grading.override_grade(sold[0].unit_id, "cosmetic", "B", "scuff found at packing", boss)
    repair = scan_unit(intake, 910)
    grading.grade(repair.unit_id, inspection(battery={"health_pct": 71}), boss)
    grading.override_route(repair.unit_id, RouteKind.RECYCLE, "customer wants it recycled", boss)
    donor = scan_unit(intake, 911)
    broken = inspection(functional={**inspection()["functional"], "power": "fail"})
    grading.grade(donor.unit_id, broken, boss)
    (store.data_dir / "printer.zpl").touch()  # stands for a USB printer's node: it exists before anything is sent
    target = LabelTarget(f"file://{store.data_dir}/printer.zpl", "zpl", 203)
    for unit in sold:
        fresh = queries.get_unit(store.db, unit.unit_id)
        assert fresh is not None
        assert spool.send_now(unit_print_job(store, fresh, target, boss.operator_id)) == ""
    box = packing.create("resale", boss, channel="backmarket", ship_mode="road")
    for unit in sold:
        packing.add(box.box_id, queries.get_unit(store.db, unit.unit_id) or unit, boss)
    packing.remove(box.box_id, queries.get_unit(store.db, sold[1].unit_id) or sold[1], boss, "wrong colour")
    packing.close(box.box_id, boss)
