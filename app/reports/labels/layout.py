"""Device-independent label layout: text, barcodes and marks placed in millimetres.

A template (:mod:`app.reports.labels.templates`) is data: slots whose text comes from the label's
values. :func:`fill` turns a template and values into a :class:`Label`, and the backends draw that
one label as ZPL II (:mod:`.zpl`, at 203 or 300 dpi) or as PDF (:mod:`.pdf`). Coordinates are the
top-left corner of each element, in mm from the top-left of the label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

GS = "\x1d"


@dataclass(frozen=True)
class TextSlot:
    x: float
    y: float
    height: float
    source: str  # a str.format template over the label's values, e.g. "Lot {lot} · {date}"
    bold: bool = False
    when: str = ""  # the value that must be non-empty for the slot to print
    max_width: float = 0.0  # mm; longer text is set smaller to fit, never cut


@dataclass(frozen=True)
class Code128Slot:
    x: float
    y: float
    height: float
    source: str
    when: str = ""


@dataclass(frozen=True)
class TwoDSlot:
    """A 2D code of ``size`` mm. When ``gs1_when`` is set the data is a GS1 element string (GS between
    variable-length fields): ZPL prints a GS1 DataMatrix, PDF a GS1 QR code (FNC1 in first position)."""

    x: float
    y: float
    size: float
    source: str
    gs1_when: str = ""
    when: str = ""


@dataclass(frozen=True)
class LithiumSlot:
    """The lithium battery mark: hatched border, UN number and a telephone number (domain.md 8.2)."""

    x: float
    y: float
    width: float
    height: float
    when: str = "un_number"


Slot = TextSlot | Code128Slot | TwoDSlot | LithiumSlot


@dataclass(frozen=True)
class Template:
    name: str
    width_mm: float
    height_mm: float
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    height: float
    text: str
    bold: bool


@dataclass(frozen=True)
class Code128:
    x: float
    y: float
    height: float
    data: str


@dataclass(frozen=True)
class TwoD:
    x: float
    y: float
    size: float
    data: str
    gs1: bool


@dataclass(frozen=True)
class LithiumMark:
    x: float
    y: float
    width: float
    height: float
    un_number: str
    phone: str


Element = Text | Code128 | TwoD | LithiumMark


@dataclass(frozen=True)
class Label:
    template: str
    width_mm: float
    height_mm: float
    elements: tuple[Element, ...]

    def texts(self) -> tuple[str, ...]:
        return tuple(e.text for e in self.elements if isinstance(e, Text))


# Average advance of a character in em for Helvetica / CG Triumvirate (digits are 0.556 em); bold is wider.
_EM_PER_CHAR = 0.56
_EM_PER_CHAR_BOLD = 0.62
CAP_HEIGHT_EM = 0.72


def _fitted_height(slot: TextSlot, text: str) -> float:
    if not slot.max_width or not text:
        return slot.height
    per_char = _EM_PER_CHAR_BOLD if slot.bold else _EM_PER_CHAR
    width = len(text) * per_char * slot.height / CAP_HEIGHT_EM
    return slot.height if width <= slot.max_width else round(slot.height * slot.max_width / width, 2)


def fill(template: Template, values: Mapping[str, str]) -> Label:
    """Place ``values`` into ``template``; a slot whose ``when`` value is empty is left out."""
    elements: list[Element] = []
    for slot in template.slots:
        if slot.when and not values.get(slot.when):
            continue
        if isinstance(slot, TextSlot):
            text = slot.source.format_map(values)
            elements.append(Text(slot.x, slot.y, _fitted_height(slot, text), text, slot.bold))
        elif isinstance(slot, Code128Slot):
            elements.append(Code128(slot.x, slot.y, slot.height, slot.source.format_map(values)))
        elif isinstance(slot, TwoDSlot):
            elements.append(TwoD(slot.x, slot.y, slot.size, slot.source.format_map(values),
                                 bool(slot.gs1_when and values.get(slot.gs1_when))))
        else:
            elements.append(LithiumMark(slot.x, slot.y, slot.width, slot.height, values["un_number"],
                                        values.get("phone", "")))
    return Label(template.name, template.width_mm, template.height_mm, tuple(elements))
