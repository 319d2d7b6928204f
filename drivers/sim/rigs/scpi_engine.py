"""The IEEE 488.2 / SCPI side every simulated instrument shares: header matching with short and
long forms and optional nodes, ``;``-separated commands, the common commands (``*IDN?``, ``*RST``,
``*OPC?``, ``*CLS``) and an error queue read by ``SYST:ERR?``, as real instruments keep it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from drivers.sim.rigs.pty_server import Emitter

# SCPI-99 standard error numbers the simulators raise.
UNDEFINED_HEADER = (-113, "Undefined header")
MISSING_PARAMETER = (-109, "Missing parameter")
ILLEGAL_VALUE = (-224, "Illegal parameter value")
OUT_OF_RANGE = (-222, "Data out of range")
QUERY_ONLY = (-113, "Undefined header; query only")
QUEUE_OVERFLOW = (-350, "Queue overflow")


class ScpiError(Exception):
    """Raised by a handler; the engine queues it as ``code,"text"``."""

    def __init__(self, error: tuple[int, str]) -> None:
        super().__init__(error[1])
        self.error = error


def mnemonic_pattern(spec: str) -> re.Pattern[str]:
    """``[SOURce:]VOLTage[:LEVel]`` -> a regex accepting SOUR:VOLT, VOLTAGE:LEV, volt, …"""
    out = ""
    for token in re.split(r"(\[|\]|:)", spec):
        if token == "[":
            out += "(?:"
        elif token == "]":
            out += ")?"
        elif token == ":":
            out += ":"
        elif token:
            short = "".join(c for c in token if not c.islower())
            rest = token[len(short):].upper()
            out += re.escape(short) + (f"(?:{re.escape(rest)})?" if rest else "")
    return re.compile(f"^:?{out}$", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    """One header: what a set does with its argument, what a query answers (either may be absent)."""

    spec: str
    setter: Callable[[str], None] | None = None
    getter: Callable[[], str] | None = None


def parse_number(text: str, low: float, high: float) -> float:
    try:
        value = float(text.strip().upper().rstrip("VAWOHM").strip() or "x")
    except ValueError:
        raise ScpiError(ILLEGAL_VALUE) from None
    if not low <= value <= high:
        raise ScpiError(OUT_OF_RANGE)
    return value


def parse_bool(text: str) -> bool:
    value = text.strip().upper()
    if value in ("ON", "1"):
        return True
    if value in ("OFF", "0"):
        return False
    raise ScpiError(ILLEGAL_VALUE)


_SYSTEM_ERROR = mnemonic_pattern("SYSTem:ERRor[:NEXT]")


class ScpiInstrumentSim:
    """Base of the simulated instruments: subclasses list their ``commands`` and ``reset`` state."""

    def __init__(self, idn: str) -> None:
        self.idn = idn
        self.errors: deque[tuple[int, str]] = deque()
        self._table: list[tuple[re.Pattern[str], Command]] = []
        self.reset()

    def register(self, *commands: Command) -> None:
        self._table.extend((mnemonic_pattern(c.spec), c) for c in commands)

    def reset(self) -> None:
        """Power-on state; subclasses extend."""

    def handle(self, line: str, out: Emitter) -> None:
        answers = [a for a in (self._one(part.strip()) for part in line.split(";") if part.strip()) if a is not None]
        if answers:
            out.emit(";".join(answers) + "\n")

    def _queue(self, error: tuple[int, str]) -> None:
        if len(self.errors) >= 10:
            self.errors[-1] = QUEUE_OVERFLOW
        else:
            self.errors.append(error)

    def _one(self, text: str) -> str | None:
        header, _, argument = text.partition(" ")
        try:
            return self._common(header.upper(), argument) if header.startswith("*") else self._lookup(header, argument)
        except ScpiError as exc:
            self._queue(exc.error)
            return None

    def _common(self, header: str, argument: str) -> str | None:
        if header == "*IDN?":
            return self.idn
        if header == "*RST":
            self.reset()
            return None
        if header == "*CLS":
            self.errors.clear()
            return None
        if header == "*OPC?":
            return "1"
        if header == "*OPC":
            return None
        raise ScpiError(UNDEFINED_HEADER)

    def _lookup(self, header: str, argument: str) -> str | None:
        query = header.endswith("?")
        name = header[:-1] if query else header
        if _SYSTEM_ERROR.match(name):
            if not query:
                raise ScpiError(QUERY_ONLY)
            code, text = self.errors.popleft() if self.errors else (0, "No error")
            return f'{code:+d},"{text}"'
        for pattern, command in self._table:
            if pattern.match(name):
                if query:
                    if command.getter is None:
                        raise ScpiError(UNDEFINED_HEADER)
                    return command.getter()
                if command.setter is None:
                    raise ScpiError(QUERY_ONLY)
                if not argument.strip():
                    raise ScpiError(MISSING_PARAMETER)
                command.setter(argument)
                return None
        raise ScpiError(UNDEFINED_HEADER)
