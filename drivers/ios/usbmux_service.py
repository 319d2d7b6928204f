"""The lockdown service for real iPhones: pymobiledevice3 through usbmuxd.

A lockdown connection costs a TLS handshake with the phone, so calls made inside
``with service.session(udid):`` on one thread share one connection and one event loop (a read of identity,
battery and blockers is one handshake, not a dozen); outside a session each call opens its own on a fresh
loop. Every call is bounded by its time limit either way (``asyncio.wait_for`` cancels the exchange), and a
call that fails in any way closes the shared connection, so the next one starts clean: a phone pulled
mid-session raises DeviceGone from the call that noticed, never a stale answer. Job threads never share a
loop. The bench's pair records live in ``records_dir`` (the app's
data folder), never in the user's home; usbmuxd keeps its own copy as it does for every host tool.
pymobiledevice3's exceptions become the driver's errors here and nowhere else.

pymobiledevice3 11 hands a new pair record to usbmuxd at the address in ``USBMUXD_SOCKET_ADDRESS`` (or the
system default), not at ``usbmux_address``: a bench that uses a usbmuxd elsewhere sets that variable too.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
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
_CLOSE_WITHIN_S = 2.0  # closing a connection whose phone is gone must not hold the job up


@dataclass
class _Session:
    """One phone's shared lockdown connection on one thread, and the loop it lives on."""

    runner: asyncio.Runner
    lockdown: UsbmuxLockdownClient | None = None


