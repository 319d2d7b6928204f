"""A phone's factory reset as sanitisation: recorded, verified, and certified only when it is a
cryptographic erase.

The reset itself (:meth:`PhoneDevice.factory_reset`) runs on a job thread: it refuses phones with FRP
or a device owner, waits for the phone to come back at its setup screen and re-reads its identity.
:class:`PhoneResetRecorder` turns its report into one ``phone.reset_completed`` event whose body is
the certificate, in the drive certificate's format (``app/core/certificate.py``): outcome ``passed``
with a certificate only for a verified reset of a phone with file-based encryption (NIST SP 800-88
Purge by cryptographic erase); ``flagged`` for a verified reset without it (the unit is held: it needs
another sanitisation); ``failed`` for a reset that was refused, never came back or did not verify.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import __version__
from app.core import events_phones as pev
from app.core.certificate import document, with_field_digests
from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.lifecycle import UnitState
from app.core.models import Event, Unit
from app.services.phone_source import AttachedPhone
from app.services.phones import PhoneService, identity_record
from app.store.keys import public_key_text
from drivers.android import PhoneIdentity, ResetReport

log = logging.getLogger("app.phones")

CERT_FOLDER = "certificates"  # beside the drives' certificates, same format
PURGE_STANDARD = ("NIST SP 800-88 Rev. 1 Purge by cryptographic erase (Appendix A, mobile devices: the factory "
                  "reset destroys the file-based-encryption keys); IEEE 2883-2022 Purge")
CLEAR_STANDARD = "NIST SP 800-88 Rev. 1 Clear (factory reset only; no file-based encryption)"


@dataclass(frozen=True)
class ResetOutcome:
    erasure_id: str
    unit_id: str
    outcome: str  # passed, flagged, failed
    summary: str
    certificate_id: str | None
    certificate_path: str | None


def _device_record(identity: PhoneIdentity, attached: AttachedPhone, bay: int | None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "phone", "platform": attached.platform, "vendor": identity.make or "", "model": identity.model or "",
        "model_number": identity.model_number or "", "serial": identity.serial or "",
        "imeis": list(identity.valid_imeis), "os_version": identity.os_version or "",
        "size_bytes": identity.storage_bytes or 0,
        "transport": "usb" if attached.bay_key.startswith("usb:") or attached.platform == "ios" else "tcp",
        "path": attached.serial, "bay_key": attached.bay_key, "crypto_type": identity.crypto_type or "none",
        "media_type": "phone flash storage" + (", file-based encryption" if identity.crypto_type == "file" else
                                               f", ro.crypto.type={identity.crypto_type or 'none'}"),
    }
    if bay is not None:
        record["bay"] = bay
    return record


class PhoneResetRecorder:
    """Records resets for a :class:`PhoneService`'s store, on the caller's thread."""

    def __init__(self, phones: PhoneService) -> None:
        self.phones = phones
        self.store = phones.store

    def begin(self, unit: Unit) -> str:
        """The unit goes to sanitising; returns the start time to record with the outcome."""
        with self.store.transaction():
            if not self.phones.advance(unit.unit_id, UnitState.SANITISING, "phone factory reset started"):
                state = self.phones.state_of(unit.unit_id)
                raise OperatorError(
                    QT_TRANSLATE_NOOP("OperatorError", "Unit {unit} is {state}; a phone in that state is not reset"),
                    hint=QT_TRANSLATE_NOOP("OperatorError", "Clear its hold or finish its tests first"),
                    values={"unit": unit.unit_id, "state": state},
                )
        return self.store.now()

    def finish(self, unit: Unit, attached: AttachedPhone, bay: int | None, before: PhoneIdentity,
               report: ResetReport | None, error: str, started_at: str, blockers: list[dict[str, str]]) -> ResetOutcome:
        """Record how the reset ended; write the certificate for a verified cryptographic erase."""
        erasure_id = "R-" + uuid.uuid4().hex[:16]
        if report is not None and report.verified and report.crypto_erase:
            outcome, summary = "passed", ("factory reset verified: the phone came back at its setup screen with "
                                          "the same identity; file-based encryption keys destroyed")
        elif report is not None and report.verified:
            outcome, summary = "flagged", "factory reset verified, but " + "; ".join(report.flags)
        elif report is not None:
            failed = [e for e in report.evidence if e.startswith("FAILED")]
            outcome, summary = "failed", "factory reset did not verify: " + "; ".join(failed)
        else:
            outcome, summary = "failed", f"factory reset not done: {error}"
        crypto = report.crypto_erase if report is not None else before.crypto_type == "file"
        method = {
            "name": "factory-reset", "category": "Purge" if crypto else "Clear",
            "technique": "Cryptographic Erase" if crypto else "Factory reset",
            "standard": PURGE_STANDARD if crypto else CLEAR_STANDARD,
            "trigger": report.method if report is not None else "factory reset", "passes": 1,
            "pattern": "key destruction" if crypto else "none", "tool": "Refurb Bench", "tool_version": __version__,
        }
        evidence = list(report.evidence) if report is not None else []
        verification = {
            "method": "phone re-read after it came back at its setup screen",
            "result": "passed" if report is not None and report.verified else "failed",
            "checks": evidence, "mismatches": sum(1 for e in evidence if e.startswith("FAILED")),
        }
        result: dict[str, Any] = {
            "summary": summary, "flags": list(report.flags) if report is not None else [],
            "phases": [{"phase": m.phase.value, "at_ms": round(m.at_seconds * 1000)} for m in report.phases]
            if report else [],
            "written_bytes": 0, "bad_ranges": 0,
        }
        if report is not None and report.identity_after is not None:
            result["identity_after"] = identity_record(report.identity_after)
        cert_id = ("C-" + base64.b32encode(os.urandom(10)).decode()[:16]) if outcome == "passed" else None
        body: dict[str, Any] = {
            "erasure_id": erasure_id, "outcome": outcome, "device": _device_record(before, attached, bay),
            "method": method, "verification": verification, "result": result, "blockers": blockers,
            "station": {"station_id": self.store.station_id, "public_key": public_key_text(self.store.public_key)},
            "started_at": started_at, "finished_at": self.store.now(), "destination": "reuse",
        }
        operator = self.phones.current_operator()
        if operator is not None:
            body["operator"] = {"id": operator.operator_id, "name": operator.name, "role": str(operator.role)}
        if cert_id:
            body["certificate_id"] = cert_id
        body = with_field_digests(body)
        with self.store.transaction():
            event = self.store.record(pev.PHONE_RESET_COMPLETED, body, unit_id=unit.unit_id,
                                      operator_id=self.phones.operator_id())
            if outcome == "passed":
                self.phones.advance(unit.unit_id, UnitState.SANITISED, f"phone reset {erasure_id} verified")
            elif outcome == "flagged":
                self.phones.advance(unit.unit_id, UnitState.ON_HOLD, f"phone reset {erasure_id}: {summary}")
            else:
                self.phones.advance(unit.unit_id, UnitState.FAILED, summary)
        path = self._write_certificate(event) if cert_id else None
        log.info("phone reset %s of unit %s %s: %s", erasure_id, unit.unit_id, outcome, summary)
        return ResetOutcome(erasure_id, unit.unit_id, outcome, summary, cert_id, str(path) if path else None)

    def _write_certificate(self, event: Event) -> Path:
        from app.reports.phone_certificate_pdf import render_phone_certificate

        folder = self.store.data_dir / CERT_FOLDER
        folder.mkdir(exist_ok=True)
        path = folder / f"{event.body['certificate_id']}.json"
        doc = document(event, public_key_text(self.store.public_key))
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
        pdf, tmp_pdf = path.with_suffix(".pdf"), path.with_suffix(".pdf.tmp")
        tmp_pdf.write_bytes(render_phone_certificate(doc))
        tmp_pdf.replace(pdf)
        return path
