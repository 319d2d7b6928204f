"""Phone plan runs take their plan from the hub's reference data and keep it: the plan the hub publishes
is the one run, a version pulled while a phone's plan runs reaches only the next phone, each run's start
names its version, and a broken plan from the hub stops phone tests with a clear error instead of
quietly running the built-in plan. A real hub on 127.0.0.1, the bench's real sync client, emulated
phones on a private adb server."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from app.core import events_phones as pev
from app.core.lifecycle import UnitState
from app.core.phones import PhonePlanError, PlanVerdict, StepOutcome
from app.services import reference_data
from app.services.intake import IntakeService
from app.services.phone_plans import built_in_plan
from app.services.phone_source import AttachedPhone
from app.services.phones import PhoneService, read_phone
from app.services.phones_sim import SimulatedPhoneBench
from app.services.sync import SyncClient
from app.services.sync_enroll import enroll
from app.store.eventlog import unit_events
from app.store.store import Store
from drivers.android import Timeouts
from tests.hub.helpers import RunningHub, running_hub

ROOT = Path(__file__).resolve().parents[2]


def plan_text(version: int, automatic: list[str], guided: list[str], name: str) -> str:
    steps = "".join(f'\n[[guided]]\nid = "{g}"\nname = "{g.title()}"\ninstruction = "Judge the {g}."\n'
                    for g in guided)
    return (f'[plan]\nid = "phone-android"\nname = "{name}"\nversion = {version}\n'
            f"automatic = {automatic!r}\n".replace("'", '"') + steps)


FIRST = plan_text(11, ["wifi", "storage"], ["display"], "Android, first edition")
SECOND = plan_text(12, ["wifi", "storage", "charging"], ["display", "touch"], "Android, second edition")
# Valid TOML the hub accepts, but no plan this bench can run: a check no phone driver has.
BROKEN = plan_text(13, ["wifi", "teleport"], ["display"], "Android, broken edition")


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    with running_hub("sqlite", tmp_path / "hub") as running:
        yield running


@pytest.fixture
def data_dir(tmp_path: Path, hub: RunningHub) -> Path:
    """The bench's data folder (the ``store`` fixture opens it), enrolled with ``hub``."""
    folder = tmp_path / "bench"
    Store(folder).close()
    enroll(folder, hub.url, hub.hub.create_enrollment_code("Bench 1"), timeout=5)
    return folder


@pytest.fixture
def bench() -> Iterator[SimulatedPhoneBench]:
    phones = SimulatedPhoneBench(("pixel8-a16", "galaxy-a54"), timeouts=Timeouts(command=2.0, reset_return=30.0))
    phones.start()
    yield phones
    phones.stop()


def publish(hub: RunningHub, folder: Path, android_plan: str | None) -> int:
    """Publish the packaged grading data, with ``android_plan`` as the Android phone plan (None: none)."""
    shutil.copytree(ROOT / "resources" / "grading", folder)
    if android_plan is not None:
        (folder / "testplans").mkdir()
        (folder / "testplans" / "phone-android.toml").write_text(android_plan)
    return hub.hub.publish_reference(folder)


def pull(data_dir: Path) -> None:
    client = SyncClient(data_dir, timeout=5)
    try:
        client.sync_once()
    finally:
        client.close()


def phone(bench: SimulatedPhoneBench, index: int) -> AttachedPhone:
    assert bench.source is not None
    wanted = bench.phones[index].address
    end = time.monotonic() + 5
    while time.monotonic() < end:
        found = next((p for p in bench.source.attached() if p.serial == wanted and p.ready), None)
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError(f"phone {wanted} never attached")


def started_bodies(store: Store, unit_id: str) -> list[Mapping[str, Any]]:
    return [e.body for e in unit_events(store.db, unit_id) if e.type == pev.PHONE_PLAN_STARTED]


def identify(service: PhoneService, bench: SimulatedPhoneBench, index: int) -> str:
    assert bench.source is not None
    attached = phone(bench, index)
    return service.record_reading(read_phone(bench.source.open(attached.serial), attached), 11 + index).unit.unit_id


def run_checks(service: PhoneService, bench: SimulatedPhoneBench, index: int, unit_id: str, run_id: str,
               checks: tuple[str, ...], on_each: Any = None) -> None:
    assert bench.source is not None
    for result in bench.source.open(phone(bench, index).serial).automatic_checks(checks):
        service.record_automatic(unit_id, run_id, result)
        if on_each is not None:
            on_each()


