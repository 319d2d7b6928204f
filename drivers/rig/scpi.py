"""SCPI instruments (IEEE 488.2 over a serial line): power supplies, electronic loads, multimeters.

Every command that is not a query is followed by ``SYST:ERR?`` and a non-zero error raises
``RigCommandError`` with the instrument's own text, so a mistyped header or an out-of-range setpoint
stops the step instead of being silently ignored (instruments answer nothing to a bad command).
Queries end in ``?`` and return one line; ``*OPC?`` waits for the instrument to finish.
"""

from __future__ import annotations

import re

from drivers.rig.errors import RigCommandError, RigGarbled
from drivers.rig.identity import RigIdentity, RigProtocol
from drivers.rig.transport import LinePort

# "-113,"Undefined header"" or "+0,"No error"" (IEEE 488.2 / SCPI-99 error queue entries)
_ERROR_ENTRY = re.compile(r'^\s*([+-]?\d+)\s*,\s*"?(.*?)"?\s*$')
_MAX_QUEUED_ERRORS = 20


def parse_idn(answer: str) -> RigIdentity:
    """``*IDN?`` answers four comma-separated fields: manufacturer, model, serial, firmware."""
    fields = [f.strip() for f in answer.split(",")]
    if len(fields) != 4 or not fields[0] or not fields[1]:
        raise RigGarbled(f"*IDN? answer is not four comma-separated fields: {answer!r}",
                         check="that this port has a SCPI instrument on it and the baud rate is right")
    return RigIdentity(RigProtocol.SCPI, fields[0], fields[1], fields[2], fields[3], answer)


def parse_error_entry(answer: str) -> tuple[int, str]:
    match = _ERROR_ENTRY.match(answer)
    if match is None:
        raise RigGarbled(f"SYST:ERR? answer is not 'code,\"text\"': {answer!r}",
                         check="that the instrument speaks SCPI-99 (some need a compatibility mode set)")
    return int(match.group(1)), match.group(2)


class ScpiInstrument:
    """One SCPI instrument on a ``LinePort``. Lines end in LF both ways."""

    def __init__(self, port: LinePort, timeout: float = 2.0) -> None:
        self.port = port
        self.timeout = timeout
        self.identity: RigIdentity | None = None

    @property
    def name(self) -> str:
        return self.port.name

    def connect(self) -> RigIdentity:
        """Identify the instrument and empty its error queue (old errors are not this session's)."""
        self.port.discard_input()
        self.identity = parse_idn(self.query("*IDN?"))
        self._drain_errors()
        return self.identity

    def query(self, command: str, timeout: float | None = None) -> str:
        self.port.discard_input()
        self.port.write_line(command)
        return self.port.read_line(timeout or self.timeout, waiting_for=f"the answer to {command}")

    def query_float(self, command: str, timeout: float | None = None) -> float:
        answer = self.query(command, timeout)
        try:
            return float(answer)
        except ValueError:
            raise RigGarbled(f"{self.name} answered {command} with {answer!r}, not a number",
                             check="that the plan's query suits this instrument model") from None

    def write(self, command: str) -> None:
        """Send a command and raise RigCommandError if the instrument queued an error for it."""
        self.port.discard_input()
        self.port.write_line(command)
        code, text = parse_error_entry(self.query("SYST:ERR?"))
        if code != 0:
            self._drain_errors()
            raise RigCommandError(f"{self.name} refused {command!r}: {code} {text}",
                                  check="the plan's command and value against this instrument's manual", code=code)

    def reset(self) -> None:
        """``*RST`` then ``*OPC?``: the instrument is back at its power-on state with outputs off."""
        self.write("*RST")
        self.wait_complete()

    def wait_complete(self, timeout: float | None = None) -> None:
        answer = self.query("*OPC?", timeout)
        if answer.strip() != "1":
            raise RigGarbled(f"{self.name} answered *OPC? with {answer!r} instead of 1",
                             check="that this is a SCPI instrument and the baud rate")

    def _drain_errors(self) -> None:
        for _ in range(_MAX_QUEUED_ERRORS):
            code, _text = parse_error_entry(self.query("SYST:ERR?"))
            if code == 0:
                return

    def close(self) -> None:
        self.port.close()
