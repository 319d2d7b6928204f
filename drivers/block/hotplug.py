"""Block devices coming and going: udev's monitor where udevd runs, the kernel's uevents where not.

The bench only needs to know *that* something changed, so events trigger a rescan of sysfs (the
source of truth, see devices.py); they are never trusted for identity. That is why both sources are
good enough, and why a lost or garbled message costs nothing worse than a later rescan.

* udevd running (``/run/udev/control`` exists): pyudev's monitor on udev's netlink group. Its
  events come after udev's rules ran, so by-path links and the udev database are already there.
* No udevd (containers, rescue systems, CI): a raw ``NETLINK_KOBJECT_UEVENT`` socket bound to the
  kernel's multicast group 1. Each datagram is ``action@devpath`` then ``KEY=VALUE`` fields, all
  NUL-terminated. Only datagrams from the kernel itself (sender port 0) are read.

Both hand out a file descriptor for the caller's event loop (a QSocketNotifier in the GUI, select
elsewhere) and ``read_events()`` drains what is queued without blocking. No thread is started.
"""

from __future__ import annotations

import errno
import logging
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger("drivers.block.hotplug")

NETLINK_KOBJECT_UEVENT = 15
KERNEL_GROUP = 1               # udevd re-broadcasts on group 2 after its rules; the kernel sends on group 1
UDEV_CONTROL = Path("/run/udev/control")
RECEIVE_BUFFER = 4 * 1024 * 1024  # a hub of drives re-enumerating sends hundreds of events at once
MAX_DATAGRAM = 64 * 1024
LOST = "lost"                  # the action of the marker event that says "the kernel dropped events: rescan"


class HotplugError(OSError):
    """Neither udev's monitor nor the kernel's uevent socket could be opened."""


@dataclass(frozen=True)
class BlockEvent:
    """One block-device uevent: ``add``, ``remove``, ``change``... (or LOST when some were dropped)."""

    action: str
    devname: str      # "sdb", "loop3", "nvme0n1p1" (no /dev/)
    devpath: str      # "/devices/virtual/block/loop3"
    subsystem: str
    devtype: str      # "disk" or "partition"


def parse_uevent(data: bytes) -> BlockEvent | None:
    """A kernel uevent datagram as a BlockEvent; None for anything else (not block, or malformed)."""
    if data.startswith(b"libudev\0"):
        return None  # udevd's binary format; it never reaches group 1, but a sender could try
    fields = data.split(b"\0")
    head = fields[0]
    if b"@" not in head:
        return None
    try:
        action, devpath = head.decode("ascii").split("@", 1)
        values = dict(f.decode("utf-8").split("=", 1) for f in fields[1:] if f)
    except (UnicodeDecodeError, ValueError):
        return None
    if not action or not devpath.startswith("/") or values.get("ACTION", action) != action:
        return None
    if values.get("SUBSYSTEM") != "block":
        return None
    devname = values.get("DEVNAME", devpath.rsplit("/", 1)[-1]).removeprefix("/dev/")
    return BlockEvent(action, devname, devpath, "block", values.get("DEVTYPE", ""))


class _Reader(Protocol):
    name: str

    def fileno(self) -> int: ...
    def read(self) -> list[BlockEvent]: ...
    def close(self) -> None: ...


