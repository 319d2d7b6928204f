"""Block hotplug events from the real kernel: loop devices created, attached, detached and removed."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import random
import select
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.block.hotplug import (
    BlockEvent,
    BlockEventSource,
    KernelUeventReader,
    UdevMonitorReader,
    parse_uevent,
)
from tests.drivers.loop_devices import loop_device

MiB = 1 << 20
LOOP_CTL_ADD, LOOP_CTL_REMOVE = 0x4C80, 0x4C81
needs_root = pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/dev/loop-control"),
                                reason="creating loop devices needs root and /dev/loop-control")


def wait_for(source: BlockEventSource, wanted: Callable[[BlockEvent], bool], timeout: float = 1.0) -> BlockEvent:
    """The first event matching ``wanted`` within ``timeout`` seconds, read the way the GUI reads
    them: wait for the descriptor to be readable, then drain."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([source.fileno()], [], [], left)
        for event in source.read_events() if readable else []:
            if wanted(event):
                return event
    raise AssertionError(f"no matching event within {timeout} s")


@contextlib.contextmanager
def new_loop_device() -> Iterator[str]:
    """A loop device made for this test (the kernel sends "add"), removed after it ("remove").

    A high number keeps ``losetup --find`` in parallel tests from taking it while it is free."""
    control = os.open("/dev/loop-control", os.O_RDWR | os.O_CLOEXEC)
    try:
        for _ in range(50):
            try:
                index = fcntl.ioctl(control, LOOP_CTL_ADD, random.randrange(200, 1000))
                break
            except FileExistsError:
                continue
        else:
            raise AssertionError("no free loop device number")
        try:
            yield f"loop{index}"
        finally:
            fcntl.ioctl(control, LOOP_CTL_REMOVE, index)
    finally:
        os.close(control)


@pytest.fixture
def kernel_source() -> Iterator[BlockEventSource]:
    with BlockEventSource() as source:
        yield source


@needs_root
def test_the_kernel_source_is_chosen_where_no_udevd_runs(tmp_path: Path) -> None:
    with BlockEventSource(udev_control=tmp_path / "no-udevd-here") as source:
        assert source.which == "kernel"


def test_udev_is_chosen_where_udevd_runs(tmp_path: Path) -> None:
    control = tmp_path / "control"  # udevd's control socket is how anything tells that it runs
    control.touch()
    with BlockEventSource(udev_control=control) as source:
        assert source.which == "udev"
        assert source.read_events() == []


@needs_root
def test_created_and_removed_loop_devices_arrive_as_add_and_remove_within_a_second(
    kernel_source: BlockEventSource,
) -> None:
    with new_loop_device() as name:
        added = wait_for(kernel_source, lambda e: e.devname == name)
        assert added == BlockEvent("add", name, f"/devices/virtual/block/{name}", "block", "disk")
    removed = wait_for(kernel_source, lambda e: e.devname == name)
    assert (removed.action, removed.devtype) == ("remove", "disk")


@needs_root
def test_attaching_and_detaching_a_backing_file_arrive_as_changes(kernel_source: BlockEventSource,
                                                                   tmp_path: Path) -> None:
    with loop_device(tmp_path / "disk.img", 8 * MiB) as path:
        name = os.path.basename(path)
        started = time.monotonic()
        attached = wait_for(kernel_source, lambda e: e.devname == name and e.action in ("add", "change"))
        assert attached.subsystem == "block"
    wait_for(kernel_source, lambda e: e.devname == name and e.action == "change")
    assert time.monotonic() - started < 2.0


@needs_root
def test_pyudev_reads_the_same_kernel_events(tmp_path: Path) -> None:
    with BlockEventSource.from_reader(UdevMonitorReader("kernel")) as source, new_loop_device() as name:
        event = wait_for(source, lambda e: e.devname == name)
        assert (event.action, event.subsystem, event.devtype) == ("add", "block", "disk")
        assert event.devpath == f"/devices/virtual/block/{name}"


def test_a_kernel_uevent_is_parsed() -> None:
    data = (b"change@/devices/virtual/block/loop1\0ACTION=change\0DEVPATH=/devices/virtual/block/loop1\0"
            b"SUBSYSTEM=block\0DISK_MEDIA_CHANGE=1\0MAJOR=7\0MINOR=1\0DEVNAME=loop1\0DEVTYPE=disk\0SEQNUM=6351\0")
    assert parse_uevent(data) == BlockEvent("change", "loop1", "/devices/virtual/block/loop1", "block", "disk")
    partition = b"add@/devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0/block/sdc/sdc1\0" \
                b"ACTION=add\0SUBSYSTEM=block\0DEVNAME=sdc1\0DEVTYPE=partition\0"
    event = parse_uevent(partition)
    assert event is not None
    assert (event.devname, event.devtype) == ("sdc1", "partition")


@pytest.mark.parametrize("garbage", [
    b"",
    b"\0\0\0",
    b"no at sign here\0SUBSYSTEM=block\0",
    b"add@relative/path\0SUBSYSTEM=block\0",
    b"add@/devices/x\0SUBSYSTEM=block\0no-equals-sign\0",
    b"add@/devices/x\0ACTION=remove\0SUBSYSTEM=block\0",            # header and body disagree
    b"add@/devices/x\0SUBSYSTEM=block\0DEVNAME=\xff\xfe\0",          # not UTF-8
    b"\xff@/devices/x\0SUBSYSTEM=block\0",                           # action not ASCII
    b"add@/devices/virtual/net/lo\0ACTION=add\0SUBSYSTEM=net\0",     # not a block device
    b"libudev\0\xfe\xed\xca\xfe" + bytes(32),                         # udevd's binary format
    bytes(random.Random(7).randrange(256) for _ in range(300)),
], ids=lambda g: repr(g[:16]))
def test_garbage_is_not_an_event(garbage: bytes) -> None:
    assert parse_uevent(garbage) is None


@needs_root
def test_garbage_datagrams_are_skipped_and_real_events_still_arrive(caplog: pytest.LogCaptureFixture) -> None:
    reader = KernelUeventReader()
    with BlockEventSource.from_reader(reader) as source:
        port = reader._sock.getsockname()[0]
        sender = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
        try:
            # Sent straight to this socket (not the multicast group), so no other listener sees it.
            for garbage in (b"\xff" * 64, b"add@/devices/virtual/block/loop9\0SUBSYSTEM=block\0DEVNAME=loop9\0"):
                sender.sendto(garbage, (port, 0))
        finally:
            sender.close()
        with caplog.at_level(logging.DEBUG, logger="drivers.block.hotplug"):
            assert source.read_events() == []  # a forged "add" from user space is not the kernel's
        assert any("from user space" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)
        with new_loop_device() as name:
            assert wait_for(source, lambda e: e.devname == name).action == "add"


def test_closing_twice_is_harmless_and_a_closed_source_reads_nothing() -> None:
    source = BlockEventSource()
    assert source.fileno() >= 0
    source.close()
    source.close()
    assert source.closed
    assert source.read_events() == []
    with pytest.raises(ValueError, match="closed"):
        source.fileno()
