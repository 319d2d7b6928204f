"""Grading a unit through the service: recorded facts win over typed ones, the grade and route are
events with everything needed to recompute them, resale is closed by locks, holds and missing
certificates, repairs and harvested parts become records, and only supervisors override."""

from __future__ import annotations

import json

import pytest

from app.core import events as ev
from app.core import events_grading as gev
from app.core import events_rigs as rev
from app.core.errors import OperatorError, PermissionDenied
from app.core.grading import RouteKind, reevaluate
from app.core.lifecycle import UnitState
from app.services.grading import GradingService, import_photos
from app.services.intake import IntakeService
from app.store import grading_queries as gq
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store
from tests.services.grading_support import inspection, login, scan_unit


@pytest.fixture
def service(store: Store) -> GradingService:
    return GradingService(store)


def _events(store: Store, unit_id: str, kind: str) -> list[dict]:
    return [dict(e.body) for e in unit_events(store.db, unit_id) if e.type == kind]


def test_a_clean_phone_is_graded_routed_and_recorded_reproducibly(
        store: Store, intake: IntakeService, service: GradingService) -> None:
    tech = login(intake)
    unit = scan_unit(intake)
    graded = service.grade(unit.unit_id, inspection(), tech)
    assert graded.grade.cosmetic.grade == "A"
    assert graded.route.kind is RouteKind.RESALE
    assert (graded.route.chosen.channel, graded.route.chosen.grade) == ("backmarket", "Premium")
    assert queries.get_unit(store.db, unit.unit_id).state is UnitState.ROUTED  # type: ignore[union-attr]
    states = [(b["from"], b["to"]) for b in _events(store, unit.unit_id, ev.UNIT_STATE_CHANGED)]
    assert states == [("received", "identified"), ("identified", "graded"), ("graded", "routed")]
    (body,) = _events(store, unit.unit_id, gev.GRADE_ASSIGNED)
    assert body["ruleset"] == {"id": "phones-ctia-r2", "version": 1, "digest": service.ruleset.digest}
    assert body["sources"]["cosmetic"] == "inspection"
    # The recorded body regrades to the same result with the ruleset it names.
    recomputed = reevaluate(json.loads(json.dumps(body)), service.rulesets)
    assert recomputed.to_dict() == {k: body[k] for k in recomputed.to_dict()}
    (route,) = _events(store, unit.unit_id, gev.ROUTE_ASSIGNED)
    assert route["route"] == "resale"
    assert route["un_number"] == "UN3481"
    assert route["price_table"]["id"] == "phones-eu"
    row = gq.current_grade(store.db, unit.unit_id)
    assert row is not None
    assert (row.cosmetic, row.functional, row.rec) == ("A", "0", "F6-C7")


def test_reasons_in_plain_words(store: Store, intake: IntakeService, service: GradingService) -> None:
    tech = login(intake)
    unit = scan_unit(intake)
    deep = {"back": [{"defect": "scratch_deep", "count": 3}]}
    graded = service.grade(unit.unit_id, inspection(cosmetic={**inspection()["cosmetic"], **deep}), tech)
    assert graded.grade.cosmetic.grade == "C"
    assert "C: 3 deep scratches on the back, limit for B is 1" in graded.reasons


def test_incomplete_inspection_says_what_is_missing(intake: IntakeService, service: GradingService) -> None:
    login(intake)
    unit = scan_unit(intake)
    partial = inspection()
    del partial["cosmetic"]["ports"]
    del partial["battery"]["health_pct"]
    missing = service.missing(unit, partial)
    assert "the cosmetic inspection at the ports" in missing
    assert "the battery health" in missing
    with pytest.raises(OperatorError, match="Cannot grade yet: missing"):
        service.grade(unit.unit_id, partial, intake.operator)  # type: ignore[arg-type]


def test_recorded_rig_results_and_erasure_win_over_the_inspection(
        store: Store, intake: IntakeService, service: GradingService) -> None:
    tech = login(intake)
    unit = scan_unit(intake)
    store.record(rev.RIG_TEST_COMPLETED, {
        "run_id": "run-1", "plan_id": "phone-display", "plan_version": 1, "verdict": "fail", "summary": "dead pixels",
        "counts": {}, "identifiers": {}, "grading_tests": ["display"]},
        unit_id=unit.unit_id, operator_id=tech.operator_id)
    store.record(ev.ERASURE_COMPLETED, {
        "erasure_id": "E-1", "outcome": "failed", "device": {}, "method": {}, "verification": {}, "result": {},
        "station": {}, "started_at": "2026-11-01T00:00:00Z", "finished_at": "2026-11-01T00:10:00Z"},
        unit_id=unit.unit_id, operator_id=tech.operator_id)
    graded = service.grade(unit.unit_id, inspection(), tech)  # the inspection says everything passed
    assert graded.grade.functional.failed == ("display",)
    assert graded.route.resale_blockers == ("data sanitisation failed",)
    assert graded.route.kind is not RouteKind.RESALE
    assert graded.sources["functional"] == "rig.test_completed + inspection"
    assert graded.sources["sanitisation"].startswith("erasure.completed #")


