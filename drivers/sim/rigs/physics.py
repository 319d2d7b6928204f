"""Just enough physics for the simulated instruments to give believable, fault-sensitive readings.

A charger is a voltage source behind an output resistance that shuts down above its current limit;
a battery pack's voltage follows its state of charge and sags with current through its internal
resistance, and it discharges in real time; a set-top box draws more current while it boots.
Readings carry a little deterministic noise, as a real meter's last digit does.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class DcSource:
    """Anything an electronic load can draw from: a voltage at a given current."""

    def voltage(self, current: float) -> float:
        raise NotImplementedError

    def resistance(self) -> float:
        """What a multimeter on the resistance range reads across the sense pins (a thermistor)."""
        return float("inf")

    def draw(self, current: float) -> None:
        """The load set a new current; a source with memory (a battery) accounts for it."""


@dataclass
class Charger(DcSource):
    """A laptop charger (barrel, or USB-C behind a 20 V PD trigger) at its output connector.

    A worn charger has a higher output resistance: its voltage sags under load.
    Above ``current_limit`` it protects itself and the output collapses.
    """

    open_voltage: float = 20.1
    output_resistance: float = 0.08
    current_limit: float = 3.6

    def voltage(self, current: float) -> float:
        if current > self.current_limit:
            return 0.0
        return max(0.0, self.open_voltage - current * self.output_resistance)


@dataclass
class BatteryPack(DcSource):
    """A laptop battery pack: ``cells`` in series, discharging in real time.

    ``capacity_ah`` is scaled down from a real pack's so a discharge check completes in seconds;
    ``internal_resistance`` rises as a pack ages, which shows as sag under load.
    """

    cells: int = 3
    capacity_ah: float = 0.02
    state_of_charge: float = 0.8
    internal_resistance: float = 0.15
    thermistor_ohms: float = 10_000.0
    _drawn_at: float = field(default_factory=time.monotonic)
    _current: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _advance(self) -> None:
        now = time.monotonic()
        used_ah = self._current * (now - self._drawn_at) / 3600.0
        self.state_of_charge = max(0.0, self.state_of_charge - used_ah / self.capacity_ah)
        self._drawn_at = now

    def draw(self, current: float) -> None:
        """The load changed its current: account for the charge drawn so far at the old current."""
        with self._lock:
            self._advance()
            self._current = current

    def open_voltage(self) -> float:
        # A lithium-ion cell: about 3.0 V empty to 4.2 V full, nearly linear in the middle.
        with self._lock:
            self._advance()
            soc = self.state_of_charge
        return self.cells * (3.0 + 1.2 * soc)

    def voltage(self, current: float) -> float:
        return max(0.0, self.open_voltage() - current * self.internal_resistance)

    def resistance(self) -> float:
        return self.thermistor_ohms


@dataclass
class PowerRail:
    """A bench supply's output as the unit on it sees it; ``listeners`` hear it switch on and off."""

    volts: float = 0.0
    on: bool = False
    listeners: list[Callable[[bool, float], None]] = field(default_factory=list)

    def switch(self, on: bool, volts: float) -> None:
        changed = on != self.on
        self.on, self.volts = on, volts
        if changed:
            for listener in self.listeners:
                listener(on, volts)


@dataclass
class MeterNoise:
    """Relative noise on a reading (0.05 % by default), seeded so tests repeat."""

    relative: float = 0.0005
    seed: int = 11
    _random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def apply(self, value: float) -> float:
        return value * (1.0 + self._random.uniform(-self.relative, self.relative))
