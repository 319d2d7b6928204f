"""What block devices the kernel has, read from sysfs: identity, geometry, stacking, bay key.

sysfs is the source of truth because it is always there (udev may not run: containers, rescue
systems); udev's database adds names such as by-path links where it exists, but nothing here
depends on it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

_HIDDEN = re.compile(r"^(ram|zram|sr|fd|md|dm-)\d+$")  # RAM disks, optical, floppy, stacked devices


@dataclass(frozen=True)
class BlockDevice:
    """One whole-disk block device as the kernel describes it."""

    name: str                 # "sda", "nvme0n1", "loop3"
    path: str                 # "/dev/sda"
    devno: str                # "8:0"
    size_bytes: int
    logical_sector: int
    physical_sector: int
    rotational: bool | None   # None when the kernel does not say
    removable: bool
    read_only: bool
    transport: str            # nvme, sata, sas, scsi, usb, virtio, mmc, loop, or ""
    model: str
    serial: str
    wwn: str
    bay_key: str              # stable across reboots and re-plugs of the same port
    partitions: tuple[str, ...]
    partition_devnos: tuple[str, ...]
    holders: tuple[str, ...]  # devices stacked on this one or its partitions (dm, md)
    loop_backing: str = ""

    @property
    def is_loop(self) -> bool:
        return self.transport == "loop"


def _read(path: Path, default: str = "") -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return default


def _int(path: Path, default: int = 0) -> int:
    text = _read(path)
    return int(text) if text.isdigit() else default


def _transport(sys_dev: Path, device_link: str, name: str) -> str:
    if name.startswith("loop"):
        return "loop"
    if name.startswith("nvme"):
        return "nvme"
    if name.startswith("mmcblk"):
        return "mmc"
    if "/usb" in device_link:
        return "usb"
    if "/virtio" in device_link:
        return "virtio"
    if "/ata" in device_link:
        return "sata"
    if "/host" in device_link and (sys_dev / "device" / "sas_address").exists():
        return "sas"
    if "/host" in device_link:
        return "scsi"
    return ""


def bay_key_for(sys_dev: Path) -> str:
    """The physical place a disk hangs from: its sysfs device path without the /block/<name> tail.

    This is what udev's by-path names are made from (PCI slot, ATA/SAS port, USB port), so a bay
    keeps its key when a different drive is plugged into it, and a drive moved to another bay gets
    that bay's key. Virtual devices (loop) are keyed by name, as they have no port.
    """
    real = os.path.realpath(sys_dev)
    device_part = real.rsplit("/block/", 1)[0]
    return device_part.removeprefix("/sys/devices/")


def _partitions(sys_dev: Path, name: str) -> list[Path]:
    return sorted(p for p in sys_dev.iterdir() if p.name.startswith(name) and (p / "partition").exists())


def _holders(paths: list[Path]) -> tuple[str, ...]:
    found: list[str] = []
    for p in paths:
        holders = p / "holders"
        if holders.is_dir():
            found.extend(sorted(h.name for h in holders.iterdir()))
    return tuple(found)


def read_device(name: str, *, sys_root: str = "/sys", dev_root: str = "/dev") -> BlockDevice | None:
    """One device by kernel name, or None when it is gone (unplugged between listing and reading)."""
    sys_dev = Path(sys_root) / "class" / "block" / name
    if not (sys_dev / "dev").exists() or (sys_dev / "partition").exists():
        return None
    device_link = os.path.realpath(sys_dev)
    queue = sys_dev / "queue"
    rotational_text = _read(queue / "rotational")
    parts = _partitions(sys_dev, name)
    info = sys_dev / "device"
    wwn = _read(info / "wwid") or _read(sys_dev / "wwid") or _read(info / "wwn")
    transport = _transport(sys_dev, device_link, name)
    return BlockDevice(
        name=name,
        path=str(Path(dev_root) / name),
        devno=_read(sys_dev / "dev"),
        size_bytes=_int(sys_dev / "size") * 512,  # sysfs counts 512-byte units whatever the sector size
        logical_sector=_int(queue / "logical_block_size", 512),
        physical_sector=_int(queue / "physical_block_size", 512),
        rotational=None if rotational_text not in ("0", "1") else rotational_text == "1",
        removable=_read(sys_dev / "removable") == "1",
        read_only=_read(sys_dev / "ro") == "1",
        transport=transport,
        model=_read(info / "model"),
        serial=_read(info / "serial") or _read(sys_dev / "serial"),
        wwn=wwn,
        bay_key=f"virtual/{name}" if transport == "loop" else bay_key_for(sys_dev),
        partitions=tuple(p.name for p in parts),
        partition_devnos=tuple(_read(p / "dev") for p in parts),
        holders=_holders([sys_dev, *parts]),
        loop_backing=_read(sys_dev / "loop" / "backing_file"),
    )


def list_block_devices(
    *, sys_root: str = "/sys", dev_root: str = "/dev", include_empty: bool = False
) -> list[BlockDevice]:
    """Whole disks the bench could work on: no partitions, RAM disks, optical drives or dm/md
    devices, and (unless asked) no zero-size devices such as unattached loop devices."""
    root = Path(sys_root) / "class" / "block"
    found: list[BlockDevice] = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if _HIDDEN.match(entry.name):
            continue
        device = read_device(entry.name, sys_root=sys_root, dev_root=dev_root)
        if device is not None and (include_empty or device.size_bytes > 0):
            found.append(device)
    return found
