"""A bounded log of every byte sent to and received from one port, with timestamps.

The wire log is what a technician (or a support engineer) reads when a step ends as a rig error:
it shows exactly what went over the cable. It is bounded so a rig left connected for a week does
not grow without limit; sequence numbers let a caller take the excerpt of one step.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import deque
from dataclasses import dataclass


class Direction(enum.Enum):
    """Which way the bytes went, or a note the driver added (a discarded stale reply, a timeout)."""

    TX = ">>"
    RX = "<<"
    NOTE = "--"


@dataclass(frozen=True)
class WireEntry:
    """One write, one received line (or fragment), or one note."""

    seq: int
    wall_time: float
    direction: Direction
    data: bytes

    def render(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.wall_time))
        millis = int((self.wall_time % 1) * 1000)
        text = self.data.decode("utf-8", "replace") if self.direction is Direction.NOTE else _printable(self.data)
        return f"{stamp}.{millis:03d} {self.direction.value} {text}"


def _printable(data: bytes) -> str:
    """Bytes as text with control and non-ASCII bytes escaped, so garbage is visible, not hidden."""
    out: list[str] = []
    for byte in data:
        if byte == 0x0D:
            out.append("\\r")
        elif byte == 0x0A:
            out.append("\\n")
        elif 0x20 <= byte < 0x7F and byte != 0x5C:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


class WireLog:
    """Thread-safe ring of the last ``max_entries`` entries, each at most ``max_bytes`` long."""

    def __init__(self, port_name: str, max_entries: int = 2000, max_bytes: int = 512) -> None:
        self.port_name = port_name
        self.max_bytes = max_bytes
        self._entries: deque[WireEntry] = deque(maxlen=max_entries)
        self._next_seq = 0
        self._lock = threading.Lock()

    def add(self, direction: Direction, data: bytes) -> None:
        if len(data) > self.max_bytes:
            data = data[: self.max_bytes] + f"… ({len(data)} bytes)".encode()
        with self._lock:
            self._entries.append(WireEntry(self._next_seq, time.time(), direction, data))
            self._next_seq += 1

    def note(self, text: str) -> None:
        self.add(Direction.NOTE, text.encode())

    def mark(self) -> int:
        """The sequence number the next entry will get: pass it to ``since`` for one step's excerpt."""
        with self._lock:
            return self._next_seq

    def since(self, mark: int) -> tuple[WireEntry, ...]:
        with self._lock:
            return tuple(e for e in self._entries if e.seq >= mark)

    def entries(self) -> tuple[WireEntry, ...]:
        with self._lock:
            return tuple(self._entries)

    def excerpt(self, mark: int, max_lines: int = 40) -> str:
        """The entries since ``mark`` as text, keeping the last ``max_lines`` (the end shows the failure)."""
        entries = self.since(mark)
        lines = [f"[{self.port_name}] {e.render()}" for e in entries[-max_lines:]]
        if len(entries) > max_lines:
            lines.insert(0, f"[{self.port_name}] … {len(entries) - max_lines} earlier entries")
        return "\n".join(lines)
