"""The boundary between the iPhone driver and whatever speaks to the phone.

Everything the driver needs from an iPhone is one of the calls of :class:`LockdownService`; each
takes a time limit and returns plain data (the property lists the phone sent), or raises one of the
driver's errors: :class:`~drivers.ios.errors.DeviceGone` (not attached, or dropped mid-request),
:class:`~drivers.ios.errors.ServiceTimeout`, :class:`~drivers.ios.errors.NotTrusted` (the call needs
a pairing the phone has not granted) or :class:`~drivers.ios.errors.ServiceFailure`.

Two implementations ship: :class:`drivers.ios.usbmux_service.UsbmuxLockdown` talks to real phones
through usbmuxd with pymobiledevice3, and ``drivers.sim.ios.SimulatedLockdown`` answers from
recorded profiles. The driver above this line is the same code for both.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

# Lockdown domains and services the driver reads (their names as lockdownd knows them).
DOMAIN_DISK_USAGE = "com.apple.disk_usage"
DOMAIN_BATTERY = "com.apple.mobile.battery"
DOMAIN_FIND_MY = "com.apple.fmip"
DOMAIN_SUPERVISION = "com.apple.mobile.chaperone"
POWER_SOURCE_CLASS = "IOPMPowerSource"  # AppleSmartBattery registers under this class
WIFI_INTERFACE_NAME = "AppleBCMWLANSkywalkInterface"
CLOUD_CONFIGURATION = "GetCloudConfiguration"
PROFILE_LIST = "GetProfileList"


class PairingState(enum.Enum):
    """Where pairing with this bench stands, as the phone's lockdownd reports it."""

    PAIRED = "paired"
    WAITING_FOR_TRUST = "waiting_for_trust"  # "Trust This Computer?" is on screen (PairingDialogResponsePending)
    PASSCODE_LOCKED = "passcode_locked"  # the phone is locked and cannot ask yet (PasswordProtected)
    DENIED = "denied"  # "Don't Trust" was tapped (UserDeniedPairing)


@dataclass(frozen=True)
class AttachedIPhone:
    """One device usbmuxd lists."""

    udid: str
    connection: str  # "USB" or "Network"


class LockdownService(Protocol):
    def session(self, udid: str) -> AbstractContextManager[None]:
        """Inside the block, this thread's calls for ``udid`` may share one connection to the phone (each
        call keeps its own time limit, and a failed call ends the sharing, never the block). Nested blocks
        join the outer one."""

    def devices(self, timeout: float) -> tuple[AttachedIPhone, ...]:
        """The iPhones attached now."""

    def pair(self, udid: str, timeout: float) -> PairingState:
        """One pairing attempt: use the bench's pair record for this phone if the phone still honours it,
        else ask the phone to pair (which shows "Trust This Computer?"). Never waits for the tap."""

    def values(self, udid: str, domain: str | None, timeout: float) -> Mapping[str, Any]:
        """Lockdown ``GetValue`` for a whole domain (``None``: the top-level values). Unpaired, only the
        public top-level values come back and any domain raises NotTrusted."""

    def ioregistry(self, udid: str, entry_class: str | None, entry_name: str | None,
                   timeout: float) -> Mapping[str, Any] | None:
        """The diagnostics relay's ``IORegistry`` query: the matching entry's properties, or None when the
        phone has no such entry."""

    def mobile_config(self, udid: str, request_type: str, timeout: float) -> Mapping[str, Any]:
        """A ``com.apple.mobile.MCInstall`` request (``GetCloudConfiguration``, ``GetProfileList``): the whole
        acknowledged response."""

    def installed_apps(self, udid: str, timeout: float) -> tuple[str, ...]:
        """Bundle identifiers of every installed app (installation proxy ``Browse``, all types)."""

    def erase(self, udid: str, timeout: float) -> None:
        """Ask the phone to erase all content and settings (mobilebackup2 ``EraseDevice``). Returns once
        the phone has accepted; the phone then drops off, erases and comes back at its setup screen."""
