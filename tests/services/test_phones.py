"""Phones through the real adb server and emulated phones: identified at once, matched to units, held
for blockers and released, plan results recorded with evidence, and a plan resumed after an unplug."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core import events_phones as pev
from app.core.identifiers import IdentifierKind
from app.core.lifecycle import UnitState
from app.core.phones import PlanVerdict, StepOutcome, load_phone_plan
from app.services.intake import IntakeService
from app.services.phone_source import AttachedPhone
from app.services.phones import PLAN_FILE, PhoneReading, PhoneService, read_phone
from app.services.phones_sim import SimulatedPhoneBench
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store
from drivers.android import DeviceGone, DeviceOffline, Timeouts

TIMEOUTS = Timeouts(command=2.0, reset_return=30.0)
PLAN = load_phone_plan(PLAN_FILE)
MakeBench = Callable[..., SimulatedPhoneBench]


@pytest.fixture
def make_bench() -> Iterator[MakeBench]:
    benches: list[SimulatedPhoneBench] = []

    def make(*profiles: str, timeouts: Timeouts = TIMEOUTS) -> SimulatedPhoneBench:
        bench = SimulatedPhoneBench(profiles, timeouts=timeouts)
        benches.append(bench)
        bench.start()
        return bench

    yield make
    for bench in benches:
        bench.stop()


def attached_all(bench: SimulatedPhoneBench, count: int, timeout: float = 5.0) -> list[AttachedPhone]:
    assert bench.source is not None
    end = time.monotonic() + timeout
    while True:
        phones = [p for p in bench.source.attached() if p.ready]
        if len(phones) >= count or time.monotonic() > end:
            return phones
        time.sleep(0.05)


def read_all(bench: SimulatedPhoneBench, phones: list[AttachedPhone]) -> list[PhoneReading]:
    assert bench.source is not None
    source = bench.source
    with ThreadPoolExecutor(len(phones)) as pool:
        return list(pool.map(lambda p: read_phone(source.open(p.serial), p), phones))


@pytest.fixture
def phones(store: Store, intake: IntakeService) -> PhoneService:
    intake.login_badge("OP-0002")
    return PhoneService(store, PLAN, intake)


def test_eight_phones_are_identified_at_once_and_each_becomes_one_unit(
        make_bench: MakeBench, phones: PhoneService, store: Store) -> None:
    profiles = ("pixel8-a16", "pixel8-a16", "galaxy-a54", "galaxy-a54", "moto-g-power-2022", "lg-g7-a10-fde",
                "pixel8-a16", "moto-shell-v1")
    bench = make_bench(*profiles)
    started = time.monotonic()
    attached = attached_all(bench, 8)
    readings = read_all(bench, attached)
    elapsed = time.monotonic() - started
    assert len(readings) == 8
    assert elapsed < 2.0, f"8 phones took {elapsed:.2f} s to identify"
    records = [phones.record_reading(r, None) for r in readings]
    assert len({r.unit.unit_id for r in records}) == 8
    assert all(r.created and r.unit.state is UnitState.IDENTIFIED for r in records)
    pixel = next(r for r in readings if r.identity.model == "Pixel 8")
    assert pixel.identity.make == "Google"
    assert len(pixel.identity.valid_imeis) == 2
    assert pixel.identity.os_version == "Android 16 (API 36)"
    assert pixel.identity.storage_bytes == 128_000_000_000
    unit = queries.find_unit(store.db, pixel.identity.valid_imeis[0])
    assert unit is not None
    assert unit.model == "Google Pixel 8"
    assert {i.value for i in unit.identifiers} >= {*pixel.identity.valid_imeis, str(pixel.identity.serial).upper()}
    # plugged in again: the same units, no new ones
    again = [phones.record_reading(r, None) for r in read_all(bench, attached)]
    assert [r.unit.unit_id for r in again] == [r.unit_id for r in (x.unit for x in records)]
    assert not any(r.created for r in again)
    assert queries.count_units(store.db) == 8


def test_identity_battery_and_blockers_are_events_with_evidence(make_bench: MakeBench, phones: PhoneService,
                                                                store: Store) -> None:
    bench = make_bench("moto-low-battery")
    reading = read_all(bench, attached_all(bench, 1))[0]
    record = phones.record_reading(reading, 4)
    events = {e.type: e.body for e in unit_events(store.db, record.unit.unit_id)}
    identified = events[pev.PHONE_IDENTIFIED]
    assert identified["bay"] == 4
    assert identified["identity"]["make"] == "Motorola"
    assert identified["identity"]["imeis"][0]["luhn_valid"] is True
    battery = events[pev.PHONE_BATTERY_READ]["battery"]
    assert (battery["level_pct"], battery["cycle_count"], battery["capacity_pct"]) == (4, 812, 71)
    assert battery["cycle_source"].endswith("cycle_count")
    blockers = {b["kind"]: b for b in events[pev.PHONE_BLOCKERS_CHECKED]["blockers"]}
    assert blockers["frp"]["status"] == "absent"
    assert blockers["root"]["status"] == "absent"
    assert "release-keys" in blockers["root"]["evidence"]
    assert events[pev.PHONE_BLOCKERS_CHECKED]["holds"] == []


@pytest.mark.parametrize(("profile", "kind", "words"), [
    ("galaxy-a54-frp", "frp", "Google FRP (signed in to Google account j***@gmail.com"),
    ("galaxy-a54-mdm", "mdm", "device management (managed: com.airwatch.androidagent"),
    ("moto-rooted", "root", "root (verified boot state orange; bootloader unlocked; su binary at /system/bin/su"),
])
def test_a_blocker_holds_the_unit_until_a_recheck_finds_it_gone(
        make_bench: MakeBench, phones: PhoneService, store: Store, profile: str, kind: str, words: str) -> None:
    bench = make_bench(profile)
    attached = attached_all(bench, 1)
    record = phones.record_reading(read_all(bench, attached)[0], None)
    assert record.unit.state is UnitState.ON_HOLD
    assert record.hold.startswith("phone blocker: " + words)
    with pytest.raises(Exception, match="on hold for a blocker"):
        phones.start_plan(record.unit.unit_id)
    # still there at a re-check: still held, no second hold recorded
    again = phones.record_reading(read_all(bench, attached)[0], None)
    assert again.unit.state is UnitState.ON_HOLD
    assert not again.released
    # the owner signs out / the organisation releases it / the phone is re-flashed, then it is re-checked
    state = bench.phones[0].state.data
    state["accounts"] = [a for a in state.get("accounts", []) if a["type"] != "com.google"]
    state["device_owner"] = None
    state["props"].update({"ro.boot.verifiedbootstate": "green", "ro.boot.flash.locked": "1"})
    state["packages"] = [p for p in state.get("packages", []) if "magisk" not in p]
    bench.phones[0].state.files.pop("/system/bin/su", None)
    bench.phones[0].state.files.pop("/sbin/su", None)
    released = phones.record_reading(read_all(bench, attached)[0], None)
    assert released.released
    assert released.hold == ""
    assert released.unit.state is UnitState.IDENTIFIED
    changes = [e.body for e in unit_events(store.db, record.unit.unit_id) if e.type == "unit.state_changed"]
    assert [c["to"] for c in changes] == ["identified", "on_hold", "identified"]
    assert changes[-1]["reason"] == "phone re-checked: no blockers left"


def test_a_phone_matching_no_unit_becomes_the_unit_just_scanned(make_bench: MakeBench, phones: PhoneService,
                                                                intake: IntakeService, store: Store) -> None:
    scanned, _ = intake.add_unit(IdentifierKind.ASSET_TAG, "AT-88231")
    bench = make_bench("galaxy-a54")
    reading = read_all(bench, attached_all(bench, 1))[0]
    record = phones.record_reading(reading, None, scanned=scanned)
    assert record.unit.unit_id == scanned.unit_id
    assert not record.created
    assert {i.kind for i in record.unit.identifiers} == {"asset_tag", "imei", "serial"}


def test_plan_results_are_recorded_as_they_come_and_an_unplugged_plan_resumes(
        make_bench: MakeBench, phones: PhoneService, store: Store) -> None:
    bench = make_bench("pixel8-slow", "galaxy-a54")
    attached = sorted(attached_all(bench, 2), key=lambda p: p.serial)
    slow = next(p for p in attached if p.serial == bench.phones[0].address)
    other = next(p for p in attached if p.serial == bench.phones[1].address)
    assert bench.source is not None
    record = phones.record_reading(read_phone(bench.source.open(slow.serial), slow), 1)
    run = phones.start_plan(record.unit.unit_id)
    assert run.run_id is not None
    assert phones.state_of(record.unit.unit_id) is UnitState.TESTING
    got: list[str] = []

    def on_result(result: object) -> None:
        outcome = phones.record_automatic(record.unit.unit_id, str(run.run_id), result)  # type: ignore[arg-type]
        got.append(f"{getattr(result, 'name', '')}:{outcome}")
        if len(got) == 2:
            bench.unplug(bench.phones[0])  # the cable is pulled after the second check

    started = time.monotonic()
    # mid-command the link drops (DeviceGone); between commands the server already calls it offline
    with pytest.raises((DeviceGone, DeviceOffline)):
        bench.source.open(slow.serial).automatic_checks(PLAN.automatic, on_result)
    assert time.monotonic() - started < TIMEOUTS.command + 1.5
    assert got == ["sensors:pass", "cameras:pass"]
    # the other bay never stalled
    assert read_phone(bench.source.open(other.serial), other).identity.model == "SM-A546B"

    bench.replug(bench.phones[0])
    back = attached_all(bench, 2)
    assert slow.serial in {p.serial for p in back}
    again = phones.record_reading(read_phone(bench.source.open(slow.serial), slow), 1)
    assert again.unit.unit_id == record.unit.unit_id
    assert again.progress.run_id == run.run_id
    assert set(again.progress.done) == {"sensors", "cameras"}
    resumed = phones.start_plan(record.unit.unit_id)
    assert resumed.run_id == run.run_id
    remaining = PLAN.remaining_automatic(resumed.done)
    assert remaining == ("wifi", "bluetooth", "storage", "charging")
    for result in bench.source.open(slow.serial).automatic_checks(remaining):
        phones.record_automatic(record.unit.unit_id, str(run.run_id), result)
    for step in PLAN.guided:
        phones.record_check(record.unit.unit_id, str(run.run_id), step.id, StepOutcome.PASS, "looked fine")
    assert phones.finish_plan(record.unit.unit_id, str(run.run_id)) is PlanVerdict.PASSED
    assert phones.state_of(record.unit.unit_id) is UnitState.TESTED
    checks = [e.body for e in unit_events(store.db, record.unit.unit_id) if e.type == pev.PHONE_CHECK_RECORDED]
    assert [c["step"] for c in checks] == list(PLAN.step_ids)  # each step once, none repeated after the resume
    assert all(c["evidence"] for c in checks)


def test_malformed_output_is_could_not_check_and_the_plan_is_never_passed(
        make_bench: MakeBench, phones: PhoneService, store: Store) -> None:
    bench = make_bench("galaxy-a54-malformed")
    attached = attached_all(bench, 1)
    assert bench.source is not None
    reading = read_phone(bench.source.open(attached[0].serial), attached[0])
    assert reading.identity.valid_imeis == ()
    record = phones.record_reading(reading, None)  # matched by its serial, the IMEIs failing their check digit
    assert record.unit.identifier("serial") == str(reading.identity.serial).upper()
    blockers = {b.kind.value: b.status.value for b in reading.blockers.blockers} if reading.blockers else {}
    assert blockers["frp"] == "unknown"
    assert blockers["mdm"] == "unknown"
    assert record.unit.state is UnitState.IDENTIFIED  # unknown is not a hold, and not a pass either
    run = phones.start_plan(record.unit.unit_id)
    outcomes = {r.name: phones.record_automatic(record.unit.unit_id, str(run.run_id), r)
                for r in bench.source.open(attached[0].serial).automatic_checks()}
    assert outcomes["sensors"] is StepOutcome.UNKNOWN
    assert outcomes["storage"] is StepOutcome.UNKNOWN
    assert outcomes["charging"] is StepOutcome.UNKNOWN
    for step in PLAN.guided:
        phones.record_check(record.unit.unit_id, str(run.run_id), step.id, StepOutcome.PASS, "fine")
    assert phones.finish_plan(record.unit.unit_id, str(run.run_id)) is PlanVerdict.INCOMPLETE
    battery = next(e.body for e in unit_events(store.db, record.unit.unit_id) if e.type == pev.PHONE_BATTERY_READ)
    assert "level_pct" not in battery["battery"]
    assert {u["field"] for u in battery["unknowns"]} >= {"level", "health", "capacity_pct", "cycle_count"}


def test_a_hung_phone_is_identified_and_its_wedged_services_are_could_not_check(
        make_bench: MakeBench, phones: PhoneService) -> None:
    bench = make_bench("pixel8-hang", "galaxy-a54", timeouts=Timeouts(command=1.0))
    attached = {p.serial: p for p in attached_all(bench, 2)}
    hung = attached[bench.phones[0].address]
    started = time.monotonic()
    readings = read_all(bench, [hung, attached[bench.phones[1].address]])
    elapsed = time.monotonic() - started
    assert elapsed < 6.0, f"a hung phone held its reading for {elapsed:.1f} s"
    assert readings[0].identity.model == "Pixel 8"
    assert readings[0].battery is None
    assert readings[0].battery_error.startswith("could not check: phone ")
    assert "did not answer 'dumpsys battery' within 1 s" in readings[0].battery_error
    assert readings[1].seconds < 1.0  # the other bay was read at its own pace
    record = phones.record_reading(readings[0], None)
    assert record.unit.state is UnitState.IDENTIFIED
