"""A simulated serial barcode scanner (USB CDC-ACM mode): each scan is its data bytes and a suffix.

Control characters pass through untouched, so a GS1 code keeps its GS (0x1D) separators.
"""

from __future__ import annotations

from drivers.sim.rigs.pty_server import Emitter


class SerialScannerSim:
    """Scanners in serial mode send, they do not answer: received lines are ignored."""

    def __init__(self, suffix: str = "\r") -> None:
        self.suffix = suffix
        self._out: Emitter | None = None

    def attach(self, out: Emitter) -> None:
        self._out = out

    def handle(self, line: str, out: Emitter) -> None:
        """Trigger commands are not modelled; a scanner in presentation mode scans on its own."""

    def scan(self, code: str, delay: float = 0.0) -> None:
        if self._out is None:
            raise RuntimeError("the scanner is not attached to a port yet")
        self._out.emit(code + self.suffix, delay)
