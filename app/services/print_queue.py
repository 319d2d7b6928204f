"""The print queue: labels are stored before they are sent, sent in order, retried until printed.

:class:`PrintSpool` is plain Python (the CLI prints through it directly). :class:`PrintQueueRunner`
drives it in the GUI: the sending runs on the job manager's pool (sockets, USB nodes, ``lp`` may
block for seconds), the results are written by the GUI thread, and queued jobs are tried again every
few seconds and when the app starts — a job queued before a restart prints after it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.core import events as ev
from app.core import events_grading as gev
from app.core.lifecycle import UnitState, transition
from app.services.jobs import JobManager, JobResult, Report
from app.services.labels import new_job_id
from app.store import print_queue as pq
from app.store import queries
from app.store.print_queue import PrintJob
from app.store.store import Store
from drivers.printer import PrinterError, send

log = logging.getLogger("app.print")

JOB_KEY = "print-queue"


def deliver(job: PrintJob, timeout: float = 10.0) -> None:
    """Send one job; a PDF for a folder is written there as JOB_ID.pdf. Raises PrinterError."""
    parsed = urlparse(job.printer)
    folder = Path(unquote(parsed.path))
    if job.format == "pdf" and parsed.scheme == "file" and (folder.is_dir() or not folder.suffix):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f"{job.job_id}.pdf.part"
            tmp.write_bytes(job.payload)
            tmp.replace(folder / f"{job.job_id}.pdf")
        except OSError as exc:
            raise PrinterError(f"{folder}: {exc.strerror}") from None
        return
    send(job.printer, job.payload * job.copies if job.format == "zpl" else job.payload, fmt=job.format,
         title=job.description, timeout=timeout)


@dataclass(frozen=True)
class SendResult:
    job_id: str
    error: str = ""


class PrintSpool:
    """The queue in the station's database and the records a printed label leaves."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def submit(self, job: PrintJob) -> None:
        with self.store.transaction():
            pq.enqueue(self.store.db, job)
        log.info("%s queued for %s (%s)", job.description, job.printer, job.job_id)

    def queued(self) -> list[PrintJob]:
        return pq.queued(self.store.db)

    def printed(self, job: PrintJob) -> None:
        """Record the label as printed; a unit's first label moves it from routed to labelled."""
        fresh = pq.get(self.store.db, job.job_id)
        if fresh is None or fresh.state != pq.QUEUED:
            return
        operator_id = job.operator_id
        with self.store.transaction():
            self.store.record(gev.LABEL_PRINTED, {
                "job_id": job.job_id, "kind": job.kind, "subject": job.subject, "printer": job.printer,
                "format": job.format, "copies": job.copies, "reprint": job.reprint, "fields": job.fields,
            }, unit_id=job.subject if job.kind == "unit" else None, operator_id=operator_id)
            pq.printed(self.store.db, job.job_id, self.store.now())
            unit = queries.get_unit(self.store.db, job.subject) if job.kind == "unit" else None
            if unit is not None and unit.state is UnitState.ROUTED:
                transition(unit.unit_id, unit.state, UnitState.LABELLED, "label printed")
                self.store.record(ev.UNIT_STATE_CHANGED, {"from": str(unit.state), "to": "labelled",
                                                          "reason": "label printed"},
                                  unit_id=unit.unit_id, operator_id=operator_id)
        log.info("%s printed on %s", job.description, job.printer)

    def failed(self, job: PrintJob, error: str) -> None:
        with self.store.transaction():
            pq.failed_attempt(self.store.db, job.job_id, error)
        log.info("%s not printed yet: %s", job.description, error)

    def send_now(self, job: PrintJob, timeout: float = 10.0) -> str:
        """Queue and send at once (the CLI); returns the error that kept it queued, or ''."""
        self.submit(job)
        try:
            deliver(job, timeout)
        except PrinterError as exc:
            self.failed(job, exc.message)
            return exc.message
        self.printed(job)
        return ""

    def reprint(self, subject: str) -> PrintJob | None:
        """A copy of the newest label of a unit or box, queued as a reprint (None if it never had one)."""
        last = pq.last_for(self.store.db, subject)
        if last is None:
            return None
        copy = PrintJob(job_id=new_job_id(), created_at=self.store.now(), kind=last.kind, subject=last.subject,
                        description=last.description, printer=last.printer, format=last.format, copies=last.copies,
                        payload=last.payload, fields=last.fields, reprint=True, operator_id=last.operator_id)
        self.submit(copy)
        return copy


