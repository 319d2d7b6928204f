"""Drives on the bench: which block devices sit in which bay, whether each may be erased, and what
its firmware can do.

Where drives come from is a ``DeviceSource``: the kernel's block devices on a real bench, or
simulated drives (image files answering the firmware tools through drivers/sim/firmware.py) on a
``--simulate`` bench. Everything else (interlock, method choice, erasure) is the same for both.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from app.core import events as ev
from app.core.erase_methods import METHODS, MethodChoice, choose_method, media_for
from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.models import Operator
from app.store import queries
from app.store.store import Store
from drivers.block.devices import BlockDevice, list_block_devices, read_device
from drivers.block.firmware.hidden_areas import detect_hidden_areas
from drivers.block.firmware.probe import Capabilities, probe, unknown
from drivers.block.firmware.runner import FirmwareError, Runner, ToolMissing, run
from drivers.block.safety import SUPERVISOR_OVERRIDABLE, Refusal, refusals
from drivers.sim.firmware import SimulatedDrive, SimulatedDriveBay

log = logging.getLogger("app.drives")

NOT_PROBED = "not probed"
# What a loop device may pose as in tests (KernelDevices.loop_as): the transport and whether it spins.
LOOP_POSES = {"nvme": ("nvme", False), "sata-ssd": ("sata", False), "sata-hdd": ("sata", True),
              "sas": ("sas", True)}


class DeviceSource(Protocol):
    """Where the bench's drives come from and how their firmware tools are reached."""

    simulated: bool
    poll_interval_s: float             # how often a firmware sanitize is asked for its progress
    firmware_timeout_s: float | None   # None: the firmware job's own default (hours)

    def devices(self) -> list[BlockDevice]: ...

    def find(self, path: str) -> BlockDevice | None: ...

    def runner(self, device: BlockDevice) -> Runner: ...

    def spec(self) -> dict[str, Any]:
        """Plain data from which ``device_source_from`` makes the same source in another process."""
        ...


class KernelDevices:
    """The kernel's whole-disk block devices, their firmware reached through the real tools.

    ``loop_as`` is for tests only, with loop devices allowed: loop devices then present themselves
    as drives of that kind (LOOP_POSES), so the firmware path runs end to end on
    them against stand-in tools. They keep their loop bay keys, so the bay map must still name them.
    """

    simulated = False
    poll_interval_s = 5.0
    firmware_timeout_s: float | None = None

    def __init__(self, *, loop_as: str = "", poll_interval_s: float = 5.0) -> None:
        self.loop_as, self.poll_interval_s = loop_as, poll_interval_s

    def _posing(self, device: BlockDevice | None) -> BlockDevice | None:
        if device is None or not self.loop_as or not device.is_loop:
            return device
        transport, rotational = LOOP_POSES[self.loop_as]
        return replace(device, transport=transport, rotational=rotational)

    def devices(self) -> list[BlockDevice]:
        return [d for d in map(self._posing, list_block_devices()) if d is not None]

    def find(self, path: str) -> BlockDevice | None:
        real = os.path.realpath(path)
        return self._posing(read_device(os.path.basename(real))) if real.startswith("/dev/") else None

    def runner(self, device: BlockDevice) -> Runner:
        return run

    def spec(self) -> dict[str, Any]:
        return {"kind": "kernel", "loop_as": self.loop_as, "poll_interval_s": self.poll_interval_s}


class SimulatedDevices:
    """The drives of a simulated bench: image files under ``folder``, one per bay."""

    simulated = True
    poll_interval_s = 0.3
    firmware_timeout_s: float | None = 20.0  # a simulated sanitize that never finishes gives up quickly

    def __init__(self, folder: Path, drives: tuple[SimulatedDrive, ...]) -> None:
        self.folder, self.drives = folder, drives
        self.bay = SimulatedDriveBay(folder, drives)
        self.bay.create_images()

    def spec(self) -> dict[str, Any]:
        return {"kind": "simulated", "folder": str(self.folder),
                "drives": [[d.bay, d.scenario, d.size_bytes] for d in self.drives]}

    def devices(self) -> list[BlockDevice]:
        found = []
        for path, drive, spec in self.bay.specs():
            if not os.path.exists(path):
                continue
            found.append(BlockDevice(
                name=f"sim{drive.bay}", path=path, devno=f"sim:{drive.bay}", size_bytes=os.path.getsize(path),
                logical_sector=512, physical_sector=512, rotational=spec.rotational, removable=False,
                read_only=False, transport=self.bay.transport(spec), model=spec.model, serial=spec.serial,
                wwn="", bay_key=self.bay.bay_key(drive), partitions=(), partition_devnos=(), holders=()))
        return found

    def find(self, path: str) -> BlockDevice | None:
        return next((d for d in self.devices() if d.path == path), None)

    def runner(self, device: BlockDevice) -> Runner:
        return self.bay.runner_for(device.path)

    def bay_keys(self) -> dict[int, str]:
        return {drive.bay: self.bay.bay_key(drive) for _, drive, _ in self.bay.specs()}


