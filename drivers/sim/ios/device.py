"""One simulated iPhone: the phone's side of every request, its pairing, its erase and its faults.

The state is a private copy of the profile. Requests arrive from any thread (the bench's job threads,
the simulator's own timers), so every change happens under one lock; a request that a fault hangs
waits on an event that unplugging or stopping the phone sets, so it ends as a real one would: gone,
or timed out.
"""

from __future__ import annotations

import copy
import enum
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from drivers.ios.errors import DeviceGone, NotTrusted, ServiceFailure, ServiceTimeout
from drivers.ios.service import PairingState
from drivers.sim.adb.phone import imei_for_instance
from drivers.sim.ios.profile import IPhoneProfile

log = logging.getLogger(__name__)

# What lockdownd tells a host that holds no pairing (no session): enough to name the phone, never
# its serial, IMEIs or owner's data.
PUBLIC_VALUES = ("ActivationState", "BuildVersion", "CPUArchitecture", "ChipID", "DeviceClass", "DeviceColor",
                 "DeviceName", "HardwareModel", "HardwarePlatform", "ProductName", "ProductType", "ProductVersion",
                 "ProductionSOC", "ProtocolVersion", "TelephonyCapability", "UniqueChipID", "UniqueDeviceID",
                 "WiFiAddress")


class Lifecycle(enum.Enum):
    ATTACHED = "attached"
    ERASING = "erasing"  # accepted an erase, about to drop off USB
    AWAY = "away"  # off USB while it erases and restarts
    UNPLUGGED = "unplugged"
    STOPPED = "stopped"


_ALLOWED = {
    Lifecycle.ATTACHED: {Lifecycle.ERASING, Lifecycle.AWAY, Lifecycle.UNPLUGGED, Lifecycle.STOPPED},
    Lifecycle.ERASING: {Lifecycle.AWAY, Lifecycle.UNPLUGGED, Lifecycle.STOPPED},
    Lifecycle.AWAY: {Lifecycle.ATTACHED, Lifecycle.UNPLUGGED, Lifecycle.STOPPED},
    Lifecycle.UNPLUGGED: {Lifecycle.ATTACHED, Lifecycle.STOPPED},
    Lifecycle.STOPPED: set(),
}


def _vary_udid(udid: str, instance: int) -> str:
    if instance == 0:
        return udid
    head, _, ecid = udid.rpartition("-")
    if head and len(ecid) == 16:
        return f"{head}-{(int(ecid, 16) + instance * 0x1000) % 16**16:016X}"
    return f"{udid[:-4]}{(int(udid[-4:], 16) + instance) % 16**4:04x}"


