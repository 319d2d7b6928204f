"""Erasing a drive: interlock, unit, the job (host overwrite or the drive's own firmware sanitize),
its checkpoints, and the certificate.

Plain blocking Python, run on one thread from start to end: by the CLI in its own thread, and for
the window in a child process with a Store connection of its own (app/services/erasure_process.py),
so the window's thread never waits for a probe, an fsync or a certificate PDF. Nothing here
certifies an erasure unless the method completed and verification passed.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app import __version__
from app.core import events as ev
from app.core.certificate import with_field_digests
from app.core.erase_methods import METHODS as CATALOGUE
from app.core.errors import NotFound, OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.lifecycle import UnitState
from app.core.models import Operator, Unit
from app.services import erasure_firmware as firmware
from app.services import erasure_records as records
from app.services.drives import (
    DeviceSource,
    DriveFirmware,
    KernelDevices,
    hidden_areas_probe,
    probe_firmware,
)
from app.store import queries
from app.store.keys import public_key_text
from app.store.store import Store
from drivers.block.devices import BlockDevice
from drivers.block.firmware.sanitize import FirmwareSanitizeJob, SanitizeResult
from drivers.block.overwrite import (
    Checkpoint,
    OverwriteError,
    OverwriteJob,
    OverwriteResult,
    Pattern,
    Progress,
    VerifyMode,
)
from drivers.block.safety import refusals
from drivers.block.smart import SmartReport
from drivers.block.smart_probe import probe_smart, summary

log = logging.getLogger("app.erasure")

METHODS = {
    "overwrite-zeros": Pattern.ZEROS,
    "overwrite-ones": Pattern.ONES,
    "overwrite-random": Pattern.RANDOM,
}
STANDARD = "NIST SP 800-88 Rev. 1 Clear (single overwrite pass, verified); IEEE 2883-2022 Clear"
CERT_FOLDER = records.CERT_FOLDER

HiddenAreasProbe = records.HiddenAreasProbe
SmartProbe = Callable[[BlockDevice], SmartReport]


def _smart_of(device: BlockDevice) -> SmartReport:
    return probe_smart(device.path)


@dataclass(frozen=True)
class EraseRequest:
    """What the operator asked for."""

    device_path: str
    method: str = "overwrite-zeros"    # any name of app.core.erase_methods.METHODS
    verify: VerifyMode = VerifyMode.FULL
    allow_loop: bool = False
    unit_identifier: str = ""        # the drive's label, when the drive does not report a serial
    restart: bool = False            # ignore an interrupted erasure of this drive and start over
    override_reason: str = ""        # a supervisor's reason to erase despite an overridable refusal
    override_by: str = ""            # that supervisor's operator id, when not the logged-in operator
    block_size: int = 4 * 1024 * 1024
    checkpoint_every: int = 2 * 1024**3


@dataclass
class PreparedErase:
    """An erasure recorded as started, with the job that will do it."""

    erasure_id: str
    unit: Unit
    device: BlockDevice
    bay: int | None
    job: OverwriteJob | FirmwareSanitizeJob
    method: str
    started_at: str
    device_record: dict[str, Any] = field(default_factory=dict)
    method_record: dict[str, Any] = field(default_factory=dict)
    smart: dict[str, Any] = field(default_factory=dict)
    hidden_before: dict[str, Any] = field(default_factory=dict)
    override: dict[str, Any] | None = None

    @property
    def is_firmware(self) -> bool:
        return isinstance(self.job, FirmwareSanitizeJob)


@dataclass(frozen=True)
class EraseOutcome:
    """How an erasure ended, for the operator and for scripts. ``result`` is the overwrite's,
    ``firmware`` the firmware sanitize's; one of them is set."""

    erasure_id: str
    unit_id: str
    outcome: str  # passed, failed, interrupted
    summary: str
    certificate_id: str | None
    certificate_path: str | None
    result: OverwriteResult | None = None
    firmware: SanitizeResult | None = None
    hint: str = ""

    @property
    def reached_percent(self) -> int:
        """How far an interrupted overwrite got (where a resume continues); 0 for firmware."""
        r = self.result
        if r is None or not r.total_bytes:
            return 0
        reached = r.checkpoint.next_offset if r.checkpoint else r.start_offset
        return 100 * reached // r.total_bytes

    def to_json(self) -> dict[str, Any]:
        head: dict[str, Any] = {
            "erasure_id": self.erasure_id, "unit_id": self.unit_id, "outcome": self.outcome, "summary": self.summary,
            "certificate_id": self.certificate_id, "certificate_path": self.certificate_path,
        }
        if self.firmware is not None:
            f = self.firmware
            return {**head, "method": f.method, "firmware": True, "hint": self.hint,
                    "steps": [{"name": s.name, "ok": s.ok, "at": s.at, "detail": s.detail} for s in f.steps],
                    "failed_step": f.failed_step, "verify_mode": "sample", "sample_ranges": f.sampled_ranges,
                    "verified_bytes": f.sampled_bytes, "verify_ok": f.passed,
                    "mismatches": [{"offset": m.offset, "length": m.length, "error": m.error} for m in f.mismatches],
                    "interrupted": self.outcome == "interrupted"}
        r = self.result
        assert r is not None
        return {
            **head, "firmware": False,
            "total_bytes": r.total_bytes, "written_bytes": r.written_bytes, "verify_mode": str(r.verify_mode),
            "verified_bytes": r.verified_bytes, "verify_ok": r.verify_ok, "sample_ranges": r.sample_ranges,
            "mismatches": [{"offset": m.offset, "length": m.length, "error": m.error} for m in r.mismatches],
            "bad_ranges": [{"offset": b.offset, "length": b.length, "error": b.error} for b in r.bad_ranges],
            "interrupted": r.interrupted,
        }