class KernelUeventReader:
    """The kernel's own uevents on a non-blocking netlink socket (needs no daemon, no privileges)."""

    name = "kernel"

    def __init__(self) -> None:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC,
                             NETLINK_KOBJECT_UEVENT)
        try:
            self._grow_buffer(sock)
            sock.bind((0, KERNEL_GROUP))
        except OSError:
            sock.close()
            raise
        self._sock = sock

    @staticmethod
    def _grow_buffer(sock: socket.socket) -> None:
        # SO_RCVBUFFORCE passes the system's rmem_max as root; otherwise take what SO_RCVBUF allows.
        try:
            sock.setsockopt(socket.SOL_SOCKET, 33, RECEIVE_BUFFER)  # SO_RCVBUFFORCE
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)

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
                # The queue overflowed and events were dropped; the caller must rescan everything.
                log.info("kernel uevent queue overflowed: some events were lost")
                events.append(BlockEvent(LOST, "", "", "block", ""))
                continue
            if sender[0] != 0:
                log.debug("ignoring a uevent from user space (port %s)", sender[0])
                continue
            event = parse_uevent(data)
            if event is None:
                if b"SUBSYSTEM=block\0" in data:  # other subsystems are not ours; a broken block one is odd
                    log.debug("ignoring a malformed block uevent: %r", data[:200])
                continue
            events.append(event)

    def close(self) -> None:
        self._sock.close()


class UdevMonitorReader:
    """pyudev's monitor: events after udevd's rules ran (``source="udev"``), or the kernel's."""

    def __init__(self, source: str = "udev") -> None:
        import pyudev  # only where udev is used: its import loads libudev

        self.name = "udev" if source == "udev" else "kernel"
        monitor = pyudev.Monitor.from_netlink(pyudev.Context(), source=source)
        monitor.filter_by("block")
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
            except (OSError, ValueError) as exc:  # a message libudev could not decode; the rest waits
                log.debug("ignoring a udev message that could not be read: %s", exc)
                return events
            if device is None:  # nothing queued (or a message libudev dropped: the fd stays readable)
                return events
            events.append(BlockEvent(str(device.action or ""), str(device.sys_name or ""),
                                     str(device.device_path or ""), str(device.subsystem or ""),
                                     str(device.device_type or "")))
        return events

    def close(self) -> None:
        # libudev owns the socket and closes it when the monitor's last reference goes; closing the
        # fd here as well would close whatever file reused the number.
        self._monitor = None


class BlockEventSource:
    """Where block hotplug events come from on this machine; see the module docstring.

    ``BlockEventSource()`` picks udev when udevd runs and pyudev works, else the kernel socket, and
    raises HotplugError when neither can be opened (a sandbox without netlink).
    """

    def __init__(self, *, udev_control: Path = UDEV_CONTROL) -> None:
        self._reader: _Reader | None = None
        reasons: list[str] = []
        if udev_control.exists():
            try:
                self._reader = UdevMonitorReader("udev")
            except (ImportError, OSError) as exc:
                reasons.append(f"udev monitor: {exc}")
                log.info("udevd runs but its monitor cannot be opened (%s); using the kernel's uevents", exc)
        if self._reader is None:
            try:
                self._reader = KernelUeventReader()
            except OSError as exc:
                reasons.append(f"kernel uevents: {exc.strerror or exc}")
                raise HotplugError(exc.errno or errno.EACCES, "; ".join(reasons)) from exc
        self._fileno = self._reader.fileno()
        self._which: str = self._reader.name
        log.info("watching block devices through %s events", self.which)

    @classmethod
    def from_reader(cls, reader: _Reader) -> BlockEventSource:
        """A source over a reader chosen by the caller (a pyudev kernel monitor, for instance)."""
        source = cls.__new__(cls)
        source._reader, source._fileno, source._which = reader, reader.fileno(), reader.name
        return source

    @property
    def which(self) -> str:
        """"udev" or "kernel": where the events come from, for the status bar and the log."""
        return self._which

    @property
    def closed(self) -> bool:
        return self._reader is None

    def fileno(self) -> int:
        """The descriptor to watch for readability; stays valid until close()."""
        if self._reader is None:
            raise ValueError("the block event source is closed")
        return self._fileno

    def read_events(self) -> list[BlockEvent]:
        """Every queued block event, oldest first; empty when nothing is waiting. Never blocks."""
        if self._reader is None:
            return []
        return self._reader.read()

    def close(self) -> None:
        """Release the socket; calling it again does nothing."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def __enter__(self) -> BlockEventSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
