"""Packing units into outbound boxes: create, add (checked by app/core/packing.py), close with a manifest.

Closing a box writes its manifest as CSV and PDF to ``manifests/`` in the data folder and records
``box.closed`` with the CSV's SHA-256; the box label (4 × 6 in, with the lithium mark where needed)
is returned as a print job for the print queue.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.core import events as ev
from app.core import events_grading as gev
from app.core.errors import NotFound, OperatorError
from app.core.lifecycle import UnitState, transition
from app.core.models import Operator, Unit
from app.core.packing import BoxSpec, UnitForBox, box_marks, check_pack
from app.reports.labels import BoxLabelData, ManifestLine, manifest_code, manifest_csv, manifest_pdf
from app.store import grading_queries as gq
from app.store import queries
from app.store.eventlog import unit_events
from app.store.grading_queries import BoxRow
from app.store.store import Store

log = logging.getLogger("app.packing")

MANIFEST_FOLDER = "manifests"
SHIP_MODES = ("road", "air", "sea")


def new_box_id() -> str:
    return "BX-" + base64.b32encode(os.urandom(5)).decode()[:8]


@dataclass(frozen=True)
class ClosePlan:
    """A box about to be closed: its manifest and label, immutable (the files are written off the GUI thread)."""

    box: BoxRow
    lines: tuple[ManifestLine, ...]
    unit_ids: tuple[str, ...]
    marks: tuple[str, ...]
    csv_text: str
    label: BoxLabelData
    folder: Path


def write_manifests(plan: ClosePlan) -> tuple[Path, Path]:
    """The manifest as CSV and PDF in the plan's folder, each written whole or not at all."""
    plan.folder.mkdir(parents=True, exist_ok=True)
    box = plan.box
    csv_path, pdf_path = plan.folder / f"{box.box_id}.csv", plan.folder / f"{box.box_id}.pdf"
    for path, data in ((csv_path, plan.csv_text.encode("utf-8")),
                       (pdf_path, manifest_pdf(box.box_id, box.route_text, plan.label.date, plan.lines))):
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return csv_path, pdf_path


@dataclass(frozen=True)
class ClosedBox:
    box: BoxRow
    label: BoxLabelData
    csv_path: Path
    pdf_path: Path


