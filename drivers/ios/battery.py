"""Battery state and wear from the diagnostics relay's IORegistry (AppleSmartBattery).

Capacity as % of design is ``NominalChargeCapacity`` ÷ ``DesignCapacity`` (what Settings → Battery
Health shows), falling back to ``AppleRawMaxCapacity`` ÷ ``DesignCapacity``; the cycle count is
``CycleCount``. On current iPhones ``CurrentCapacity`` is the charge level in % (``MaxCapacity`` 100);
where the gauge reports mAh instead, the level comes from the ``com.apple.mobile.battery`` domain.
Health is judged only on ``PermanentFailureStatus`` (the gauge's own failure flag); everything else
that was not reported is None with an unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.android.models import BatteryHealth, BatteryReport, ChargeStatus, Unknown
from drivers.ios.identity import int_value

IOREG = "diagnostics IORegistry AppleSmartBattery"


def read_battery(gauge: Mapping[str, Any] | None, lockdown_battery: Mapping[str, Any] | None) -> BatteryReport:
    unknowns: list[Unknown] = []
    gauge = gauge or {}
    if not gauge:
        unknowns.append(Unknown("battery", "the phone listed no battery in its IORegistry"))
    level = _level(gauge, lockdown_battery or {})
    if level is None:
        unknowns.append(Unknown("level_pct", "neither the gauge nor lockdown gave a charge level"))
    capacity, capacity_source = _capacity(gauge)
    if capacity is None:
        unknowns.append(Unknown("capacity_pct", "the gauge gave no full-charge and design capacity in mAh"))
    cycles = int_value(gauge, "CycleCount")
    if cycles is None or cycles < 0:
        cycles = None
        unknowns.append(Unknown("cycle_count", f"CycleCount {gauge.get('CycleCount')!r} is not a count"))
    failure = int_value(gauge, "PermanentFailureStatus")
    health = None if failure is None else (BatteryHealth.GOOD if failure == 0 else BatteryHealth.UNSPECIFIED_FAILURE)
    if health is None:
        unknowns.append(Unknown("health", "the gauge gave no PermanentFailureStatus"))
    temperature = int_value(gauge, "Temperature")  # hundredths of a degree Celsius
    return BatteryReport(
        level_pct=level, health=health, capacity_pct=capacity, capacity_source=capacity_source,
        cycle_count=cycles, cycle_source=f"{IOREG} CycleCount" if cycles is not None else None,
        status=_status(gauge, unknowns), temperature_c=None if temperature is None else round(temperature / 100, 1),
        voltage_mv=int_value(gauge, "Voltage"), unknowns=tuple(unknowns))


def _level(gauge: Mapping[str, Any], lockdown_battery: Mapping[str, Any]) -> int | None:
    current, maximum = int_value(gauge, "CurrentCapacity"), int_value(gauge, "MaxCapacity")
    if current is not None and maximum == 100 and 0 <= current <= 100:
        return current
    level = int_value(lockdown_battery, "BatteryCurrentCapacity")
    return level if level is not None and 0 <= level <= 100 else None


def _capacity(gauge: Mapping[str, Any]) -> tuple[int | None, str | None]:
    design = int_value(gauge, "DesignCapacity")
    if not design or design <= 0:
        return None, None
    for key in ("NominalChargeCapacity", "AppleRawMaxCapacity"):
        full = int_value(gauge, key)
        if full and 0 < full <= design * 1.2:
            return round(full * 100 / design), f"{IOREG} {key} ÷ DesignCapacity"
    return None, None


def _status(gauge: Mapping[str, Any], unknowns: list[Unknown]) -> ChargeStatus | None:
    flags = {key: gauge.get(key) for key in ("IsCharging", "FullyCharged", "ExternalConnected")}
    if not all(isinstance(v, bool) for v in flags.values()):
        unknowns.append(Unknown("status", f"charge flags not understood: {flags}"))
        return None
    if flags["FullyCharged"]:
        return ChargeStatus.FULL
    if flags["IsCharging"]:
        return ChargeStatus.CHARGING
    return ChargeStatus.NOT_CHARGING if flags["ExternalConnected"] else ChargeStatus.DISCHARGING
