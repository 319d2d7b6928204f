"""Where phones come from: a small protocol the phone service talks through, and its adb implementation.

A :class:`PhoneSource` lists the phones attached to the bench and opens one as a :class:`PhoneDevice`;
the service never sees which platform it is talking to. Android phones come through an adb server
(:class:`AdbPhoneSource`); an iPhone source plugs in by giving the same methods and result shapes
(``PhoneIdentity``, ``BatteryReport``, ``BlockerReport``, ``CheckResult``, ``ResetReport``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from drivers.android import (
    AdbClient,
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

READY = "device"  # the adb state of a phone that answers commands


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


class PhoneDevice(Protocol):
    """One phone: blocking calls, each bounded by its own timeouts, raising the driver's errors."""

    serial: str

    def identity(self) -> PhoneIdentity: ...

    def battery(self) -> BatteryReport: ...

    def blockers(self) -> BlockerReport: ...

    def automatic_checks(self, names: Iterable[str] | None = None,
                         on_result: Callable[[CheckResult], None] | None = None) -> tuple[CheckResult, ...]: ...

    def factory_reset(self, on_phase: Callable[[ResetPhase], None] | None = None) -> ResetReport: ...


class PhoneSource(Protocol):
    platform: str

    def attached(self) -> list[AttachedPhone]:
        """Every phone on the bus now; raises PhoneSourceDown when the bus itself cannot be asked."""
        ...

    def open(self, serial: str) -> PhoneDevice: ...


class PhoneSourceDown(Exception):
    """The phone bus cannot be asked (no adb server); the message says what to do."""


def bay_key_of(serial: str, usb_path: str) -> str:
    """The place a phone is plugged in: its USB port path, or for a phone over TCP its address."""
    return f"usb:{usb_path}" if usb_path else f"tcp:{serial}"


class AdbPhoneSource:
    """Android phones through one adb server.

    ``keep_attached`` lists TCP addresses (emulated phones, phones on Wi-Fi debugging) to attach with
    ``adb connect`` whenever they are missing — what plugging in a cable does for a USB phone.
    """

    platform = "android"

    def __init__(self, client: AdbClient, timeouts: Timeouts | None = None,
                 keep_attached: Iterable[str] = ()) -> None:
        self.client = client
        self.timeouts = timeouts or Timeouts()
        self._keep = list(keep_attached)
        self._lock = threading.Lock()
        self._paused: set[str] = set()
        self._last_try: dict[str, float] = {}

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
            raise PhoneSourceDown(f"no adb server answers on {self.client.host}:{self.client.port} — phones "
                                  "cannot be seen (install adb and run 'adb start-server')") from exc

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
