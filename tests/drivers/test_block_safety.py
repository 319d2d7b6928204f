"""The erase interlock on real block devices: loop devices attached, formatted, mounted, swapped."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from drivers.block.devices import BlockDevice, list_block_devices, read_device
from drivers.block.safety import Mount, Refusal, read_mounts, refusals, root_devno
from tests.drivers.loop_devices import loop_device

MIB = 1024 * 1024


def _codes(found: list[Refusal]) -> set[str]:
    return {r.code for r in found}


def _device(path: str) -> BlockDevice:
    # The kernel fills in partitions a moment after the attach; read until they show.
    for _ in range(50):
        device = read_device(os.path.basename(path))
        if device is not None:
            return device
        time.sleep(0.02)
    raise AssertionError(f"{path} never appeared in sysfs")


def test_an_attached_loop_device_is_listed_with_its_geometry(tmp_path: Path) -> None:
    with loop_device(tmp_path / "disk.img", 48 * MIB) as path:
        listed = {d.path: d for d in list_block_devices()}
        assert path in listed
        device = listed[path]
        assert device.size_bytes == 48 * MIB
        assert device.transport == "loop"
        assert device.is_loop
        assert device.bay_key == f"virtual/{os.path.basename(path)}"
        assert device.loop_backing.endswith("disk.img")
        assert device.logical_sector in (512, 4096)
    assert path not in {d.path for d in list_block_devices()}


def test_a_loop_device_needs_the_test_flag_and_a_bay(tmp_path: Path) -> None:
    with loop_device(tmp_path / "disk.img", 16 * MIB) as path:
        device = _device(path)
        assert _codes(refusals(device, bay_map={})) == {"loop", "not_in_bay_map"}
        assert _codes(refusals(device, bay_map={device.bay_key: 1})) == {"loop"}
        assert refusals(device, bay_map={device.bay_key: 1}, allow_loop=True) == []


def test_the_bench_own_system_disk_is_always_refused() -> None:
    system = [d for d in list_block_devices() if d.devno == root_devno()]
    if not system:
        pytest.fail(f"no listed block device carries the root filesystem ({root_devno()})")
    found = refusals(system[0], bay_map={system[0].bay_key: 1}, allow_loop=True)
    assert "system" in _codes(found)
    assert all(r.hint for r in found)


def test_a_mounted_device_is_refused_until_unmounted(tmp_path: Path) -> None:
    with loop_device(tmp_path / "disk.img", 32 * MIB) as path:
        subprocess.run(["mkfs.ext4", "-q", "-F", path], check=True)
        target = tmp_path / "mnt"
        target.mkdir()
        subprocess.run(["mount", path, str(target)], check=True)
        try:
            device = _device(path)
            found = refusals(device, bay_map={device.bay_key: 1}, allow_loop=True)
            assert _codes(found) == {"mounted"}
            assert str(target) in found[0].text
        finally:
            subprocess.run(["umount", str(target)], check=True)
        assert refusals(_device(path), bay_map={device.bay_key: 1}, allow_loop=True) == []


def test_a_mounted_partition_makes_its_disk_refused() -> None:
    # This kernel does not scan partition tables on loop devices, so the disk is described as sysfs
    # shows a partitioned drive, and the mount as mountinfo shows it.
    device = BlockDevice(
        name="sdy", path="/dev/sdy", devno="65:128", size_bytes=10**11, logical_sector=512, physical_sector=512,
        rotational=False, removable=True, read_only=False, transport="usb", model="Flash", serial="123", wwn="",
        bay_key="pci0000:00/usb1/1-2", partitions=("sdy1", "sdy2"), partition_devnos=("65:129", "65:130"),
        holders=(),
    )
    mounts = [Mount("65:130", "/media/tech/STICK", "/dev/sdy2"), Mount("254:0", "/", "/dev/vda")]
    found = refusals(device, bay_map={device.bay_key: 2}, mounts=mounts, swap_devnos=[], system_devno="254:0")
    assert _codes(found) == {"mounted"}
    assert "/media/tech/STICK" in found[0].text


def test_an_active_swap_device_is_refused(tmp_path: Path) -> None:
    with loop_device(tmp_path / "swap.img", 32 * MIB) as path:
        subprocess.run(["mkswap", "-q", path], check=True, capture_output=True)
        subprocess.run(["swapon", path], check=True)
        try:
            device = _device(path)
            assert _codes(refusals(device, bay_map={device.bay_key: 1}, allow_loop=True)) == {"swap"}
        finally:
            subprocess.run(["swapoff", path], check=True)


def test_a_stacked_device_is_refused() -> None:
    # device-mapper is not available in this kernel, so the holder list is given as sysfs would show it
    device = BlockDevice(
        name="sdz", path="/dev/sdz", devno="65:144", size_bytes=10**12, logical_sector=512, physical_sector=4096,
        rotational=True, removable=False, read_only=False, transport="sata", model="X", serial="Y", wwn="",
        bay_key="pci0000:00/ata3", partitions=("sdz1",), partition_devnos=("65:145",), holders=("dm-0",),
    )
    found = refusals(device, bay_map={"pci0000:00/ata3": 3}, mounts=[], swap_devnos=[], system_devno="254:0")
    assert _codes(found) == {"stacked"}
    assert "dm-0" in found[0].text


def test_mountinfo_parsing_reads_device_numbers_and_escaped_paths(tmp_path: Path) -> None:
    info = tmp_path / "mountinfo"
    info.write_text(
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
        "90 27 7:3 / /media/usb\\040stick rw - vfat /dev/loop3 rw\n"
        "garbage line\n"
    )
    mounts = read_mounts(str(info))
    assert [(m.devno, m.mount_point) for m in mounts] == [("254:0", "/"), ("7:3", "/media/usb stick")]
    assert read_mounts(str(tmp_path / "missing")) == []
