"""Runs one command-line tool, with a timeout, and keeps everything it said.

Firmware erasure is evidence work: the exact argv, exit status, output and duration of every
command go into the erasure record (domain.md §0 fact 3), so each run yields a frozen Transcript.

A tool that hangs (a USB bridge that swallowed a pass-through command, a drive that stopped
answering) is killed at the timeout together with anything it started: it runs in its own
session, so its process group can be killed as a whole, and the caller gets a Transcript with
``timed_out`` set instead of waiting forever.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)

# The Debian package that installs each tool we call, for the "not installed" message.
PACKAGES: Mapping[str, str] = {
    "hdparm": "hdparm",
    "nvme": "nvme-cli",
    "sg_inq": "sg3-utils",
    "sg_vpd": "sg3-utils",
    "sg_opcodes": "sg3-utils",
    "sg_sanitize": "sg3-utils",
    "sg_requests": "sg3-utils",
    "smartctl": "smartmontools",
}
# After the kill, how long to wait for the pipes to close: a grandchild that left the process
# group can keep them open, and we would rather lose its last words than hang.
_DRAIN_S = 2.0


class FirmwareError(Exception):
    """A firmware tool could not be used at all (not installed, not executable)."""


class ToolMissing(FirmwareError):
    """The tool is not on PATH; the message names the Debian package that provides it."""

    def __init__(self, message: str, tool: str = "", package: str = "") -> None:
        super().__init__(message)
        self.tool, self.package = tool, package


@dataclass(frozen=True)
class Transcript:
    """What one command did. ``exit_code`` is None when it was killed at the timeout."""

    argv: tuple[str, ...]
    exit_code: int | None
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool
    started_at: str  # ISO 8601, UTC

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    @property
    def command_line(self) -> str:
        return " ".join(self.argv)

    def to_json(self) -> dict[str, Any]:
        return {"argv": list(self.argv), "exit_code": self.exit_code, "stdout": self.stdout, "stderr": self.stderr,
                "duration_s": round(self.duration_s, 3), "timed_out": self.timed_out, "started_at": self.started_at}


class Runner(Protocol):
    """Anything that runs argv like ``run`` does (the simulator provides an in-process one)."""

    def __call__(self, argv: Sequence[str], *, timeout_s: float) -> Transcript: ...


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")


def find_tool(name: str) -> str:
    """The absolute path of ``name`` on PATH, or ToolMissing naming the package to install."""
    found = shutil.which(name)
    if found is None:
        package = PACKAGES.get(name)
        where = f"install the Debian package {package} (apt-get install {package})" if package else "install it"
        raise ToolMissing(f"{name} is not installed or not on PATH: {where}", name, package or "")
    return found


def run(argv: Sequence[str], *, timeout_s: float) -> Transcript:
    """Runs ``argv`` (argv[0] looked up on PATH) for at most ``timeout_s`` seconds.

    Never raises for what the tool does (non-zero exit, garbage, a hang): that is all in the
    Transcript. Raises ToolMissing when the tool is not installed, FirmwareError when it cannot
    be started at all.
    """
    if not argv:
        raise ValueError("run() needs a command")
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s}")
    path = find_tool(argv[0])
    started_at, began = _now(), time.monotonic()
    try:
        proc = subprocess.Popen([path, *argv[1:]], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True, close_fds=True)
    except OSError as exc:
        raise FirmwareError(f"cannot start {argv[0]}: {exc.strerror or exc}") from exc
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        out, err = _kill(proc)
    except BaseException:  # interrupted by the caller: never leave the tool running
        _kill(proc)
        raise
    transcript = Transcript(tuple(argv), None if timed_out else proc.returncode, _decode(out), _decode(err),
                            time.monotonic() - began, timed_out, started_at)
    if timed_out:
        log.warning("%s did not finish within %.1f s and was killed", transcript.command_line, timeout_s)
    else:
        log.debug("%s exited %s in %.2f s", transcript.command_line, proc.returncode, transcript.duration_s)
    return transcript


def _kill(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Kills the tool's whole process group and collects what it had written."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        return proc.communicate(timeout=_DRAIN_S)
    except subprocess.TimeoutExpired:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        proc.wait()
        return b"", b""
