"""Running erasures from the window: many bays at once, each on the job manager's pool.

The service's ``prepare`` and ``finish`` (database writes) run here on the GUI thread; the overwrite
itself runs on a pool thread. Checkpoints reached on the pool thread come back through a queued
signal and are recorded here, so SQLite keeps one writer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from app.core.errors import OperatorError
from app.services.erasure import EraseOutcome, EraseRequest, EraseService, PreparedErase
from app.services.jobs import JobManager, JobProgress, JobResult, Report
from drivers.block.overwrite import Checkpoint, Progress

log = logging.getLogger("app.ui")


@dataclass(frozen=True)
class BayProgress:
    """What a bay shows while it erases (immutable: it crosses threads)."""

    device_path: str
    phase: str
    percent: int
    mb_per_s: int
    eta_s: int | None


@dataclass(frozen=True)
class _CheckpointReached:
    key: str
    checkpoint: Checkpoint


class _Relay(QObject):
    """Lives on the GUI thread; emitting from a pool thread queues the call into it."""

    checkpoint = Signal(object)


class EraseController(QObject):
    """Starts, cancels and finishes erasures; one job per drive.

    Signals:
        progress(BayProgress): a bay's erasure moved on (about once a second).
        finished(str, object): device path and its EraseOutcome, or an OperatorError.
    """

    progress = Signal(object)
    finished = Signal(str, object)

    def __init__(self, jobs: JobManager, service: EraseService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self.service = jobs, service
        self._running: dict[str, PreparedErase] = {}
        self._relay = _Relay(self)
        self._relay.checkpoint.connect(self._on_checkpoint)
        jobs.progress.connect(self._on_progress)
        jobs.finished.connect(self._on_finished)

    @staticmethod
    def key(device_path: str) -> str:
        return f"erase:{device_path}"

    def busy(self, device_path: str) -> bool:
        return self.key(device_path) in self._running

    def running_erasure_ids(self) -> set[str]:
        """The erasures a job is working on now (the database says 'running' for these and for
        erasures whose app was killed; only the latter are interrupted)."""
        return {prepared.erasure_id for prepared in self._running.values()}

    def start(self, request: EraseRequest) -> None:
        """Record the start and hand the overwrite to the pool; raises OperatorError on refusal."""
        key = self.key(request.device_path)
        if key in self._running:
            raise OperatorError(f"{request.device_path} is already being erased", hint="Wait for it, or cancel it")
        prepared = self.service.prepare(request)
        relay = self._relay
        prepared.job.on_checkpoint = lambda cp: relay.checkpoint.emit(_CheckpointReached(key, cp))

        def work(cancel: threading.Event, report: Report) -> None:
            name = prepared.device.name
            for p in EraseService.run(prepared, cancel):
                verb = "writing" if p.phase == "write" else "verifying"
                report(p.done_bytes, p.total_bytes, f"{name} {verb} {p.bytes_per_s // 1_000_000} MB/s", p)

        self._running[key] = prepared
        self._jobs.start(key, work, label=f"the erasure of {request.device_path}")

    def cancel(self, device_path: str) -> None:
        self._jobs.cancel(self.key(device_path))

    @Slot(object)
    def _on_checkpoint(self, reached: _CheckpointReached) -> None:
        prepared = self._running.get(reached.key)
        if prepared is not None:
            self.service.record_checkpoint(prepared, reached.checkpoint)

    @Slot(object)
    def _on_progress(self, p: JobProgress) -> None:
        prepared = self._running.get(p.key)
        if prepared is None:
            return
        if not isinstance(p.detail, Progress):
            return
        phase, speed = p.detail.phase, p.detail.bytes_per_s
        remaining = max(p.total - p.done, 0)
        eta = remaining // speed if speed > 0 else None
        percent = 100 * p.done // p.total if p.total else 0
        self.progress.emit(BayProgress(prepared.device.path, phase, percent, speed // 1_000_000, eta))

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        prepared = self._running.pop(result.key, None)
        if prepared is None:
            return
        if result.error is not None and prepared.job.result is None:
            self.finished.emit(prepared.device.path, OperatorError(f"The erasure stopped: {result.error}",
                                                                   hint="Check the drive and its cable"))
            return
        try:
            outcome: EraseOutcome | OperatorError = self.service.finish(prepared)
        except OperatorError as exc:
            outcome = exc
        self.finished.emit(prepared.device.path, outcome)