class PackingService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def box(self, box_id: str) -> BoxRow:
        found = gq.get_box(self.store.db, box_id.strip().upper())
        if found is None:
            raise NotFound(f"No box {box_id}", hint="Scan the box label, or create a box first")
        return found

    def create(self, route: str, operator: Operator, *, channel: str = "", ship_mode: str = "road") -> BoxRow:
        if route not in gev.ROUTES:
            raise OperatorError(f"{route!r} is not a route", hint=f"Choose one of {', '.join(sorted(gev.ROUTES))}")
        if ship_mode not in SHIP_MODES:
            raise OperatorError(f"{ship_mode!r} is not a transport mode", hint="Choose road, air or sea")
        if channel and route != "resale":
            raise OperatorError("Only resale boxes have a channel", hint="Leave the channel empty")
        box_id = new_box_id()
        body = {"box_id": box_id, "route": route, "ship_mode": ship_mode, **({"channel": channel} if channel else {})}
        self.store.record(gev.BOX_CREATED, body, operator_id=operator.operator_id)
        log.info("box %s created for %s by %s", box_id, route, ship_mode)
        return self.box(box_id)

    def unit_for_box(self, unit: Unit) -> UnitForBox:
        chosen = gq.current_route(self.store.db, unit.unit_id)
        return UnitForBox(unit_id=unit.unit_id, label=unit.label, state=unit.state,
                          route=chosen.route if chosen else None, channel=chosen.channel if chosen else "",
                          un_number=chosen.un_number if chosen else "",
                          air_forbidden=chosen.air_forbidden if chosen else "",
                          labelled=gq.label_count(self.store.db, unit.unit_id) > 0,
                          in_box=gq.box_of_unit(self.store.db, unit.unit_id))

    @staticmethod
    def _spec(box: BoxRow) -> BoxSpec:
        return BoxSpec(box.box_id, box.route, box.channel, box.ship_mode, box.state == "open")

    def add(self, box_id: str, unit: Unit, operator: Operator) -> BoxRow:
        """Put ``unit`` into the box (labelled -> packed); PackRefused says why not."""
        box = self.box(box_id)
        fresh = queries.get_unit(self.store.db, unit.unit_id) or unit
        check_pack(self._spec(box), self.unit_for_box(fresh))
        with self.store.transaction():
            line = box.units + 1
            self.store.record(gev.BOX_UNIT_ADDED, {"box_id": box.box_id, "line": line},
                              unit_id=fresh.unit_id, operator_id=operator.operator_id)
            transition(fresh.unit_id, fresh.state, UnitState.PACKED, f"packed in {box.box_id}")
            self.store.record(ev.UNIT_STATE_CHANGED, {"from": str(fresh.state), "to": "packed",
                                                      "reason": f"packed in {box.box_id}"},
                              unit_id=fresh.unit_id, operator_id=operator.operator_id)
        return self.box(box.box_id)

    def remove(self, box_id: str, unit: Unit, operator: Operator, reason: str) -> BoxRow:
        box = self.box(box_id)
        if box.state != "open":
            raise OperatorError(f"Box {box.box_id} is closed", hint="A closed box is not reopened")
        if gq.box_of_unit(self.store.db, unit.unit_id) != box.box_id:
            raise OperatorError(f"{unit.label} is not in box {box.box_id}", hint="Scan a unit of this box")
        fresh = queries.get_unit(self.store.db, unit.unit_id) or unit
        with self.store.transaction():
            self.store.record(gev.BOX_UNIT_REMOVED, {"box_id": box.box_id, "reason": reason or "taken out"},
                              unit_id=fresh.unit_id, operator_id=operator.operator_id)
            transition(fresh.unit_id, fresh.state, UnitState.LABELLED, f"taken out of {box.box_id}")
            self.store.record(ev.UNIT_STATE_CHANGED, {"from": str(fresh.state), "to": "labelled",
                                                      "reason": f"taken out of {box.box_id}"},
                              unit_id=fresh.unit_id, operator_id=operator.operator_id)
        return self.box(box.box_id)

    def manifest(self, box_id: str) -> list[ManifestLine]:
        return [self.line_for(unit_id) for unit_id in gq.box_unit_ids(self.store.db, box_id)]

    def line_for(self, unit_id: str) -> ManifestLine:
        """A unit's manifest line: identifier, model, storage, grade, route, certificate (from its grade's inputs)."""
        unit = queries.get_unit(self.store.db, unit_id)
        grade = gq.current_grade(self.store.db, unit_id)
        chosen = gq.current_route(self.store.db, unit_id)
        assert unit is not None
        assert grade is not None
        assert chosen is not None
        inputs: dict[str, Any] = {}
        for event in reversed(unit_events(self.store.db, unit_id)):
            if event.type == gev.GRADE_ASSIGNED and event.body["grade_id"] == grade.grade_id:
                inputs = dict(event.body["inputs"])
                break
        device = inputs.get("device", {})
        return ManifestLine(unit.label, device.get("model") or unit.model, device.get("storage", ""),
                            f"{grade.cosmetic} / {grade.functional}", chosen.text,
                            inputs.get("sanitisation", {}).get("certificate_id", ""))

    def plan_close(self, box_id: str, phone: str = "") -> ClosePlan:
        """Everything closing the box records and prints, read from the store (nothing written yet)."""
        box = self.box(box_id)
        if box.state != "open":
            raise OperatorError(f"Box {box.box_id} is already closed", hint="Reprint its label with R")
        if box.units == 0:
            raise OperatorError(f"Box {box.box_id} is empty", hint="Scan units into it before closing it")
        lines = tuple(self.manifest(box.box_id))
        units = [self.unit_for_box(u) for u in (queries.get_unit(self.store.db, i)
                                                 for i in gq.box_unit_ids(self.store.db, box.box_id)) if u]
        marks = box_marks(box.ship_mode, units)
        code = manifest_code(box.box_id, lines)
        today = date.today().isoformat()
        label = BoxLabelData(box_id=box.box_id, route=box.route_text, units=len(lines), date=today,
                             manifest_code=code, un_number=marks.un_number, phone=phone if marks.un_number else "",
                             air_note=marks.air_note)
        return ClosePlan(box, lines, tuple(u.unit_id for u in units), marks.marks, manifest_csv(lines), label,
                         self.store.data_dir / MANIFEST_FOLDER)

    def record_closed(self, plan: ClosePlan, operator: Operator) -> BoxRow:
        body = {"box_id": plan.box.box_id, "units": list(plan.unit_ids),
                "manifest_sha256": hashlib.sha256(plan.csv_text.encode("utf-8")).hexdigest(),
                "manifest_code": plan.label.manifest_code, "marks": list(plan.marks),
                **({"un_number": plan.label.un_number} if plan.label.un_number else {})}
        self.store.record(gev.BOX_CLOSED, body, operator_id=operator.operator_id)
        log.info("box %s closed with %d units", plan.box.box_id, len(plan.lines))
        return self.box(plan.box.box_id)

    def close(self, box_id: str, operator: Operator, phone: str = "") -> ClosedBox:
        """Close the box: manifest files written whole, ``box.closed`` recorded (the CLI's one call)."""
        plan = self.plan_close(box_id, phone)
        csv_path, pdf_path = write_manifests(plan)
        return ClosedBox(self.record_closed(plan, operator), plan.label, csv_path, pdf_path)

    def label_data(self, box_id: str, phone: str = "") -> BoxLabelData:
        """A closed box's label again (for a reprint)."""
        box = self.box(box_id)
        if box.state != "closed":
            raise OperatorError(f"Box {box.box_id} is still open", hint="Close it first (Ctrl+Enter)")
        units = [self.unit_for_box(u) for u in (queries.get_unit(self.store.db, i)
                                                 for i in gq.box_unit_ids(self.store.db, box.box_id)) if u]
        marks = box_marks(box.ship_mode, units)
        return BoxLabelData(box_id=box.box_id, route=box.route_text, units=box.units,
                            date=(box.closed_at or "")[:10], manifest_code=box.manifest_code,
                            un_number=box.un_number, phone=phone if box.un_number else "", air_note=marks.air_note)
