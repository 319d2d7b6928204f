"""AT-command devices: cellular modems and routers (3GPP TS 27.007 / V.250 result codes).

A command is sent with CR; the device may echo it (ATE1, the factory default), answers with
information lines and ends with a final result code: ``OK``, ``ERROR``, ``+CME ERROR: n`` or
``+CMS ERROR: n``. Lines the device sends on its own (``RING``, ``+CREG: …``) are unsolicited result
codes: they are set aside in ``unsolicited`` instead of being mistaken for the answer.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass

from drivers.rig.errors import RigCommandError, RigGarbled, RigTimeout
from drivers.rig.identity import RigIdentity, RigProtocol
from drivers.rig.transport import LinePort

_FINAL_OK = frozenset({"OK", "CONNECT"})
_FINAL_ERROR = frozenset({"ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"})
_EXTENDED_ERROR = re.compile(r"^\+(CME|CMS) ERROR:\s*(.+)$")
_PREFIXED = re.compile(r"^\+([A-Z0-9]+):")
_BARE_UNSOLICITED = frozenset({"RING"})

# 3GPP TS 27.007 §9.2: the +CME ERROR codes a technician meets, with what to do about them.
CME_ERRORS: dict[int, tuple[str, str]] = {
    3: ("operation not allowed", "the device's state (airplane mode, PIN)"),
    4: ("operation not supported", "that the plan suits this device model"),
    10: ("SIM not inserted", "that a test SIM is seated in the tray"),
    11: ("SIM PIN required", "the test SIM: use one without a PIN lock"),
    12: ("SIM PUK required", "the test SIM: it is PUK-locked, replace it"),
    13: ("SIM failure", "the SIM contacts and the SIM itself"),
    14: ("SIM busy", "wait a few seconds after power-on and retry"),
    15: ("SIM wrong", "the test SIM: it is not accepted by this device (carrier lock?)"),
    30: ("no network service", "the antenna and the test SIM's network"),
    100: ("unknown error", "the device's log"),
}


@dataclass(frozen=True)
class AtResponse:
    """One command's information lines (echo and unsolicited lines removed) and its final result code."""

    command: str
    lines: tuple[str, ...]
    final: str

    def text(self) -> str:
        return "\n".join(self.lines)


def _command_name(command: str) -> str:
    """``AT+CSQ`` -> ``CSQ``, ``AT+CPIN?`` -> ``CPIN``: the prefix its information lines carry."""
    match = re.match(r"^AT\+([A-Z0-9]+)", command.upper())
    return match.group(1) if match else ""


class AtDevice:
    """One AT-command device on a ``LinePort``."""

    def __init__(self, port: LinePort, timeout: float = 2.0, max_unsolicited: int = 200) -> None:
        self.port = port
        self.timeout = timeout
        self.identity: RigIdentity | None = None
        self.unsolicited: deque[str] = deque(maxlen=max_unsolicited)

    @property
    def name(self) -> str:
        return self.port.name

    def connect(self) -> RigIdentity:
        """Check the device answers ``AT``, then read ATI, +CGMI, +CGMM and +CGMR."""
        self.command("AT")
        ati = self.command("ATI").text()
        manufacturer = self.command("AT+CGMI").text()
        model = self.command("AT+CGMM").text()
        firmware = _strip_prefix(self.command("AT+CGMR").text(), "+CGMR:")
        self.identity = RigIdentity(RigProtocol.AT, _strip_prefix(manufacturer, "+CGMI:"),
                                    _strip_prefix(model, "+CGMM:"), "", firmware, ati)
        return self.identity

    def command(self, command: str, timeout: float | None = None) -> AtResponse:
        """Send one command; return its answer on OK, raise RigCommandError on an error result code."""
        limit = timeout or self.timeout
        self.port.discard_input()
        self.port.write_line(command, terminator=b"\r")
        name = _command_name(command)
        lines: list[str] = []
        deadline = time.monotonic() + limit
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RigTimeout(f"{self.name} gave no final result code (OK/ERROR) for {command} within {limit:g} s"
                                 f"{'; it sent ' + repr(lines) if lines else ''}",
                                 check="that the device has finished booting, the cable, and the baud rate")
            line = self.port.read_line(remaining, waiting_for=f"the answer to {command}")
            if not line or (not lines and line.strip().upper() == command.upper()):
                continue  # blank separators, and the device echoing our command back
            if line in _FINAL_OK:
                return AtResponse(command, tuple(lines), line)
            self._raise_if_error(command, line, lines)
            if self._is_unsolicited(line, name):
                self.unsolicited.append(line)
                continue
            lines.append(line)

    def _raise_if_error(self, command: str, line: str, lines: list[str]) -> None:
        if line in _FINAL_ERROR:
            raise RigCommandError(f"{self.name} answered {line} to {command}",
                                  check="that this device supports the command (see its AT manual)")
        match = _EXTENDED_ERROR.match(line)
        if match is None:
            return
        kind, detail = match.groups()
        code = int(detail) if detail.strip().isdigit() else None
        meaning, check = detail, "the device's AT manual"
        if kind == "CME" and code in CME_ERRORS:
            meaning, check = CME_ERRORS[code]
        raise RigCommandError(f"{self.name} answered {command} with +{kind} ERROR: {detail} ({meaning})",
                              check=check, code=code)

    @staticmethod
    def _is_unsolicited(line: str, command_name: str) -> bool:
        if line in _BARE_UNSOLICITED:
            return True
        prefixed = _PREFIXED.match(line)
        return prefixed is not None and prefixed.group(1) != command_name

    def read_imei(self) -> str:
        """``AT+CGSN``: the 15-digit IMEI (some firmwares prefix it with ``+CGSN:``)."""
        answer = _strip_prefix(self.command("AT+CGSN").text(), "+CGSN:").strip('"')
        if not (len(answer) == 15 and answer.isdigit()):
            raise RigGarbled(f"{self.name} answered AT+CGSN with {answer!r}, not a 15-digit IMEI",
                             check="that this is a cellular device and its IMEI is programmed")
        return answer

    def close(self) -> None:
        self.port.close()


def _strip_prefix(text: str, prefix: str) -> str:
    return text[len(prefix):].strip() if text.startswith(prefix) else text.strip()
