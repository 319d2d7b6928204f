"""Erasing a drive: interlock, unit, the overwrite job, its checkpoints, and the certificate.

Plain Python, usable from the CLI (one thread) and the GUI (``prepare`` and ``finish`` on the GUI
thread, ``run`` on a worker whose checkpoints come back through the caller's callback). Nothing
here certifies an erasure unless the overwrite completed and verification passed.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__
from app.core import events as ev
from app.core.certificate import document, with_field_digests
from app.core.errors import NotFound, OperatorError, PermissionDenied
from app.core.lifecycle import UnitState, can_transition, transition
from app.core.models import Identifier, Operator, Role, Unit
from app.store import queries
from app.store.keys import public_key_text
from app.store.store import Store
from drivers.block.devices import BlockDevice, read_device
from drivers.block.overwrite import (
    Checkpoint,
    OverwriteError,
    OverwriteJob,
    OverwriteResult,
    Pattern,
    Progress,
    VerifyMode,
)
from drivers.block.safety import SUPERVISOR_OVERRIDABLE, Refusal, refusals
from drivers.block.smart import SmartReport
from drivers.block.smart_probe import probe_smart, summary

log = logging.getLogger("app.erasure")

METHODS = {
    "overwrite-zeros": Pattern.ZEROS,
    "overwrite-ones": Pattern.ONES,
    "overwrite-random": Pattern.RANDOM,
}
STANDARD = "NIST SP 800-88 Rev. 1 Clear (single overwrite pass, verified); IEEE 2883-2022 Clear"
CERT_FOLDER = "certificates"
OVERRIDE_MIN_WORDS = 3  # "ok" or "test" is not a reason anyone can audit later
OVERRIDE_MIN_CHARS = 15

HiddenAreasProbe = Callable[[BlockDevice], dict[str, Any]]
SmartProbe = Callable[[BlockDevice], SmartReport]
# HPA and DCO are ATA features; these transports reach an ATA drive (a USB dock only with SAT pass-through).
_ATA_TRANSPORTS = frozenset({"sata", "usb"})


def hidden_areas_unprobed(device: BlockDevice) -> dict[str, Any]:
    """The HPA/DCO record when no probe is installed: "not supported" where the device cannot have
    them, "unknown" for an ATA drive whose hidden areas nobody looked at. Never a guess of "absent"."""
    sectors = device.size_bytes // device.logical_sector if device.logical_sector else None
    if device.is_loop:
        state, detail = "not supported", "a loop device (a file) has no HPA or DCO"
    elif device.transport not in _ATA_TRANSPORTS:
        state, detail = "not supported", f"HPA and DCO are ATA features; a {device.transport or 'non-ATA'} " \
                                         "device has neither"
    else:
        state, detail = "unknown", "not checked: this station has no HPA/DCO probe (hdparm -N, --dco-identify)"
    return {"hpa": state, "dco": state, "visible_sectors": sectors, "native_sectors": None,
            "dco_max_sectors": None, "detail": detail}


def _smart_of(device: BlockDevice) -> SmartReport:
    return probe_smart(device.path)


@dataclass(frozen=True)
class EraseRequest:
    """What the operator asked for."""

    device_path: str
    method: str = "overwrite-zeros"
    verify: VerifyMode = VerifyMode.FULL
    allow_loop: bool = False
    unit_identifier: str = ""        # the drive's label, when the drive does not report a serial
    restart: bool = False            # ignore an interrupted erasure of this drive and start over
    override_reason: str = ""        # a supervisor's reason to erase despite an overridable refusal
    block_size: int = 4 * 1024 * 1024
    checkpoint_every: int = 2 * 1024**3


@dataclass
class PreparedErase:
    """An erasure recorded as started, with the job that will do it."""

    erasure_id: str
    unit: Unit
    device: BlockDevice
    bay: int | None
    job: OverwriteJob
    method: str
    started_at: str
    device_record: dict[str, Any] = field(default_factory=dict)
    method_record: dict[str, Any] = field(default_factory=dict)
    smart: dict[str, Any] = field(default_factory=dict)
    hidden_before: dict[str, Any] = field(default_factory=dict)
    override: dict[str, Any] | None = None


@dataclass(frozen=True)
class EraseOutcome:
    """How an erasure ended, for the operator and for scripts."""

    erasure_id: str
    unit_id: str
    outcome: str  # passed, failed, interrupted
    summary: str
    certificate_id: str | None
    certificate_path: str | None
    result: OverwriteResult

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "erasure_id": self.erasure_id, "unit_id": self.unit_id, "outcome": self.outcome, "summary": self.summary,
            "certificate_id": self.certificate_id, "certificate_path": self.certificate_path,
            "total_bytes": r.total_bytes, "written_bytes": r.written_bytes, "verify_mode": str(r.verify_mode),
            "verified_bytes": r.verified_bytes, "verify_ok": r.verify_ok, "sample_ranges": r.sample_ranges,
            "mismatches": [{"offset": m.offset, "length": m.length, "error": m.error} for m in r.mismatches],
            "bad_ranges": [{"offset": b.offset, "length": b.length, "error": b.error} for b in r.bad_ranges],
            "interrupted": r.interrupted,
        }


def _media_type(device: BlockDevice) -> str:
    if device.is_loop:
        return "virtual (file-backed loop device)"  # the kernel calls loop devices rotational
    if device.rotational is True:
        return "magnetic"
    if device.rotational is False:
        return "flash"
    return "unknown"


class EraseService:
    """Erasures on one station, recorded as events."""

    def __init__(self, store: Store, operator: Operator | None = None, *,
                 probe_hidden_areas: HiddenAreasProbe | None = None, probe_health: SmartProbe | None = None) -> None:
        self.store = store
        self.operator = operator
        self.probe_hidden_areas: HiddenAreasProbe = probe_hidden_areas or hidden_areas_unprobed
        self.probe_health: SmartProbe = probe_health or _smart_of

    # --- start ---------------------------------------------------------------------------------------

    def prepare(self, request: EraseRequest) -> PreparedErase:
        """Check the interlock, find or create the unit, resume or start the job, record the start."""
        pattern = METHODS.get(request.method)
        if pattern is None:
            raise OperatorError(f"Unknown erase method {request.method!r}",
                                hint=f"Choose one of: {', '.join(sorted(METHODS))}")
        device = read_device(os.path.basename(os.path.realpath(request.device_path)))
        if device is None or not os.path.realpath(request.device_path).startswith("/dev/"):
            raise NotFound(f"{request.device_path} is not a drive this bench can see",
                           hint="Check the drive is plugged in; 'refurb-bench drive list' shows what is seen")
        bay_map = queries.bay_map(self.store.db)
        override = self._interlock(device, refusals(device, bay_map=bay_map, allow_loop=request.allow_loop),
                                   request.override_reason)
        unit = self._unit_for(device, request.unit_identifier)
        resume = None if request.restart else self._interrupted(unit, device, pattern)
        erasure_id = "E-" + uuid.uuid4().hex[:16]
        try:
            job = OverwriteJob(
                device.path, pattern=pattern, verify=request.verify, block_size=request.block_size,
                checkpoint_every=request.checkpoint_every,
                resume_from=resume[1] if resume else None,
                sample_seed=resume[2] if resume else None,
            )
        except OverwriteError as exc:
            raise OperatorError(f"Cannot erase {device.path}: {exc}", hint="Check the drive and its cable") from exc
        bay = bay_map.get(device.bay_key)
        # Health and hidden areas are read before the first byte is written, so they describe the drive
        # as it came in; neither stops the erasure (a failing drive still gets its data destroyed).
        smart = summary(self.probe_health(device))
        hidden_before = self._hidden_areas(device)
        device_record = {
            "path": device.path, "model": device.model, "serial": device.serial, "wwn": device.wwn,
            "transport": device.transport, "size_bytes": device.size_bytes, "logical_sector": device.logical_sector,
            "media_type": _media_type(device), "bay": bay, "bay_key": device.bay_key,
            "label_identifier": request.unit_identifier,
        }
        method_record = {
            "name": request.method, "category": "Clear", "technique": "Overwrite", "pattern": str(pattern),
            "passes": 1, "standard": STANDARD, "tool": "Refurb Bench overwrite engine", "tool_version": __version__,
            "start_offset": job.start_offset,
        }
        with self.store.transaction():
            if resume:
                self._record_interrupted(unit, resume[0], job.start_offset)
            self._advance(unit, UnitState.SANITISING, "erasure started")
            body: dict[str, Any] = {
                "erasure_id": erasure_id, "device": device_record, "method": method_record,
                "verification": str(request.verify), "seed_hex": job.seed_hex, "sample_seed": job.sample_seed,
                "smart": smart, "hidden_areas": {"before": hidden_before},
            }
            if resume:
                body["resumed_from"] = resume[0]
            if override:
                body["override"] = override
            self.store.record(ev.ERASURE_STARTED, body, unit_id=unit.unit_id, operator_id=self._operator_id())
        log.info("erasure %s of %s started (%s, %s verification%s)", erasure_id, device.path, request.method,
                 request.verify, f", resuming at {job.start_offset}" if resume else "")
        return PreparedErase(erasure_id, unit, device, bay, job, request.method, self.store.now(),
                             device_record, method_record, smart, hidden_before, override)

    def _interlock(self, device: BlockDevice, refused: list[Refusal], reason: str) -> dict[str, Any] | None:
        """Raise for a refusal that stands; return the override record when a supervisor lifted some."""
        if not refused:
            return None
        hard = [r for r in refused if r.code not in SUPERVISOR_OVERRIDABLE]
        reason = " ".join(reason.split())
        if hard or not reason:
            first = (hard or refused)[0]
            more = f" (and {len(refused) - 1} more reason(s))" if len(refused) > 1 else ""
            hint = first.hint
            if not hard:
                hint += "; or a supervisor may override this with a reason"
            raise OperatorError(f"Refusing to erase: {first.text}{more}", hint=hint)
        if len(reason.split()) < OVERRIDE_MIN_WORDS or len(reason) < OVERRIDE_MIN_CHARS:
            raise OperatorError(f"The override reason {reason!r} is too short",
                                hint="Say in a few words why this drive may be erased outside the bay map")
        # Trust the stored role of the logged-in operator, not the object handed in.
        stored = queries.operator_by_id(self.store.db, self.operator.operator_id) if self.operator else None
        if stored is None or not stored.active or not stored.role.includes(Role.SUPERVISOR):
            who = f"{stored.name} is a {stored.role}" if stored else "nobody is logged in"
            raise PermissionDenied(f"Overriding the erase interlock needs a supervisor; {who}",
                                   hint="Ask a supervisor to scan their badge and give the reason")
        log.info("erase interlock overridden for %s by %s: %s (%s)", device.path, stored.name, reason,
                 ", ".join(r.code for r in refused))
        return {"by": {"id": stored.operator_id, "name": stored.name, "role": str(stored.role)}, "reason": reason,
                "refusals": [{"code": r.code, "text": r.text} for r in refused]}

    def _hidden_areas(self, device: BlockDevice) -> dict[str, Any]:
        try:
            return dict(self.probe_hidden_areas(device))
        except Exception as exc:  # a probe bug must not lose the erasure record; it is logged as the bug it is
            log.exception("HPA/DCO probe failed on %s", device.path)
            return {"hpa": "unknown", "dco": "unknown", "visible_sectors": None, "native_sectors": None,
                    "dco_max_sectors": None, "detail": f"the probe failed: {type(exc).__name__}"}

    def _operator_id(self) -> str | None:
        return self.operator.operator_id if self.operator else None

    def _unit_for(self, device: BlockDevice, label: str) -> Unit:
        """The unit this drive is: by its reported serial (or WWN), else by the label the operator gave."""
        candidates = [Identifier("serial", v.upper()) for v in (device.serial, label) if v]
        if device.wwn:
            candidates.append(Identifier("wwn", device.wwn.lower()))
        if not candidates:
            raise OperatorError(f"{device.path} reports no serial number",
                                hint="Scan or type the serial from the drive's label (--unit)")
        for ident in candidates:
            unit = queries.find_unit(self.store.db, ident.value)
            if unit is not None:
                return unit
        unit_id = "U-" + base64.b32encode(os.urandom(10)).decode()[:12]
        self.store.record(ev.UNIT_CREATED, {
            "identifiers": [{"kind": i.kind, "value": i.value} for i in candidates], "source": "device",
            **({"model": device.model} if device.model else {}),
        }, unit_id=unit_id, operator_id=self._operator_id())
        created = queries.get_unit(self.store.db, unit_id)
        assert created is not None
        return created

    def _interrupted(self, unit: Unit, device: BlockDevice, pattern: Pattern) -> tuple[str, Checkpoint, int] | None:
        """The unit's newest erasure, if it never completed (killed: still 'running'; or cancelled:
        'interrupted') and its method and drive size match: work done is resumed, not redone."""
        row = self.store.db.execute(
            "SELECT erasure_id, pattern, seed_hex, next_offset, total_bytes, sample_seed, state FROM erasures"
            " WHERE unit_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1", [unit.unit_id],
        ).fetchone()
        if row is None or row[6] not in ("running", "interrupted"):
            return None
        if row[1] != str(pattern) or int(row[4]) != device.size_bytes:
            return None
        return str(row[0]), Checkpoint(Pattern(row[1]), str(row[2]), int(row[3]), int(row[4])), int(row[5])

    def _record_interrupted(self, unit: Unit, erasure_id: str, next_offset: int) -> None:
        state = self.store.db.execute("SELECT state FROM erasures WHERE erasure_id = ?", [erasure_id]).fetchone()
        if state is not None and state[0] != "running":
            return  # a cancelled erasure already recorded how it ended
        self.store.record(ev.ERASURE_COMPLETED, {
            "erasure_id": erasure_id, "outcome": "interrupted", "device": {}, "method": {}, "verification": {},
            "result": {"summary": f"interrupted; resumed from {next_offset:,} bytes", "next_offset": next_offset},
            "station": {"station_id": self.store.station_id}, "started_at": "", "finished_at": self.store.now(),
        }, unit_id=unit.unit_id, operator_id=self._operator_id())

    def _advance(self, unit: Unit, target: UnitState, reason: str) -> None:
        """Walk the lifecycle to ``target`` through the steps it requires (received -> identified first)."""
        current = queries.get_unit(self.store.db, unit.unit_id)
        assert current is not None
        state = current.state
        if state is target:
            return
        path = [target] if can_transition(state, target) else [UnitState.IDENTIFIED, target]
        for step in path:
            transition(unit.unit_id, state, step, reason)
            self.store.record(ev.UNIT_STATE_CHANGED, {"from": str(state), "to": str(step), "reason": reason},
                              unit_id=unit.unit_id, operator_id=self._operator_id())
            state = step

    # --- run and finish ------------------------------------------------------------------------------------

    @staticmethod
    def run(prepared: PreparedErase, cancel: threading.Event) -> Iterator[Progress]:
        """The job itself: blocking, touches no database (checkpoints go to job.on_checkpoint)."""
        yield from prepared.job.run(cancel)

    def record_checkpoint(self, prepared: PreparedErase, checkpoint: Checkpoint) -> None:
        self.store.record(ev.ERASURE_CHECKPOINT, {"erasure_id": prepared.erasure_id,
                                                  "next_offset": checkpoint.next_offset},
                          unit_id=prepared.unit.unit_id, operator_id=self._operator_id())

    def finish(self, prepared: PreparedErase) -> EraseOutcome:
        """Record how the job ended; issue and write the certificate only for a verified pass."""
        result = prepared.job.result
        if result is None:
            raise RuntimeError("finish() before the job ran")
        outcome, summary = _judge(result)
        cert_id = ("C-" + base64.b32encode(os.urandom(10)).decode()[:16]) if outcome == "passed" else None
        body: dict[str, Any] = {
            "erasure_id": prepared.erasure_id, "outcome": outcome,
            "device": prepared.device_record, "method": prepared.method_record,
            "verification": {
                "method": str(result.verify_mode), "verified_bytes": result.verified_bytes,
                "sample_ranges": result.sample_ranges, "sample_seed": result.sample_seed or 0,
                "result": "passed" if result.verify_ok else ("failed" if result.verify_ok is False else "not done"),
                "mismatches": len(result.mismatches),
            },
            "result": {
                "summary": summary, "written_bytes": result.written_bytes, "bad_ranges": len(result.bad_ranges),
                "elapsed_ms": result.elapsed_s_milli, "next_offset": result.checkpoint.next_offset
                if result.checkpoint else result.start_offset,
            },
            "station": {"station_id": self.store.station_id, "public_key": public_key_text(self.store.public_key)},
            "started_at": prepared.started_at, "finished_at": self.store.now(), "destination": "reuse",
            "smart": prepared.smart,
            "hidden_areas": {"before": prepared.hidden_before, "after": self._hidden_areas(prepared.device)},
        }
        if prepared.override:
            body["override"] = prepared.override
        if self.operator is not None:
            body["operator"] = {"id": self.operator.operator_id, "name": self.operator.name,
                                "role": str(self.operator.role)}
        if cert_id:
            body["certificate_id"] = cert_id
        body = with_field_digests(body)
        with self.store.transaction():
            event = self.store.record(ev.ERASURE_COMPLETED, body, unit_id=prepared.unit.unit_id,
                                      operator_id=self._operator_id())
            if outcome == "passed":
                self._advance(prepared.unit, UnitState.SANITISED, f"erasure {prepared.erasure_id} verified")
            elif outcome == "failed":
                self._advance(prepared.unit, UnitState.FAILED, summary)
        path = self._write_certificate(event) if cert_id else None
        log.info("erasure %s %s: %s", prepared.erasure_id, outcome, summary)
        return EraseOutcome(prepared.erasure_id, prepared.unit.unit_id, outcome, summary, cert_id,
                            str(path) if path else None, result)

    def _write_certificate(self, event: Any) -> Path:
        folder = self.store.data_dir / CERT_FOLDER
        folder.mkdir(exist_ok=True)
        path = folder / f"{event.body['certificate_id']}.json"
        doc = document(event, public_key_text(self.store.public_key))
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
        # The printable PDF beside it carries the same signed document inside it.
        from app.reports.certificate_pdf import render_certificate

        pdf = path.with_suffix(".pdf")
        tmp_pdf = path.with_suffix(".pdf.tmp")
        tmp_pdf.write_bytes(render_certificate(doc))
        tmp_pdf.replace(pdf)
        return path

    def erase(self, request: EraseRequest, cancel: threading.Event,
              on_progress: Callable[[Progress], None] | None = None) -> EraseOutcome:
        """Prepare, run and finish in this thread (the CLI's way)."""
        prepared = self.prepare(request)
        prepared.job.on_checkpoint = lambda cp: self.record_checkpoint(prepared, cp)
        for progress in self.run(prepared, cancel):
            if on_progress is not None:
                on_progress(progress)
        return self.finish(prepared)


def _judge(result: OverwriteResult) -> tuple[str, str]:
    gb = result.total_bytes / 1e9
    if result.interrupted:
        why = result.error or "cancelled"
        # The checkpoint is exact; written_bytes leaves out ranges that failed.
        reached = result.checkpoint.next_offset if result.checkpoint else result.start_offset
        return "interrupted", f"interrupted at {reached:,} of {result.total_bytes:,} bytes ({why})"
    if result.bad_ranges:
        return "failed", f"{len(result.bad_ranges)} range(s) could not be written"
    if result.verify_ok is False:
        return "failed", f"verification found {len(result.mismatches)} range(s) that do not hold the pattern"
    if result.verify_ok is None:
        return "failed", "not verified: an erasure without verification is never certified"
    return "passed", f"{gb:,.2f} GB overwritten with {result.pattern}, {result.verify_mode} verification passed"
