"""Simulated SCPI instruments: a bench power supply, an electronic load and a digital multimeter.

They use the SCPI-99 headers common to bench instruments (``SOURce:VOLTage``, ``OUTPut``,
``INPut``, ``MEASure:VOLTage:DC?``), so a standard client such as PyVISA drives them unchanged.
The load and the meter read a shared ``DcSource`` (the unit under test); the supply drives a
``PowerRail`` the unit on it listens to.
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.sim.rigs.physics import DcSource, MeterNoise, PowerRail
from drivers.sim.rigs.scpi_engine import (
    ILLEGAL_VALUE,
    Command,
    ScpiError,
    ScpiInstrumentSim,
    parse_bool,
    parse_number,
)


def _reading(value: float) -> str:
    return f"{value:.6E}"


class PowerSupplySim(ScpiInstrumentSim):
    """One-channel bench supply, 0–30 V, 0–5 A, constant voltage until the current limit is reached."""

    MAX_VOLTS = 30.0
    MAX_AMPS = 5.0

    def __init__(self, rail: PowerRail | None = None, consumer: Callable[[float], float] | None = None,
                 serial: str = "SIM-PSU-0001") -> None:
        self.rail = rail or PowerRail()
        # Current the unit draws at a given voltage; an open output draws nothing.
        self.consumer = consumer or (lambda volts: 0.0)
        self.noise = MeterNoise(seed=3)
        super().__init__(f"RBSIM,PSU-3005,{serial},1.4.2")
        self.register(
            Command("[SOURce:]VOLTage[:LEVel][:IMMediate][:AMPLitude]", self._set_volts, lambda: _reading(self.volts)),
            Command("[SOURce:]CURRent[:LEVel][:IMMediate][:AMPLitude]", self._set_amps, lambda: _reading(self.amps)),
            Command("OUTPut[:STATe]", self._set_output, lambda: "1" if self.output else "0"),
            Command("MEASure[:SCALar]:VOLTage[:DC]", getter=lambda: _reading(self.noise.apply(self._terminal()[0]))),
            Command("MEASure[:SCALar]:CURRent[:DC]", getter=lambda: _reading(self.noise.apply(self._terminal()[1]))),
            Command("MEASure[:SCALar]:POWer[:DC]", getter=lambda: _reading(self._terminal()[0] * self._terminal()[1])),
        )

    def reset(self) -> None:
        self.volts, self.amps, self.output = 0.0, 0.1, False
        self.rail.switch(False, 0.0)

    def _set_volts(self, text: str) -> None:
        self.volts = parse_number(text, 0.0, self.MAX_VOLTS)
        if self.output:
            self.rail.switch(True, self.volts)

    def _set_amps(self, text: str) -> None:
        self.amps = parse_number(text, 0.0, self.MAX_AMPS)

    def _set_output(self, text: str) -> None:
        self.output = parse_bool(text)
        self.rail.switch(self.output, self.volts if self.output else 0.0)

    def _terminal(self) -> tuple[float, float]:
        """Output voltage and current: constant voltage, or constant current once the limit is hit."""
        if not self.output:
            return 0.0, 0.0
        current = self.consumer(self.volts)
        if current <= self.amps:
            return self.volts, current
        # Resistive enough for a sketch: the voltage falls in proportion to hold the current limit.
        return self.volts * self.amps / current, self.amps


class ElectronicLoadSim(ScpiInstrumentSim):
    """DC electronic load in constant-current mode, 0–30 A, drawing from ``source``."""

    MAX_AMPS = 30.0
    DROPOUT_VOLTS = 0.5  # below this the load cannot regulate and draws nothing

    def __init__(self, source: DcSource, serial: str = "SIM-LD-0002") -> None:
        self.source = source
        self.noise = MeterNoise(seed=5)
        super().__init__(f"RBSIM,ELOAD-150,{serial},2.0.1")
        self.register(
            Command("[SOURce:]CURRent[:LEVel][:IMMediate]", self._set_amps, lambda: _reading(self.setpoint)),
            Command("[SOURce:]FUNCtion", self._set_mode, lambda: "CURR"),
            Command("INPut[:STATe]", self._set_input, lambda: "1" if self.input_on else "0"),
            Command("MEASure[:SCALar]:VOLTage[:DC]", getter=lambda: _reading(self.noise.apply(self.terminal()[0]))),
            Command("MEASure[:SCALar]:CURRent[:DC]", getter=lambda: _reading(self.noise.apply(self.terminal()[1]))),
            Command("MEASure[:SCALar]:POWer[:DC]", getter=lambda: _reading(self.noise.apply(self._power()))),
        )

    def reset(self) -> None:
        self.setpoint, self.input_on = 0.0, False
        self.source.draw(0.0)

    def _set_amps(self, text: str) -> None:
        self.setpoint = parse_number(text, 0.0, self.MAX_AMPS)
        self.source.draw(self.terminal()[1])

    def _set_mode(self, text: str) -> None:
        if text.strip().upper() not in ("CURR", "CURRENT", "CC"):
            raise ScpiError(ILLEGAL_VALUE)

    def _set_input(self, text: str) -> None:
        self.input_on = parse_bool(text)
        self.source.draw(self.terminal()[1])

    def terminal(self) -> tuple[float, float]:
        """Terminal voltage and the current actually drawn."""
        if not self.input_on or self.setpoint == 0.0:
            return self.source.voltage(0.0), 0.0
        volts = self.source.voltage(self.setpoint)
        if volts < self.DROPOUT_VOLTS:
            return 0.0, 0.0  # the source collapsed (its protection tripped): nothing to regulate
        return volts, self.setpoint

    def _power(self) -> float:
        volts, amps = self.terminal()
        return volts * amps


class MultimeterSim(ScpiInstrumentSim):
    """Digital multimeter: DC volts across the unit's output and resistance across its sense pins."""

    def __init__(self, volts: Callable[[], float], ohms: Callable[[], float], serial: str = "SIM-DM-0003") -> None:
        self.volts = volts
        self.ohms = ohms
        self.noise = MeterNoise(seed=7)
        super().__init__(f"RBSIM,DMM-6500,{serial},1.1.0")
        self.register(
            Command("MEASure[:SCALar]:VOLTage[:DC]", getter=lambda: _reading(self.noise.apply(self.volts()))),
            Command("MEASure[:SCALar]:RESistance", getter=self._resistance),
        )

    def _resistance(self) -> str:
        ohms = self.ohms()
        # An open input reads as overload, which SCPI meters report as 9.9E37.
        return "+9.90000000E+37" if ohms == float("inf") else _reading(self.noise.apply(ohms))