def test_locks_hold_and_missing_certificate_close_resale(
        store: Store, intake: IntakeService, service: GradingService) -> None:
    tech = login(intake)
    locked = scan_unit(intake, 1)
    graded = service.grade(locked.unit_id, inspection(locks={"frp": True}), tech)
    assert "factory reset protection" in graded.route.resale_blockers
    assert graded.route.kind is not RouteKind.RESALE
    uncertified = scan_unit(intake, 2)
    graded = service.grade(uncertified.unit_id, inspection(sanitisation={"status": "passed", "certificate_id": ""}),
                           tech)
    assert graded.route.resale_blockers == ("no sanitisation certificate",)
    held = scan_unit(intake, 3)
    intake.set_state(held, UnitState.IDENTIFIED)
    intake.set_state(queries.get_unit(store.db, held.unit_id), UnitState.ON_HOLD, "MDM enrolled")  # type: ignore[arg-type]
    graded = service.grade(held.unit_id, inspection(), tech)
    assert graded.route.resale_blockers == ("unit on hold: MDM enrolled",)
    assert graded.route.kind is not RouteKind.RESALE


def test_repair_tasks_and_harvested_parts_become_records(
        store: Store, intake: IntakeService, service: GradingService) -> None:
    tech = login(intake)
    repairable = scan_unit(intake, 1)
    graded = service.grade(repairable.unit_id, inspection(battery={"health_pct": 71}), tech)
    assert graded.route.kind is RouteKind.REPAIR
    tasks = gq.repair_tasks(store.db, repairable.unit_id)
    assert [(t.part, t.state) for t in tasks] == [("battery", "open")]
    donor = scan_unit(intake, 2)
    broken = inspection(cosmetic={**inspection()["cosmetic"], "screen": [{"defect": "crack", "count": 2}]},
                        functional={**inspection()["functional"], "power": "fail", "touch": "fail"})
    graded = service.grade(donor.unit_id, broken, tech)
    assert graded.route.kind is RouteKind.PARTS_HARVEST
    parts = gq.harvest_parts(store.db, donor.unit_id)
    assert parts
    assert {p.donor_unit_id for p in parts} == {donor.unit_id}
    assert "display" not in {p.part for p in parts}  # cracked
    assert {p.grade for p in parts} == {"D"}


def test_only_a_supervisor_overrides_with_a_reason(
        store: Store, intake: IntakeService, service: GradingService) -> None:
    tech = login(intake)
    unit = scan_unit(intake)
    service.grade(unit.unit_id, inspection(battery={"health_pct": 71}), tech)
    with pytest.raises(PermissionDenied):
        service.override_grade(unit.unit_id, "cosmetic", "B", "customer's standard", tech)
    admin = login(intake, "OP-0001")
    with pytest.raises(OperatorError, match="needs a reason"):
        service.override_route(unit.unit_id, RouteKind.RECYCLE, " ", admin)
    service.override_grade(unit.unit_id, "cosmetic", "B", "customer's standard", admin)
    service.override_route(unit.unit_id, RouteKind.RESALE, "sold as is to a trader", admin, channel="wholesale",
                           grade="B")
    row = gq.current_grade(store.db, unit.unit_id)
    assert row is not None
    assert row.cosmetic == "B"
    assert "customer's standard" in row.overridden
    routed = gq.current_route(store.db, unit.unit_id)
    assert routed is not None
    assert (routed.route, routed.channel, routed.un_number) == ("resale", "wholesale", "UN3481")
    assert [t.state for t in gq.repair_tasks(store.db, unit.unit_id)] == ["cancelled"]
    overrides = [e for e in unit_events(store.db, unit.unit_id) if e.type in (gev.GRADE_OVERRIDDEN,
                                                                              gev.ROUTE_OVERRIDDEN)]
    assert {e.operator_id for e in overrides} == {admin.operator_id}
    # The projections rebuilt from the log hold the overrides too.
    tables = ("routes", "unit_grades", "repair_tasks")
    before = [store.db.execute(f"SELECT * FROM {t}").fetchall() for t in tables]
    store.rebuild_projections()
    assert [store.db.execute(f"SELECT * FROM {t}").fetchall() for t in tables] == before


