"""Serves one simulated line device on a pty pair, so clients use the real pyserial stack.

``os.openpty`` gives a master (the device side, served here) and a slave (``path``, e.g.
``/dev/pts/7``, opened by the client exactly like ``/dev/ttyUSB0``). One thread per server reads
commands, hands complete lines to the device, and writes replies at their due time, applying the
fault knobs. Unplugging closes the master: the client's next read or write fails with EIO, as when
a USB-serial adapter is pulled.
"""

from __future__ import annotations

import heapq
import logging
import os
import select
import threading
import time
import tty
from typing import Protocol

from drivers.sim.rigs.faults import NOISE, RigFaults, garble

log = logging.getLogger(__name__)


class Emitter(Protocol):
    """What a device uses to talk: text to send after ``delay`` seconds (line endings included)."""

    def emit(self, text: str, delay: float = 0.0) -> None: ...


class LineDevice(Protocol):
    """A simulated device: gets each complete received line, replies through the emitter."""

    def handle(self, line: str, out: Emitter) -> None: ...


class PtyServer:
    """Serves ``device`` on a new pty pair until ``stop``; use as a context manager."""

    def __init__(self, device: LineDevice, faults: RigFaults | None = None, name: str = "rig") -> None:
        self.device = device
        self.faults = faults or RigFaults()
        self.name = name
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no CR/LF translation: bytes pass as a UART would carry them
        self.path = os.ttyname(self._slave)
        self._wake_r, self._wake_w = os.pipe()
        self._lock = threading.Lock()
        self._queue: list[tuple[float, int, bytes]] = []
        self._counter = 0
        self._pending = bytearray()
        self._last_byte = b""
        self._fired: set[str] = set()
        self._reply_fault: str | None = None
        self._stopping = False
        self.unplugged = threading.Event()
        self.lines_received: list[str] = []
        self._thread = threading.Thread(target=self._serve, name=f"sim-rig-{name}", daemon=True)
        self._thread.start()

    # -- the device's side ------------------------------------------------------------------

    def emit(self, text: str, delay: float = 0.0) -> None:
        """Queue ``text`` for the client; the fault for the command being handled applies to it."""
        data = text.encode("ascii")
        fault = self._reply_fault
        if fault == "drop":
            return
        if fault == "stall":
            delay += self.faults.stall_seconds
        elif fault == "noise":
            data = data[:2] + NOISE + data[2:]
        elif fault == "partial":
            data = data.rstrip(b"\r\n")[: max(1, len(data) // 2)]
        self._schedule(delay, data)

    def _schedule(self, delay: float, data: bytes) -> None:
        with self._lock:
            self._counter += 1
            heapq.heappush(self._queue, (time.monotonic() + delay, self._counter, data))
        os.write(self._wake_w, b"x")

    # -- control ----------------------------------------------------------------------------

    def unplug(self) -> None:
        """Pull the cable: close the device side now."""
        self._schedule(0.0, b"")  # wakes the thread; the flag below makes it close
        self.unplugged.set()

    def stop(self) -> None:
        self._stopping = True
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=5)
        for fd in (self._wake_r, self._wake_w, self._slave):
            os.close(fd)
        self._close_master()

    def __enter__(self) -> PtyServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- the thread -------------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            while not self._stopping and not self.unplugged.is_set():
                ready, _, _ = select.select([self._master, self._wake_r], [], [], self._next_due())
                if self._wake_r in ready:
                    os.read(self._wake_r, 1024)
                if self._master in ready:
                    self._received(os.read(self._master, 4096))
                self._write_due()
        except OSError as exc:
            if not self._stopping:
                log.info("simulated rig %s stopped: %s", self.name, exc)
        if self.unplugged.is_set():
            self._close_master()

    def _close_master(self) -> None:
        with self._lock:
            if self._master >= 0:
                os.close(self._master)
                self._master = -1

    def _next_due(self) -> float | None:
        with self._lock:
            return max(0.0, self._queue[0][0] - time.monotonic()) if self._queue else None

    def _write_due(self) -> None:
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._queue or self._queue[0][0] > now:
                    return
                _, _, data = heapq.heappop(self._queue)
            if self.unplugged.is_set():
                return
            if data:
                os.write(self._master, garble(data) if self.faults.wrong_baud else data)

    def _received(self, data: bytes) -> None:
        if self.faults.wrong_baud:
            self._schedule(0.0, data)  # the device cannot decode us; its console echoes the garbage
            return
        for value in data:
            byte = bytes([value])
            if byte in (b"\r", b"\n"):
                if not (byte == b"\n" and self._last_byte == b"\r"):
                    self._dispatch(self._pending.decode("ascii", "replace"))
                    self._pending.clear()
            else:
                self._pending += byte
            self._last_byte = byte

    def _dispatch(self, line: str) -> None:
        self.lines_received.append(line)
        fault = self._fault_for(line)
        if fault == "unplug":
            self.unplugged.set()
            return
        self._reply_fault = fault
        try:
            self.device.handle(line, self)
        finally:
            self._reply_fault = None

    def _fault_for(self, line: str) -> str | None:
        for fault, prefix in self.faults.triggers().items():
            if fault not in self._fired and line.strip().upper().startswith(prefix.upper()):
                self._fired.add(fault)
                return fault
        return None
