"""Who a rig says it is, as read on connect; shown on its bay and stored with every result."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class RigProtocol(enum.StrEnum):
    """The line protocols a rig may speak; a plan names one per rig role."""

    SCPI = "scpi"
    AT = "at"
    LINE = "line"


@dataclass(frozen=True)
class RigIdentity:
    """Manufacturer, model, serial number and firmware as the rig reported them (empty when it did not).

    ``raw`` keeps the answer(s) verbatim, because vendors disagree on what goes in which field.
    """

    protocol: RigProtocol
    manufacturer: str
    model: str
    serial: str
    firmware: str
    raw: str

    def summary(self) -> str:
        parts = [p for p in (self.manufacturer, self.model) if p]
        # A console that only printed a line is known by that line.
        text = " ".join(parts) or (repr(self.raw[:48]) if self.raw else "unknown rig")
        if self.firmware:
            text += f", firmware {self.firmware}"
        return text
