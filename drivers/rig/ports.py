"""Serial ports on this machine by their stable names, and their hotplug events.

A rig is bound to a bay by the name udev gives its port under ``/dev/serial/by-id`` (the adapter's
vendor, model and serial number: it follows the adapter to any USB socket) or ``/dev/serial/by-path``
(the USB socket: for adapters without a serial number). ``/dev/ttyUSB0`` is listed only when no
stable name exists, and marked as such: its number changes with the plugging order.

Hotplug: serial adapters coming and going send ``tty`` uevents. The same two sources as for block
devices serve (udev's monitor where udevd runs, else the kernel's own netlink uevents); the events
only trigger a rescan of the ports, so a lost event costs no more than the next slow poll.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from drivers.block.hotplug import (
    KERNEL_GROUP,
    MAX_DATAGRAM,
    NETLINK_KOBJECT_UEVENT,
    UDEV_CONTROL,
    BlockEvent,
    BlockEventSource,
    HotplugError,
)

log = logging.getLogger("drivers.rig.ports")

# Kernel names of USB-serial and on-board UART devices a rig may sit on.
_DEVICE_PREFIXES = ("ttyUSB", "ttyACM", "ttyAMA", "ttyCH343USB", "rfcomm")


@dataclass(frozen=True)
class SerialPortInfo:
    """One serial port: the name to bind (``path``), the device it points at now, and whether the name
    is stable across replugging."""

    path: str
    device: str
    stable: bool

    @property
    def description(self) -> str:
        name = Path(self.path).name
        if "/by-id/" in self.path:
            # usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0 -> FTDI FT232R USB UART A50285BI
            name = name.removeprefix("usb-").split("-if")[0].replace("_", " ")
        return name if self.stable else f"{name} (no stable name: its number may change)"


def list_serial_ports(dev_root: Path = Path("/dev")) -> list[SerialPortInfo]:
    """By-id names first, then by-path names of devices without one, then bare devices without either."""
    ports: list[SerialPortInfo] = []
    covered: set[str] = set()
    for folder in ("by-id", "by-path"):
        directory = dev_root / "serial" / folder
        try:
            links = sorted(directory.iterdir())
        except OSError:
            continue
        for link in links:
            try:
                device = str(link.resolve(strict=True))
            except OSError:
                continue  # a dangling link: the adapter left between udev's rule and our look
            if device in covered:
                continue
            covered.add(device)
            ports.append(SerialPortInfo(str(link), device, True))
    try:
        names = sorted(os.listdir(dev_root))
    except OSError:
        names = []
    for name in names:
        device = str(dev_root / name)
        if name.startswith(_DEVICE_PREFIXES) and device not in covered:
            ports.append(SerialPortInfo(device, device, False))
    return ports


def parse_tty_uevent(data: bytes) -> BlockEvent | None:
    """A kernel uevent for a serial device as an event record (``subsystem`` = "tty"); None otherwise."""
    fields = data.split(b"\0")
    if b"@" not in fields[0]:
        return None
    try:
        action, devpath = fields[0].decode("ascii").split("@", 1)
        values = dict(f.decode("utf-8").split("=", 1) for f in fields[1:] if f)
    except (UnicodeDecodeError, ValueError):
        return None
    if values.get("SUBSYSTEM") not in ("tty", "usb-serial") or not devpath.startswith("/"):
        return None
    devname = values.get("DEVNAME", devpath.rsplit("/", 1)[-1]).removeprefix("/dev/")
    return BlockEvent(action, devname, devpath, values["SUBSYSTEM"], "")


class KernelTtyReader:
    """The kernel's uevents for tty and usb-serial devices, on a non-blocking netlink socket."""

    name = "kernel"

    def __init__(self) -> None:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC,
                             NETLINK_KOBJECT_UEVENT)
        try:
            sock.bind((0, KERNEL_GROUP))
        except OSError:
            sock.close()
            raise
        self._sock = sock

    def fileno(self) -> int:
        return self._sock.fileno()

    def read(self) -> list[BlockEvent]:
        events: list[BlockEvent] = []
        while True:
            try:
                data, sender = self._sock.recvfrom(MAX_DATAGRAM)
            except BlockingIOError:
                return events
            except OSError as exc:
                if exc.errno != errno.ENOBUFS:
                    raise
                events.append(BlockEvent("lost", "", "", "tty", ""))  # some were dropped: rescan
                continue
            if sender[0] != 0:
                continue  # only the kernel speaks on this group
            event = parse_tty_uevent(data)
            if event is not None:
                events.append(event)

    def close(self) -> None:
        self._sock.close()


class UdevTtyReader:
    """pyudev's monitor on udevd's group, tty devices only: by-id links exist when an event arrives."""

    name = "udev"

    def __init__(self) -> None:
        import pyudev  # only where udev runs: its import loads libudev

        monitor = pyudev.Monitor.from_netlink(pyudev.Context(), source="udev")
        monitor.filter_by("tty")
        monitor.start()
        self._monitor: pyudev.Monitor | None = monitor

    def fileno(self) -> int:
        assert self._monitor is not None, "closed"
        return int(self._monitor.fileno())

    def read(self) -> list[BlockEvent]:
        events: list[BlockEvent] = []
        while self._monitor is not None:
            try:
                device = self._monitor.poll(timeout=0)
            except (OSError, ValueError) as exc:
                log.debug("ignoring a udev message that could not be read: %s", exc)
                return events
            if device is None:
                return events
            events.append(BlockEvent(str(device.action or ""), str(device.sys_name or ""),
                                     str(device.device_path or ""), "tty", ""))
        return events

    def close(self) -> None:
        self._monitor = None  # libudev closes its socket with the monitor's last reference


def serial_event_source(udev_control: Path = UDEV_CONTROL) -> BlockEventSource:
    """Serial-port hotplug events: udev's when udevd runs, else the kernel's; HotplugError when neither opens."""
    if udev_control.exists():
        try:
            return BlockEventSource.from_reader(UdevTtyReader())
        except (ImportError, OSError) as exc:
            log.info("udevd runs but its monitor cannot be opened (%s); using the kernel's uevents", exc)
    try:
        return BlockEventSource.from_reader(KernelTtyReader())
    except OSError as exc:
        raise HotplugError(exc.errno or errno.EACCES, f"kernel uevents: {exc.strerror or exc}") from exc
