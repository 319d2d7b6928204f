"""Line framing over a serial port, with timeouts, validation and a wire log.

``LinePort`` wraps any object with pyserial's ``read``/``write``/``in_waiting``/``close``; it is
opened by pyserial URL (``open_line_port``: a device path, ``/dev/serial/by-id/...``,
``rfc2217://`` or ``loop://``) or given an already opened port, so protocols never care how the
bytes travel. It turns every way a conversation breaks into a ``RigError``: silence and partial
lines (``RigTimeout``), bytes no text protocol sends — the signature of a wrong baud rate or noise
(``RigGarbled``) — and a port that vanished (``RigDisconnected``).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Protocol

import serial

from drivers.rig.errors import RigDisconnected, RigGarbled, RigNoise, RigTimeout
from drivers.rig.wirelog import Direction, WireLog

# How long one blocking read may wait; a short poll keeps deadlines accurate without busy waiting.
POLL_SECONDS = 0.02
MAX_LINE_BYTES = 4096
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | {0x09, 0x0D, 0x0A}


class SerialPortLike(Protocol):
    """What ``LinePort`` needs from a port: the subset of ``serial.Serial`` it uses."""

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes, /) -> int | None: ...

    def close(self) -> None: ...


class LinePort:
    """Reads and writes text lines on one port.

    ``name`` appears in every message and in the wire log (use the bay's by-id path).
    ``extra_allowed`` lists control bytes this protocol may carry inside a line (a GS1 scanner's GS).
    """

    def __init__(self, port: SerialPortLike, name: str, *, baudrate: int | None = None,
                 extra_allowed: bytes = b"", wire_log: WireLog | None = None) -> None:
        self._port = port
        self.name = name
        self.baudrate = baudrate
        self.wire_log = wire_log or WireLog(name)
        self._allowed = _TEXT_BYTES | set(extra_allowed)
        self._buffer = bytearray()
        self._closed = False

    # -- writing ---------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        self.wire_log.add(Direction.TX, data)
        try:
            self._port.write(data)
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc

    def write_line(self, text: str, terminator: bytes = b"\n") -> None:
        self.write(text.encode("ascii", "strict") + terminator)

    # -- reading ---------------------------------------------------------------------------

    def read_line(self, timeout: float, waiting_for: str = "an answer", end: bytes = b"\n") -> str:
        """The next line up to ``end``, without CR/LF. Raises RigTimeout, RigGarbled or RigDisconnected."""
        line = self._read(timeout, waiting_for, end, silence_ok=False)
        assert line is not None  # silence raised RigTimeout
        return line

    def poll_line(self, timeout: float, waiting_for: str = "a line", end: bytes = b"\n") -> str | None:
        """Like ``read_line``, but total silence returns None: for devices that speak first (scanners).

        A partial line followed by silence is still a RigTimeout.
        """
        return self._read(timeout, waiting_for, end, silence_ok=True)

    def _read(self, timeout: float, waiting_for: str, end: bytes, silence_ok: bool) -> str | None:
        deadline = time.monotonic() + timeout
        while True:
            line = self._take_line(end)
            if line is not None:
                return line
            if deadline - time.monotonic() <= 0:
                if silence_ok and not self._buffer:
                    return None
                raise self._timed_out(timeout, waiting_for)
            self._fill()

    def discard_input(self) -> None:
        """Drop anything already received (a late reply to an earlier command), noting it in the wire log."""
        stale = bytes(self._buffer)
        self._buffer.clear()
        try:
            waiting = self._port.in_waiting
            if waiting:
                stale += self._port.read(waiting)
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc
        if stale:
            self.wire_log.add(Direction.RX, stale)
            self.wire_log.note(f"discarded {len(stale)} stale bytes before the next command")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            # A port whose cable was pulled may refuse even to close; it is gone either way.
            with contextlib.suppress(serial.SerialException, OSError):
                self._port.close()

    def __enter__(self) -> LinePort:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------

    def _fill(self) -> None:
        try:
            chunk = self._port.read(max(1, self._port.in_waiting))
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc
        if not chunk:
            return
        self._buffer += chunk
        bad = [b for b in chunk if b not in self._allowed]
        if bad:
            received = bytes(self._buffer)
            self._buffer.clear()
            self.wire_log.add(Direction.RX, received)
            raise self._garbled(received, len(bad))
        if len(self._buffer) > MAX_LINE_BYTES and b"\n" not in self._buffer and b"\r" not in self._buffer:
            received = bytes(self._buffer)
            self._buffer.clear()
            self.wire_log.add(Direction.RX, received)
            raise RigGarbled(f"{self.name} sent {len(received)} bytes without a line end",
                             check="the line-ending setting of the rig and the baud rate")

    def _take_line(self, end: bytes) -> str | None:
        # A CR LF device read with end=CR leaves the LF at the start of the next line: drop it there.
        while bytes(self._buffer[:1]) in (b"\n", b"\r") and bytes(self._buffer[:1]) != end:
            del self._buffer[:1]
        stop = self._buffer.find(end)
        if stop < 0:
            return None
        raw = bytes(self._buffer[: stop + len(end)])
        del self._buffer[: stop + len(end)]
        self.wire_log.add(Direction.RX, raw)
        return raw.strip(b"\r\n").decode("ascii")

    def _timed_out(self, timeout: float, waiting_for: str) -> RigTimeout:
        if self._buffer:
            partial = bytes(self._buffer)
            self._buffer.clear()
            self.wire_log.add(Direction.RX, partial)
            self.wire_log.note(f"partial line, then silence for {timeout:g} s")
            return RigTimeout(f"{self.name} sent a partial line {partial.decode('ascii', 'replace')!r} and then "
                              f"nothing for {timeout:g} s while waiting for {waiting_for}",
                              check="the cable and connectors (a loose contact cuts lines short) and the rig's "
                                    "line-ending setting")
        self.wire_log.note(f"no answer within {timeout:g} s")
        return RigTimeout(f"No answer from {self.name} within {timeout:g} s while waiting for {waiting_for}",
                          check="that the rig is powered and its cable is in this port, and the baud rate")

    def _garbled(self, received: bytes, bad_count: int) -> RigNoise:
        speed = f" (this port is set to {self.baudrate} baud)" if self.baudrate else ""
        return RigNoise(f"{self.name} sent {bad_count} unreadable bytes: {received[:32]!r}",
                          check=f"the baud rate{speed} matches the rig, then the cable shielding and ground; "
                                "noise on the line looks the same")

    def _lost(self, exc: BaseException) -> RigDisconnected:
        self.wire_log.note(f"port error: {exc}")
        return RigDisconnected(f"Lost the connection to {self.name}: {exc}",
                               check="the USB/serial cable and that the rig is powered, then reconnect it")


def open_line_port(url: str, *, baudrate: int = 115200, name: str | None = None, extra_allowed: bytes = b"",
                   **serial_options: Any) -> LinePort:
    """Open ``url`` with pyserial's ``serial_for_url`` (exclusive, so two benches cannot share a rig)."""
    try:
        port = serial.serial_for_url(url, baudrate=baudrate, timeout=POLL_SECONDS, write_timeout=2.0,
                                     exclusive=True, **serial_options)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise RigDisconnected(f"Cannot open {url}: {exc}",
                              check="that the rig is plugged in, the port path (by-id) is right, no other program "
                                    "holds it, and this user may use serial ports (dialout group)") from exc
    return LinePort(port, name or url, baudrate=baudrate, extra_allowed=extra_allowed)
