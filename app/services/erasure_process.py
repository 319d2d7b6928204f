"""Erasures for the window, each in a child process of its own.

CPython runs one thread of a process at a time. An erasure keeps several threads busy (writer,
keystream, readers) and ends with a certificate PDF drawn in pure Python; inside the window's
process they take turns with the window's thread, and on a loaded bench the window stutters for
tens of milliseconds at a time. In a child process they have an interpreter of their own: the
window's job thread only reads the child's lines and passes them on as immutable payloads.

Protocol: the parent writes one JSON object (the job) to the child's stdin and closes it. The child
writes JSON lines to stdout: {"log": ...} for each log record, {"started": ...} once the start is
recorded, {"progress": ...}, and finally exactly one {"outcome": ...} or {"error": ...}. SIGTERM or
SIGINT asks it to stop at the next block (recorded as interrupted, resumable); the child also gets
SIGTERM when its parent dies, so an erasure never runs on unwatched.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from app.core.errors import NotFound, OperatorError, PermissionDenied
from app.core.i18n import QT_TRANSLATE_NOOP
from app.services.drives import DeviceSource, device_source_from
from app.services.erasure import EraseOutcome, EraseRequest, EraseService, PreparedErase
from app.store import queries
from app.store.store import Store
from drivers.block.overwrite import Progress, VerifyMode

log = logging.getLogger("app.erasure")

PROGRESS_INTERVAL_S = 0.1  # a bay's row is redrawn about ten times a second at most
_ROOT = Path(__file__).resolve().parents[2]
_ERRORS: dict[str, type[OperatorError]] = {"OperatorError": OperatorError, "NotFound": NotFound,
                                            "PermissionDenied": PermissionDenied}


@dataclass(frozen=True)
class ErasureStarted:
    """The erasure is recorded as started."""

    device_path: str
    erasure_id: str
    method: str
    firmware: bool


@dataclass(frozen=True)
class ErasureReport:
    """How an erasure ended, as the window needs it (immutable: it crosses threads)."""

    erasure_id: str
    unit_id: str
    method: str
    outcome: str  # passed, failed, interrupted
    summary: str
    certificate_id: str | None
    certificate_path: str | None
    hint: str
    firmware: bool
    reached_percent: int

    @classmethod
    def of(cls, outcome: EraseOutcome, method: str) -> ErasureReport:
        return cls(outcome.erasure_id, outcome.unit_id, method, outcome.outcome, outcome.summary,
                   outcome.certificate_id, outcome.certificate_path, outcome.hint, outcome.firmware is not None,
                   outcome.reached_percent)


def _request_json(request: EraseRequest) -> dict[str, Any]:
    return {**asdict(request), "verify": str(request.verify)}


def _request_from(data: dict[str, Any]) -> EraseRequest:
    return EraseRequest(**{**data, "verify": VerifyMode(data["verify"])})


# --- the child -----------------------------------------------------------------------------------------

class _LineHandler(logging.Handler):
    """Log records as JSON lines on the child's stdout, re-logged by the parent under the same name."""

    def __init__(self, write: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(logging.INFO)
        self._write = write

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self._write({"log": {"name": record.name, "level": record.levelno, "text": text}})


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def child_main(stdin: IO[str]) -> int:
    # The protocol gets the real stdout; anything else that prints (a library, a stray print) goes
    # to stderr, which the parent keeps for when the child dies without a word.
    stdout = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    lock = threading.Lock()

    def write(obj: dict[str, Any]) -> None:
        with lock:
            stdout.write(json.dumps(obj) + "\n")
            stdout.flush()

    root = logging.getLogger()
    root.handlers[:] = [_LineHandler(write)]
    root.setLevel(logging.INFO)
    cancel = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: cancel.set())
    _die_with_parent()
    job = json.loads(stdin.read())
    request = _request_from(job["request"])
    last = [0.0]

    def started(prepared: PreparedErase) -> None:
        write({"started": {"device_path": prepared.device.path, "erasure_id": prepared.erasure_id,
                           "method": prepared.method, "firmware": prepared.is_firmware}})

    def progress(p: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL_S or p.done_bytes >= p.total_bytes or p.phase == "sanitize":
            last[0] = now
            write({"progress": asdict(p)})

    store = Store(Path(job["data_dir"]))
    try:
        operator = queries.operator_by_id(store.db, job["operator_id"]) if job.get("operator_id") else None
        service = EraseService(store, operator, devices=device_source_from(job["devices"]))
        outcome = service.erase(request, cancel, progress, started)
        write({"outcome": asdict(ErasureReport.of(outcome, request.method))})
    except OperatorError as exc:
        write({"error": {"kind": type(exc).__name__, "message": exc.message, "hint": exc.hint}})
    except Exception as exc:  # a bug: logged with its traceback (forwarded to the window's log), then said
        log.exception("erasure of %s failed with a bug", request.device_path)
        write({"error": {"kind": "bug", "message": f"The erasure stopped: {type(exc).__name__}: {exc}",
                         "hint": "This is a fault in the bench software; the log has the details"}})
    finally:
        store.close()
    return 0


# --- the parent ----------------------------------------------------------------------------------------

def erase_in_child(data_dir: Path, operator_id: str | None, devices: DeviceSource, request: EraseRequest,
                   cancel: threading.Event, on_started: Callable[[ErasureStarted], None],
                   on_progress: Callable[[Progress], None]) -> ErasureReport:
    """Run one erasure in a child process; blocks until it ends (call it from a job). Raises
    OperatorError for a refusal or a failure the child reported."""
    job = {"data_dir": str(data_dir), "operator_id": operator_id, "devices": devices.spec(),
           "request": _request_json(request)}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([sys.executable, "-m", "app.services.erasure_child"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errors, env=env, close_fds=True)
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            proc.stdin.write(json.dumps(job).encode())
            proc.stdin.close()
            final = _follow(proc, proc.stdout, cancel, on_started, on_progress)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            proc.wait()
            proc.stdout.close()
        errors.seek(0)
        said = errors.read().decode("utf-8", errors="replace").strip()
    if final is None:
        log.error("erasure worker for %s ended without an outcome (exit %s): %s", request.device_path,
                  proc.returncode, said[-2000:])
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "The erasure of {path} stopped unexpectedly (exit {code})"),
            hint=QT_TRANSLATE_NOOP(
                "OperatorError", "It is recorded as far as it got: check the drive, then start it again "
                                    "(F7 resumes an overwrite)"),
            values={"path": request.device_path, "code": proc.returncode},
        )
    if "error" in final:
        e = final["error"]
        raise _ERRORS.get(e["kind"], OperatorError)(e["message"], hint=e["hint"])
    return ErasureReport(**final["outcome"])


def _follow(proc: subprocess.Popen[bytes], stdout: IO[bytes], cancel: threading.Event,
            on_started: Callable[[ErasureStarted], None],
            on_progress: Callable[[Progress], None]) -> dict[str, Any] | None:
    """Pass the child's lines on until it closes its stdout; the last outcome or error line."""
    final: dict[str, Any] | None = None
    signalled = False
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        while True:
            if cancel.is_set() and not signalled:
                signalled = True
                proc.send_signal(signal.SIGTERM)
            if not selector.select(timeout=0.2):
                continue
            chunk = os.read(stdout.fileno(), 1 << 16)
            if not chunk:
                return final
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                try:
                    message = json.loads(line)
                except ValueError:
                    log.warning("erasure worker said something unreadable: %r", line[:200])
                    continue
                if "log" in message:
                    record = message["log"]
                    logging.getLogger(record["name"]).log(record["level"], "%s", record["text"])
                elif "started" in message:
                    on_started(ErasureStarted(**message["started"]))
                elif "progress" in message:
                    on_progress(Progress(**message["progress"]))
                else:
                    final = message
