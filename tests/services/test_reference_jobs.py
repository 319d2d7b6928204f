"""Jobs keep the hub reference data version they started with: a version the hub publishes and the
bench pulls while a rig plan or a grade is in progress is not used by it, the next job uses it, and
each job's events name the version it ran under. A real hub on 127.0.0.1, the bench's real sync
client, simulated rigs on ptys."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from app.core import events_grading as gev
from app.core import events_rigs as rev
from app.core.identifiers import IdentifierKind
from app.core.testplans import StepResult
from app.services import reference_data
from app.services.grading import GradingService
from app.services.intake import IntakeService
from app.services.rig_tests import RigTestService
from app.services.sync import SyncClient
from app.services.sync_enroll import enroll
from app.store.eventlog import unit_events
from app.store.store import Store
from drivers.sim.rigs.profiles import SimBench, start_bench
from tests.hub.helpers import RunningHub, running_hub
from tests.services.grading_support import inspection, login, scan_unit

ROOT = Path(__file__).resolve().parents[2]
CHARGER = "laptop-charger-65w"
CHARGER_FILE = "testplans/rigs/laptop-charger-65w.toml"
RULESET = "rulesets/phones-ctia-r2-v1.toml"
RULESET_TITLE = 'title = "Phones and tablets: '
PACKAGED_NAME = 'name = "Laptop charger 65 W (20 V) under load"'


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
def charger_bench() -> Iterator[SimBench]:
    bench = start_bench("charger-bench")
    yield bench
    bench.stop()


def _publish(hub: RunningHub, folder: Path, edition: str) -> int:
    """Publish the packaged reference data with the charger plan's name and the phone ruleset's title
    naming ``edition``, so a job's record shows which version it read."""
    shutil.copytree(ROOT / "resources" / "grading", folder)
    shutil.copytree(ROOT / "resources" / "testplans", folder / "testplans")
    plan = folder / CHARGER_FILE
    text = plan.read_text()
    assert PACKAGED_NAME in text
    plan.write_text(text.replace(PACKAGED_NAME, f'name = "Laptop charger 65 W, {edition}"'))
    ruleset = folder / RULESET
    text = ruleset.read_text()
    assert RULESET_TITLE in text
    ruleset.write_text(text.replace(RULESET_TITLE, f'title = "{edition}: ', 1))
    return hub.hub.publish_reference(folder)


def _pull(data_dir: Path) -> None:
    client = SyncClient(data_dir, timeout=5)
    try:
        client.sync_once()
    finally:
        client.close()


def _bodies(store: Store, unit_id: str, kind: str) -> list[Mapping[str, Any]]:
    return [e.body for e in unit_events(store.db, unit_id) if e.type == kind]


def _unit(intake: IntakeService, serial: str) -> Any:
    intake.login_badge("OP-0002")
    unit, _ = intake.add_unit(IdentifierKind.SERIAL, serial)
    return unit


def test_a_rig_plan_keeps_its_version_and_the_next_run_takes_the_new_one(
    store: Store, intake: IntakeService, hub: RunningHub, charger_bench: SimBench, tmp_path: Path
) -> None:
    data = reference_data.for_folder(store.data_dir)
    assert _publish(hub, tmp_path / "v1", "first edition") == 1
    _pull(store.data_dir)
    assert data.current_version() == 1
    service = RigTestService(store, intake.operator)
    first_unit = _unit(intake, "CHG65W000201")
    service.operator = intake.operator
    plan = service.plan(CHARGER)
    assert plan.name == "Laptop charger 65 W, first edition"

    seen_mid_run: list[tuple[int, int | None]] = []

    def publish_mid_run(result: StepResult) -> None:
        if seen_mid_run:
            return
        # The run is in flight: the hub publishes version 2 and the bench pulls it.
        assert _publish(hub, tmp_path / "v2", "second edition") == 2
        _pull(store.data_dir)
        seen_mid_run.append((data.current_version(), data.pending))
        assert service.plan(CHARGER) is plan, "a plan asked for mid-run still comes from the version in use"

    first = service.run(first_unit, plan, charger_bench.ports, lambda _q: "y", bay=1, on_step=publish_mid_run)
    assert first.outcome.verdict == "pass"
    assert seen_mid_run == [(1, 2)], "version 2 was kept aside while the run held version 1"
    (started,) = _bodies(store, first_unit.unit_id, rev.RIG_TEST_STARTED)
    (completed,) = _bodies(store, first_unit.unit_id, rev.RIG_TEST_COMPLETED)
    assert (started["plan_name"], started["reference_version"]) == ("Laptop charger 65 W, first edition", 1)
    assert completed["reference_version"] == 1
    assert data.current_version() == 2, "applied as the run ended"

    second_unit = _unit(intake, "CHG65W000202")
    service.operator = intake.operator
    next_plan = service.plan(CHARGER)
    assert next_plan.name == "Laptop charger 65 W, second edition"
    assert service.run(second_unit, next_plan, charger_bench.ports, lambda _q: "y", bay=1).outcome.verdict == "pass"
    (started,) = _bodies(store, second_unit.unit_id, rev.RIG_TEST_STARTED)
    (completed,) = _bodies(store, second_unit.unit_id, rev.RIG_TEST_COMPLETED)
    assert (started["plan_name"], started["reference_version"], completed["reference_version"]) == (
        "Laptop charger 65 W, second edition", 2, 2)


