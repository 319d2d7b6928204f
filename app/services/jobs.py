"""The one seam for background work: a job manager with its own thread pool.

One job per key (a device, a bay, a file), cooperative cancel through a threading.Event checked
between chunks, immutable progress and result payloads delivered to the GUI thread by queued
signals. Jobs never touch the database; their results are written by the GUI-thread receiver,
which keeps SQLite to one writer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.core.errors import OperatorError

log = logging.getLogger("app.jobs")


@dataclass(frozen=True)
class JobProgress:
    """How far a job has got: ``done`` of ``total`` units of work, and what it is doing."""

    key: str
    done: int
    total: int
    text: str = ""
    detail: object = None


@dataclass(frozen=True)
class JobResult:
    """How a job ended: a value, an error, or cancelled."""

    key: str
    value: Any = None
    error: BaseException | None = None
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled


class Report(Protocol):
    """How a job reports progress: done of total, a line for the operator, and optionally an
    immutable record with the details (it crosses threads)."""

    def __call__(self, done: int, total: int, text: str = "", detail: object = None) -> None: ...
JobFunction = Callable[[threading.Event, Report], Any]


class _JobSignals(QObject):
    """Lives in the GUI thread, so emissions from the worker are queued into it."""

    progress = Signal(object)
    finished = Signal(object)


class _Job(QRunnable):
    def __init__(self, key: str, fn: JobFunction, signals: _JobSignals, cancel: threading.Event) -> None:
        super().__init__()
        self.key, self._fn, self._signals, self.cancel = key, fn, signals, cancel
        self.setAutoDelete(True)

    def run(self) -> None:
        def report(done: int, total: int, text: str = "", detail: object = None) -> None:
            self._signals.progress.emit(JobProgress(self.key, done, total, text, detail))

        try:
            value = self._fn(self.cancel, report)
        except OperatorError as exc:
            result = JobResult(self.key, error=exc)
        except BaseException as exc:  # even SystemExit or a RecursionError must end the job, not the key
            log.exception("job %s failed with a bug", self.key)
            result = JobResult(self.key, error=exc)
        else:
            result = JobResult(self.key, value=value, cancelled=self.cancel.is_set())
        self._signals.finished.emit(result)


class JobManager(QObject):
    """Runs jobs on a dedicated pool, one per key.

    Signals:
        progress(JobProgress): a job reported progress.
        finished(JobResult): a job ended (always emitted, also on error or cancel).
    """

    progress = Signal(object)
    finished = Signal(object)

    def __init__(self, max_threads: int = 8, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._signals = _JobSignals(self)
        self._signals.progress.connect(self._on_progress)
        self._signals.finished.connect(self._on_finished)
        self._running: dict[str, threading.Event] = {}

    def busy(self, key: str) -> bool:
        return key in self._running

    def start(self, key: str, fn: JobFunction, *, label: str = "") -> None:
        """Start ``fn(cancel, report)`` in the pool; refuses a second job for a busy key.

        ``label`` names the work for the operator ("the import into LOT-7") in that refusal.
        """
        if key in self._running:
            name = label or key
            raise OperatorError(f"{name[:1].upper()}{name[1:]} is still running",
                                hint="Wait for it to finish, or cancel it")
        cancel = threading.Event()
        self._running[key] = cancel
        log.info("job %s started", key)
        self._pool.start(_Job(key, fn, self._signals, cancel))

    def cancel(self, key: str) -> None:
        if key in self._running:
            log.info("job %s cancel requested", key)
            self._running[key].set()

    def cancel_all(self) -> None:
        for key in list(self._running):
            self.cancel(key)

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until every job has ended (used at shutdown and in test teardown)."""
        return bool(self._pool.waitForDone(msecs))

    def shutdown(self, msecs: int = 10_000) -> bool:
        self.cancel_all()
        return self.wait(msecs)

    @Slot(object)
    def _on_progress(self, progress: JobProgress) -> None:
        self.progress.emit(progress)

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        self._running.pop(result.key, None)
        log.info("job %s finished (%s)", result.key,
                 "cancelled" if result.cancelled else "error" if result.error else "ok")
        self.finished.emit(result)
