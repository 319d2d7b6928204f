"""Send one print job's bytes to a printer named by URL, with a deadline on every step.

* ``tcp://host:9100`` — raw TCP (JetDirect). ``~HS`` is asked first and the job is not sent to a
  printer that is out of labels, has its head open or is paused (it would sit in the printer's
  buffer, or be lost when it is switched off); the job stays with the caller to retry.
* ``file:///dev/usb/lp0`` — a USB printer-class node (or any file). Opened non-blocking, so a node
  nobody serves fails at once instead of hanging the bench.
* ``cups://QUEUE`` (or ``cups://host:port/QUEUE``) — ``lp -d QUEUE``, with ``-o raw`` for ZPL.
"""

from __future__ import annotations

import errno
import os
import select
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from drivers.printer.status import ETX, HostStatus


class PrinterError(Exception):
    """The job was not printed; ``message`` says why in operator's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PrinterUnreachable(PrinterError):
    """Nobody answered: the printer is off, unplugged, or the address is wrong."""


class PrinterNotReady(PrinterError):
    """The printer answered but cannot print now (out of labels, head open, paused)."""


@dataclass(frozen=True)
class PrinterUrl:
    scheme: str  # tcp, file, cups
    host: str = ""
    port: int = 9100
    path: str = ""
    queue: str = ""


def parse_printer_url(url: str) -> PrinterUrl:
    """Check a printer URL; ValueError says what a valid one looks like."""
    parsed = urlparse(url.strip())
    if parsed.scheme == "tcp":
        if not parsed.hostname:
            raise ValueError(f"{url}: a network printer is tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100")
        try:
            port = parsed.port or 9100
        except ValueError:
            raise ValueError(f"{url}: the port must be a number, e.g. tcp://192.168.1.50:9100") from None
        return PrinterUrl("tcp", host=parsed.hostname, port=port)
    if parsed.scheme == "file":
        if not parsed.path.startswith("/"):
            raise ValueError(f"{url}: a USB printer is file:///dev/usb/lp0 (an absolute path)")
        return PrinterUrl("file", path=unquote(parsed.path))
    if parsed.scheme == "cups":
        queue = (parsed.path.strip("/") if parsed.path.strip("/") else parsed.hostname) or ""
        host = f"{parsed.hostname}:{parsed.port or 631}" if parsed.path.strip("/") and parsed.hostname else ""
        if not queue:
            raise ValueError(f"{url}: a CUPS queue is cups://QUEUE or cups://HOST:PORT/QUEUE")
        return PrinterUrl("cups", host=host, queue=unquote(queue))
    raise ValueError(f"{url}: printers are tcp://HOST:9100, file:///dev/usb/lp0 or cups://QUEUE")


def host_status(conn: socket.socket, deadline: float) -> HostStatus:
    conn.sendall(b"~HS")
    reply = b""
    while reply.count(ETX.encode()) < 3:
        conn.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = conn.recv(1024)
        except TimeoutError:
            raise PrinterNotReady("the printer did not answer its status request in time") from None
        if not chunk:
            raise PrinterUnreachable("the printer closed the connection before giving its status")
        reply += chunk
    try:
        return HostStatus.parse(reply)
    except ValueError as exc:
        raise PrinterNotReady(f"the printer's status could not be read ({exc})") from None


def _send_tcp(target: PrinterUrl, payload: bytes, timeout: float, check_status: bool) -> None:
    deadline = time.monotonic() + timeout
    try:
        conn = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError as exc:
        raise PrinterUnreachable(f"no printer answers at {target.host}:{target.port} ({exc.strerror or exc})") \
            from None
    with conn:
        if check_status:
            status = host_status(conn, deadline)
            if status.problems:
                raise PrinterNotReady("the printer is " + " and ".join(status.problems))
        conn.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            conn.sendall(payload)
        except OSError as exc:
            raise PrinterUnreachable(f"the connection to {target.host}:{target.port} broke while sending "
                                     f"({exc.strerror or exc})") from None


def _send_file(target: PrinterUrl, payload: bytes, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    try:
        fd = os.open(target.path, os.O_WRONLY | os.O_NONBLOCK | os.O_APPEND | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ENXIO, errno.ENODEV, errno.ENOENT):
            raise PrinterUnreachable(f"{target.path}: no printer there ({exc.strerror})") from None
        raise PrinterError(f"{target.path}: {exc.strerror}") from None
    try:
        view = memoryview(payload)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PrinterNotReady(f"{target.path} stopped taking data (out of labels or paused?)")
            _, writable, _ = select.select([], [fd], [], left)
            if not writable:
                continue
            try:
                written = os.write(fd, view[:65536])
            except BlockingIOError:
                continue
            except OSError as exc:
                raise PrinterUnreachable(f"{target.path}: {exc.strerror}") from None
            view = view[written:]
    finally:
        os.close(fd)


def _send_cups(target: PrinterUrl, payload: bytes, fmt: str, title: str, timeout: float) -> None:
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError("the CUPS client (lp) is not installed on this bench")
    args = [lp, "-d", target.queue, "-t", title]
    if target.host:
        args[1:1] = ["-h", target.host]
    if fmt == "zpl":
        args += ["-o", "raw"]
    try:
        done = subprocess.run(args, input=payload, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise PrinterUnreachable(f"CUPS did not take the job for {target.queue} within {timeout:g} s") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise PrinterUnreachable(f"CUPS refused the job for {target.queue}: {reason[-1] if reason else 'no reason'}")


def send(url: str, payload: bytes, *, fmt: str = "zpl", title: str = "label", timeout: float = 10.0) -> None:
    """Send ``payload`` to the printer at ``url``; raise :class:`PrinterError` when it was not taken."""
    try:
        target = parse_printer_url(url)
    except ValueError as exc:
        raise PrinterError(str(exc)) from None
    if target.scheme == "tcp":
        if fmt != "zpl":
            raise PrinterError(f"{url} takes ZPL; send PDF labels to a CUPS queue or a file")
        _send_tcp(target, payload, timeout, check_status=True)
    elif target.scheme == "file":
        _send_file(target, payload, timeout)
    else:
        _send_cups(target, payload, fmt, title, timeout)
