"""Where phones come from: a small protocol the phone service talks through, and its adb implementation.

A :class:`PhoneSource` lists the phones attached to the bench and opens one as a :class:`PhoneDevice`;
the service never sees which platform it is talking to. Android phones come through an adb server
(:class:`AdbPhoneSource`), iPhones through usbmuxd (``app.services.phone_source_ios.IosPhoneSource``),
both giving the same result shapes (``PhoneIdentity``, ``BatteryReport``, ``BlockerReport``,
``CheckResult``, ``ResetReport``).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from drivers.android import (
    AdbClient,
    AdbServerProcess,
    AdbServerUnavailable,
    AndroidPhone,
    AttachedDevice,
    BatteryReport,
    BlockerReport,
    CheckResult,
    ConnectFailed,
    PhoneIdentity,
    ResetPhase,
    ResetReport,
    Timeouts,
)

log = logging.getLogger("app.phones")

START_RETRY_S = 30.0  # how often a bench whose adb server keeps dying tries to start another
READY = "device"  # the adb state of a phone that answers commands
# On the bus but waiting on the phone's own screen ("Allow USB debugging?", "Trust This Computer?"), or,
# for an iPhone, not asked yet ("pairing"): the bay waits with the hint rather than calling it unplugged.
WAITING_STATES = frozenset({"unauthorized", "authorizing", "pairing", "passcode_locked", "denied"})


@dataclass(frozen=True)
class AttachedPhone:
    """One phone as the bus lists it, before anything is read from it."""

    serial: str  # the transport's name for it: a USB serial, or host:port for a phone over TCP
    platform: str  # android, ios
    state: str  # device (ready), offline, unauthorized, recovery…
    bay_key: str  # the stable place it is plugged into: usb:<port path>, or tcp:<host:port>
    model_hint: str = ""  # what the bus says before the phone is read ("Pixel_8")

    @property
    def ready(self) -> bool:
        return self.state == READY

    @property
    def waiting(self) -> bool:
        return self.state in WAITING_STATES


class PhoneDevice(Protocol):
    """One phone: blocking calls, each bounded by its own timeouts, raising the driver's errors."""

    serial: str

    def identity(self) -> PhoneIdentity: ...

    def battery(self) -> BatteryReport: ...

    def blockers(self) -> BlockerReport: ...

    def automatic_checks(self, names: Iterable[str] | None = None,
                         on_result: Callable[[CheckResult], None] | None = None) -> tuple[CheckResult, ...]: ...

    def factory_reset(self, on_phase: Callable[[ResetPhase], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> ResetReport:
        """Reset, wait for the phone back at its setup screen and verify it; ``cancelled`` ends the wait."""
        ...


class PhoneSource(Protocol):
    platform: str

    def attached(self) -> list[AttachedPhone]:
        """Every phone on the bus now; raises PhoneSourceDown when the bus itself cannot be asked."""
        ...

    def open(self, serial: str) -> PhoneDevice: ...

    def close(self) -> None:
        """Let go of anything the source started (an adb server it had to start)."""
        ...


class PhoneSourceDown(Exception):
    """The phone bus cannot be asked (no adb server); the message says what to do."""


def bay_key_of(serial: str, usb_path: str) -> str:
    """The place a phone is plugged in: its USB port path, or for a phone over TCP its address."""
    return f"usb:{usb_path}" if usb_path else f"tcp:{serial}"


class AdbPhoneSource:
    """Android phones through one adb server.

    ``keep_attached`` lists TCP addresses (emulated phones, phones on Wi-Fi debugging) to attach with
    ``adb connect`` whenever they are missing — what plugging in a cable does for a USB phone.

    ``server_home`` (a real bench): when no adb server answers, start one on the client's port with its
    home (and so the bench's adb key, which each phone is asked once to allow) in that folder; without
    the adb program the source says so. The server started here is stopped by :meth:`close`.
    """

    platform = "android"

    def __init__(self, client: AdbClient, timeouts: Timeouts | None = None,
                 keep_attached: Iterable[str] = (), *, server_home: Path | None = None, adb: str = "adb") -> None:
        self.client = client
        self.timeouts = timeouts or Timeouts()
        self._keep = list(keep_attached)
        self._lock = threading.Lock()
        self._paused: set[str] = set()
        self._last_try: dict[str, float] = {}
        self._server_home = server_home
        self._adb = adb
        self._server: AdbServerProcess | None = None
        self._last_start = -START_RETRY_S
        self._closed = False

    def close(self) -> None:
        with self._lock:
            server, self._server, self._closed = self._server, None, True
        if server is not None:
            server.stop()
            log.info("stopped the adb server the bench started on port %d", server.port)

    def pause_attach(self, serial: str, paused: bool) -> None:
        """Leave ``serial`` alone while a reset brings it down and back up on its own terms."""
        with self._lock:
            (self._paused.add if paused else self._paused.discard)(serial)

    def keep(self, address: str) -> None:
        with self._lock:
            if address not in self._keep:
                self._keep.append(address)

    def attached(self) -> list[AttachedPhone]:
        devices = self._devices()
        if self._attach_missing({d.serial: d.state for d in devices}):
            devices = self._devices()
        return [AttachedPhone(d.serial, self.platform, d.state, bay_key_of(d.serial, d.usb), d.model)
                for d in devices]

    def _devices(self) -> list[AttachedDevice]:
        try:
            return self.client.devices()
        except AdbServerUnavailable as exc:
            if self._server_home is None:
                raise PhoneSourceDown(f"no adb server answers on {self.client.host}:{self.client.port} — Android "
                                      "phones cannot be seen (run 'adb start-server')") from exc
            down = exc
        self._start_server(down)
        try:
            return self.client.devices()
        except AdbServerUnavailable as exc:
            raise PhoneSourceDown(f"the adb server on port {self.client.port} stopped answering: {exc}") from exc

    def _start_server(self, down: AdbServerUnavailable) -> None:
        """Start the bench's own adb server (at most every START_RETRY_S), or raise PhoneSourceDown saying why not."""
        assert self._server_home is not None
        if shutil.which(self._adb) is None:
            raise PhoneSourceDown("Android phones cannot be seen: the adb program is not installed (Debian package "
                                  "adb) and no adb server runs") from down
        now = time.monotonic()
        with self._lock:
            if now - self._last_start < START_RETRY_S:
                raise PhoneSourceDown(f"no adb server answers on port {self.client.port}; the bench tries to start "
                                      f"one again within {START_RETRY_S:g} s") from down
            self._last_start = now
        server = AdbServerProcess(self.client.port, self._server_home, self._adb)
        try:
            server.start()
        except AdbServerUnavailable as exc:
            raise PhoneSourceDown(f"no adb server answered on port {self.client.port} and the bench could not "
                                  f"start one: {exc}") from exc
        with self._lock:
            closed = self._closed
            previous, self._server = self._server, (None if closed else server)
        if previous is not None:
            previous.stop()  # it died on its own: reap it
        if closed:  # the tab let go of this source while the server was starting
            server.stop()
            raise PhoneSourceDown("the phone source was closed")
        log.info("no adb server was running: the bench started one on port %d", self.client.port)

    def _attach_missing(self, states: dict[str, str]) -> bool:
        """Attach kept TCP phones that are missing, or offline (a pulled cable plugged back: the stale link
        is dropped first rather than waiting for the server's own ten-second retries). True if any was tried."""
        now = time.monotonic()
        with self._lock:
            wanted = [a for a in self._keep if states.get(a, "missing") in ("missing", "offline")
                      and a not in self._paused and now - self._last_try.get(a, 0.0) >= 1.0]
            for address in wanted:
                self._last_try[address] = now
        for address in wanted:
            try:
                if states.get(address) == "offline":
                    self.client.disconnect(address)
                self.client.connect(address, timeout=3.0)
            except (ConnectFailed, AdbServerUnavailable) as exc:
                log.debug("phone at %s not attached yet: %s", address, exc)
        return bool(wanted)

    def open(self, serial: str) -> AndroidPhone:
        return AndroidPhone(self.client, serial, self.timeouts)
