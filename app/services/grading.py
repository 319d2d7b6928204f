"""Grading and routing a unit: recorded facts + the inspection -> grade -> route, recorded as events.

Plain Python (no Qt) over the store, so the Grade tab, the CLI and the tests share every rule. The
installed rulesets and price tables are read once; a grade names the ruleset version (and its file
digest) it was given with, and the route the price table version; both name the hub reference data
version they came from, which the grade holds while it is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import events as ev
from app.core import events_grading as gev
from app.core.errors import NotFound, OperatorError, PermissionDenied
from app.core.grading import (
    GradeResult,
    GradingInputs,
    PriceTable,
    Route,
    RouteKind,
    Ruleset,
    evaluate,
    latest,
    load_price_table,
    load_rulesets,
    missing_inputs,
    route,
)
from app.core.grading.sources import Merged, merge, recorded_inputs
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.lifecycle import UnitState, can_transition, transition
from app.core.models import Operator, Role, Unit
from app.services import reference_data
from app.store import grading_queries as gq
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store

log = logging.getLogger("app.grading")

GRADING_DIR = Path(__file__).resolve().parents[2] / "resources" / "grading"
DEFAULT_RULESET = "phones-ctia-r2"
PHOTO_FOLDER = "photos"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".webp")
# States from which a grade may be given; received units are identified on the way (they were scanned).
_GRADE_FROM = frozenset({UnitState.RECEIVED, UnitState.IDENTIFIED, UnitState.TESTED, UnitState.SANITISED,
                         UnitState.FAILED, UnitState.ON_HOLD, UnitState.GRADED, UnitState.ROUTED})


def _new_id(prefix: str) -> str:
    return prefix + base64.b32encode(os.urandom(10)).decode()[:12]


@dataclass(frozen=True)
class Photo:
    sha256: str
    name: str
    size: int

    def record(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "name": self.name, "bytes": self.size}


@dataclass(frozen=True)
class Graded:
    """What grading a unit decided and recorded."""

    unit_id: str
    grade_id: str
    route_id: str
    grade: GradeResult
    route: Route
    sources: Mapping[str, str]

    @property
    def reasons(self) -> tuple[str, ...]:
        return (*self.grade.cosmetic.reasons, *self.grade.functional.reasons)


class GradingService:
    """Grades units of one station under the newest installed ruleset and price table."""

    def __init__(self, store: Store, grading_dir: Path | None = None, ruleset_id: str = DEFAULT_RULESET) -> None:
        self.store = store
        self._fixed_dir = grading_dir
        self._ruleset_id = ruleset_id
        self.reference_version = -1
        self._load()

    def _load(self) -> None:
        """Read the rulesets and price tables in use: those of ``grading_dir`` when one was given, else the
        reference data version the hub last published to this bench (version 0: the packaged files). The
        packaged rulesets stay loaded beside a published set, so a grade given under them can be recomputed."""
        if self._fixed_dir is not None:
            rulesets_dir, prices_dir = self._fixed_dir / "rulesets", self._fixed_dir / "prices"
            version = -1
        else:
            # Read whole while the version is held; the rules then live in memory and cannot change under a grade.
            with reference_data.for_folder(self.store.data_dir).snapshot() as snapshot:
                version = snapshot.version
                base = GRADING_DIR if version == 0 else snapshot.folder
                rulesets = load_rulesets(base / "rulesets")
                tables = [load_price_table(p) for p in sorted((base / "prices").glob("*.toml"))]
            self._use(rulesets, tables, version)
            return
        self._use(load_rulesets(rulesets_dir), [load_price_table(p) for p in sorted(prices_dir.glob("*.toml"))],
                  version)

    def _use(self, rulesets: tuple[Ruleset, ...], tables: list[PriceTable], version: int) -> None:
        if not tables:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "No price table is installed"),
                hint=QT_TRANSLATE_NOOP(
                    "OperatorError", "Install the price tables that came with Refurb Bench, or sync with the hub"),
            )
        published = {r.key for r in rulesets}
        packaged = load_rulesets(GRADING_DIR / "rulesets") if version > 0 else ()
        self.rulesets = tuple(sorted((*rulesets, *(r for r in packaged if r.key not in published)),
                                     key=lambda r: (r.id, r.version)))
        self.ruleset = latest(rulesets, self._ruleset_id)
        self.prices = max(tables, key=lambda t: (t.id, t.version))
        self.reference_version = version

    def refresh(self) -> bool:
        """Take up a newer reference data version if one became current; True when the rules changed."""
        if self._fixed_dir is not None:
            return False
        if reference_data.for_folder(self.store.data_dir).current_version() == self.reference_version:
            return False
        self._load()
        log.info("grading now uses %s and %s@%d (reference data version %d)", self.ruleset.key, self.prices.id,
                 self.prices.version, self.reference_version)
        return True

    # --- inputs ------------------------------------------------------------------------------------------

    def unit(self, unit_id: str) -> Unit:
        unit = queries.get_unit(self.store.db, unit_id)
        if unit is None:
            raise NotFound(
                QT_TRANSLATE_NOOP("OperatorError", "Unit {unit} not found"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Scan the unit again"),
                values={"unit": unit_id},
            )
        return unit

    def inputs_for(self, unit: Unit, inspection: Mapping[str, Any]) -> Merged:
        """The inspection with everything the unit's events already tell laid over it."""
        recorded = recorded_inputs(unit_events(self.store.db, unit.unit_id))
        base = dict(inspection)
        device = dict(base.get("device", {}))
        device.setdefault("model", unit.model)
        base["device"] = device
        merged = merge(recorded, base)
        if not merged.inputs["device"].get("model"):
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Unit {unit} has no model"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Type the model in the inspection"),
                values={"unit": unit.label},
            )
        return merged

    def missing(self, unit: Unit, inspection: Mapping[str, Any]) -> tuple[str, ...]:
        merged = self.inputs_for(unit, inspection)
        return missing_inputs(GradingInputs.from_dict(merged.inputs), self.ruleset)

    def evaluate(self, unit: Unit, inspection: Mapping[str, Any]) -> tuple[GradeResult, Route, Merged]:
        """Grade and route without recording anything (a preview as the inspection is typed)."""
        merged = self.inputs_for(unit, inspection)
        grade = evaluate(GradingInputs.from_dict(merged.inputs), self.ruleset)
        chosen = route(grade, self.ruleset, self.prices, self._hold_blockers(unit))
        return grade, chosen, merged

    def _hold_blockers(self, unit: Unit) -> tuple[str, ...]:
        if unit.state is not UnitState.ON_HOLD:
            return ()
        reason = next((e.body.get("reason", "") for e in reversed(unit_events(self.store.db, unit.unit_id))
                       if e.type == ev.UNIT_STATE_CHANGED and e.body.get("to") == str(UnitState.ON_HOLD)), "")
        return (f"unit on hold{': ' + reason if reason else ''}",)

    # --- recording ---------------------------------------------------------------------------------------

    def grade(self, unit_id: str, inspection: Mapping[str, Any], operator: Operator,
              photos: Sequence[Photo] = ()) -> Graded:
        """Grade, route and record both (graded -> routed) in one transaction."""
        if self._fixed_dir is not None:
            return self._grade(unit_id, inspection, operator, photos)
        # The grade is one job: it holds the version its rules were read from, so none is applied under it.
        with reference_data.for_folder(self.store.data_dir).snapshot(self.reference_version):
            return self._grade(unit_id, inspection, operator, photos)

    def _grade(self, unit_id: str, inspection: Mapping[str, Any], operator: Operator,
               photos: Sequence[Photo]) -> Graded:
        unit = self.unit(unit_id)
        if unit.state not in _GRADE_FROM:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Unit {unit} is {state}: it cannot be graded now"),
                hint=QT_TRANSLATE_NOOP(
                "OperatorError", "Only units not yet labelled are graded; a supervisor can take it back first"),
                values={"unit": unit.label, "state": unit.state},
            )
        grade, chosen, merged = self.evaluate(unit, inspection)
        grade_id, route_id = _new_id("G-"), _new_id("R-")
        body = {**grade.to_dict(), "grade_id": grade_id, "summary": grade.summary, "sources": merged.sources,
                "photos": [p.record() for p in photos]}
        route_body = self._route_body(chosen, grade_id, route_id)
        if self.reference_version >= 0:
            body["reference_version"] = route_body["reference_version"] = self.reference_version
        with self.store.transaction():
            self._advance(unit, UnitState.GRADED, f"graded {grade.summary}", operator)
            self.store.record(gev.GRADE_ASSIGNED, body, unit_id=unit.unit_id, operator_id=operator.operator_id)
            self.store.record(gev.ROUTE_ASSIGNED, route_body, unit_id=unit.unit_id, operator_id=operator.operator_id)
            self._advance(unit, UnitState.ROUTED, f"routed to {chosen.kind.value}", operator)
        log.info("unit %s graded %s, routed %s", unit.unit_id, grade.summary, chosen.kind.value)
        return Graded(unit.unit_id, grade_id, route_id, grade, chosen, merged.sources)

    def _route_body(self, chosen: Route, grade_id: str, route_id: str) -> dict[str, Any]:
        data = chosen.to_dict()
        body: dict[str, Any] = {
            "route_id": route_id, "grade_id": grade_id, "route": data["route"], "value": data["value"],
            "currency": data["currency"], "recycle_weight_g": data["recycle_weight_g"],
            "battery_removal": data["battery_removal"], "ships_with_battery": data["ships_with_battery"],
            "resale_blockers": data["resale_blockers"], "reasons": data["reasons"], "price_table": data["price_table"],
            "repairs": [{**r, "task_id": _new_id("T-")} for r in data["repairs"]],
            "parts": [{**p, "part_id": _new_id("P-")} for p in data["parts"]],
        }
        for key in ("channel", "grade", "un_number"):
            if data[key]:
                body[key] = data[key]
        if chosen.air_forbidden:
            body["air_forbidden"] = chosen.air_forbidden
        return body

    def _advance(self, unit: Unit, target: UnitState, reason: str, operator: Operator) -> None:
        current = queries.get_unit(self.store.db, unit.unit_id)
        assert current is not None
        state = current.state
        path = [target] if can_transition(state, target) else [UnitState.IDENTIFIED, target]
        for step in path:
            transition(unit.unit_id, state, step, reason)
            self.store.record(ev.UNIT_STATE_CHANGED, {"from": str(state), "to": str(step), "reason": reason},
                              unit_id=unit.unit_id, operator_id=operator.operator_id)
            state = step

    # --- overrides (supervisors) -------------------------------------------------------------------------

    def _supervisor(self, operator: Operator) -> Operator:
        # Trust the stored role, not the object handed in.
        stored = queries.operator_by_id(self.store.db, operator.operator_id)
        if stored is None or not stored.active or not stored.role.includes(Role.SUPERVISOR):
            raise PermissionDenied(
                QT_TRANSLATE_NOOP("OperatorError", "Only a supervisor can override a grade or a route"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Ask a supervisor to log in and override it"),
            )
        return stored

    def override_grade(self, unit_id: str, scale: str, to: str, reason: str, supervisor: Operator) -> None:
        boss = self._supervisor(supervisor)
        if not reason.strip():
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "An override needs a reason"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Say why the grade is changed"),
            )
        current = gq.current_grade(self.store.db, unit_id)
        if current is None:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Unit {unit} has no grade to override"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Grade it first"),
                values={"unit": unit_id},
            )
        channel = self.ruleset.channel(scale)
        grades = self.ruleset.cosmetic.grades if scale == "cosmetic" else (channel.grades if channel else ())
        if to not in grades:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "'{grade}' is not a grade of {scale}"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Choose one of {grades}"),
                values={"grade": to, "scale": scale, "grades": ", ".join(grades) or "—"},
            )
        before = current.cosmetic if scale == "cosmetic" else (current.channels.get(scale) or "none")
        self.store.record(gev.GRADE_OVERRIDDEN, {"grade_id": current.grade_id, "scale": scale, "from": before,
                                                 "to": to, "reason": reason.strip()},
                          unit_id=unit_id, operator_id=boss.operator_id)

    def override_route(self, unit_id: str, to: RouteKind, reason: str, supervisor: Operator, *,
                       channel: str = "", grade: str = "") -> None:
        boss = self._supervisor(supervisor)
        if not reason.strip():
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "An override needs a reason"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Say why the route is changed"),
            )
        current = gq.current_route(self.store.db, unit_id)
        unit = self.unit(unit_id)
        if current is None or unit.state is not UnitState.ROUTED:
            raise OperatorError(
                QT_TRANSLATE_NOOP(
                "OperatorError", "Unit {unit} is {state}: only a routed unit not yet labelled can be re-routed"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Grade the unit first, or reprint after the override"),
                values={"unit": unit.label, "state": unit.state},
            )
        if to is RouteKind.RESALE and not channel:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "A resale route needs a channel"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Give the channel, e.g. wholesale"),
            )
        chemistry = self._battery_chemistry(unit_id, current.grade_id)
        # Only a unit sold on leaves with its battery inside, and then its package needs the lithium mark.
        ships = to is RouteKind.RESALE and chemistry in ("li-ion", "li-metal")
        un_number = ("UN3481" if chemistry == "li-ion" else "UN3091") if ships else ""
        body: dict[str, Any] = {"route_id": current.route_id, "from": current.route, "to": to.value,
                                "reason": reason.strip(), "repairs": [], "parts": [], "ships_with_battery": ships}
        if channel:
            body["channel"] = channel
        if grade:
            body["grade"] = grade
        if un_number:
            body["un_number"] = un_number
        self.store.record(gev.ROUTE_OVERRIDDEN, body, unit_id=unit_id, operator_id=boss.operator_id)


    def _battery_chemistry(self, unit_id: str, grade_id: str) -> str:
        for event in reversed(unit_events(self.store.db, unit_id)):
            if event.type == gev.GRADE_ASSIGNED and event.body["grade_id"] == grade_id:
                return str(event.body["inputs"].get("battery", {}).get("chemistry", "none"))
        return "none"


# --- photos ----------------------------------------------------------------------------------------------

def import_photos(data_dir: Path, folder: Path) -> tuple[Photo, ...]:
    """Copy the camera folder's pictures into the data folder, named by their SHA-256 (run off the GUI thread)."""
    if not folder.is_dir():
        raise OperatorError(f"{folder} is not a folder", hint="Choose the camera's folder of pictures")
    target = data_dir / PHOTO_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    photos = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in PHOTO_SUFFIXES or not path.is_file():
            continue
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        sha = digest.hexdigest()
        stored = target / f"{sha}{path.suffix.lower()}"
        if not stored.exists():
            tmp = stored.with_suffix(".part")
            shutil.copyfile(path, tmp)
            tmp.replace(stored)
        photos.append(Photo(sha, path.name, path.stat().st_size))
    if not photos:
        raise OperatorError(f"No pictures in {folder}", hint=f"Pictures end in {', '.join(PHOTO_SUFFIXES)}")
    return tuple(photos)
