"""Android phones over the adb server: identity, battery, blockers, automatic checks, verified reset.

Everything goes through an adb server's client protocol (:class:`AdbClient`), never a terminal::

    client = AdbClient("127.0.0.1", 5037)
    client.connect("127.0.0.1:6101")            # TCP phones; USB phones attach on their own
    phone = AndroidPhone(client, "127.0.0.1:6101", Timeouts(command=8.0))
    phone.identity()           -> PhoneIdentity   (make, model, model number, serial, Luhn-checked IMEIs, …)
    phone.battery()            -> BatteryReport   (level, health, capacity %, cycles, each with its source)
    phone.blockers()           -> BlockerReport   (FRP, MDM, carrier lock, root: present/absent/unknown + evidence)
    phone.automatic_checks()   -> tuple[CheckResult, ...]  (sensors, cameras, wifi, bluetooth, storage, charging)
    phone.factory_reset()      -> ResetReport     (crypto-erase only with ro.crypto.type=file; verified after return)

Failures raise subclasses of :class:`AndroidDriverError`: :class:`ShellTimeout` (hung phone),
:class:`DeviceGone` (unplugged mid-command), :class:`DeviceOffline` (offline/unauthorized),
:class:`DeviceNotFound`, :class:`AdbServerUnavailable`, :class:`ConnectFailed`, :class:`ResetRefused`.
Unreadable or malformed values are never guessed: the field is None with an ``Unknown(field, reason)``.
:class:`AdbServerProcess` runs a private server (tests, benches that must not share the user's).
"""

from drivers.android.adb_client import AdbClient, AttachedDevice, ShellResult
from drivers.android.errors import (
    AdbProtocolError,
    AdbServerUnavailable,
    AndroidDriverError,
    ConnectFailed,
    DeviceGone,
    DeviceNotFound,
    DeviceOffline,
    ShellTimeout,
)
from drivers.android.models import (
    BatteryHealth,
    BatteryReport,
    Blocker,
    BlockerKind,
    BlockerReport,
    BlockerStatus,
    ChargeStatus,
    CheckResult,
    Imei,
    Outcome,
    PhoneIdentity,
    Unknown,
)
from drivers.android.phone import AndroidPhone, Timeouts
from drivers.android.reset import ResetPhase, ResetRefused, ResetReport
from drivers.android.server import AdbServerProcess

__all__ = [
    "AdbClient", "AdbProtocolError", "AdbServerProcess", "AdbServerUnavailable", "AndroidDriverError",
    "AndroidPhone", "AttachedDevice", "BatteryHealth", "BatteryReport", "Blocker", "BlockerKind",
    "BlockerReport", "BlockerStatus", "ChargeStatus", "CheckResult", "ConnectFailed", "DeviceGone",
    "DeviceNotFound", "DeviceOffline", "Imei", "Outcome", "PhoneIdentity", "ResetPhase", "ResetRefused",
    "ResetReport", "ShellResult", "ShellTimeout", "Timeouts", "Unknown",
]