def device_source_from(spec: dict[str, Any]) -> DeviceSource:
    """The device source ``spec`` (from ``DeviceSource.spec``) describes."""
    if spec.get("kind") == "simulated":
        drives = tuple(SimulatedDrive(int(bay), str(name), int(size)) for bay, name, size in spec["drives"])
        return SimulatedDevices(Path(spec["folder"]), drives)
    return KernelDevices(loop_as=str(spec.get("loop_as", "")), poll_interval_s=float(spec.get("poll_interval_s", 5.0)))


@dataclass(frozen=True)
class BayDrive:
    """A block device as the bench sees it: its bay (if mapped) and every reason not to erase it."""

    device: BlockDevice
    bay: int | None
    refusals: tuple[Refusal, ...]

    @property
    def erasable(self) -> bool:
        return not self.refusals

    @property
    def overridable(self) -> bool:
        """Refused only for reasons a supervisor may lift with a recorded reason."""
        return bool(self.refusals) and all(r.code in SUPERVISOR_OVERRIDABLE for r in self.refusals)

    @property
    def media(self) -> str:
        d = self.device
        return media_for(d.rotational, d.transport, removable=d.removable)

    def to_json(self) -> dict[str, Any]:
        d = self.device
        return {
            "bay": self.bay, "path": d.path, "name": d.name, "bay_key": d.bay_key, "transport": d.transport,
            "model": d.model, "serial": d.serial, "wwn": d.wwn, "size_bytes": d.size_bytes,
            "logical_sector": d.logical_sector, "physical_sector": d.physical_sector,
            "rotational": d.rotational, "removable": d.removable, "media": self.media,
            "erasable": self.erasable,
            "refusals": [{"code": r.code, "text": r.text, "hint": r.hint} for r in self.refusals],
        }


@dataclass(frozen=True)
class DriveFirmware:
    """What a drive's firmware said it can do and the method the rules pick (crosses threads)."""

    device_path: str
    media: str
    capabilities: Capabilities
    choice: MethodChoice
    detail: str = ""  # why the firmware is unknown, when it is (a missing tool, a bridge)
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        c = self.choice
        return {"media": self.media, "recommended_method": c.recommended, "recommended_category": c.category,
                "alternatives": [{"method": m, "category": METHODS[m].category_for(self.media)}
                                 for m in c.alternatives],
                "blocked": [{"method": m, "reason": why} for m, why in c.blocked], "reason": c.reason,
                "hint": c.hint, "firmware_known": self.capabilities.known, "firmware_detail": self.detail}


def tool_missing_error(exc: ToolMissing) -> OperatorError:
    """A firmware tool that is not installed, as the operator should hear it."""
    if not exc.package:
        return OperatorError(str(exc), hint=f"Install {exc.tool or 'the tool'} on this bench")
    return OperatorError(f"{exc.tool} is not installed on this bench",
                         hint=f"Install the Debian package {exc.package} (apt-get install {exc.package})")


def probe_firmware(device: BlockDevice, runner: Runner, *, missing_tool_is_error: bool = False) -> DriveFirmware:
    """Ask the drive what it can do and let the rules choose; never raises for what the drive does.
    A missing tool leaves the firmware unknown (only overwrite offered), or with
    ``missing_tool_is_error`` raises OperatorError naming the package. Blocking: call it from a job."""
    media = media_for(device.rotational, device.transport, removable=device.removable)
    if device.is_loop:
        caps = Capabilities(transport="none", known=True, detail="a loop device has no firmware erase commands")
        return DriveFirmware(device.path, media, caps, choose_method(media, device.transport, caps.to_mapping()))
    detail = ""
    try:
        caps = probe(device.path, device.transport, runner=runner).capabilities
        detail = "" if caps.known else caps.detail
    except ToolMissing as exc:
        if missing_tool_is_error:
            raise tool_missing_error(exc) from exc
        caps, detail = unknown(device.transport, str(exc)), str(exc)
    except FirmwareError as exc:
        caps, detail = unknown(device.transport, str(exc)), str(exc)
    choice = choose_method(media, device.transport, caps.to_mapping())
    if detail and not choice.hint:
        choice = MethodChoice(choice.recommended, choice.category, choice.alternatives,
                              f"{choice.reason} ({detail})", caps.hint, choice.blocked)
    return DriveFirmware(device.path, media, caps, choice, detail)


