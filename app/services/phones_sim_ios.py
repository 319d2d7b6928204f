"""A simulated iPhone bench: simulated iPhones behind a usbmuxd socket of their own.

For ``--simulate`` scenarios, tests and benchmarks: a :class:`~drivers.sim.ios.usbmuxd.UsbmuxdSimulator`
serves the scenario's iPhone profiles on a private Unix socket, and the returned
:class:`~app.services.phone_source_ios.IosPhoneSource` reaches them through the real pymobiledevice3
client (``UsbmuxLockdown``): usbmux protocol, lockdownd pairing with TLS sessions, diagnostics, MCInstall,
installation proxy and the mobilebackup2 erase all cross the socket. A phone waiting on "Trust This
Computer?" can be tapped by a simulated technician after a few seconds (``tap_after``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.services.phone_source_ios import IosPhoneSource
from drivers.ios import Timeouts
from drivers.ios.usbmux_service import UsbmuxLockdown
from drivers.sim.ios import SimulatedIPhone, SimulatedLockdown
from drivers.sim.ios.usbmuxd import UsbmuxdSimulator

log = logging.getLogger("app.phones")

USBMUXD_ENV = "USBMUXD_SOCKET_ADDRESS"  # where pymobiledevice3 hands new pair records to usbmuxd


@dataclass(frozen=True)
class IPhoneSeat:
    """One simulated iPhone to plug in: its profile, and after how many seconds of "Trust This Computer?"
    on its screen the simulated technician taps Trust (None: never; the test or the person does)."""

    profile: str
    tap_after: float | None = None


class SimulatedIPhoneBench:
    """``with SimulatedIPhoneBench([IPhoneSeat("iphone13-trust", 3.0)]) as bench: bench.source…``

    Leaving the block stops the technician's hand, the socket and the phones, and removes the folders.
    While it runs, ``USBMUXD_SOCKET_ADDRESS`` names its socket (pymobiledevice3 saves new pair records to
    the usbmuxd that variable names); the previous value comes back at stop.
    """

    def __init__(self, seats: Sequence[IPhoneSeat], *, timeouts: Timeouts | None = None) -> None:
        self.seats = list(seats)
        self.timeouts = timeouts or Timeouts()
        self.phones: list[SimulatedIPhone] = []
        self.lockdown: SimulatedLockdown | None = None
        self.mux: UsbmuxdSimulator | None = None
        self.source: IosPhoneSource | None = None
        self._folder: Path | None = None
        self._saved_env: str | None = None
        self._hand_stop = threading.Event()
        self._hand: threading.Thread | None = None

    def __enter__(self) -> SimulatedIPhoneBench:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> IosPhoneSource:
        """Serve the phones (quick; safe off the GUI thread); returns their source."""
        # A short folder: a Unix socket's path must stay under 108 bytes.
        self._folder = Path(tempfile.mkdtemp(prefix="rb-ios-"))
        self.lockdown = SimulatedLockdown(self._folder / "phones")
        self.mux = UsbmuxdSimulator(self.lockdown, self._folder / "usbmuxd")
        self.mux.start()
        self._saved_env = os.environ.get(USBMUXD_ENV)
        os.environ[USBMUXD_ENV] = str(self.mux.path)
        self.phones = [self.lockdown.plug(seat.profile) for seat in self.seats]
        service = UsbmuxLockdown(self._folder / "pair-records", usbmux_address=str(self.mux.path))
        self.source = IosPhoneSource(service, self.timeouts, usbmuxd_socket=self.mux.path)
        if any(seat.tap_after is not None for seat in self.seats):
            self._hand = threading.Thread(target=self._technician, name="simulated-trust-taps", daemon=True)
            self._hand.start()
        log.info("simulated iPhone bench: %d iPhone(s) on usbmuxd %s", len(self.phones), self.mux.path)
        return self.source

    def _technician(self) -> None:
        """Taps Trust on each phone the given seconds after its question shows, as a person at the bench."""
        asked: dict[str, float] = {}
        while not self._hand_stop.wait(0.1):
            for seat, phone in zip(self.seats, self.phones, strict=True):
                if seat.tap_after is None or not phone.asking:
                    asked.pop(phone.udid, None)
                    continue
                if time.monotonic() - asked.setdefault(phone.udid, time.monotonic()) >= seat.tap_after:
                    phone.tap_trust()

    def stop_tapping(self) -> None:
        """The simulated technician leaves: Trust questions wait for the test (or a person) from now on."""
        self._hand_stop.set()
        if self._hand is not None:
            self._hand.join()
            self._hand = None

    def unplug(self, phone: SimulatedIPhone) -> None:
        phone.unplug()

    def replug(self, phone: SimulatedIPhone) -> None:
        phone.replug()

    def stop(self) -> None:
        self.stop_tapping()
        if self.lockdown is not None:
            self.lockdown.close()  # ends any request a job is still waiting on
        if self.mux is not None:
            self.mux.stop()
            self.mux = None
            if self._saved_env is None:
                os.environ.pop(USBMUXD_ENV, None)
            else:
                os.environ[USBMUXD_ENV] = self._saved_env
        self.lockdown = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