def _vary_serial(serial: str, instance: int) -> str:
    if instance == 0 or len(serial) < 3:
        return serial
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return serial[:-2] + alphabet[instance // len(alphabet) % len(alphabet)] + alphabet[instance % len(alphabet)]


class SimulatedIPhone:
    def __init__(self, profile: IPhoneProfile, instance: int = 0) -> None:
        data = copy.deepcopy(dict(profile.data))
        self.profile = profile
        self.lockdown: dict[str, Any] = data.get("lockdown", {})
        self.domains: dict[str, dict[str, Any]] = data.get("domains", {})
        self.ioregistry: dict[str, dict[str, Any]] = data.get("ioregistry", {})
        self.mobile_config: dict[str, Any] = data.get("mobile_config", {})
        self.apps: list[str] = list(data.get("apps", []))
        self.erase_plan: dict[str, Any] = data.get("erase", {})
        self.faults: dict[str, Any] = data.get("faults", {})
        self.pair_mode: str = data.get("pairing", {}).get("mode", "ask")
        self._vary(instance)
        self.udid = str(self.lockdown.get("UniqueDeviceID", ""))
        self.lifecycle = Lifecycle.ATTACHED
        self.trusted_hosts: set[str] = set()
        self.tapped = False
        self.asking = False  # "Trust This Computer?" is on screen
        self.unlocked = False
        self.requests = 0
        self.erased = False
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._timers: list[threading.Timer] = []

    def _vary(self, instance: int) -> None:
        """Each instance of a profile is its own phone: UDID, serial and IMEIs differ, check digits stay valid."""
        values = self.lockdown
        if isinstance(values.get("UniqueDeviceID"), str):
            values["UniqueDeviceID"] = _vary_udid(values["UniqueDeviceID"], instance)
        if isinstance(values.get("SerialNumber"), str):
            values["SerialNumber"] = _vary_serial(values["SerialNumber"], instance)
        for key in ("InternationalMobileEquipmentIdentity", "InternationalMobileEquipmentIdentity2"):
            if isinstance(values.get(key), str):
                values[key] = imei_for_instance(values[key], instance)
        first = values.get("InternationalMobileEquipmentIdentity")
        if isinstance(first, str) and "MobileEquipmentIdentifier" in values:
            values["MobileEquipmentIdentifier"] = first[:14]

    # -- lifecycle -------------------------------------------------------------------------------------------

    def move(self, target: Lifecycle, why: str) -> None:
        with self._lock:
            if target is self.lifecycle:
                return
            if target not in _ALLOWED[self.lifecycle]:
                raise AssertionError(f"simulated iPhone {self.udid}: {self.lifecycle.value} -> {target.value}")
            log.info("simulated iPhone %s: %s -> %s (%s)", self.udid, self.lifecycle.value, target.value, why)
            self.lifecycle = target
            if target in (Lifecycle.UNPLUGGED, Lifecycle.STOPPED, Lifecycle.AWAY):
                self._wake.set()
            else:
                self._wake.clear()

    @property
    def listed(self) -> bool:
        return self.lifecycle in (Lifecycle.ATTACHED, Lifecycle.ERASING)

    def unplug(self) -> None:
        self.move(Lifecycle.UNPLUGGED, "cable pulled")

    def replug(self) -> None:
        self.move(Lifecycle.ATTACHED, "cable plugged in again")

    def stop(self) -> None:
        self.move(Lifecycle.STOPPED, "simulator stopping")
        for timer in self._timers:
            timer.cancel()
        for timer in self._timers:
            if timer.is_alive() and timer is not threading.current_thread():
                timer.join()

    def _later(self, seconds: float, action: Any) -> None:
        timer = threading.Timer(seconds, action)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    # -- every request ---------------------------------------------------------------------------------------

    def answer(self, what: str, timeout: float) -> None:
        """Run a request's faults at the service boundary: gone, late, hung or cable pulled after this many
        requests. A hung request waits out its caller's time limit, as a socket timeout would end it."""
        self.count_request(what)
        delay = self.faults.get("delay_ms", 0) / 1000
        if delay and self.wait_gone(min(delay, timeout)):
            raise DeviceGone(f"iPhone {self.udid} dropped off during {what}")
        if delay > timeout:
            raise ServiceTimeout(f"iPhone {self.udid}: {what} did not answer within {timeout:g} s", what, timeout)
        if self.hangs(what):
            if self.wait_gone(timeout):
                raise DeviceGone(f"iPhone {self.udid} dropped off during {what}")
            raise ServiceTimeout(f"iPhone {self.udid}: {what} did not answer within {timeout:g} s", what, timeout)
        if self.garbles(what):
            raise ServiceFailure(f"iPhone {self.udid}: {what} answered bytes that are not a property list")

    def count_request(self, what: str) -> None:
        """One more request reached the phone; the cable goes when a fault says this is one too many."""
        with self._lock:
            if not self.listed:
                raise DeviceGone(f"iPhone {self.udid} is not attached ({what})")
            self.requests += 1
            limit = self.faults.get("unplug_after_requests")
            if isinstance(limit, int) and self.requests > limit:
                self.faults.pop("unplug_after_requests")
                self.unplug()
                raise DeviceGone(f"iPhone {self.udid} dropped off during {what}")

    def hangs(self, what: str) -> bool:
        return what in self.faults.get("hang_on", ())

    def garbles(self, what: str) -> bool:
        return what in self.faults.get("garble_on", ())

    def wait_gone(self, timeout: float) -> bool:
        """Wait until the phone leaves USB (unplugged, erasing, stopped) or the time is up; True if it left."""
        return self._wake.wait(timeout)

    # -- pairing ---------------------------------------------------------------------------------------------

    def pairing_answer(self, host_id: str) -> PairingState:
        with self._lock:
            if host_id in self.trusted_hosts:
                return PairingState.PAIRED
            mode = self.pair_mode
            if mode == "locked" and not self.unlocked:
                return PairingState.PASSCODE_LOCKED
            if mode == "deny":
                return PairingState.DENIED
            if mode in ("trusted", "auto") or self.tapped:
                self.trusted_hosts.add(host_id)
                self.asking = self.tapped = False
                return PairingState.PAIRED
            self.asking = True
            return PairingState.WAITING_FOR_TRUST

    def trusts(self, host_id: str) -> bool:
        return host_id in self.trusted_hosts

    def tap_trust(self) -> None:
        """The technician taps Trust; a tap with no question on screen does nothing, as on the phone."""
        with self._lock:
            if not self.asking:
                log.info("simulated iPhone %s: Trust tapped with no question on screen", self.udid)
                return
            self.tapped = True
            log.info("simulated iPhone %s: Trust tapped", self.udid)

    def unlock(self) -> None:
        with self._lock:
            self.unlocked = True

    # -- what it answers -------------------------------------------------------------------------------------

    def values(self, domain: str | None, paired: bool) -> dict[str, Any]:
        with self._lock:
            if domain is None:
                source = self.lockdown
                return copy.deepcopy(source if paired else {k: v for k, v in source.items() if k in PUBLIC_VALUES})
            if not paired:
                raise NotTrusted(f"iPhone {self.udid} refuses domain {domain} without a pairing (GetProhibited)",
                                 "unauthorized", "")
            if domain not in self.domains:
                raise ServiceFailure(f"lockdownd failed GetValue {domain}: MissingValue")
            return copy.deepcopy(self.domains[domain])

    def ioregistry_entry(self, entry_class: str | None, entry_name: str | None) -> dict[str, Any] | None:
        with self._lock:
            entry = self.ioregistry.get(entry_class or entry_name or "")
            return copy.deepcopy(entry) if entry is not None else None

    def mobile_config_answer(self, request_type: str) -> dict[str, Any]:
        with self._lock:
            answer = self.mobile_config.get(request_type)
            if not isinstance(answer, Mapping) or answer.get("Status") != "Acknowledged":
                raise ServiceFailure(f"MCInstall rejected {request_type}: {answer!r}")
            return copy.deepcopy(dict(answer))

    def installed_apps(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self.apps)

    # -- erase -----------------------------------------------------------------------------------------------

    def begin_erase(self) -> None:
        """Accept an erase: drop off USB shortly, erase, restart at the setup screen (or the fault instead)."""
        drop = float(self.erase_plan.get("drop_after_seconds", 0.2))
        seconds = float(self.erase_plan.get("seconds", 1.5))
        if self.faults.get("erase_not_committed"):
            self.move(Lifecycle.AWAY, "cable pulled before the erase committed")
            self._later(seconds, lambda: self._come_back(erased=False))
            raise DeviceGone(f"iPhone {self.udid} dropped off before answering the erase")
        self.move(Lifecycle.ERASING, "erase accepted")
        self._later(drop, self._go_down)
        if not self.faults.get("unplug_during_erase"):
            self._later(drop + seconds, lambda: self._come_back(erased=True))

    def _go_down(self) -> None:
        with self._lock:
            if self.lifecycle is not Lifecycle.ERASING:
                return
            self._apply_erase()
            if self.faults.get("unplug_during_erase"):
                self.move(Lifecycle.UNPLUGGED, "cable pulled while erasing; the phone finishes on its own")
            else:
                self.move(Lifecycle.AWAY, "erasing")

    def _come_back(self, erased: bool) -> None:
        with self._lock:
            if self.lifecycle is Lifecycle.AWAY:
                self.move(Lifecycle.ATTACHED, "at its setup screen" if erased else "back with its data")

    def _apply_erase(self) -> None:
        """What erase all content and settings leaves: a phone at "Hello" with no user, apps, profiles or
        trusted hosts. Activation Lock and an Automated Device Enrollment record survive, as on a real phone."""
        self.erased = True
        self.lockdown["ActivationState"] = "Unactivated"
        self.lockdown.pop("ActivationStateAcknowledged", None)
        self.lockdown["DeviceName"] = "iPhone"
        self.lockdown["PasswordProtected"] = False
        self.lockdown.pop("PhoneNumber", None)
        self.apps = [a for a in self.apps if a.startswith("com.apple.")]
        self.mobile_config["GetProfileList"] = {"Status": "Acknowledged", "OrderedIdentifiers": [],
                                                "ProfileManifest": {}, "ProfileMetadata": {}}
        disk = self.domains.get("com.apple.disk_usage")
        if disk and isinstance(disk.get("TotalDataCapacity"), int):
            disk["TotalDataAvailable"] = disk["AmountDataAvailable"] = int(disk["TotalDataCapacity"] * 0.96)
        self.trusted_hosts.clear()
        self.tapped = self.asking = self.unlocked = False
        self.pair_mode = str(self.erase_plan.get("pairing_after", "auto"))

    def wait_until(self, lifecycle: Lifecycle, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while self.lifecycle is not lifecycle:
            if time.monotonic() >= end:
                return False
            time.sleep(0.02)
        return True


def simulated_udid(profile: IPhoneProfile, instance: int = 0) -> str:
    """The UDID the ``instance``-th phone plugged of this profile has (scenarios map bays by it)."""
    udid = profile.data.get("lockdown", {}).get("UniqueDeviceID", "")
    return _vary_udid(str(udid), instance)
