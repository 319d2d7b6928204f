"""The erase interlock: reasons a device must not be touched.

A drive is erased only when the bench can show it is not part of the running system and sits in
a known bay. Each check reads the kernel's own view (mountinfo, swaps, sysfs holders, the root
filesystem's device number), so a careless click cannot erase the bench's own disk. The caller
decides what an override needs (a supervisor and a reason); this module only says what is wrong.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from drivers.block.devices import BlockDevice

# The only refusal a supervisor may lift (with a recorded reason): a drive that is plainly a drive and
# not in use, sitting in a port the bay map does not name yet (a spare dock, a replaced cable). The
# others describe a device the running system is using, or one that cannot be written at all; no
# reason makes erasing those safe, and a loop device stays a test-only flag.
SUPERVISOR_OVERRIDABLE = frozenset({"not_in_bay_map"})

# Mount points whose device is the running system: erasing any of them destroys the bench itself.
_SYSTEM_MOUNTS = frozenset({"/", "/boot", "/boot/efi", "/usr", "/var", "/home"})


@dataclass(frozen=True)
class Refusal:
    """One reason not to touch a device, in words for the operator, with what to do.

    ``text`` and ``hint`` are English; ``template``, ``hint_template`` and ``values`` let a screen
    show them in its own language (the templates are marked for Qt's lupdate below).
    """

    code: str      # mounted, system, swap, stacked, not_in_bay_map, loop, read_only, empty
    text: str
    hint: str
    template: str = ""
    hint_template: str = ""
    values: Mapping[str, str] = field(default_factory=dict)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name Qt's lupdate looks for
    """Marks a text for translation without importing Qt or app (drivers import neither)."""
    return text


def _refusal(code: str, template: str, hint_template: str, **values: str) -> Refusal:
    return Refusal(code, template.format(**values), hint_template.format(**values), template, hint_template, values)


@dataclass(frozen=True)
class Mount:
    devno: str
    mount_point: str
    source: str


def read_mounts(mountinfo: str = "/proc/self/mountinfo") -> list[Mount]:
    """Mounts with the device number of what is mounted (field 3 of mountinfo)."""
    mounts: list[Mount] = []
    try:
        text = Path(mountinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return mounts
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 10 or "-" not in fields:
            continue
        source = fields[fields.index("-") + 2]
        # mountinfo escapes spaces in paths as \040
        mounts.append(Mount(fields[2], fields[4].replace("\\040", " "), source))
    return mounts


def read_swaps(swaps: str = "/proc/swaps") -> list[str]:
    """Device numbers of active swap devices (swap files live on a mounted filesystem anyway)."""
    found: list[str] = []
    try:
        lines = Path(swaps).read_text(encoding="utf-8").splitlines()[1:]
    except OSError:
        return found
    for line in lines:
        name = line.split()[0] if line.split() else ""
        try:
            st = os.stat(name)
        except OSError:
            continue
        if os.path.isabs(name) and _is_block(st.st_mode):
            found.append(f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}")
    return found


def _is_block(mode: int) -> bool:
    return stat.S_ISBLK(mode)


def root_devno() -> str:
    """The device number the root filesystem lives on."""
    st = os.stat("/")
    return f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}"


def refusals(
    device: BlockDevice,
    *,
    bay_map: Mapping[str, int],
    allow_loop: bool = False,
    mounts: Iterable[Mount] | None = None,
    swap_devnos: Iterable[str] | None = None,
    system_devno: str | None = None,
) -> list[Refusal]:
    """Every reason to refuse ``device``; an empty list means it may be erased."""
    mounts = list(read_mounts() if mounts is None else mounts)
    swap_devnos = set(read_swaps() if swap_devnos is None else swap_devnos)
    system_devno = root_devno() if system_devno is None else system_devno
    own = {device.devno, *device.partition_devnos}
    found: list[Refusal] = []

    system = [m for m in mounts if m.devno in own and m.mount_point in _SYSTEM_MOUNTS]
    if system or system_devno in own:
        where = ", ".join(sorted({m.mount_point for m in system})) or "/"
        found.append(_refusal(
            "system", QT_TRANSLATE_NOOP("Refusal", "{path} holds this bench's own system ({where})"),
            QT_TRANSLATE_NOOP("Refusal", "This is the bench PC's disk. Erase drives only in the bench's bays"),
            path=device.path, where=where))
    mounted = [m for m in mounts if m.devno in own and m.mount_point not in _SYSTEM_MOUNTS]
    if mounted:
        points = ", ".join(sorted({m.mount_point for m in mounted})[:3])
        found.append(_refusal(
            "mounted", QT_TRANSLATE_NOOP("Refusal", "{path} is mounted at {points}"),
            QT_TRANSLATE_NOOP("Refusal", "Unmount it first (or unplug and replug it if the desktop mounted it)"),
            path=device.path, points=points))
    if own & swap_devnos:
        found.append(_refusal("swap", QT_TRANSLATE_NOOP("Refusal", "{path} is in use as swap"),
                              QT_TRANSLATE_NOOP("Refusal", "Turn the swap off (swapoff) first"), path=device.path))
    if device.holders:
        found.append(_refusal(
            "stacked",
            QT_TRANSLATE_NOOP("Refusal", "{path} is part of an active LVM/RAID/dm stack (held by {holders})"),
            QT_TRANSLATE_NOOP("Refusal", "Deactivate the volume group or array that uses it first"),
            path=device.path, holders=", ".join(device.holders)))
    if device.is_loop and not allow_loop:
        found.append(_refusal("loop", QT_TRANSLATE_NOOP("Refusal", "{path} is a loop device (a file, not a drive)"),
                              QT_TRANSLATE_NOOP("Refusal", "Loop devices are erased only in tests, with --allow-loop"),
                              path=device.path))
    if device.bay_key not in bay_map:
        found.append(_refusal(
            "not_in_bay_map", QT_TRANSLATE_NOOP("Refusal", "{path} is not in a bay of this bench"),
            QT_TRANSLATE_NOOP("Refusal", "Assign its port ({port}) to a bay in the bay map, then try again"),
            path=device.path, port=device.bay_key))
    if device.read_only:
        found.append(_refusal("read_only", QT_TRANSLATE_NOOP("Refusal", "{path} is read-only"),
                              QT_TRANSLATE_NOOP("Refusal", "Check the drive's write-protect switch or the dock"),
                              path=device.path))
    if device.size_bytes == 0:
        found.append(_refusal("empty", QT_TRANSLATE_NOOP("Refusal", "{path} has no media (size 0)"),
                              QT_TRANSLATE_NOOP("Refusal", "Insert the drive or card"), path=device.path))
    return found
