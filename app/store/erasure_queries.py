"""What a lot's certificate of data destruction lists: every unit of the lot and how its erasure ended.

A unit belongs to a lot when it was received into it (``lot_receipts``) or carries the lot on its
row; a manifest line nobody ever scanned is a row too ("not received"), so nothing the customer
handed over is left out of the certificate silently. For a unit with a passed erasure the row takes
its facts from the signed ``erasure.completed`` event itself (method, category, verification,
certificate id and event hash), not from the projection, so the lot certificate repeats exactly
what the drive's own certificate says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from app.core import events as ev

# What the lot certificate says about a unit, from best to worst.
ERASED = "erased"
NOT_ERASED = "not erased"
FAILED = "erasure failed"
INTERRUPTED = "erasure interrupted"
RUNNING = "erasure in progress"
NOT_RECEIVED = "not received"


@dataclass(frozen=True)
class LotErasureRow:
    """One line of a lot certificate: a unit (or an expected unit never received) and its erasure."""

    unit_id: str
    identifier: str           # the label a person finds on the unit (serial, IMEI, asset tag)
    model: str
    serial: str               # the drive's serial as the erasure recorded it, else the unit's
    outcome: str              # ERASED, NOT_ERASED, FAILED, ...
    method: str = ""
    category: str = ""        # NIST SP 800-88 Clear / Purge
    verification: str = ""
    certificate_id: str = ""
    certificate_hash: str = ""
    erased_at: str = ""
    operator: str = ""
    detail: str = ""          # why a unit is not erased, in words

    def to_json(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in self.__dataclass_fields__}


_KIND_ORDER = ("serial", "imei", "asset_tag", "meid", "wwn")


def _label(identifiers: dict[str, str], unit_id: str) -> str:
    return next((identifiers[k] for k in _KIND_ORDER if k in identifiers), next(iter(identifiers.values()), unit_id))


def lot_erasure_rows(db: sqlite_utils.Database, lot_id: str) -> list[LotErasureRow]:
    """Every unit of the lot, in the order received, then every manifest line not received."""
    units = db.execute(
        "SELECT u.unit_id, u.model FROM units u LEFT JOIN lot_receipts r ON r.unit_id = u.unit_id AND r.lot_id = ?"
        " WHERE r.lot_id IS NOT NULL OR u.lot_id = ?"
        # in the order they were received; a unit's first event settles ties within the same millisecond
        " ORDER BY coalesce(r.received_at, u.created_at), (SELECT min(seq) FROM events e WHERE e.unit_id = u.unit_id)",
        [lot_id, lot_id],
    ).fetchall()
    rows = [_unit_row(db, str(unit_id), str(model or "")) for unit_id, model in units]
    missing = db.execute(
        "SELECT m.kind, m.value, m.model FROM lot_manifest m WHERE m.lot_id = ? AND NOT EXISTS ("
        " SELECT 1 FROM unit_identifiers i JOIN lot_receipts r ON r.unit_id = i.unit_id AND r.lot_id = m.lot_id"
        " WHERE i.value = m.value) ORDER BY m.value", [lot_id],
    ).fetchall()
    for kind, value, model in missing:
        rows.append(LotErasureRow(unit_id="", identifier=str(value), model=str(model or ""),
                                  serial=str(value) if kind == "serial" else "", outcome=NOT_RECEIVED,
                                  detail="listed on the manifest, never received"))
    return rows


def _unit_row(db: sqlite_utils.Database, unit_id: str, model: str) -> LotErasureRow:
    identifiers = {str(k): str(v) for k, v in db.execute(
        "SELECT kind, value FROM unit_identifiers WHERE unit_id = ? ORDER BY kind, value", [unit_id])}
    label = _label(identifiers, unit_id)
    passed = db.execute(
        "SELECT hash, body FROM events WHERE unit_id = ? AND type = ? AND json_extract(body, '$.outcome') = 'passed'"
        " ORDER BY seq DESC LIMIT 1", [unit_id, ev.ERASURE_COMPLETED],
    ).fetchone()
    if passed is not None:
        return _erased_row(unit_id, label, model, identifiers, str(passed[0]), json.loads(passed[1]))
    last = db.execute(
        "SELECT state, detail FROM erasures WHERE unit_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1", [unit_id],
    ).fetchone()
    outcome, detail = NOT_ERASED, "no erasure recorded"
    if last is not None:
        outcome = {"failed": FAILED, "interrupted": INTERRUPTED, "running": RUNNING}.get(str(last[0]), NOT_ERASED)
        detail = str(last[1] or last[0])
    return LotErasureRow(unit_id=unit_id, identifier=label, model=model, serial=identifiers.get("serial", ""),
                         outcome=outcome, detail=detail)


def _erased_row(unit_id: str, label: str, model: str, identifiers: dict[str, str], event_hash: str,
                body: dict[str, Any]) -> LotErasureRow:
    device = body.get("device") or {}
    method = body.get("method") or {}
    verification = body.get("verification") or {}
    operator = body.get("operator") or {}
    return LotErasureRow(
        unit_id=unit_id, identifier=label, model=str(device.get("model") or model),
        serial=str(device.get("serial") or device.get("label_identifier") or identifiers.get("serial", "")),
        outcome=ERASED, method=str(method.get("name", "")), category=str(method.get("category", "")),
        verification=f"{verification.get('method', '')} {verification.get('result', '')}".strip(),
        certificate_id=str(body.get("certificate_id", "")), certificate_hash=event_hash,
        erased_at=str(body.get("finished_at", "")),
        operator=str(operator.get("name", "")) if isinstance(operator, dict) else "",
        detail=str((body.get("result") or {}).get("summary", "")),
    )