def test_the_hubs_phone_plan_is_run_and_a_version_pulled_mid_plan_reaches_only_the_next_phone(
    store: Store, intake: IntakeService, hub: RunningHub, bench: SimulatedPhoneBench, tmp_path: Path
) -> None:
    data = reference_data.for_folder(store.data_dir)
    assert publish(hub, tmp_path / "v1", FIRST) == 1
    pull(store.data_dir)
    assert data.current_version() == 1
    intake.login_badge("OP-0002")
    service = PhoneService(store, intake=intake, platform="android")
    first = identify(service, bench, 0)
    run = service.start_plan(first)
    assert run.run_id is not None
    assert run.plan is not None
    assert (run.plan.name, run.plan.step_ids, run.reference_version) == (
        "Android, first edition", ("wifi", "storage", "display"), 1)

    seen_mid_plan: list[tuple[int, int | None, str]] = []

    def publish_mid_plan() -> None:
        if seen_mid_plan:
            return
        assert publish(hub, tmp_path / "v2", SECOND) == 2
        pull(store.data_dir)
        seen_mid_plan.append((data.current_version(), data.pending, service.plan.name))

    run_checks(service, bench, 0, first, run.run_id, run.plan.automatic, publish_mid_plan)
    assert seen_mid_plan == [(1, 2, "Android, first edition")], "version 2 waits while the plan runs"
    progress = service.progress(first)
    assert progress.plan is run.plan, "the running plan did not change"
    service.record_check(first, run.run_id, "display", StepOutcome.PASS, "looked fine")
    with pytest.raises(ValueError, match="touch"):  # a step of the new plan is not one of this run's
        service.record_check(first, run.run_id, "touch", StepOutcome.PASS, "looked fine")
    assert service.finish_plan(first, run.run_id) is PlanVerdict.PASSED
    assert data.current_version() == 2, "applied as the plan ended"

    second = identify(service, bench, 1)
    next_run = service.start_plan(second)
    assert next_run.plan is not None
    assert next_run.run_id is not None
    assert (next_run.plan.name, next_run.reference_version) == ("Android, second edition", 2)
    (first_started,) = started_bodies(store, first)
    (second_started,) = started_bodies(store, second)
    assert (first_started["plan_version"], first_started["steps"], first_started["reference_version"]) == (
        11, ["wifi", "storage", "display"], 1)
    assert (second_started["plan_version"], second_started["steps"], second_started["reference_version"]) == (
        12, ["wifi", "storage", "charging", "display", "touch"], 2)
    service.release_all()


def test_a_phone_unplugged_mid_plan_lets_its_version_go_and_resumes_with_its_own_plan(
    store: Store, intake: IntakeService, hub: RunningHub, bench: SimulatedPhoneBench, tmp_path: Path
) -> None:
    """A pulled phone runs nothing, so it holds no version back; plugged in again, its run goes on with
    the plan it started with, not the one that came meanwhile."""
    data = reference_data.for_folder(store.data_dir)
    assert publish(hub, tmp_path / "v1", FIRST) == 1
    pull(store.data_dir)
    intake.login_badge("OP-0002")
    service = PhoneService(store, intake=intake, platform="android")
    unit = identify(service, bench, 0)
    run = service.start_plan(unit)
    assert run.run_id is not None
    run_checks(service, bench, 0, unit, run.run_id, ("wifi",))
    assert publish(hub, tmp_path / "v2", SECOND) == 2
    pull(store.data_dir)
    assert (data.current_version(), data.pending) == (1, 2)

    attached = phone(bench, 0)
    bench.unplug(bench.phones[0])
    service.record_disconnect(unit, attached, "guided tests", "gone from the bus")
    assert (data.current_version(), data.pending) == (2, None), "nothing runs on a pulled phone"

    bench.replug(bench.phones[0])
    assert identify(service, bench, 0) == unit
    resumed = service.start_plan(unit)
    assert resumed.plan is not None
    assert (resumed.run_id, resumed.reference_version, resumed.plan.name, dict(resumed.done)) == (
        run.run_id, 1, "Android, first edition", {"wifi": StepOutcome.PASS})
    run_checks(service, bench, 0, unit, run.run_id, resumed.plan.remaining_automatic(resumed.done))
    service.record_check(unit, run.run_id, "display", StepOutcome.PASS, "looked fine")
    assert service.finish_plan(unit, run.run_id) is PlanVerdict.PASSED
    (started,) = started_bodies(store, unit)
    assert (started["plan_version"], started["reference_version"]) == (11, 1)


def test_a_broken_phone_plan_from_the_hub_stops_tests_and_is_never_replaced_by_the_built_in_one(
    store: Store, intake: IntakeService, hub: RunningHub, bench: SimulatedPhoneBench, tmp_path: Path
) -> None:
    data = reference_data.for_folder(store.data_dir)
    assert publish(hub, tmp_path / "v1", BROKEN) == 1
    pull(store.data_dir)
    assert data.current_version() == 1
    intake.login_badge("OP-0002")
    service = PhoneService(store, intake=intake, platform="android")
    unit = identify(service, bench, 0)
    with pytest.raises(PhonePlanError) as raised:
        service.start_plan(unit)
    assert raised.value.message.startswith("Reference data version 1, testplans/phone-android.toml: ")
    assert "automatic must list checks" in raised.value.message
    assert "built-in plan is not used" in raised.value.hint
    assert started_bodies(store, unit) == [], "no run starts, with the built-in plan or any other"
    assert service.state_of(unit) is UnitState.IDENTIFIED

    # Nothing is left holding version 1: a version with no phone plan applies at once and the built-in
    # plan is run under it, the record naming that version.
    assert publish(hub, tmp_path / "v2", None) == 2
    pull(store.data_dir)
    assert (data.current_version(), data.pending) == (2, None)
    run = service.start_plan(unit)
    assert run.plan == built_in_plan("android")
    (started,) = started_bodies(store, unit)
    assert (started["plan_id"], started["reference_version"]) == ("phone-android", 2)
    service.release_all()