def test_a_run_begun_in_steps_holds_its_version_from_begin_to_finish(
    store: Store, intake: IntakeService, hub: RunningHub, charger_bench: SimBench, tmp_path: Path
) -> None:
    """The window records a run as it goes (begin, each step, finish on its own thread): the version
    is held from the recorded start to the recorded end, also when the plan was chosen before."""
    data = reference_data.for_folder(store.data_dir)
    service = RigTestService(store, intake.operator)
    unit = _unit(intake, "CHG65W000203")
    service.operator = intake.operator
    plan = service.plan(CHARGER)  # the packaged plan: no version published yet
    assert _publish(hub, tmp_path / "v1", "first edition") == 1
    _pull(store.data_dir)  # nothing in flight: version 1 is current before the run is recorded
    assert data.current_version() == 1
    run = service.begin(unit, plan, bay=1, ports=charger_bench.ports, identities={})
    assert _publish(hub, tmp_path / "v2", "second edition") == 2
    _pull(store.data_dir)
    assert (data.current_version(), data.pending) == (1, 2), "held while the run is open"
    service.finish(run, [], cancelled=True)
    assert data.current_version() == 2
    (started,) = _bodies(store, unit.unit_id, rev.RIG_TEST_STARTED)
    (completed,) = _bodies(store, unit.unit_id, rev.RIG_TEST_COMPLETED)
    # The plan run was the packaged one (version 0), chosen before version 1 came: the record says so.
    assert (started["plan_name"], started["reference_version"], completed["reference_version"]) == (
        "Laptop charger 65 W (20 V) under load", 0, 0)


def test_a_grade_keeps_the_rules_it_was_previewed_with_and_the_next_unit_takes_the_new_ones(
    store: Store, intake: IntakeService, hub: RunningHub, tmp_path: Path
) -> None:
    data = reference_data.for_folder(store.data_dir)
    assert _publish(hub, tmp_path / "v1", "first edition") == 1
    _pull(store.data_dir)
    tech = login(intake)
    service = GradingService(store)
    assert service.reference_version == 1
    assert service.ruleset.title.startswith("first edition: ")
    unit = scan_unit(intake, 1)
    service.evaluate(service.unit(unit.unit_id), inspection())  # the technician is grading this unit

    assert _publish(hub, tmp_path / "v2", "second edition") == 2
    _pull(store.data_dir)
    assert data.current_version() == 2
    service.grade(unit.unit_id, inspection(), tech)
    (grade,) = _bodies(store, unit.unit_id, gev.GRADE_ASSIGNED)
    (routed,) = _bodies(store, unit.unit_id, gev.ROUTE_ASSIGNED)
    assert (grade["reference_version"], routed["reference_version"]) == (1, 1)

    assert service.refresh(), "the next unit is graded under version 2"
    assert service.ruleset.title.startswith("second edition: ")
    following = scan_unit(intake, 2)
    service.grade(following.unit_id, inspection(), tech)
    (grade,) = _bodies(store, following.unit_id, gev.GRADE_ASSIGNED)
    (routed,) = _bodies(store, following.unit_id, gev.ROUTE_ASSIGNED)
    assert (grade["reference_version"], routed["reference_version"]) == (2, 2)


def test_a_grade_in_progress_holds_off_a_version_pulled_meanwhile(
    store: Store, intake: IntakeService, hub: RunningHub, tmp_path: Path
) -> None:
    """While a grade is being recorded its version is held: a version received then waits for it."""
    data = reference_data.for_folder(store.data_dir)
    tech = login(intake)
    service = GradingService(store)
    assert service.reference_version == 0
    unit = scan_unit(intake, 3)
    pulled_during: list[tuple[int, int | None]] = []

    def pull_while_recording(event_type: str, *args: Any, **kwargs: Any) -> Any:
        if event_type == gev.GRADE_ASSIGNED and not pulled_during:
            assert _publish(hub, tmp_path / "v1", "first edition") == 1
            # The sync client would wait for the grade's write transaction: take the hub's signed version
            # as it hands it over, the way the client does once it has it.
            with hub.storage.transaction() as tx:
                latest = tx.latest_reference()
            assert latest is not None
            data.receive(json.loads(latest[1]), latest[2], hub.hub._key.public_key())
            pulled_during.append((data.current_version(), data.pending))
        return record(event_type, *args, **kwargs)

    record = store.record
    store.record = pull_while_recording  # type: ignore[method-assign]
    try:
        service.grade(unit.unit_id, inspection(), tech)
    finally:
        del store.record
    assert pulled_during == [(0, 1)]
    assert data.current_version() == 1, "applied as the grade ended"
    (grade,) = _bodies(store, unit.unit_id, gev.GRADE_ASSIGNED)
    assert grade["reference_version"] == 0
