"""Serial barcode scanners (USB CDC-ACM or RS-232): one code per line, control characters kept.

In serial mode a scanner sends its data bytes as they are, so the GS (0x1D) that stands for FNC1
between GS1 fields arrives intact — unlike keyboard-wedge mode, where it is often lost. Codes end
with the scanner's configured suffix (CR by default; CR LF is handled too).
"""

from __future__ import annotations

from drivers.rig.transport import LinePort, open_line_port

GS = b"\x1d"
# GS separates GS1 fields; RS and EOT frame ISO/IEC 15434 messages (2D codes on shipping labels).
SCANNER_CONTROL_BYTES = b"\x1d\x1e\x04"


class SerialScanner:
    """Reads scans from a ``LinePort`` opened with ``SCANNER_CONTROL_BYTES`` allowed."""

    def __init__(self, port: LinePort, suffix: bytes = b"\r") -> None:
        self.port = port
        self.suffix = suffix

    @classmethod
    def open(cls, url: str, *, baudrate: int = 9600, suffix: bytes = b"\r") -> SerialScanner:
        return cls(open_line_port(url, baudrate=baudrate, extra_allowed=SCANNER_CONTROL_BYTES), suffix)

    def read_code(self, timeout: float) -> str | None:
        """The next scan, or None when nothing was scanned in ``timeout`` seconds (idle is normal).

        A partial code followed by silence is still an error: the scanner or its cable cut it short.
        """
        code = self.port.poll_line(timeout, waiting_for="the end of a scan", end=self.suffix)
        return code or None

    def close(self) -> None:
        self.port.close()