def test_recycle_route_has_weight_and_battery_flag(intake: IntakeService, service: GradingService) -> None:
    tech = login(intake)
    unit = scan_unit(intake)
    wreck = inspection(functional=dict.fromkeys(inspection()["functional"], "fail"),
                       cosmetic={**inspection()["cosmetic"], "back": [{"defect": "crack", "count": 3}],
                                 "screen": [{"defect": "crack", "count": 1}], "frame": [{"defect": "dent", "count": 5}],
                                 "camera_lens": [{"defect": "crack", "count": 1}]},
                       battery={"condition": "swollen"}, device={"model": "iPhone 8"})
    graded = service.grade(unit.unit_id, wreck, tech)
    assert graded.route.kind is RouteKind.RECYCLE, graded.route.reasons
    assert graded.route.recycle_weight_g == 148
    assert graded.route.battery_removal
    assert graded.route.air_forbidden is not None


def test_a_labelled_unit_is_not_regraded(store: Store, intake: IntakeService, service: GradingService) -> None:
    tech = login(intake)
    unit = scan_unit(intake)
    service.grade(unit.unit_id, inspection(), tech)
    intake.set_state(queries.get_unit(store.db, unit.unit_id), UnitState.LABELLED)  # type: ignore[arg-type]
    with pytest.raises(OperatorError, match="cannot be graded now"):
        service.grade(unit.unit_id, inspection(), tech)


def test_photos_from_a_camera_folder_are_stored_by_hash(tmp_path, store: Store) -> None:  # type: ignore[no-untyped-def]
    camera = tmp_path / "DCIM"
    camera.mkdir()
    (camera / "IMG_0001.JPG").write_bytes(b"\xff\xd8front")
    (camera / "IMG_0002.jpg").write_bytes(b"\xff\xd8back")
    (camera / "notes.txt").write_text("not a picture")
    photos = import_photos(store.data_dir, camera)
    assert [p.name for p in photos] == ["IMG_0001.JPG", "IMG_0002.jpg"]
    import hashlib

    assert photos[0].sha256 == hashlib.sha256(b"\xff\xd8front").hexdigest()
    assert (store.data_dir / "photos" / f"{photos[0].sha256}.jpg").read_bytes() == b"\xff\xd8front"
    with pytest.raises(OperatorError, match="No pictures"):
        import_photos(store.data_dir, tmp_path / "DCIM" / ".." / "DCIM" / "..")


def test_rules_published_by_the_hub_are_used_and_old_grades_still_recompute(
        store: Store, intake: IntakeService, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from app.services.grading import GRADING_DIR

    tech = login(intake)
    service = GradingService(store)
    assert (service.reference_version, service.ruleset.key) == (0, "phones-ctia-r2@1")
    first = scan_unit(intake, 1)
    service.grade(first.unit_id, inspection(), tech)
    # Version 1 of the reference data, as app/services/reference_data.py lays a pulled version out: a new
    # ruleset version (a stricter A for light back scratches) and the price tables.
    published = store.data_dir / "reference" / "v1"
    (published / "rulesets").mkdir(parents=True)
    text = (GRADING_DIR / "rulesets" / "phones-ctia-r2-v1.toml").read_text()
    light_back = 'zones = ["back", "frame"]\ndefect = "scratch_light"\nA = '
    stricter = text.replace("version = 1", "version = 2", 1).replace(light_back + "1", light_back + "0", 1)
    assert stricter != text
    (published / "rulesets" / "phones-ctia-r2-v2.toml").write_text(stricter)
    shutil.copytree(GRADING_DIR / "prices", published / "prices")
    (store.data_dir / "reference" / "current").write_text("1\n")
    assert service.refresh()
    assert (service.reference_version, service.ruleset.key) == (1, "phones-ctia-r2@2")
    assert not service.refresh()
    second = scan_unit(intake, 2)
    scratched = {**inspection()["cosmetic"], "back": [{"defect": "scratch_light", "count": 1, "length_mm": 5}]}
    graded = service.grade(second.unit_id, inspection(cosmetic=scratched), tech)
    assert graded.grade.cosmetic.grade == "B"  # A under v1, B under the stricter v2
    assert "B: 1 light scratch on the back, limit for A is 0" in graded.reasons
    # The first unit's grade names v1, which is still installed beside the published v2.
    (body,) = _events(store, first.unit_id, gev.GRADE_ASSIGNED)
    assert reevaluate(json.loads(json.dumps(body)), service.rulesets).ruleset_version == 1
