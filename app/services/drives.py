"""Drives on the bench: which block devices sit in which bay, and whether each may be erased."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core import events as ev
from app.core.errors import OperatorError
from app.core.models import Operator
from app.store import queries
from app.store.store import Store
from drivers.block.devices import BlockDevice, list_block_devices
from drivers.block.safety import Refusal, refusals


@dataclass(frozen=True)
class BayDrive:
    """A block device as the bench sees it: its bay (if mapped) and every reason not to erase it."""

    device: BlockDevice
    bay: int | None
    refusals: tuple[Refusal, ...]

    @property
    def erasable(self) -> bool:
        return not self.refusals

    def to_json(self) -> dict[str, Any]:
        d = self.device
        return {
            "bay": self.bay, "path": d.path, "name": d.name, "bay_key": d.bay_key, "transport": d.transport,
            "model": d.model, "serial": d.serial, "wwn": d.wwn, "size_bytes": d.size_bytes,
            "logical_sector": d.logical_sector, "physical_sector": d.physical_sector,
            "rotational": d.rotational, "removable": d.removable,
            "erasable": self.erasable,
            "refusals": [{"code": r.code, "text": r.text, "hint": r.hint} for r in self.refusals],
        }


class DriveService:
    """The bay map (recorded as events) and the interlock over what the kernel reports."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def assign_bay(self, bay: int, bay_key: str, label: str = "", *, by: Operator | None = None) -> None:
        if not 1 <= bay <= 64:
            raise OperatorError(f"Bay {bay} is out of range", hint="Bays are numbered 1 to 64")
        bay_key = bay_key.strip()
        if not bay_key:
            raise OperatorError("The bay needs a port key", hint="Copy it from 'refurb-bench drive list'")
        body: dict[str, Any] = {"bay": bay, "bay_key": bay_key}
        if label:
            body["label"] = label
        self.store.record(ev.BAY_ASSIGNED, body, operator_id=by.operator_id if by else None)

    def clear_bay(self, bay: int, *, by: Operator | None = None) -> None:
        if bay not in queries.bay_map(self.store.db).values():
            raise OperatorError(f"Bay {bay} is not assigned", hint="See 'refurb-bench bays list'")
        self.store.record(ev.BAY_CLEARED, {"bay": bay}, operator_id=by.operator_id if by else None)

    def drives(self, *, allow_loop: bool = False) -> list[BayDrive]:
        """Every whole disk the kernel has, with its bay and interlock verdict."""
        mapping = queries.bay_map(self.store.db)
        return [
            BayDrive(d, mapping.get(d.bay_key), tuple(refusals(d, bay_map=mapping, allow_loop=allow_loop)))
            for d in list_block_devices()
        ]
