"""The lockdown service for real iPhones: pymobiledevice3 through usbmuxd.

Each call opens its own lockdown connection on a fresh event loop and is bounded by its time limit
(``asyncio.wait_for`` cancels the exchange and pymobiledevice3 closes its sockets), so a job thread per
phone can call it without sharing a loop. The bench's pair records live in ``records_dir`` (the app's
data folder), never in the user's home; usbmuxd keeps its own copy as it does for every host tool.
pymobiledevice3's exceptions become the driver's errors here and nowhere else.

pymobiledevice3 11 hands a new pair record to usbmuxd at the address in ``USBMUXD_SOCKET_ADDRESS`` (or the
system default), not at ``usbmux_address``: a bench that uses a usbmuxd elsewhere sets that variable too.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pymobiledevice3 import usbmux
from pymobiledevice3.exceptions import (
    ConnectionFailedError,
    ConnectionFailedToUsbmuxdError,
    ConnectionTerminatedError,
    DeviceNotFoundError,
    GetProhibitedError,
    InvalidHostIDError,
    NoDeviceConnectedError,
    NotPairedError,
    PairingDialogResponsePendingError,
    PasswordRequiredError,
    PyMobileDevice3Exception,
    UserDeniedPairingError,
)
from pymobiledevice3.lockdown import UsbmuxLockdownClient, create_using_usbmux
from pymobiledevice3.services.diagnostics import DiagnosticsService
from pymobiledevice3.services.installation_proxy import InstallationProxyService
from pymobiledevice3.services.mobile_config import MobileConfigService
from pymobiledevice3.services.mobilebackup2 import Mobilebackup2Service

from drivers.ios.errors import DeviceGone, NotTrusted, ServiceFailure, ServiceTimeout
from drivers.ios.service import CLOUD_CONFIGURATION, PROFILE_LIST, AttachedIPhone, PairingState

log = logging.getLogger(__name__)
T = TypeVar("T")
_GONE = (ConnectionTerminatedError, ConnectionFailedError, DeviceNotFoundError, NoDeviceConnectedError,
         ConnectionResetError, BrokenPipeError)


class UsbmuxLockdown:
    """:class:`~drivers.ios.service.LockdownService` over usbmuxd (``usbmux_address``: a Unix socket path or
    ``HOST:PORT``; None for the system's ``/var/run/usbmuxd``)."""

    def __init__(self, records_dir: Path, usbmux_address: str | None = None) -> None:
        self.records_dir = records_dir
        self.usbmux_address = usbmux_address
        records_dir.mkdir(parents=True, exist_ok=True)

    def _run(self, udid: str, what: str, timeout: float, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        async def bounded() -> T:
            return await asyncio.wait_for(work(), timeout)
        try:
            return asyncio.run(bounded())
        except TimeoutError as exc:
            raise ServiceTimeout(f"iPhone {udid}: {what} did not answer within {timeout:g} s", what, timeout) from exc
        except ConnectionFailedToUsbmuxdError as exc:
            raise ServiceFailure(f"usbmuxd is not running at {self.usbmux_address or '/var/run/usbmuxd'}: install "
                                 "and start the usbmuxd package") from exc
        except _GONE as exc:
            raise DeviceGone(f"iPhone {udid} dropped off during {what}") from exc
        except (NotPairedError, InvalidHostIDError, GetProhibitedError, PasswordRequiredError) as exc:
            raise NotTrusted(f"iPhone {udid} refused {what}: it does not trust this bench ({type(exc).__name__})",
                             "unauthorized", "") from exc
        except PyMobileDevice3Exception as exc:
            raise ServiceFailure(f"iPhone {udid}: {what} failed: {exc or type(exc).__name__}") from exc

    async def _lockdown(self, udid: str, autopair: bool = False) -> UsbmuxLockdownClient:
        return await create_using_usbmux(serial=udid, autopair=autopair, pair_timeout=0,
                                         pairing_records_cache_folder=self.records_dir,
                                         usbmux_address=self.usbmux_address)

    async def _paired(self, udid: str, use: Callable[[UsbmuxLockdownClient], Awaitable[T]]) -> T:
        async with await self._lockdown(udid) as lockdown:
            if not lockdown.paired:
                raise NotPairedError()
            return await use(lockdown)

    # -- LockdownService -------------------------------------------------------------------------------------

    def devices(self, timeout: float) -> tuple[AttachedIPhone, ...]:
        async def listed() -> list[usbmux.MuxDevice]:
            return await usbmux.list_devices(usbmux_address=self.usbmux_address)
        found = self._run("(all)", "list devices", timeout, listed)
        return tuple(AttachedIPhone(d.serial, d.connection_type) for d in found)

    def pair(self, udid: str, timeout: float) -> PairingState:
        async def attempt() -> PairingState:
            try:
                async with await self._lockdown(udid, autopair=True) as lockdown:
                    return PairingState.PAIRED if lockdown.paired else PairingState.WAITING_FOR_TRUST
            except PairingDialogResponsePendingError:
                return PairingState.WAITING_FOR_TRUST
            except PasswordRequiredError:
                return PairingState.PASSCODE_LOCKED
            except UserDeniedPairingError:
                return PairingState.DENIED
        return self._run(udid, "pair", timeout, attempt)

    def values(self, udid: str, domain: str | None, timeout: float) -> Mapping[str, Any]:
        async def read() -> Mapping[str, Any]:
            async with await self._lockdown(udid) as lockdown:
                if domain is not None and not lockdown.paired:
                    raise NotPairedError()
                value = await lockdown.get_value(domain)
            if not isinstance(value, Mapping):
                raise ServiceFailure(f"iPhone {udid}: GetValue {domain} answered {type(value).__name__}")
            return value
        return self._run(udid, "values" if domain is None else f"values:{domain}", timeout, read)

    def ioregistry(self, udid: str, entry_class: str | None, entry_name: str | None,
                   timeout: float) -> Mapping[str, Any] | None:
        async def query(lockdown: UsbmuxLockdownClient) -> Mapping[str, Any] | None:
            async with DiagnosticsService(lockdown) as diagnostics:
                entry = await diagnostics.ioregistry(name=entry_name, ioclass=entry_class)
            return entry if isinstance(entry, Mapping) else None
        return self._run(udid, f"ioregistry:{entry_class or entry_name}", timeout, lambda: self._paired(udid, query))

    def mobile_config(self, udid: str, request_type: str, timeout: float) -> Mapping[str, Any]:
        async def ask(lockdown: UsbmuxLockdownClient) -> Mapping[str, Any]:
            async with MobileConfigService(lockdown) as config:
                if request_type == CLOUD_CONFIGURATION:
                    return {"Status": "Acknowledged", "CloudConfiguration": await config.get_cloud_configuration()}
                if request_type == PROFILE_LIST:
                    return await config.get_profile_list()
            raise ServiceFailure(f"the bench does not send MCInstall {request_type}")
        return self._run(udid, f"mobile_config:{request_type}", timeout, lambda: self._paired(udid, ask))

    def installed_apps(self, udid: str, timeout: float) -> tuple[str, ...]:
        async def browse(lockdown: UsbmuxLockdownClient) -> tuple[str, ...]:
            async with InstallationProxyService(lockdown) as proxy:
                return tuple(await proxy.get_apps(application_type="Any"))
        return self._run(udid, "installed_apps", timeout, lambda: self._paired(udid, browse))

    def erase(self, udid: str, timeout: float) -> None:
        async def erase(lockdown: UsbmuxLockdownClient) -> None:
            with tempfile.TemporaryDirectory(prefix="refurb-erase-") as link_dir:
                async with Mobilebackup2Service(lockdown) as backup:
                    await backup.erase_device(link_dir)
            log.info("iPhone %s accepted EraseDevice", udid)
        self._run(udid, "erase", timeout, lambda: self._paired(udid, erase))
