"""Immutable results of the Android driver.

Every reading that could not be taken is ``None`` in its field and has an :class:`Unknown` entry with
the reason, so a report never passes something it did not see. Blockers and automatic checks are
three-valued (present/absent/unknown, pass/fail/unknown) with the evidence text they were judged on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Unknown:
    """A value the phone did not give: which field and why."""

    field: str
    reason: str


@dataclass(frozen=True)
class Imei:
    value: str
    slot: int
    luhn_valid: bool
    source: str


@dataclass(frozen=True)
class PhoneIdentity:
    adb_serial: str  # how the adb server names it: USB serial or host:port
    make: str | None
    model: str | None  # marketing name where the phone has one, else its model code
    model_number: str | None  # e.g. SM-A546B, XT2165-5, GKWS6
    serial: str | None  # ro.serialno
    imeis: tuple[Imei, ...]
    os_version: str | None  # "Android 16 (API 36)"
    sdk: int | None
    build_fingerprint: str | None
    storage_bytes: int | None  # marketed capacity, decimal bytes (128 GB = 128e9)
    storage_source: str | None
    colour: str | None
    crypto_type: str | None  # ro.crypto.type: file, block, or None
    unknowns: tuple[Unknown, ...] = ()

    @property
    def valid_imeis(self) -> tuple[str, ...]:
        return tuple(i.value for i in self.imeis if i.luhn_valid)


class BatteryHealth(enum.Enum):
    """``BatteryManager.BATTERY_HEALTH_*`` as ``dumpsys battery`` prints them (health: N)."""

    UNKNOWN = 1
    GOOD = 2
    OVERHEAT = 3
    DEAD = 4
    OVER_VOLTAGE = 5
    UNSPECIFIED_FAILURE = 6
    COLD = 7


class ChargeStatus(enum.Enum):
    UNKNOWN = 1
    CHARGING = 2
    DISCHARGING = 3
    NOT_CHARGING = 4
    FULL = 5


@dataclass(frozen=True)
class BatteryReport:
    level_pct: int | None
    health: BatteryHealth | None
    capacity_pct: int | None  # full-charge capacity as % of design: the number grading uses
    capacity_source: str | None
    cycle_count: int | None
    cycle_source: str | None
    status: ChargeStatus | None
    temperature_c: float | None
    voltage_mv: int | None
    unknowns: tuple[Unknown, ...] = ()


class BlockerKind(enum.Enum):
    FRP = "frp"  # Google Factory Reset Protection
    MDM = "mdm"  # device owner / enterprise management
    CARRIER_LOCK = "carrier_lock"
    ROOT = "root"  # root or an unlocked, unverified boot chain


class BlockerStatus(enum.Enum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Blocker:
    kind: BlockerKind
    status: BlockerStatus
    evidence: str


@dataclass(frozen=True)
class BlockerReport:
    blockers: tuple[Blocker, ...]

    def get(self, kind: BlockerKind) -> Blocker:
        return next(b for b in self.blockers if b.kind is kind)

    @property
    def holds(self) -> tuple[Blocker, ...]:
        """What stops a resale until cleared: every blocker found present."""
        return tuple(b for b in self.blockers if b.status is BlockerStatus.PRESENT)


class Outcome(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CheckResult:
    name: str  # sensors, cameras, wifi, bluetooth, storage, charging
    outcome: Outcome
    evidence: str
