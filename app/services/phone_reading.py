"""Reading a phone when it arrives, and its findings as event-body records.

:func:`read_phone` is a blocking read of the phone for a job thread (no database): identity, battery
and blockers, each part saying why it is missing when the phone did not give it. The ``*_record``
functions turn what the drivers report into event-body JSON (enums as their values, no null, no float).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from app.core.phones import blocker_kind
from app.services.phone_source import AttachedPhone, PhoneDevice
from drivers.android import BatteryReport, BlockerReport, BlockerStatus, PhoneIdentity, ShellTimeout


@dataclass(frozen=True)
class PhoneReading:
    """Everything read from a phone when it arrives (immutable: it crosses from the job thread)."""

    attached: AttachedPhone
    identity: PhoneIdentity
    battery: BatteryReport | None
    battery_error: str
    blockers: BlockerReport | None
    blockers_error: str
    seconds: float

    @property
    def holds(self) -> tuple[tuple[str, str], ...]:
        if self.blockers is None:
            return ()
        return tuple((blocker_kind(self.attached.platform, b.kind.value), b.evidence) for b in self.blockers.holds)


@runtime_checkable
class SessionDevice(Protocol):
    """A phone whose reads can share one connection (an iPhone: one lockdown TLS handshake, not a dozen)."""

    def session(self) -> AbstractContextManager[None]: ...


def read_phone(device: PhoneDevice, attached: AttachedPhone) -> PhoneReading:
    """Identity, battery and blockers. A phone that hangs on its battery or lock services is still
    identified (that part says why it is missing); one that goes away raises the driver's DeviceGone."""
    with device.session() if isinstance(device, SessionDevice) else nullcontext():
        return _read_phone(device, attached)


def _read_phone(device: PhoneDevice, attached: AttachedPhone) -> PhoneReading:
    started = time.monotonic()
    identity = device.identity()
    battery, battery_error = None, ""
    try:
        battery = device.battery()
    except ShellTimeout as exc:
        battery_error = f"could not check: {exc}"
    blockers, blockers_error = None, ""
    try:
        blockers = device.blockers()
    except ShellTimeout as exc:
        blockers_error = f"could not check: {exc}"
    return PhoneReading(attached, identity, battery, battery_error, blockers, blockers_error,
                        round(time.monotonic() - started, 3))



def _json(value: Any) -> Any:
    """A driver record as event-body JSON: enums as their values, no None (the schema refuses null)."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):
        return value.value
    return value


def identity_record(identity: PhoneIdentity) -> dict[str, Any]:
    data = _json(asdict(identity))
    data.pop("unknowns", None)
    return dict(data)


def battery_record(battery: BatteryReport) -> dict[str, Any]:
    data = dict(_json(asdict(battery)))
    data.pop("unknowns", None)
    celsius = data.pop("temperature_c", None)
    if celsius is not None:  # event bodies hold no floats (canonical JSON): tenths of a degree
        data["temperature_decicelsius"] = round(celsius * 10)
    return data


def unknowns_record(unknowns: Any) -> list[dict[str, str]]:
    return [{"field": u.field, "reason": u.reason} for u in unknowns]


def blockers_record(reading: PhoneReading) -> list[dict[str, str]]:
    if reading.blockers is None:
        return [{"kind": "all", "status": BlockerStatus.UNKNOWN.value, "evidence": reading.blockers_error}]
    platform = reading.attached.platform
    return [{"kind": blocker_kind(platform, b.kind.value), "status": b.status.value, "evidence": b.evidence}
            for b in reading.blockers.blockers]
