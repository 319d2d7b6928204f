"""iPhones as a phone source: listed by usbmuxd, paired with the bench on a job thread, then read like any phone.

An iPhone tells a host nothing private until it trusts it. A newly listed phone is "pairing"; the
Phones tab runs :meth:`IosPhoneSource.pair` in the bay's job, which asks the phone and, while "Trust
This Computer?" waits on its screen, hands the technician's hint to the bay until the tap (or its time
limit). Once the phone trusts the bench it is listed ready ("device") and read through the same
:class:`~app.services.phone_source.PhoneDevice` calls as an Android phone.

One :class:`~drivers.ios.IPhone` is kept per UDID: it holds the link state the driver keeps (paired,
erasing, gone). A phone that leaves the list is paired again when it comes back (its pair record makes
that a formality unless the phone was erased or told to forget the bench).
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from app.services.phone_source import READY, AttachedPhone, PhoneSourceDown
from drivers.ios import (
    DeviceGone,
    IPhone,
    LinkState,
    LockdownService,
    PairingState,
    ServiceFailure,
    ServiceTimeout,
    Timeouts,
)
from drivers.ios import hint_for as pairing_hint
from drivers.ios.usb_ports import SYSFS_USB_DEVICES, usb_port_path

log = logging.getLogger("app.phones")

DEFAULT_USBMUXD_SOCKET = Path("/var/run/usbmuxd")
NOT_PAIRED = "pairing"  # listed; pairing not asked yet, or to be asked again after a replug
_LINK_WORDS = {LinkState.PAIRED: READY, LinkState.WAITING_FOR_TRUST: "unauthorized",
               LinkState.PASSCODE_LOCKED: "passcode_locked", LinkState.DENIED: "denied", LinkState.ERASING: "erasing"}
_STATE_HINTS = {"unauthorized": PairingState.WAITING_FOR_TRUST, "passcode_locked": PairingState.PASSCODE_LOCKED,
                "denied": PairingState.DENIED}


def hint_for_state(state: str) -> str:
    """What the technician should do for an iPhone listed in this state ("" when nothing)."""
    known = _STATE_HINTS.get(state)
    return (pairing_hint(known) or "") if known is not None else ""


class IosPhoneSource:
    """iPhones through usbmuxd (``service``: ``UsbmuxLockdown`` on a bench, the simulator in demos and tests).

    ``usbmuxd_socket`` and ``usbmuxd_program`` say where usbmuxd listens and what it is called, to tell "no
    iPhone plugged in" (Debian's usbmuxd runs only while one is) from "usbmuxd is not installed".
    """

    platform = "ios"

    def __init__(self, service: LockdownService, timeouts: Timeouts | None = None, *,
                 usbmuxd_socket: Path | None = DEFAULT_USBMUXD_SOCKET, usbmuxd_program: str = "usbmuxd",
                 usb_devices: Path = SYSFS_USB_DEVICES) -> None:
        self.service = service
        self.timeouts = timeouts or Timeouts()
        self.usbmuxd_socket = usbmuxd_socket
        self.usbmuxd_program = usbmuxd_program
        self.usb_devices = usb_devices
        self._lock = threading.Lock()
        self._phones: dict[str, IPhone] = {}
        self._names: dict[str, str] = {}  # UDID -> model, read before pairing
        self._ports: dict[str, str] = {}  # UDID -> bay key

    def close(self) -> None:
        """Nothing to let go of: usbmuxd is the system's."""

    def attached(self) -> list[AttachedPhone]:
        try:
            listed = [d for d in self.service.devices(min(self.timeouts.command, 3.0)) if d.connection == "USB"]
        except (ServiceFailure, ServiceTimeout, DeviceGone) as exc:
            # DeviceGone here names no iPhone: usbmuxd itself hung up mid-list (it stops when the last
            # iPhone leaves, or the bench is shutting down), which is the bus going away, not a bug.
            message = self._down_message(exc)
            if not message:
                return []
            raise PhoneSourceDown(message) from exc
        udids = {d.udid for d in listed}
        phones: list[AttachedPhone] = []
        with self._lock:
            for udid, phone in self._phones.items():
                if udid not in udids and phone.link not in (LinkState.ERASING, LinkState.GONE, LinkState.ATTACHED):
                    phone.move(LinkState.GONE, "no longer listed by usbmuxd")
            for device in listed:
                phone = self._phones.setdefault(device.udid, IPhone(self.service, device.udid, self.timeouts))
                if phone.link is LinkState.GONE:
                    phone.move(LinkState.ATTACHED, "listed by usbmuxd again")
                if device.udid not in self._ports:
                    port = usb_port_path(device.udid, self.usb_devices)
                    self._ports[device.udid] = f"usb:{port}" if port else f"usbmux:{device.udid}"
                phones.append(AttachedPhone(device.udid, self.platform, _LINK_WORDS.get(phone.link, NOT_PAIRED),
                                            self._ports[device.udid], self._names.get(device.udid, "")))
        return phones

    def _down_message(self, error: Exception) -> str:
        """Why iPhones cannot be seen, in words to act on; "" when usbmuxd is simply not running because no
        iPhone is plugged in (Debian starts it when one is, and stops it when the last one goes)."""
        installed = shutil.which(self.usbmuxd_program) or shutil.which(self.usbmuxd_program, path="/usr/sbin:/sbin")
        if not installed:
            return ("iPhones cannot be seen: usbmuxd is not installed (Debian package usbmuxd; it starts by itself "
                    "when an iPhone is plugged in)")
        if self.usbmuxd_socket is not None and not self.usbmuxd_socket.exists() and not isinstance(
                error, ServiceTimeout):
            return ""
        return f"iPhones cannot be seen: {error} (sudo systemctl restart usbmuxd)"

    def open(self, serial: str) -> IPhone:
        with self._lock:
            return self._phones.setdefault(serial, IPhone(self.service, serial, self.timeouts))

    def pair(self, serial: str, on_hint: Callable[[str], None], cancelled: Callable[[], bool]) -> bool:
        """Pair with the phone, waiting up to the trust time limit for the tap: blocking, for the bay's job.
        ``on_hint`` hears what the technician should do each time that changes. True once paired."""
        phone = self.open(serial)
        if serial not in self._names:
            try:
                model = phone.public_identity().model or ""
            except ServiceFailure as exc:  # an answer that is not a property list: the phone stays unnamed
                log.info("iPhone %s gave no readable public values: %s", serial, exc)
                model = ""
            with self._lock:
                self._names[serial] = model

        def heard(state: PairingState) -> None:
            on_hint(pairing_hint(state) or "")

        state = phone.pair(on_state=heard, cancelled=cancelled)
        return state is PairingState.PAIRED
