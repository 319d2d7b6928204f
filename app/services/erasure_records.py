"""What every erasure records whatever its method: the interlock and a supervisor's override, the
unit the drive is, its lifecycle steps, its health and hidden areas, and the certificate files.

Plain functions over a Store; the erase service (app/services/erasure.py) calls them from the
thread the erasure runs on, which owns that Store's connection.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.core import events as ev
from app.core.certificate import document
from app.core.errors import OperatorError, PermissionDenied
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.lifecycle import UnitState, can_transition, transition
from app.core.models import Event, Identifier, Operator, Role, Unit
from app.store import queries
from app.store.keys import public_key_text
from app.store.store import Store
from drivers.block.devices import BlockDevice
from drivers.block.safety import SUPERVISOR_OVERRIDABLE, Refusal

log = logging.getLogger("app.erasure")

CERT_FOLDER = "certificates"
OVERRIDE_MIN_WORDS = 3  # "ok" or "test" is not a reason anyone can audit later
OVERRIDE_MIN_CHARS = 15

HiddenAreasProbe = Callable[[BlockDevice], dict[str, Any]]


def media_type(device: BlockDevice) -> str:
    """The media type as the certificate names it."""
    if device.is_loop:
        return "virtual (file-backed loop device)"  # the kernel calls loop devices rotational
    if device.rotational is True:
        return "magnetic"
    if device.rotational is False:
        return "flash"
    return "unknown"


def device_record(device: BlockDevice, bay: int | None, label: str) -> dict[str, Any]:
    return {
        "path": device.path, "model": device.model, "serial": device.serial, "wwn": device.wwn,
        "transport": device.transport, "size_bytes": device.size_bytes, "logical_sector": device.logical_sector,
        "media_type": media_type(device), "bay": bay, "bay_key": device.bay_key, "label_identifier": label,
    }


def refusal_error(refused: list[Refusal]) -> OperatorError:
    """The refusal the operator hears: the first reason, how many more, and whether a supervisor may lift it."""
    hard = [r for r in refused if r.code not in SUPERVISOR_OVERRIDABLE]
    first = (hard or refused)[0]
    more = f" (and {len(refused) - 1} more reason(s))" if len(refused) > 1 else ""
    hint = first.hint + ("; or a supervisor may override this with a reason" if not hard
                         else " (no override can lift this)")
    return OperatorError(f"Refusing to erase: {first.text}{more}", hint=hint)


def check_override_reason(reason: str) -> str:
    """The reason, whitespace tidied; OperatorError when it is too thin to audit later."""
    reason = " ".join(reason.split())
    if len(reason.split()) < OVERRIDE_MIN_WORDS or len(reason) < OVERRIDE_MIN_CHARS:
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "The override reason '{reason}' is too short"),
            hint=QT_TRANSLATE_NOOP(
                "OperatorError", "Say in a few words why this drive may be erased outside the bay map"),
            values={"reason": reason},
        )
    return reason


def interlock(store: Store, device: BlockDevice, refused: list[Refusal], reason: str,
              supervisor_id: str | None) -> dict[str, Any] | None:
    """Raise for a refusal that stands; return the override record when a supervisor lifted some.

    ``supervisor_id`` is the operator vouching for the override: the logged-in one, or a
    supervisor who scanned their badge at the bench for this drive."""
    if not refused:
        return None
    hard = [r for r in refused if r.code not in SUPERVISOR_OVERRIDABLE]
    if hard or not " ".join(reason.split()):
        raise refusal_error(refused)
    reason = check_override_reason(reason)
    # Trust the stored role, not an object handed in.
    stored = queries.operator_by_id(store.db, supervisor_id) if supervisor_id else None
    if stored is None or not stored.active or not stored.role.includes(Role.SUPERVISOR):
        hint = QT_TRANSLATE_NOOP("OperatorError", "Ask a supervisor to scan their badge and give the reason")
        if stored is None:
            raise PermissionDenied(
                QT_TRANSLATE_NOOP(
                    "OperatorError", "Overriding the erase interlock needs a supervisor; nobody is logged in"),
                hint=hint)
        raise PermissionDenied(
            QT_TRANSLATE_NOOP("OperatorError", "Overriding the erase interlock needs a supervisor; {name} is a {role}"),
            hint=hint, values={"name": stored.name, "role": stored.role})
    log.info("erase interlock overridden for %s by %s: %s (%s)", device.path, stored.name, reason,
             ", ".join(r.code for r in refused))
    return {"by": {"id": stored.operator_id, "name": stored.name, "role": str(stored.role)}, "reason": reason,
            "refusals": [{"code": r.code, "text": r.text} for r in refused]}


def unit_for(store: Store, device: BlockDevice, label: str, operator_id: str | None) -> Unit:
    """The unit this drive is: by its reported serial (or WWN), else by the label the operator gave."""
    candidates = [Identifier("serial", v.upper()) for v in (device.serial, label) if v]
    if device.wwn:
        candidates.append(Identifier("wwn", device.wwn.lower()))
    if not candidates:
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "{path} reports no serial number"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "Scan or type the serial from the drive's label (--unit)"),
            values={"path": device.path},
        )
    for ident in candidates:
        unit = queries.find_unit(store.db, ident.value)
        if unit is not None:
            return unit
    unit_id = "U-" + base64.b32encode(os.urandom(10)).decode()[:12]
    store.record(ev.UNIT_CREATED, {
        "identifiers": [{"kind": i.kind, "value": i.value} for i in candidates], "source": "device",
        **({"model": device.model} if device.model else {}),
    }, unit_id=unit_id, operator_id=operator_id)
    created = queries.get_unit(store.db, unit_id)
    assert created is not None
    return created


def advance(store: Store, unit: Unit, target: UnitState, reason: str, operator_id: str | None) -> None:
    """Walk the lifecycle to ``target`` through the steps it requires (received -> identified first)."""
    current = queries.get_unit(store.db, unit.unit_id)
    assert current is not None
    state = current.state
    if state is target:
        return
    path = [target] if can_transition(state, target) else [UnitState.IDENTIFIED, target]
    for step in path:
        transition(unit.unit_id, state, step, reason)
        store.record(ev.UNIT_STATE_CHANGED, {"from": str(state), "to": str(step), "reason": reason},
                     unit_id=unit.unit_id, operator_id=operator_id)
        state = step


def hidden_areas(probe: HiddenAreasProbe, device: BlockDevice) -> dict[str, Any]:
    try:
        return dict(probe(device))
    except Exception as exc:  # a probe bug must not lose the erasure record; it is logged as the bug it is
        log.exception("HPA/DCO probe failed on %s", device.path)
        return {"hpa": "unknown", "dco": "unknown", "visible_sectors": None, "native_sectors": None,
                "dco_max_sectors": None, "detail": f"the probe failed: {type(exc).__name__}"}


def operator_record(operator: Operator | None) -> dict[str, Any] | None:
    if operator is None:
        return None
    return {"id": operator.operator_id, "name": operator.name, "role": str(operator.role)}


def new_certificate_id() -> str:
    return "C-" + base64.b32encode(os.urandom(10)).decode()[:16]


def write_certificate(store: Store, event: Event) -> Path:
    """The signed JSON document and its printable PDF beside it, each written whole or not at all."""
    folder = store.data_dir / CERT_FOLDER
    folder.mkdir(exist_ok=True)
    path = folder / f"{event.body['certificate_id']}.json"
    doc = document(event, public_key_text(store.public_key))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    # The printable PDF beside it carries the same signed document inside it. Imported here: reportlab
    # takes a while to load, and only the thread issuing a certificate should wait for it.
    from app.reports.certificate_pdf import render_certificate

    pdf = path.with_suffix(".pdf")
    tmp_pdf = path.with_suffix(".pdf.tmp")
    tmp_pdf.write_bytes(render_certificate(doc))
    tmp_pdf.replace(pdf)
    return path
