"""The iPhone simulator at the driver's service boundary: a :class:`LockdownService` answering from
simulated phones, with the bench's side of pairing (its pair records) kept in a folder like the real
service keeps them.

    with SimulatedLockdown(records_dir) as lockdown:
        phone = lockdown.plug("iphone13-trust")
        IPhone(lockdown, phone.udid).pair(...)     # waits for the Trust tap
        lockdown.tap_trust(phone.udid)             # the technician taps Trust

Everything above this class is the real driver.
"""

from __future__ import annotations

import logging
import plistlib
import threading
import uuid
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import TracebackType
from typing import Any

from drivers.ios.errors import DeviceGone, NotTrusted
from drivers.ios.service import AttachedIPhone, PairingState
from drivers.sim.ios.device import Lifecycle, SimulatedIPhone
from drivers.sim.ios.profile import load_profile

log = logging.getLogger(__name__)


class SimulatedLockdown:
    def __init__(self, records_dir: Path, host_id: str | None = None) -> None:
        self.records_dir = records_dir
        self.host_id = host_id or str(uuid.uuid4()).upper()
        self.system_buid = str(uuid.uuid5(uuid.NAMESPACE_OID, self.host_id)).upper()
        self.phones: dict[str, SimulatedIPhone] = {}
        self._lock = threading.Lock()
        self._instances: dict[str, int] = {}

    def __enter__(self) -> SimulatedLockdown:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for phone in list(self.phones.values()):
            if phone.lifecycle is not Lifecycle.STOPPED:
                phone.stop()

    # -- the bench's hands -----------------------------------------------------------------------------------

    def plug(self, profile_name: str) -> SimulatedIPhone:
        """Plug in a new phone of this profile (each plug of the same profile is a different phone)."""
        with self._lock:
            instance = self._instances.get(profile_name, 0)
            self._instances[profile_name] = instance + 1
            phone = SimulatedIPhone(load_profile(profile_name), instance)
            self.phones[phone.udid] = phone
        if phone.pair_mode == "trusted":  # paired in an earlier session: its record is already in the folder
            phone.pairing_answer(self.host_id)
            self._save_record(phone)
        log.info("simulated iPhone %s (%s) plugged in", phone.udid, profile_name)
        return phone

    def unplug(self, udid: str) -> None:
        self.phones[udid].unplug()

    def replug(self, udid: str) -> None:
        self.phones[udid].replug()

    def tap_trust(self, udid: str) -> None:
        self.phones[udid].tap_trust()

    def record_path(self, udid: str) -> Path:
        return self.records_dir / f"{udid}.plist"

    def _save_record(self, phone: SimulatedIPhone) -> None:
        self.records_dir.mkdir(parents=True, exist_ok=True)
        record = {"HostID": self.host_id, "SystemBUID": self.system_buid,
                  "WiFiMACAddress": str(phone.lockdown.get("WiFiAddress", "")), "UDID": phone.udid}
        self.record_path(phone.udid).write_bytes(plistlib.dumps(record))

    # -- LockdownService -------------------------------------------------------------------------------------

    def _phone(self, udid: str, what: str, timeout: float) -> SimulatedIPhone:
        phone = self.phones.get(udid)
        if phone is None:
            raise DeviceGone(f"iPhone {udid} is not attached ({what})")
        phone.answer(what, timeout)
        return phone

    def _paired(self, phone: SimulatedIPhone) -> bool:
        return self.record_path(phone.udid).is_file() and phone.trusts(self.host_id)

    def _require_paired(self, phone: SimulatedIPhone, what: str) -> None:
        if not self._paired(phone):
            raise NotTrusted(f"iPhone {phone.udid} refused {what}: this bench holds no pairing it accepts",
                             "unauthorized", "")

    def session(self, udid: str) -> AbstractContextManager[None]:
        return nullcontext()  # no connection to share: every answer is a method call

    def devices(self, timeout: float) -> tuple[AttachedIPhone, ...]:
        return tuple(AttachedIPhone(p.udid, "USB") for p in list(self.phones.values()) if p.listed)

    def pair(self, udid: str, timeout: float) -> PairingState:
        phone = self._phone(udid, "pair", timeout)
        if self._paired(phone):
            return PairingState.PAIRED
        state = phone.pairing_answer(self.host_id)
        if state is PairingState.PAIRED:
            self._save_record(phone)
        return state

    def values(self, udid: str, domain: str | None, timeout: float) -> Mapping[str, Any]:
        phone = self._phone(udid, "values" if domain is None else f"values:{domain}", timeout)
        return phone.values(domain, self._paired(phone))

    def ioregistry(self, udid: str, entry_class: str | None, entry_name: str | None,
                   timeout: float) -> Mapping[str, Any] | None:
        phone = self._phone(udid, f"ioregistry:{entry_class or entry_name}", timeout)
        self._require_paired(phone, "the diagnostics relay")
        return phone.ioregistry_entry(entry_class, entry_name)

    def mobile_config(self, udid: str, request_type: str, timeout: float) -> Mapping[str, Any]:
        phone = self._phone(udid, f"mobile_config:{request_type}", timeout)
        self._require_paired(phone, "the MCInstall service")
        return phone.mobile_config_answer(request_type)

    def installed_apps(self, udid: str, timeout: float) -> tuple[str, ...]:
        phone = self._phone(udid, "installed_apps", timeout)
        self._require_paired(phone, "the installation proxy")
        return phone.installed_apps()

    def erase(self, udid: str, timeout: float) -> None:
        phone = self._phone(udid, "erase", timeout)
        self._require_paired(phone, "mobilebackup2")
        phone.begin_erase()