class UsbmuxLockdown:
    """:class:`~drivers.ios.service.LockdownService` over usbmuxd (``usbmux_address``: a Unix socket path or
    ``HOST:PORT``; None for the system's ``/var/run/usbmuxd``)."""

    def __init__(self, records_dir: Path, usbmux_address: str | None = None) -> None:
        self.records_dir = records_dir
        self.usbmux_address = usbmux_address
        self.handshakes = 0  # lockdown connections opened, sessions or not (what sessions save)
        self._count_lock = threading.Lock()
        self._local = threading.local()
        records_dir.mkdir(parents=True, exist_ok=True)

    def _sessions(self) -> dict[str, _Session]:
        sessions: dict[str, _Session] | None = getattr(self._local, "sessions", None)
        if sessions is None:
            sessions = self._local.sessions = {}
        return sessions

    @contextmanager
    def session(self, udid: str) -> Iterator[None]:
        """Calls for ``udid`` made on this thread inside the block share one lockdown connection (opened
        by the first call that needs it, closed at the end). Nested blocks join the outer one."""
        sessions = self._sessions()
        if udid in sessions:
            yield
            return
        session = sessions[udid] = _Session(asyncio.Runner())
        try:
            yield
        finally:
            del sessions[udid]
            try:
                self._drop(session)
            finally:
                session.runner.close()

    def _drop(self, session: _Session) -> None:
        """Close the session's connection (if any) so the next call opens a new one."""
        lockdown, session.lockdown = session.lockdown, None
        if lockdown is None:
            return
        try:
            session.runner.run(asyncio.wait_for(lockdown.close(), _CLOSE_WITHIN_S))
        except (TimeoutError, OSError, PyMobileDevice3Exception) as exc:  # the phone went; nothing to tell it
            log.debug("closing a lockdown connection: %s", exc)

    def _run(self, udid: str, what: str, timeout: float, work: Callable[[], Coroutine[Any, Any, T]],
             runner: asyncio.Runner | None = None) -> T:
        async def bounded() -> T:
            return await asyncio.wait_for(work(), timeout)
        try:
            return runner.run(bounded()) if runner is not None else asyncio.run(bounded())
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
        with self._count_lock:
            self.handshakes += 1
        return await create_using_usbmux(serial=udid, autopair=autopair, pair_timeout=0,
                                         pairing_records_cache_folder=self.records_dir,
                                         usbmux_address=self.usbmux_address)

    def _with_lockdown(self, udid: str, what: str, timeout: float,
                       use: Callable[[UsbmuxLockdownClient], Awaitable[T]], *, paired: bool = True) -> T:
        """``use`` on a lockdown connection to the phone (``paired``: one the phone trusts): the session's
        when one is open on this thread, else a connection of its own for this call."""
        session = self._sessions().get(udid)
        if session is None:
            async def alone() -> T:
                async with await self._lockdown(udid) as lockdown:
                    if paired and not lockdown.paired:
                        raise NotPairedError()
                    return await use(lockdown)
            return self._run(udid, what, timeout, alone)

        async def shared() -> T:
            if session.lockdown is None:
                session.lockdown = await self._lockdown(udid)
            if paired and not session.lockdown.paired:
                raise NotPairedError()
            return await use(session.lockdown)
        try:
            return self._run(udid, what, timeout, shared, session.runner)
        except BaseException:
            self._drop(session)  # cut off mid-exchange, refused or gone: the connection is not to be trusted
            raise

    # -- LockdownService -------------------------------------------------------------------------------------

    def devices(self, timeout: float) -> tuple[AttachedIPhone, ...]:
        async def listed() -> list[usbmux.MuxDevice]:
            return await usbmux.list_devices(usbmux_address=self.usbmux_address)
        found = self._run("(all)", "list devices", timeout, listed)
        return tuple(AttachedIPhone(d.serial, d.connection_type) for d in found)

    def pair(self, udid: str, timeout: float) -> PairingState:
        session = self._sessions().get(udid)

        async def attempt() -> PairingState:
            try:
                lockdown = await self._lockdown(udid, autopair=True)
            except PairingDialogResponsePendingError:
                return PairingState.WAITING_FOR_TRUST
            except PasswordRequiredError:
                return PairingState.PASSCODE_LOCKED
            except UserDeniedPairingError:
                return PairingState.DENIED
            if lockdown.paired and session is not None:
                session.lockdown = lockdown  # the session goes on over the connection pairing opened
                return PairingState.PAIRED
            async with lockdown:
                return PairingState.PAIRED if lockdown.paired else PairingState.WAITING_FOR_TRUST
        if session is None:
            return self._run(udid, "pair", timeout, attempt)
        self._drop(session)
        try:
            return self._run(udid, "pair", timeout, attempt, session.runner)
        except BaseException:
            self._drop(session)
            raise

    def values(self, udid: str, domain: str | None, timeout: float) -> Mapping[str, Any]:
        async def read(lockdown: UsbmuxLockdownClient) -> Any:
            return await lockdown.get_value(domain)
        value = self._with_lockdown(udid, "values" if domain is None else f"values:{domain}", timeout, read,
                                    paired=domain is not None)
        if not isinstance(value, Mapping):
            raise ServiceFailure(f"iPhone {udid}: GetValue {domain} answered {type(value).__name__}")
        return value

    def ioregistry(self, udid: str, entry_class: str | None, entry_name: str | None,
                   timeout: float) -> Mapping[str, Any] | None:
        async def query(lockdown: UsbmuxLockdownClient) -> Mapping[str, Any] | None:
            async with DiagnosticsService(lockdown) as diagnostics:
                entry = await diagnostics.ioregistry(name=entry_name, ioclass=entry_class)
            return entry if isinstance(entry, Mapping) else None
        return self._with_lockdown(udid, f"ioregistry:{entry_class or entry_name}", timeout, query)

    def mobile_config(self, udid: str, request_type: str, timeout: float) -> Mapping[str, Any]:
        if request_type not in (CLOUD_CONFIGURATION, PROFILE_LIST):
            raise ServiceFailure(f"the bench does not send MCInstall {request_type}")

        async def ask(lockdown: UsbmuxLockdownClient) -> Mapping[str, Any]:
            async with MobileConfigService(lockdown) as config:
                if request_type == CLOUD_CONFIGURATION:
                    return {"Status": "Acknowledged", "CloudConfiguration": await config.get_cloud_configuration()}
                return await config.get_profile_list()
        return self._with_lockdown(udid, f"mobile_config:{request_type}", timeout, ask)

    def installed_apps(self, udid: str, timeout: float) -> tuple[str, ...]:
        async def browse(lockdown: UsbmuxLockdownClient) -> tuple[str, ...]:
            async with InstallationProxyService(lockdown) as proxy:
                return tuple(await proxy.get_apps(application_type="Any"))
        return self._with_lockdown(udid, "installed_apps", timeout, browse)

    def erase(self, udid: str, timeout: float) -> None:
        async def erase(lockdown: UsbmuxLockdownClient) -> None:
            with tempfile.TemporaryDirectory(prefix="refurb-erase-") as link_dir:
                async with Mobilebackup2Service(lockdown) as backup:
                    await backup.erase_device(link_dir)
            log.info("iPhone %s accepted EraseDevice", udid)
        self._with_lockdown(udid, "erase", timeout, erase)
