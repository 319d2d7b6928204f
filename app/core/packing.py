"""Packing rules: which unit may go into which box, and what a closed box's package must show.

A box is for one route (and, for resale, one channel) and one transport mode. Only a unit that is
labelled, routed the box's way and not in another box goes in; a unit whose battery is swollen,
damaged or leaking never goes into an air-shipment box (IATA forbids damaged lithium batteries by
air, domain.md 8.3). A box holding units shipped with their lithium batteries carries the lithium
battery mark with the UN number (UN3481, or UN3091 for lithium metal), and a ground box with a
damaged battery in it says so (ADR/IMDG special provision 376, P908).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.errors import OperatorError
from app.core.lifecycle import UnitState

ROUTE_WORDS = {"resale": "resale", "repair": "repair", "parts_harvest": "parts harvest", "recycle": "recycle"}


class PackRefused(OperatorError):
    """The unit may not go into this box; the message says why and the hint what to do."""


@dataclass(frozen=True)
class BoxSpec:
    box_id: str
    route: str
    channel: str
    ship_mode: str  # air, road, sea
    is_open: bool


@dataclass(frozen=True)
class UnitForBox:
    """What the rules need to know about one unit."""

    unit_id: str
    label: str
    state: UnitState
    route: str | None
    channel: str
    un_number: str
    air_forbidden: str
    labelled: bool
    in_box: str | None


def check_pack(box: BoxSpec, unit: UnitForBox) -> None:
    """Raise :class:`PackRefused` with the reason when ``unit`` may not go into ``box``."""
    if not box.is_open:
        raise PackRefused(f"Box {box.box_id} is closed", hint="Create a new box for more units")
    if unit.in_box == box.box_id:
        raise PackRefused(f"{unit.label} is already in box {box.box_id}", hint="Scan the next unit")
    if unit.in_box:
        raise PackRefused(f"{unit.label} is already packed in box {unit.in_box}",
                          hint="Take it out of that box first if it belongs here")
    if unit.route is None:
        raise PackRefused(f"{unit.label} has no route yet", hint="Grade it first (F10)")
    if unit.route != box.route or (box.channel and unit.channel != box.channel):
        theirs = ROUTE_WORDS[unit.route] + (f" on {unit.channel}" if unit.channel and unit.route == "resale" else "")
        ours = ROUTE_WORDS[box.route] + (f" on {box.channel}" if box.channel else "")
        raise PackRefused(f"{unit.label} is routed to {theirs}; box {box.box_id} is for {ours}",
                          hint="Put it in a box for its own route")
    if not unit.labelled or unit.state is not UnitState.LABELLED:
        raise PackRefused(f"{unit.label} has no printed label ({unit.state})",
                          hint="Print its label first (F11 tab: R reprints, or print from the Grade tab)")
    if box.ship_mode == "air" and unit.air_forbidden:
        raise PackRefused(f"{unit.label} cannot go into air box {box.box_id}: {unit.air_forbidden}",
                          hint="Pack it in a road or sea box as a damaged battery (SP 376, packing instruction P908)")


@dataclass(frozen=True)
class BoxMarks:
    un_number: str
    marks: tuple[str, ...]
    air_note: str


def box_marks(ship_mode: str, units: Sequence[UnitForBox]) -> BoxMarks:
    """The lithium mark's UN number and the package marks a closed box needs."""
    numbers = sorted({u.un_number for u in units if u.un_number})
    marks: list[str] = []
    if numbers:
        marks.append("Lithium battery mark " + " + ".join(numbers))
    damaged = [u for u in units if u.air_forbidden]
    note = ""
    if damaged:
        marks.append("DAMAGED/DEFECTIVE LITHIUM ION BATTERIES (SP 376, P908)")
        note = f"Damaged lithium batteries inside ({len(damaged)}): {ship_mode} transport only, never by air"
    return BoxMarks(" ".join(numbers), tuple(marks), note)
