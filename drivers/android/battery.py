"""Battery state and wear.

Level, health code, charge status, temperature and voltage come from ``dumpsys battery``. Wear
(capacity as % of design, cycle count) is OEM-dependent, so each value carries its source and is
taken from the first that has it: Android 16's trade-in status; sysfs ``charge_full`` ÷
``charge_full_design`` and ``cycle_count`` (Samsung: ``battery_cycle``) where SELinux lets the shell
read them; batterystats' last learned capacity ÷ its estimated (design) capacity.
"""

from __future__ import annotations

import re
from typing import TypeVar

from drivers.android.models import BatteryHealth, BatteryReport, ChargeStatus, Unknown
from drivers.android.parsing import parse_int, parse_key_values
from drivers.android.tradein import Run, TradeInStatus

E = TypeVar("E", BatteryHealth, ChargeStatus)
SYSFS = "/sys/class/power_supply/battery"
_MAH = {name: re.compile(rf"^\s*{name} battery capacity: (\d+) mAh", re.MULTILINE)
        for name in ("Estimated", "Last learned")}


def read_battery(run: Run, trade_in: TradeInStatus) -> BatteryReport:
    unknowns: list[Unknown] = []
    values = parse_key_values(run("dumpsys battery").stdout)
    level = parse_int(values.get("level"))
    scale = parse_int(values.get("scale"))
    level_pct = round(level * 100 / scale) if level is not None and scale and 0 <= level <= scale else None
    if level_pct is None:
        unknowns.append(Unknown("level", f"dumpsys battery level {values.get('level')!r} / scale "
                                         f"{values.get('scale')!r} is not a charge level"))
    health = _enum(BatteryHealth, values.get("health"), "health", unknowns)
    status = _enum(ChargeStatus, values.get("status"), "status", unknowns)
    temperature = parse_int(values.get("temperature"))
    voltage = parse_int(values.get("voltage"))

    cycles, cycle_source = _cycle_count(run, trade_in)
    if cycles is None:
        unknowns.append(Unknown("cycle_count", "neither trade-in status nor sysfs exposes a cycle count"))
    capacity, capacity_source = _capacity(run, trade_in)
    if capacity is None:
        unknowns.append(Unknown("capacity_pct", "no full-charge and design capacity the shell can read"))
    return BatteryReport(level_pct=level_pct, health=health, capacity_pct=capacity, capacity_source=capacity_source,
                         cycle_count=cycles, cycle_source=cycle_source, status=status,
                         temperature_c=None if temperature is None else temperature / 10, voltage_mv=voltage,
                         unknowns=tuple(unknowns))


def _enum(kind: type[E], text: str | None, name: str, unknowns: list[Unknown]) -> E | None:
    code = parse_int(text)
    try:
        return kind(code)
    except ValueError:
        unknowns.append(Unknown(name, f"dumpsys battery {name} {text!r} is not a known code"))
        return None


def read_sysfs_int(run: Run, name: str) -> int | None:
    result = run(f"cat {SYSFS}/{name}")
    return parse_int(result.stdout) if result.ok else None


def _cycle_count(run: Run, trade_in: TradeInStatus) -> tuple[int | None, str | None]:
    cycles = trade_in.section("battery").get("cycle_count")
    if isinstance(cycles, int) and cycles >= 0:
        return cycles, "tradeinmode"
    for name in ("cycle_count", "battery_cycle"):
        value = read_sysfs_int(run, name)
        if value is not None and value >= 0:
            return value, f"{SYSFS}/{name}"
    return None, None


def _capacity(run: Run, trade_in: TradeInStatus) -> tuple[int | None, str | None]:
    health = trade_in.section("battery").get("health")
    if isinstance(health, int) and 0 < health <= 100:
        return health, "tradeinmode"
    full, design = read_sysfs_int(run, "charge_full"), read_sysfs_int(run, "charge_full_design")
    if full and design and 0 < full <= design * 1.2:
        return round(full * 100 / design), f"{SYSFS}/charge_full ÷ charge_full_design"
    stats = run("dumpsys batterystats").stdout
    learned, estimated = (_MAH[n].search(stats) for n in ("Last learned", "Estimated"))
    if learned and estimated and int(estimated.group(1)) > 0:
        pct = round(int(learned.group(1)) * 100 / int(estimated.group(1)))
        if 0 < pct <= 120:
            return pct, "batterystats learned ÷ estimated capacity"
    return None, None