class EraseService:
    """Erasures on one station, recorded as events. Use one instance from one thread."""

    def __init__(self, store: Store, operator: Operator | None = None, *,
                 probe_hidden_areas: HiddenAreasProbe | None = None, probe_health: SmartProbe | None = None,
                 devices: DeviceSource | None = None) -> None:
        self.store = store
        self.operator = operator
        self.devices: DeviceSource = devices or KernelDevices()
        self.probe_hidden_areas: HiddenAreasProbe = probe_hidden_areas or hidden_areas_probe(self.devices.runner)
        self.probe_health: SmartProbe = probe_health or _smart_of

    # --- start ---------------------------------------------------------------------------------------

    def prepare(self, request: EraseRequest) -> PreparedErase:
        """Check the interlock, find or create the unit, resume or start the job, record the start."""
        spec = CATALOGUE.get(request.method)
        if spec is None:
            raise OperatorError(QT_TRANSLATE_NOOP("OperatorError", "Unknown erase method '{method}'"),
                                hint=QT_TRANSLATE_NOOP("OperatorError", "Choose one of: {methods}"),
                                values={"method": request.method, "methods": ", ".join(CATALOGUE)})
        device = self.devices.find(request.device_path)
        if device is None:
            raise NotFound(
                QT_TRANSLATE_NOOP("OperatorError", "{path} is not a drive this bench can see"),
                hint=QT_TRANSLATE_NOOP(
                    "OperatorError", "Check the drive is plugged in; 'refurb-bench drive list' shows what is seen"),
                values={"path": request.device_path},
            )
        bay_map = queries.bay_map(self.store.db)
        refused = refusals(device, bay_map=bay_map, allow_loop=request.allow_loop)
        override = records.interlock(self.store, device, refused, request.override_reason,
                                     request.override_by or self._operator_id())
        if spec.firmware:
            return self._prepare_firmware(request, device, bay_map.get(device.bay_key), override)
        return self._prepare_overwrite(request, device, bay_map.get(device.bay_key), override)

    def _prepare_overwrite(self, request: EraseRequest, device: BlockDevice, bay: int | None,
                           override: dict[str, Any] | None) -> PreparedErase:
        pattern = METHODS[request.method]
        unit = records.unit_for(self.store, device, request.unit_identifier, self._operator_id())
        resume = None if request.restart else self._interrupted(unit, device, pattern)
        try:
            job = OverwriteJob(
                device.path, pattern=pattern, verify=request.verify, block_size=request.block_size,
                checkpoint_every=request.checkpoint_every,
                resume_from=resume[1] if resume else None,
                sample_seed=resume[2] if resume else None,
            )
        except OverwriteError as exc:
            raise OperatorError(QT_TRANSLATE_NOOP("OperatorError", "Cannot erase {path}: {error}"),
                                hint=QT_TRANSLATE_NOOP("OperatorError", "Check the drive and its cable"),
                                values={"path": device.path, "error": exc}) from exc
        method_record = {
            "name": request.method, "category": "Clear", "technique": "Overwrite", "pattern": str(pattern),
            "passes": 1, "standard": STANDARD, "tool": "Refurb Bench overwrite engine", "tool_version": __version__,
            "start_offset": job.start_offset,
        }
        prepared = self._record_start(request, device, bay, unit, job, method_record, str(request.verify),
                                      job.seed_hex, job.sample_seed, override, resume[0] if resume else None)
        log.info("erasure %s of %s started (%s, %s verification%s)", prepared.erasure_id, device.path, request.method,
                 request.verify, f", resuming at {job.start_offset}" if resume else "")
        return prepared

    def _prepare_firmware(self, request: EraseRequest, device: BlockDevice, bay: int | None,
                          override: dict[str, Any] | None) -> PreparedErase:
        # Asked again now, not trusted from when the drive was plugged in: a drive may have been frozen
        # since, or a supervisor may have power-cycled it to thaw it.
        drive = self.probe_firmware(device)
        firmware.check_method(device, drive, request.method)
        job = firmware.new_job(device, request.method, drive, self.devices)
        unit = records.unit_for(self.store, device, request.unit_identifier, self._operator_id())
        method_record = firmware.method_record(request.method, drive.media, job, drive)
        prepared = self._record_start(request, device, bay, unit, job, method_record, "sample", "", job.sample_seed,
                                      override, None)
        log.info("erasure %s of %s started (%s by the drive's firmware)", prepared.erasure_id, device.path,
                 request.method)
        return prepared

    def probe_firmware(self, device: BlockDevice) -> DriveFirmware:
        """What the drive's firmware offers; a missing tool is the operator's to install."""
        return probe_firmware(device, self.devices.runner(device), missing_tool_is_error=True)

    def _record_start(self, request: EraseRequest, device: BlockDevice, bay: int | None, unit: Unit,
                      job: OverwriteJob | FirmwareSanitizeJob, method_record: dict[str, Any], verification: str,
                      seed_hex: str, sample_seed: int, override: dict[str, Any] | None,
                      resumed_from: str | None) -> PreparedErase:
        # Health and hidden areas are read before the first byte is written, so they describe the drive
        # as it came in; neither stops the erasure (a failing drive still gets its data destroyed).
        smart = summary(self.probe_health(device))
        hidden_before = records.hidden_areas(self.probe_hidden_areas, device)
        device_record = records.device_record(device, bay, request.unit_identifier)
        erasure_id = "E-" + uuid.uuid4().hex[:16]
        with self.store.transaction():
            if resumed_from:
                self._record_interrupted(unit, resumed_from, int(method_record["start_offset"]))
            records.advance(self.store, unit, UnitState.SANITISING, "erasure started", self._operator_id())
            body: dict[str, Any] = {
                "erasure_id": erasure_id, "device": device_record, "method": method_record,
                "verification": verification, "seed_hex": seed_hex, "sample_seed": sample_seed,
                "smart": smart, "hidden_areas": {"before": hidden_before},
            }
            if resumed_from:
                body["resumed_from"] = resumed_from
            if override:
                body["override"] = override
            self.store.record(ev.ERASURE_STARTED, body, unit_id=unit.unit_id, operator_id=self._operator_id())
        return PreparedErase(erasure_id, unit, device, bay, job, request.method, self.store.now(),
                             device_record, method_record, smart, hidden_before, override)

    def _operator_id(self) -> str | None:
        return self.operator.operator_id if self.operator else None

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
        job = prepared.job
        if job.result is None:
            raise RuntimeError("finish() before the job ran")
        overwrite: OverwriteResult | None = None
        sanitize: SanitizeResult | None = None
        hint = ""
        if isinstance(job, FirmwareSanitizeJob):
            assert isinstance(job.result, SanitizeResult)
            sanitize = job.result
            outcome, words = firmware.judge(sanitize)
            verification = firmware.verification(sanitize)
            result = firmware.result_record(sanitize, words)
            hint = sanitize.hint
        else:
            assert isinstance(job.result, OverwriteResult)
            overwrite = job.result
            outcome, words = _judge(overwrite)
            verification, result = _overwrite_parts(overwrite, words)
        cert_id = records.new_certificate_id() if outcome == "passed" else None
        body: dict[str, Any] = {
            "erasure_id": prepared.erasure_id, "outcome": outcome,
            "device": prepared.device_record, "method": prepared.method_record,
            "verification": verification, "result": result,
            "station": {"station_id": self.store.station_id, "public_key": public_key_text(self.store.public_key)},
            "started_at": prepared.started_at, "finished_at": self.store.now(), "destination": "reuse",
            "smart": prepared.smart,
            "hidden_areas": {"before": prepared.hidden_before,
                             "after": records.hidden_areas(self.probe_hidden_areas, prepared.device)},
        }
        if prepared.override:
            body["override"] = prepared.override
        operator = records.operator_record(self.operator)
        if operator is not None:
            body["operator"] = operator
        if cert_id:
            body["certificate_id"] = cert_id
        body = with_field_digests(body)
        with self.store.transaction():
            event = self.store.record(ev.ERASURE_COMPLETED, body, unit_id=prepared.unit.unit_id,
                                      operator_id=self._operator_id())
            if outcome == "passed":
                records.advance(self.store, prepared.unit, UnitState.SANITISED,
                                f"erasure {prepared.erasure_id} verified", self._operator_id())
            elif outcome == "failed":
                records.advance(self.store, prepared.unit, UnitState.FAILED, words, self._operator_id())
        path = records.write_certificate(self.store, event) if cert_id else None
        log.info("erasure %s %s: %s", prepared.erasure_id, outcome, words)
        return EraseOutcome(prepared.erasure_id, prepared.unit.unit_id, outcome, words, cert_id,
                            str(path) if path else None, overwrite, sanitize, hint)

    def erase(self, request: EraseRequest, cancel: threading.Event,
              on_progress: Callable[[Progress], None] | None = None,
              on_started: Callable[[PreparedErase], None] | None = None) -> EraseOutcome:
        """Prepare, run and finish in this thread (the CLI's way, and each window job's)."""
        prepared = self.prepare(request)
        if isinstance(prepared.job, OverwriteJob):
            prepared.job.on_checkpoint = lambda cp: self.record_checkpoint(prepared, cp)
        if on_started is not None:
            on_started(prepared)
        for progress in self.run(prepared, cancel):
            if on_progress is not None:
                on_progress(progress)
        return self.finish(prepared)


def _overwrite_parts(result: OverwriteResult, summary: str) -> tuple[dict[str, Any], dict[str, Any]]:
    verification = {
        "method": str(result.verify_mode), "verified_bytes": result.verified_bytes,
        "sample_ranges": result.sample_ranges, "sample_seed": result.sample_seed or 0,
        "result": "passed" if result.verify_ok else ("failed" if result.verify_ok is False else "not done"),
        "mismatches": len(result.mismatches),
    }
    outcome = {
        "summary": summary, "written_bytes": result.written_bytes, "bad_ranges": len(result.bad_ranges),
        "elapsed_ms": result.elapsed_s_milli, "next_offset": result.checkpoint.next_offset
        if result.checkpoint else result.start_offset,
    }
    return verification, outcome


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
