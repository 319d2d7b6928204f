"""A simulated set-top box serial console with a power-on self-test (POST).

Powered from a bench supply (a ``PowerRail``), the box boots when the rail comes up within its
input range and prints its POST report line by line; unpowered, the console is silent. A blank
line prints the console's hello; ``reboot`` runs the POST again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from drivers.sim.rigs.physics import PowerRail
from drivers.sim.rigs.pty_server import Emitter

POST_ITEMS = ("RAM 512MB", "NAND flash", "HDMI", "Tuner DVB-C", "Ethernet PHY")


@dataclass
class SetTopState:
    """``failing_item`` names a POST item (e.g. ``"Tuner"``) that reports FAIL."""

    model: str = "STB-7100"
    firmware: str = "4.2.17"
    serial: str = "STB71A0042871"
    mac: str = "00:1A:2B:3C:4D:5E"
    failing_item: str | None = None
    line_delay: float = 0.03
    min_volts: float = 11.0
    max_volts: float = 13.0
    idle_amps: float = 0.45
    boot_amps: float = 0.9


class SetTopBoxSim:
    """The console; ``out`` is bound once the pty server exists (``attach``)."""

    def __init__(self, state: SetTopState | None = None, rail: PowerRail | None = None) -> None:
        self.state = state or SetTopState()
        self.rail = rail
        self.powered = rail is None  # a console with no supply modelled is simply on
        self._out: Emitter | None = None
        self._booting_until = 0.0
        if rail is not None:
            rail.listeners.append(self._power_changed)

    def attach(self, out: Emitter) -> None:
        self._out = out

    def hello(self) -> str:
        s = self.state
        return f"RBSIM {s.model} console fw={s.firmware} sn={s.serial}"

    def current(self, volts: float) -> float:
        """What the box draws from the supply: nothing outside its input range."""
        s = self.state
        if not (self.powered and s.min_volts <= volts <= s.max_volts):
            return 0.0
        return s.boot_amps if time.monotonic() < self._booting_until else s.idle_amps

    def _power_changed(self, on: bool, volts: float) -> None:
        s = self.state
        self.powered = on and s.min_volts <= volts <= s.max_volts
        if self.powered and self._out is not None:
            self._post(self._out)

    def handle(self, line: str, out: Emitter) -> None:
        if not self.powered:
            return
        command = line.strip()
        if command == "":
            out.emit(self.hello() + "\r\n")
        elif command == "reboot":
            out.emit("Restarting system.\r\n")
            self._post(out)
        elif command == "version":
            out.emit(f"firmware {self.state.firmware}\r\n")
        else:
            out.emit(f"{command}: command not found\r\n")

    def _post(self, out: Emitter) -> None:
        s = self.state
        lines = [f"U-Boot 2019.07-rbsim ({s.model})", "POST: begin"]
        failed = [item for item in POST_ITEMS if s.failing_item and item.startswith(s.failing_item)]
        lines += [f"POST: {item} ... {'FAIL' if item in failed else 'PASS'}" for item in POST_ITEMS]
        lines += [f"eth0 MAC: {s.mac}", f"Firmware: {s.model}-{s.firmware}"]
        lines.append(f"POST: FAIL ({', '.join(failed)})" if failed else "POST: PASS")
        lines.append(self.hello())
        self._booting_until = time.monotonic() + (len(lines) + 1) * s.line_delay
        for index, text in enumerate(lines, start=1):
            out.emit(text + "\r\n", delay=index * s.line_delay)