def _send_all(jobs: Sequence[PrintJob], timeout: float) -> Callable[[threading.Event, Report], tuple[SendResult, ...]]:
    """The worker: send in order; once a printer refuses, its later jobs wait (labels keep their order)."""

    def work(cancel: threading.Event, report: Report) -> tuple[SendResult, ...]:
        results: list[SendResult] = []
        refused: dict[str, str] = {}
        for index, job in enumerate(jobs):
            if cancel.is_set():
                break
            if job.printer in refused:
                results.append(SendResult(job.job_id, refused[job.printer]))
                continue
            report(index, len(jobs), f"Printing {job.description}")
            try:
                deliver(job, timeout)
            except PrinterError as exc:
                refused[job.printer] = exc.message
                results.append(SendResult(job.job_id, exc.message))
            else:
                results.append(SendResult(job.job_id))
        return tuple(results)

    return work


class PrintQueueRunner(QObject):
    """Sends the queue in the background and retries it; says what happened through ``status``.

    Signals:
        status(str, str): a line for the operator and its tone (ok, warn, error).
        printed(object): a PrintJob that the printer took.
    """

    status = Signal(str, str)
    printed = Signal(object)

    def __init__(self, store: Store, jobs: JobManager, retry_seconds: Callable[[], int],
                 parent: QObject | None = None, timeout: float = 10.0) -> None:
        super().__init__(parent)
        self.spool = PrintSpool(store)
        self._jobs = jobs
        self._timeout = timeout
        self._retry_seconds = retry_seconds
        self._sending: dict[str, PrintJob] = {}
        self._again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.kick)
        jobs.finished.connect(self._on_finished)

    def start(self) -> None:
        """Send whatever was left queued (a restart must not lose a label)."""
        if self.spool.queued():
            self.kick()

    def stop(self) -> None:
        self._timer.stop()
        self._jobs.cancel(JOB_KEY)

    def submit(self, job: PrintJob) -> None:
        self.spool.submit(job)
        self.kick()

    def pending(self) -> int:
        return len(self.spool.queued())

    @Slot()
    def kick(self) -> None:
        """Send the queue now (or as soon as the run in progress ends)."""
        if self._jobs.busy(JOB_KEY):
            self._again = True
            return
        queued = self.spool.queued()
        if not queued:
            return
        self._timer.stop()
        self._sending = {j.job_id: j for j in queued}
        self._jobs.start(JOB_KEY, _send_all(tuple(queued), self._timeout), label="printing labels")

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        if result.key != JOB_KEY:
            return
        sending, self._sending = self._sending, {}
        if result.error is not None:
            self.status.emit(f"Printing stopped: {result.error}", "error")
        outcomes: tuple[SendResult, ...] = result.value or ()
        errors = []
        for outcome in outcomes:
            job = sending[outcome.job_id]
            if outcome.error:
                self.spool.failed(job, outcome.error)
                errors.append((job, outcome.error))
            else:
                self.spool.printed(job)
                self.printed.emit(job)
                self.status.emit(f"Printed {job.description}", "ok")
        left = self.pending()
        if errors:
            job, error = errors[0]
            self.status.emit(f"{left} label{'s' if left != 1 else ''} queued, not printed: {error} — nothing is "
                             f"lost, they print when the printer is back (retried every {self._retry_seconds()} s)",
                             "warn")
        if self._again:
            self._again = False
            self.kick()
        elif left:
            self._timer.start(self._retry_seconds() * 1000)
