"""A simulated cellular modem / LTE router on its AT-command port (3GPP TS 27.007 behaviour).

Echo is on by default (ATE1), as on a real module after power-up; ``ATE0`` turns it off. The IMEI
is valid by the Luhn rule unless a fault asks otherwise. An unsolicited ``+CREG`` arrives in the
middle of the first ``AT+CPIN?`` answer, as network registration does on a real module.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.sim.rigs.pty_server import Emitter

CRLF = "\r\n"


def luhn_complete(first14: str) -> str:
    """The 15-digit IMEI whose last digit is the Luhn check digit of ``first14``."""
    total = 0
    for index, char in enumerate(first14):
        digit = int(char) * (2 if index % 2 == 1 else 1)
        total += digit - 9 if digit > 9 else digit
    return first14 + str((10 - total % 10) % 10)


@dataclass
class ModemState:
    """The module's answers. ``sim`` is READY, ABSENT (+CME ERROR: 10) or PIN (SIM PIN).
    ``csq`` is the 0–31 signal index (99 = not known or not detectable)."""

    manufacturer: str = "RBSIM"
    model: str = "LTE-400"
    firmware: str = "LTE400R02A07M4G"
    imei14: str = "35391106123456"
    corrupt_imei: bool = False
    sim: str = "READY"
    csq: int = 21
    iccid: str = "8944501234567890123"
    urc_on_cpin: str | None = "+CREG: 1"


class AtModemSim:
    def __init__(self, state: ModemState | None = None) -> None:
        self.state = state or ModemState()
        self.echo = True
        self._urc_sent = False

    @property
    def imei(self) -> str:
        imei = luhn_complete(self.state.imei14)
        if self.state.corrupt_imei:
            imei = imei[:-1] + str((int(imei[-1]) + 1) % 10)  # one digit misprogrammed: fails the Luhn check
        return imei

    def handle(self, line: str, out: Emitter) -> None:
        command = line.strip()
        if not command:
            return
        reply = self._answer(command.upper())
        text = (command + "\r" if self.echo else "") + "".join(CRLF + r + CRLF for r in reply)
        out.emit(text)

    def _answer(self, command: str) -> list[str]:
        s = self.state
        simple = {
            "AT": [], "ATI": [f"{s.manufacturer} {s.model}", f"Revision: {s.firmware}"],
            "AT+CGMI": [s.manufacturer], "AT+CGMM": [s.model], "AT+CGMR": [s.firmware],
            "AT+CGSN": [self.imei], "AT+CSQ": [f"+CSQ: {s.csq},99"],
        }
        if command in simple:
            return [*simple[command], "OK"]
        if command in ("ATE0", "ATE1"):
            self.echo = command == "ATE1"
            return ["OK"]
        if command == "AT+CPIN?":
            return self._cpin()
        if command in ("AT+CCID", "AT+QCCID", "AT+ICCID"):
            # Each vendor's command answers with its own prefix (+CCID:, +QCCID:, +ICCID:).
            return ["+CME ERROR: 10"] if s.sim == "ABSENT" else [f"+{command[3:]}: {s.iccid}", "OK"]
        return ["ERROR"]

    def _cpin(self) -> list[str]:
        if self.state.sim == "ABSENT":
            return ["+CME ERROR: 10"]
        answer = ["+CPIN: SIM PIN" if self.state.sim == "PIN" else "+CPIN: READY"]
        if self.state.urc_on_cpin and not self._urc_sent:
            self._urc_sent = True
            answer.insert(0, self.state.urc_on_cpin)
        return [*answer, "OK"]
