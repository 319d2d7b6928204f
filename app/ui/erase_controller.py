"""Running erasures from the window: many bays at once, one job on the job manager's pool each.

Everything an erasure does runs in a child process (app/services/erasure_process.py) on a Store
connection of its own: the interlock, the SMART and firmware probes, the start event, checkpoints,
the firmware's polling, the finish event and the certificate PDF. The job's thread relays the
child's lines; the window's thread only starts jobs and receives immutable payloads (started,
progress, outcome) through the job manager's queued signals.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from app.core.erase_methods import METHODS
from app.core.errors import OperatorError
from app.core.models import Operator
from app.services.drives import DeviceSource
from app.services.erasure import EraseRequest
from app.services.erasure_process import ErasureReport, ErasureStarted, erase_in_child
from app.services.jobs import JobManager, JobProgress, JobResult, Report
from app.store.store import Store
from drivers.block.overwrite import Progress

log = logging.getLogger("app.ui")


@dataclass(frozen=True)
class BayProgress:
    """What a bay shows while it erases (immutable: it crosses threads)."""

    device_path: str
    phase: str  # write, verify (overwrite); sample, sanitize, verify (firmware)
    percent: int
    mb_per_s: int
    eta_s: int | None
    firmware: bool = False


@dataclass
class _Running:
    """What the window knows about one running erasure (touched on the window's thread only)."""

    device_path: str
    method: str
    erasure_id: str = ""
    phase: str = ""


class EraseController(QObject):
    """Starts, cancels and follows erasures; one job per drive.

    Signals:
        started(ErasureStarted): an erasure's start was recorded.
        progress(BayProgress): a bay's erasure moved on.
        finished(str, object): device path and its ErasureReport, or an OperatorError.
    """

    started = Signal(object)
    progress = Signal(object)
    finished = Signal(str, object)

    def __init__(self, jobs: JobManager, store: Store, devices: DeviceSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._devices = jobs, devices
        self._data_dir = store.data_dir
        self._running: dict[str, _Running] = {}
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
        return {r.erasure_id for r in self._running.values() if r.erasure_id}

    def start(self, request: EraseRequest, operator: Operator | None) -> None:
        """Hand the whole erasure to the pool; refusals and failures come back through ``finished``."""
        key = self.key(request.device_path)
        if key in self._running:
            raise OperatorError(self.tr("{path} is already being erased").format(path=request.device_path),
                                hint=self.tr("Wait for it, or cancel it"))
        data_dir, devices = self._data_dir, self._devices
        operator_id = operator.operator_id if operator else None

        def work(cancel: threading.Event, report: Report) -> ErasureReport:
            return erase_in_child(data_dir, operator_id, devices, request, cancel,
                                  lambda started: report(0, 1, "", started),
                                  lambda p: report(p.done_bytes, p.total_bytes, "", p))

        self._jobs.start(key, work, label=f"the erasure of {request.device_path}")
        self._running[key] = _Running(request.device_path, request.method)

    def cancel(self, device_path: str) -> str:
        """Ask a bay's erasure to stop; returns what the operator should be told."""
        running = self._running.get(self.key(device_path))
        if running is None:
            return self.tr("{path} is not being erased").format(path=device_path)
        if METHODS[running.method].firmware and running.phase == "sanitize":
            return self.tr("{path} is sanitising itself: a firmware sanitize cannot be cancelled once the drive "
                           "has accepted it (it carries on even after a power loss) — the bench keeps watching "
                           "it").format(path=device_path)
        self._jobs.cancel(self.key(device_path))
        return self.tr("Stopping the erasure of {path}…").format(path=device_path)

    @Slot(object)
    def _on_progress(self, p: JobProgress) -> None:
        running = self._running.get(p.key)
        if running is None:
            return
        if isinstance(p.detail, ErasureStarted):
            running.erasure_id = p.detail.erasure_id
            self.started.emit(p.detail)
            return
        if not isinstance(p.detail, Progress):
            return
        running.phase = p.detail.phase
        speed = p.detail.bytes_per_s
        remaining = max(p.total - p.done, 0)
        eta = remaining // speed if speed > 0 else None
        percent = 100 * p.done // p.total if p.total else 0
        self.progress.emit(BayProgress(running.device_path, running.phase, percent, speed // 1_000_000, eta,
                                       METHODS[running.method].firmware))

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        running = self._running.pop(result.key, None)
        if running is None:
            return
        outcome: ErasureReport | OperatorError
        if isinstance(result.value, ErasureReport):
            outcome = result.value
        elif isinstance(result.error, OperatorError):
            outcome = result.error
        else:
            why = str(result.error) if result.error else self.tr("it was cancelled before it began")
            outcome = OperatorError(self.tr("The erasure stopped: {why}").format(why=why),
                                    hint=self.tr("Check the drive and its cable"))
        self.finished.emit(running.device_path, outcome)