def methods_json(drive: BayDrive, source: DeviceSource) -> dict[str, Any]:
    """The methods part of ``drive list --json``: probed where the bench may erase the drive (a
    device it must never touch, such as its own disk, is not asked anything)."""
    if drive.erasable or drive.overridable:
        return probe_firmware(drive.device, source.runner(drive.device)).to_json()
    d = drive.device
    caps = unknown(d.transport, "not probed: the bench may not erase this device")
    return DriveFirmware(d.path, drive.media, caps, choose_method(drive.media, d.transport, None),
                         caps.detail).to_json()


def not_probed(reason: str, device: BlockDevice) -> dict[str, Any]:
    sectors = device.size_bytes // device.logical_sector if device.logical_sector else None
    return {"hpa": NOT_PROBED, "dco": NOT_PROBED, "visible_sectors": sectors, "native_sectors": None,
            "dco_max_sectors": None, "detail": reason}


def hidden_areas_probe(runner_for: Callable[[BlockDevice], Runner]) -> Callable[[BlockDevice], dict[str, Any]]:
    """The HPA/DCO probe of the erase service: ``hdparm -N`` / ``--dco-identify`` on ATA drives;
    a loop device or a bench without hdparm answers "not probed" with the reason, never an exception."""

    def detect(device: BlockDevice) -> dict[str, Any]:
        if device.is_loop:
            return not_probed("a loop device (a file) has no HPA or DCO", device)
        runner = runner_for(device)
        try:
            # Identify first: a drive without the HPA or DCO feature set is "not supported", not "unknown".
            identify = probe(device.path, device.transport, runner=runner).capabilities
            ata = identify if identify.transport == "ata" and identify.known else None
            return detect_hidden_areas(device.path, device.transport, identify=ata, runner=runner).to_json()
        except ToolMissing as exc:
            return not_probed(f"not probed: {exc}", device)
        except FirmwareError as exc:
            return not_probed(f"not probed: {exc}", device)

    return detect


class DriveService:
    """The bay map (recorded as events) and the interlock over what the device source reports."""

    def __init__(self, store: Store, source: DeviceSource | None = None) -> None:
        self.store = store
        self.source: DeviceSource = source or KernelDevices()

    def assign_bay(self, bay: int, bay_key: str, label: str = "", *, by: Operator | None = None) -> None:
        if not 1 <= bay <= 64:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Bay {bay} is out of range"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Bays are numbered 1 to 64"),
                values={"bay": bay},
            )
        bay_key = bay_key.strip()
        if not bay_key:
            raise OperatorError(QT_TRANSLATE_NOOP("OperatorError", "The bay needs a port key"),
                                hint=QT_TRANSLATE_NOOP("OperatorError", "Copy it from 'refurb-bench drive list'"))
        body: dict[str, Any] = {"bay": bay, "bay_key": bay_key}
        if label:
            body["label"] = label
        self.store.record(ev.BAY_ASSIGNED, body, operator_id=by.operator_id if by else None)

    def clear_bay(self, bay: int, *, by: Operator | None = None) -> None:
        if bay not in queries.bay_map(self.store.db).values():
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Bay {bay} is not assigned"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "See 'refurb-bench bays list'"),
                values={"bay": bay},
            )
        self.store.record(ev.BAY_CLEARED, {"bay": bay}, operator_id=by.operator_id if by else None)

    def drives(self, *, allow_loop: bool = False) -> list[BayDrive]:
        """Every whole disk the source has, with its bay and interlock verdict."""
        return self.drives_in(queries.bay_map(self.store.db), allow_loop=allow_loop)

    def bay_map(self) -> dict[str, int]:
        return queries.bay_map(self.store.db)

    def drives_in(self, mapping: Mapping[str, int], *, allow_loop: bool = False) -> list[BayDrive]:
        """As ``drives`` with the bay map read beforehand: it touches no database, so a job's thread
        may do the slow part (the kernel's devices and the interlock's checks) off the GUI thread."""
        return [
            BayDrive(d, mapping.get(d.bay_key), tuple(refusals(d, bay_map=mapping, allow_loop=allow_loop)))
            for d in self.source.devices()
        ]
