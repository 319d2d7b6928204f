"""What a phone recorded reaches its grade: a lock found present closes resale even when another lock could
not be seen, a known cycle count and a failed battery survive an unknown capacity, and only the newest run of
each plan step counts, with the plan's own verdict (an incomplete plan is never read as all passed)."""

from __future__ import annotations

import pytest

from app.core.errors import OperatorError
from app.core.grading import RouteKind
from app.core.phones import StepOutcome, load_phone_plan
from app.services.grading import GradingService
from app.services.intake import IntakeService
from app.services.phone_source import AttachedPhone
from app.services.phones import PLAN_FILES, PhoneReading, PhoneService
from app.store.store import Store
from drivers.android.models import (
    BatteryHealth,
    BatteryReport,
    Blocker,
    BlockerKind,
    BlockerReport,
    BlockerStatus,
    Imei,
    PhoneIdentity,
    Unknown,
)
from tests.services.grading_support import imei, inspection, login

PLAN = load_phone_plan(PLAN_FILES["ios"])


@pytest.fixture
def service(store: Store) -> GradingService:
    return GradingService(store)


@pytest.fixture
def phones(store: Store, intake: IntakeService) -> PhoneService:
    login(intake)
    return PhoneService(store, PLAN, intake)


def _reading(n: int, *, blockers: tuple[tuple[BlockerKind, BlockerStatus], ...],
             battery: BatteryReport) -> PhoneReading:
    """An iPhone 13 as the iOS driver reads it (its FRP slot is the Activation Lock)."""
    attached = AttachedPhone(f"0000810{n}-001", "ios", "device", f"usb:1-{n}")
    identity = PhoneIdentity(adb_serial=attached.serial, make="Apple", model="iPhone 13", model_number="MLPF3",
                             serial=f"F2LXK0{n:04d}Q", imeis=(Imei(imei(n), 1, True, "lockdown"),),
                             os_version="iOS 18.1", sdk=None, build_fingerprint=None, storage_bytes=128_000_000_000,
                             storage_source="lockdown", colour=None, crypto_type=None)
    report = BlockerReport(tuple(Blocker(kind, status, f"{kind.value} {status.value}") for kind, status in blockers))
    return PhoneReading(attached, identity, battery, "", report, "", 0.1)


def _battery(capacity: int | None, cycles: int | None, health: BatteryHealth | None) -> BatteryReport:
    unknowns = () if capacity is not None else (Unknown("capacity_pct", "no design capacity"),)
    return BatteryReport(level_pct=60, health=health, capacity_pct=capacity, capacity_source=None,
                         cycle_count=cycles, cycle_source=None, status=None, temperature_c=None, voltage_mv=None,
                         unknowns=unknowns)


def test_a_present_activation_lock_closes_resale_though_the_carrier_lock_is_unknown(
        intake: IntakeService, phones: PhoneService, service: GradingService) -> None:
    tech = login(intake)
    locked = phones.record_reading(_reading(1, battery=_battery(91, 300, BatteryHealth.GOOD), blockers=(
        (BlockerKind.FRP, BlockerStatus.PRESENT), (BlockerKind.MDM, BlockerStatus.ABSENT),
        (BlockerKind.CARRIER_LOCK, BlockerStatus.UNKNOWN))), bay=1).unit
    typed = inspection()
    del typed["locks"]  # the Grade tab does not ask: the phone's check answered what matters
    graded = service.grade(locked.unit_id, typed, tech)
    assert graded.route.resale_blockers[0] == "activation lock"
    assert graded.route.kind is not RouteKind.RESALE
    assert graded.sources["locks"].startswith("phone.blockers_checked #")
    assert "carrier" not in graded.grade.inputs.locks.to_dict()  # type: ignore[union-attr]  # still unknown


def test_an_unseen_lock_with_none_present_is_asked_and_answered_by_the_technician(
        intake: IntakeService, phones: PhoneService, service: GradingService) -> None:
    tech = login(intake)
    unit = phones.record_reading(_reading(2, battery=_battery(91, 300, BatteryHealth.GOOD), blockers=(
        (BlockerKind.FRP, BlockerStatus.UNKNOWN), (BlockerKind.MDM, BlockerStatus.ABSENT))), bay=2).unit
    typed = inspection()
    del typed["locks"]
    with pytest.raises(OperatorError, match="the lock check for activation lock"):
        service.grade(unit.unit_id, typed, tech)
    graded = service.grade(unit.unit_id, inspection(), tech)  # the technician checked: no locks
    assert graded.route.resale_blockers == ()
    assert graded.sources["locks"].endswith(" + inspection")


def test_a_known_cycle_count_and_a_failed_battery_survive_an_unknown_capacity(
        intake: IntakeService, phones: PhoneService, service: GradingService) -> None:
    tech = login(intake)
    unit = phones.record_reading(_reading(3, battery=_battery(None, 812, BatteryHealth.UNSPECIFIED_FAILURE),
                                          blockers=((BlockerKind.FRP, BlockerStatus.ABSENT),)), bay=3).unit
    graded = service.grade(unit.unit_id, inspection(battery={"health_pct": 84}), tech)
    battery = graded.grade.inputs.battery
    assert battery is not None
    assert (battery.health_pct, battery.cycles, str(battery.fault)) == (84, 812, "failure")
    assert "battery" in graded.grade.functional.failed
    assert any("battery reported failed" in r for r in graded.grade.functional.reasons)
    assert graded.route.air_forbidden is not None
    assert "may not go by air" in graded.route.air_forbidden


def test_the_newest_run_of_each_step_counts_and_an_incomplete_plan_is_not_a_pass(
        intake: IntakeService, phones: PhoneService, service: GradingService) -> None:
    tech = login(intake)
    unit = phones.record_reading(_reading(4, battery=_battery(91, 300, BatteryHealth.GOOD),
                                          blockers=((BlockerKind.FRP, BlockerStatus.ABSENT),)), bay=4).unit
    first = phones.start_plan(unit.unit_id)
    assert first.run_id is not None
    for step in PLAN.step_ids:
        phones.record_check(unit.unit_id, first.run_id, step, StepOutcome.PASS, "ok")
    phones.finish_plan(unit.unit_id, first.run_id)
    again = phones.start_plan(unit.unit_id, again=True)
    assert again.run_id is not None
    for step in PLAN.step_ids:
        outcome = {"display": StepOutcome.SKIPPED, "vibration": StepOutcome.UNKNOWN}.get(step, StepOutcome.PASS)
        phones.record_check(unit.unit_id, again.run_id, step, outcome, "re-run")
    assert str(phones.finish_plan(unit.unit_id, again.run_id)) == "incomplete"
    typed = inspection()
    del typed["functional"]
    missing = service.missing(unit, typed)
    # The older run's passes do not stand in for the newest run's skip or its could-not-check.
    assert "the display test result" in missing
    assert "the vibration test result" in missing
    answered = inspection(functional={"display": "pass", "vibration": "fail"})
    graded = service.grade(unit.unit_id, answered, tech)
    assert graded.grade.functional.failed == ("vibration",)
