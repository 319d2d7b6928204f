"""What a unit's or a box's label says, drawn for the station's printer, and queued to print.

The label is filled from the records (the unit's identifiers, lot, current grade and route, the
sanitisation certificate in the grade's inputs) and rendered whole before it is queued; the print
queue (app/services/print_queue.py) sends it and records ``label.printed`` once the printer took it.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core import events_grading as gev
from app.core.errors import OperatorError
from app.core.grading import GradeResult, Route, RouteKind
from app.core.models import Unit
from app.reports.labels import BoxLabelData, UnitLabelData, box_label, to_pdf, to_zpl, unit_label
from app.settings import LabelSettings
from app.store import grading_queries as gq
from app.store import queries
from app.store.eventlog import unit_events
from app.store.print_queue import PrintJob
from app.store.store import Store

PDF_FOLDER = "labels"


def new_job_id() -> str:
    return "J-" + base64.b32encode(os.urandom(10)).decode()[:12]


@dataclass(frozen=True)
class LabelTarget:
    """Where a label goes: a printer URL and its language, or (no printer set) a PDF file in the data folder."""

    printer: str
    format: str  # zpl, pdf
    dpi: int

    @staticmethod
    def from_settings(settings: LabelSettings, data_dir: str) -> LabelTarget:
        if settings.printer.strip():
            return LabelTarget(settings.printer.strip(), "zpl", settings.dpi)
        return LabelTarget(f"file://{data_dir}/{PDF_FOLDER}", "pdf", settings.dpi)


def _label(unit: Unit, *, lot: str, gtin: str, device: dict[str, Any], certificate: str, grade: str, route: str,
           un_number: str, phone: str) -> UnitLabelData:
    serial = unit.identifier("serial") or ""
    try:
        return UnitLabelData(
            model=device.get("model") or unit.model, storage=device.get("storage", ""),
            colour=device.get("colour", ""), grade=grade, route=route, lot=lot or "-",
            date=date.today().isoformat(), imei=unit.identifier("imei") or "",
            serial=serial if len(serial) <= 20 else "", gtin=gtin, certificate_id=certificate,
            un_number=un_number, phone=phone if un_number else "")
    except ValueError as exc:
        raise OperatorError(f"The label of {unit.label} cannot be made: {exc}",
                            hint="Correct the unit's identifiers (an IMEI or a serial of at most 20 characters)") \
            from None


def _lot_and_gtin(store: Store, unit: Unit) -> tuple[str, str]:
    lot = queries.lot_by_id(store.db, unit.lot_id) if unit.lot_id else None
    return (lot.code if lot else ""), queries.unit_gtin(store.db, unit.unit_id)


def unit_label_data(store: Store, unit: Unit, phone: str = "") -> UnitLabelData:
    """The unit label's fields from its records; OperatorError when the unit is not routed yet."""
    grade = gq.current_grade(store.db, unit.unit_id)
    chosen = gq.current_route(store.db, unit.unit_id)
    if grade is None or chosen is None:
        raise OperatorError(f"Unit {unit.label} has no grade and route yet", hint="Grade it first (F10)")
    inputs: dict[str, Any] = {}
    for event in reversed(unit_events(store.db, unit.unit_id)):
        if event.type == gev.GRADE_ASSIGNED and event.body["grade_id"] == grade.grade_id:
            inputs = dict(event.body["inputs"])
            break
    lot, gtin = _lot_and_gtin(store, unit)
    return _label(unit, lot=lot, gtin=gtin, device=inputs.get("device", {}),
                  certificate=inputs.get("sanitisation", {}).get("certificate_id", ""),
                  grade=f"{grade.cosmetic or '-'} / {grade.functional} · R2 {grade.rec}", route=chosen.text,
                  un_number=chosen.un_number, phone=phone)


def preview_label_data(store: Store, unit: Unit, grade: GradeResult, chosen: Route, phone: str = "") -> UnitLabelData:
    """The label a grade not yet recorded would print (the Grade tab's preview)."""
    inputs = grade.inputs.to_dict()
    lot, gtin = _lot_and_gtin(store, unit)
    option = chosen.chosen
    route = (f"Resale · {option.channel} {option.grade}" if option.kind is RouteKind.RESALE else
             {"repair": "Repair", "parts_harvest": "Parts harvest", "recycle": "Recycle"}[option.kind.value])
    return _label(unit, lot=lot, gtin=gtin, device=inputs.get("device", {}),
                  certificate=inputs.get("sanitisation", {}).get("certificate_id", ""), grade=grade.summary,
                  route=route, un_number=chosen.un_number or "", phone=phone)


def render(data: UnitLabelData | BoxLabelData, target: LabelTarget) -> bytes:
    label = unit_label(data) if isinstance(data, UnitLabelData) else box_label(data)
    if target.format == "zpl":
        return to_zpl(label, target.dpi).encode("utf-8")
    return to_pdf([label], title=f"Label {label.texts()[0] if label.texts() else ''}")


def unit_print_job(store: Store, unit: Unit, target: LabelTarget, operator_id: str | None, *,
                   phone: str = "", reprint: bool = False) -> PrintJob:
    data = unit_label_data(store, unit, phone)
    fields = {k: v for k, v in data.values().items() if v}
    return PrintJob(job_id=new_job_id(), created_at=store.now(), kind="unit", subject=unit.unit_id,
                    description=f"label for {data.barcode}", printer=target.printer, format=target.format, copies=1,
                    payload=render(data, target), fields=fields, reprint=reprint, operator_id=operator_id)


def box_print_job(store: Store, data: BoxLabelData, target: LabelTarget, operator_id: str | None, *,
                  reprint: bool = False) -> PrintJob:
    fields = {k: v for k, v in data.values().items() if v}
    return PrintJob(job_id=new_job_id(), created_at=store.now(), kind="box", subject=data.box_id,
                    description=f"box label {data.box_id}", printer=target.printer, format=target.format, copies=1,
                    payload=render(data, target), fields=fields, reprint=reprint, operator_id=operator_id)
