"""Automatic checks an iPhone can answer over USB without developer services.

Storage passes when the data volume reports a capacity and free space that make sense (sizes that do
not add up are unknown, not failed); charging when
the gauge sees external power, says it is charging and draws at least ``MIN_CHARGING_MA``; Wi-Fi when
the wireless interface is registered with its driver in the IORegistry. iOS does not list sensors,
cameras or the Bluetooth controller to a USB host, so those are unknown here and judged in the
guided steps; they are never passed on a stored MAC address or a model table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.android.models import CheckResult, Outcome
from drivers.ios.identity import int_value, text_value

MIN_CHARGING_MA = 100
_GUIDED = "iOS does not list {what} to a USB host; judge {them} in the guided steps"


def run_automatic_checks(disk_usage: Mapping[str, Any] | None, gauge: Mapping[str, Any] | None,
                         wifi: Mapping[str, Any] | None) -> tuple[CheckResult, ...]:
    return (
        CheckResult("sensors", Outcome.UNKNOWN, _GUIDED.format(what="its sensors", them="them")),
        CheckResult("cameras", Outcome.UNKNOWN, _GUIDED.format(what="its cameras", them="them")),
        _wifi(wifi),
        CheckResult("bluetooth", Outcome.UNKNOWN, _GUIDED.format(what="its Bluetooth controller's state",
                                                                 them="it")),
        _storage(disk_usage),
        _charging(gauge),
    )


def _wifi(entry: Mapping[str, Any] | None) -> CheckResult:
    if not entry:
        return CheckResult("wifi", Outcome.UNKNOWN, "no Wi-Fi interface registered under AppleBCMWLANSkywalkInterface "
                                                    "(older models name it otherwise); check Wi-Fi by hand")
    name = text_value(entry, "BSD Name") or text_value(entry, "IOInterfaceName") or "interface"
    return CheckResult("wifi", Outcome.PASS, f"Wi-Fi {name} is registered with its driver "
                                             f"(IORegistry AppleBCMWLANSkywalkInterface)")


def _storage(disk_usage: Mapping[str, Any] | None) -> CheckResult:
    if disk_usage is None:
        return CheckResult("storage", Outcome.UNKNOWN, "disk usage not readable")
    capacity, available = int_value(disk_usage, "TotalDataCapacity"), int_value(disk_usage, "TotalDataAvailable")
    if capacity is None or available is None:
        return CheckResult("storage", Outcome.UNKNOWN, f"data volume sizes not understood: capacity {capacity!r}, "
                                                       f"available {available!r}")
    if capacity <= 0 or not 0 <= available <= capacity:
        return CheckResult("storage", Outcome.UNKNOWN, f"data volume sizes do not add up: {available} bytes free of "
                                                       f"{capacity}")
    return CheckResult("storage", Outcome.PASS, f"data volume mounted: {available / 1e9:.1f} GB free of "
                                                f"{capacity / 1e9:.1f} GB")


def _charging(gauge: Mapping[str, Any] | None) -> CheckResult:
    if not gauge:
        return CheckResult("charging", Outcome.UNKNOWN, "the phone listed no battery gauge")
    external, charging, full = (gauge.get(k) for k in ("ExternalConnected", "IsCharging", "FullyCharged"))
    current = int_value(gauge, "InstantAmperage")
    if current is None:
        current = int_value(gauge, "Amperage")
    if not all(isinstance(flag, bool) for flag in (external, charging, full)) or current is None:
        return CheckResult("charging", Outcome.UNKNOWN, f"gauge flags not understood: external {external!r}, "
                                                        f"charging {charging!r}, current {current!r}")
    if not external:
        return CheckResult("charging", Outcome.FAIL, "no external power seen on the bench's USB port")
    if full:
        return CheckResult("charging", Outcome.UNKNOWN, "battery full: charging cannot be judged until it drains")
    if charging and current >= MIN_CHARGING_MA:
        return CheckResult("charging", Outcome.PASS, f"charging at {current} mA from the bench's USB port")
    return CheckResult("charging", Outcome.FAIL, f"on external power but {'charging' if charging else 'not charging'}"
                                                 f" at {current} mA (needs at least {MIN_CHARGING_MA} mA)")
