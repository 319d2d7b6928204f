"""A lot's certificate of data destruction: one signed document listing every unit of the lot.

It is issued as a ``lot.certificate_issued`` event, so it is signed by the station key and chained
like every other fact, and written as JSON (the signed document) and PDF (with that JSON attached).
Units without a passed erasure are listed with what happened to them; the totals count them, and the
statement says plainly that only the units marked erased are covered.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import events as ev
from app.core.certificate import LOT_SCHEMA, document, with_field_digests
from app.core.errors import NotFound, OperatorError
from app.core.models import Operator
from app.store import queries
from app.store.erasure_queries import ERASED, NOT_RECEIVED, lot_erasure_rows
from app.store.keys import public_key_text
from app.store.store import Store

log = logging.getLogger("app.lot_certificate")


@dataclass(frozen=True)
class IssuedLotCertificate:
    """Where a lot certificate was written and what it counts."""

    certificate_id: str
    json_path: Path
    pdf_path: Path
    totals: dict[str, int]
    document: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"certificate_id": self.certificate_id, "json_path": str(self.json_path),
                "pdf_path": str(self.pdf_path), "totals": dict(self.totals),
                "event_hash": self.document["event"]["hash"]}


def _statement(code: str, party: str, totals: dict[str, int]) -> str:
    return (f"The {totals['erased']} unit(s) of lot {code} ({party}) marked erased below were sanitized and "
            f"verified on this station, each with its own signed certificate named in its row. The "
            f"{totals['units'] - totals['erased']} unit(s) not marked erased are listed with their state and are "
            "not covered by this certificate.")


def issue_lot_certificate(store: Store, lot_code: str, out_dir: Path | None = None,
                          operator: Operator | None = None) -> IssuedLotCertificate:
    """Record and write the certificate of data destruction for the lot with ``lot_code``."""
    lot = queries.lot_by_code(store.db, lot_code.strip().upper())
    if lot is None:
        raise NotFound(f"Lot {lot_code} does not exist", hint="See 'lots list'")
    rows = lot_erasure_rows(store.db, lot.lot_id)
    if not rows:
        raise OperatorError(f"Lot {lot.code} has no units and no manifest",
                            hint="Receive the lot's units (or import its manifest) before certifying it")
    outcomes = Counter(row.outcome for row in rows)
    totals = {"units": len(rows), "erased": outcomes[ERASED], "not_received": outcomes[NOT_RECEIVED],
              "not_erased": len(rows) - outcomes[ERASED] - outcomes[NOT_RECEIVED],
              **{f"by_category_{c.lower()}": n for c, n in sorted(Counter(r.category for r in rows
                                                                          if r.outcome == ERASED).items())}}
    cert_id = "LC-" + base64.b32encode(os.urandom(10)).decode()[:16]
    body: dict[str, Any] = {
        "certificate_id": cert_id,
        "lot": {"lot_id": lot.lot_id, "code": lot.code, "party_kind": str(lot.party_kind), "party": lot.party,
                "po": lot.po, "expected_count": lot.expected_count, "created_at": lot.created_at},
        "units": [row.to_json() for row in rows],
        "totals": totals,
        "statement": _statement(lot.code, lot.party, totals),
        "station": {"station_id": store.station_id, "public_key": public_key_text(store.public_key)},
        "issued_at": store.now(),
    }
    if operator is not None:
        body["operator"] = {"id": operator.operator_id, "name": operator.name, "role": str(operator.role)}
    event = store.record(ev.LOT_CERTIFICATE_ISSUED, with_field_digests(body),
                         operator_id=operator.operator_id if operator else None)
    doc = document(event, public_key_text(store.public_key), LOT_SCHEMA)
    folder = out_dir if out_dir is not None else store.data_dir / "certificates"
    json_path, pdf_path = _write(folder, cert_id, doc)
    log.info("lot certificate %s for %s: %d of %d unit(s) erased", cert_id, lot.code, totals["erased"],
             totals["units"])
    return IssuedLotCertificate(cert_id, json_path, pdf_path, totals, doc)


def _write(folder: Path, cert_id: str, doc: dict[str, Any]) -> tuple[Path, Path]:
    from app.reports.lot_certificate_pdf import render_lot_certificate

    try:
        folder.mkdir(parents=True, exist_ok=True)
        json_path = folder / f"{cert_id}.json"
        tmp = json_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(json_path)
        pdf_path = json_path.with_suffix(".pdf")
        tmp_pdf = json_path.with_suffix(".pdf.tmp")
        tmp_pdf.write_bytes(render_lot_certificate(doc))
        tmp_pdf.replace(pdf_path)
    except OSError as exc:
        # The certificate is recorded either way; writing it again gives a new id for the same facts.
        raise OperatorError(f"Cannot write the lot certificate to {folder}: {exc.strerror}",
                            hint="Choose a folder you can write to (--out)") from exc
    return json_path, pdf_path
