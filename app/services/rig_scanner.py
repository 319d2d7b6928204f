"""Scanners that do not type, read as jobs: a serial scanner's port, and a HID scanner grabbed from the desktop.

Each reader is a job function for the job manager: it opens the device, reports each complete code
as an immutable ``ScanRead`` and checks the cancel flag between short reads. A scan cut short or line
noise is reported as a ``ScanProblem`` and the reader carries on; a pulled cable ends the job with
its error, and the caller opens it again later.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import OperatorError
from app.services.jobs import JobFunction, Report
from drivers.rig.errors import RigDisconnected, RigError
from drivers.rig.scanner import SerialScanner
from drivers.scanner.evdev_grab import EvdevScanner, ScanIncomplete, ScannerDeviceError

READ_SLICE = 0.2  # seconds per read: how soon a cancel is seen


@dataclass(frozen=True)
class ScannerUp:
    source: str


@dataclass(frozen=True)
class ScanRead:
    source: str
    code: str


@dataclass(frozen=True)
class ScanProblem:
    source: str
    message: str


class ScannerLost(OperatorError):
    """The scanner could not be opened or went away; the hint says what to check."""

    @classmethod
    def of(cls, exc: RigError | ScannerDeviceError) -> ScannerLost:
        return cls(exc.message, hint=f"check {exc.check}" if exc.check else "")


def serial_scanner_job(port: str, baudrate: int, suffix: str) -> JobFunction:
    def work(cancel: threading.Event, report: Report) -> None:
        name = f"serial scanner {Path(port).name}"
        try:
            scanner = SerialScanner.open(port, baudrate=baudrate, suffix=suffix.encode("ascii")[-1:])
        except RigError as exc:
            raise ScannerLost.of(exc) from exc
        try:
            report(0, 0, name, ScannerUp(port))
            while not cancel.is_set():
                try:
                    code = scanner.read_code(READ_SLICE)
                except RigDisconnected as exc:
                    raise ScannerLost.of(exc) from exc
                except RigError as exc:  # a scan cut short, noise, the wrong baud rate: say it, keep reading
                    report(0, 0, name, ScanProblem(port, str(exc)))
                    continue
                if code:
                    report(0, 0, name, ScanRead(port, code.strip("\r\n")))
        finally:
            scanner.close()

    return work


def hid_grab_job(path: str) -> JobFunction:
    def work(cancel: threading.Event, report: Report) -> None:
        name = f"HID scanner {Path(path).name} (grabbed)"
        try:
            scanner = EvdevScanner.open(path)
        except ScannerDeviceError as exc:
            raise ScannerLost.of(exc) from exc
        try:
            report(0, 0, name, ScannerUp(path))
            while not cancel.is_set():
                try:
                    code = scanner.read_code(READ_SLICE)
                except ScannerDeviceError as exc:
                    raise ScannerLost.of(exc) from exc
                except ScanIncomplete as exc:
                    report(0, 0, name, ScanProblem(path, str(exc)))
                    continue
                if code:
                    report(0, 0, name, ScanRead(path, code))
        finally:
            scanner.close()

    return work
