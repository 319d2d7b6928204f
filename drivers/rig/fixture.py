"""Scripted line fixtures: test jigs and device consoles that print text lines (a set-top box's
serial console, a fixture controller's own firmware).

There is no fixed command set: a plan sends a line and expects a regular expression within a
timeout. A ``fail_pattern`` lets a plan stop at the first line that reports a fault (``POST: FAIL``)
instead of waiting out the timeout. On connect the fixture is identified by its hello line, a
regular expression whose named groups ``model``, ``serial`` and ``firmware`` fill its identity.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from drivers.rig.errors import RigTimeout
from drivers.rig.identity import RigIdentity, RigProtocol
from drivers.rig.transport import LinePort


@dataclass(frozen=True)
class ExpectResult:
    """What ``expect`` saw: the matching line and its groups, or the line that matched the fail pattern.

    ``matched`` is False when a fail line came first. ``skipped`` holds the lines read on the way.
    """

    matched: bool
    line: str
    groups: tuple[str, ...]
    skipped: tuple[str, ...]

    @property
    def first_group(self) -> str:
        return self.groups[0] if self.groups else self.line


class LineFixture:
    """A line-oriented console on a ``LinePort``; ``newline`` is what ends the lines we send."""

    def __init__(self, port: LinePort, newline: bytes = b"\r\n", max_skipped: int = 500) -> None:
        self.port = port
        self.newline = newline
        self.max_skipped = max_skipped
        self.identity: RigIdentity | None = None

    @property
    def name(self) -> str:
        return self.port.name

    def connect(self, hello: str, timeout: float = 5.0, wake: str | None = "") -> RigIdentity:
        """Send ``wake`` (a bare newline by default; None sends nothing) and wait for the hello line."""
        self.port.discard_input()
        if wake is not None:
            self.send(wake)
        result = self.expect(hello, timeout)
        groups = re.search(hello, result.line)
        named = groups.groupdict() if groups else {}
        self.identity = RigIdentity(RigProtocol.LINE, named.get("manufacturer") or "", named.get("model") or "",
                                    named.get("serial") or "", named.get("firmware") or "", result.line)
        return self.identity

    def send(self, line: str) -> None:
        self.port.write_line(line, terminator=self.newline)

    def expect(self, pattern: str, timeout: float, fail_pattern: str | None = None) -> ExpectResult:
        """Read lines until one matches ``pattern`` (or ``fail_pattern``); RigTimeout when neither comes."""
        wanted = re.compile(pattern)
        unwanted = re.compile(fail_pattern) if fail_pattern else None
        skipped: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = f"; last line was {skipped[-1]!r}" if skipped else "; nothing was received"
                raise RigTimeout(f"{self.name} printed nothing matching /{pattern}/ within {timeout:g} s{seen}",
                                 check="that the unit is powered and booting, the console cable, and the baud rate")
            line = self.port.read_line(remaining, waiting_for=f"a line matching /{pattern}/")
            if unwanted is not None and unwanted.search(line):
                return ExpectResult(False, line, (), tuple(skipped))
            found = wanted.search(line)
            if found is not None:
                return ExpectResult(True, line, tuple(g or "" for g in found.groups()), tuple(skipped))
            if len(skipped) < self.max_skipped:
                skipped.append(line)

    def transact(self, line: str, pattern: str, timeout: float, fail_pattern: str | None = None) -> ExpectResult:
        """Discard stale input, send ``line``, then ``expect``."""
        self.port.discard_input()
        self.send(line)
        return self.expect(pattern, timeout, fail_pattern)

    def close(self) -> None:
        self.port.close()
