"""The label templates, as data, and the values that fill them.

There is one unit label (3 × 2 in, domain.md 7.3: room for the text, a Code 128 IMEI or serial, a
2D code and the lithium mark) and one box label (4 × 6 in, the carton size that also carries the
full-size lithium battery mark). Both are drawn by the same ZPL and PDF backends.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.identifiers import gtin_check_digit, is_valid_imei
from app.reports.labels.layout import (
    GS,
    Code128Slot,
    Label,
    LithiumSlot,
    Template,
    TextSlot,
    TwoDSlot,
    fill,
)

INCH = 25.4

# Text stays left of x = 50 mm: the 2D code and the lithium mark own the right-hand column.
_TEXT_W = 47.0
UNIT_TEMPLATE = Template("unit-3x2in", 3 * INCH, 2 * INCH, (
    TextSlot(2.5, 2.0, 3.4, "{model} {storage}", bold=True, max_width=_TEXT_W),
    TextSlot(2.5, 6.8, 2.6, "{colour}", max_width=_TEXT_W),
    TextSlot(2.5, 10.6, 4.4, "Grade {grade}", bold=True, max_width=_TEXT_W),
    TextSlot(2.5, 16.4, 2.4, "{route}", max_width=_TEXT_W),
    TextSlot(2.5, 19.9, 2.2, "Lot {lot} · {date}", max_width=_TEXT_W),
    TextSlot(2.5, 23.3, 2.2, "Data sanitised · {certificate_id}", when="certificate_id", max_width=_TEXT_W),
    TwoDSlot(53.0, 2.0, 21.0, "{two_d}", gs1_when="gtin"),
    Code128Slot(0.5, 28.0, 10.0, "{barcode}"),
    TextSlot(2.5, 39.6, 2.4, "{barcode_kind} {barcode}", max_width=_TEXT_W),
    TextSlot(2.5, 44.2, 2.0, "{gs1_text}", when="gtin", max_width=_TEXT_W),
    LithiumSlot(53.0, 31.0, 21.0, 15.0),
))

BOX_TEMPLATE = Template("box-4x6in", 4 * INCH, 6 * INCH, (
    TextSlot(6.0, 6.0, 7.0, "Box {box_id}", bold=True, max_width=56.0),
    TextSlot(6.0, 15.0, 4.5, "{route}", max_width=56.0),
    TextSlot(6.0, 21.5, 4.0, "{units} units · closed {date}", max_width=56.0),
    Code128Slot(6.0, 34.0, 16.0, "{box_id}"),
    TextSlot(6.0, 51.5, 3.2, "{box_id}"),
    # Below the codes, across the label: the QR code owns the top right corner.
    TextSlot(6.0, 58.0, 3.6, "{air_note}", when="air_note", bold=True, max_width=90.0),
    TwoDSlot(66.0, 6.0, 28.0, "{manifest_code}"),
    LithiumSlot(1.0, 78.0, 100.0, 70.0),
))


def _gtin14(gtin: str) -> str:
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        raise ValueError(f"GTIN must be 8, 12, 13 or 14 digits, got {gtin!r}")
    padded = gtin.zfill(14)
    if gtin_check_digit(padded[:-1]) != int(padded[-1]):
        raise ValueError(f"GTIN {gtin} has a wrong check digit")
    return padded


@dataclass(frozen=True)
class UnitLabelData:
    """What the unit label shows. ``imei`` or ``serial`` is required; ``gtin`` adds the GS1 form."""

    model: str
    grade: str
    route: str
    lot: str
    date: str
    imei: str = ""
    serial: str = ""
    storage: str = ""
    colour: str = ""
    gtin: str = ""
    certificate_id: str = ""
    un_number: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        if not self.imei and not self.serial:
            raise ValueError("a unit label needs an IMEI or a serial number")
        if self.imei and not is_valid_imei(self.imei):
            raise ValueError(f"{self.imei} is not a valid IMEI")
        if self.gtin:
            _gtin14(self.gtin)
        if self.serial and (len(self.serial) > 20 or GS in self.serial):
            raise ValueError("a serial on a label is at most 20 characters (GS1 AI 21)")

    @property
    def barcode(self) -> str:
        """The Code 128 value: the IMEI, else the serial."""
        return self.imei or self.serial

    @property
    def gs1_elements(self) -> str:
        """``01`` GTIN-14 then ``21`` serial (the IMEI when there is no serial); empty without a GTIN.

        The serial is the last field, so no GS separator is needed after it.
        """
        if not self.gtin:
            return ""
        return f"01{_gtin14(self.gtin)}21{self.serial or self.imei}"

    @property
    def gs1_text(self) -> str:
        return f"(01){_gtin14(self.gtin)}(21){self.serial or self.imei}" if self.gtin else ""

    def values(self) -> dict[str, str]:
        return {
            "model": self.model, "storage": self.storage, "colour": self.colour, "grade": self.grade,
            "route": self.route, "lot": self.lot, "date": self.date, "certificate_id": self.certificate_id,
            "barcode": self.barcode, "barcode_kind": "IMEI" if self.imei else "S/N",
            "two_d": self.gs1_elements or self.barcode, "gtin": self.gtin, "gs1_text": self.gs1_text,
            "un_number": self.un_number, "phone": self.phone,
        }


@dataclass(frozen=True)
class BoxLabelData:
    """What the box label shows. ``un_number`` prints the lithium mark with ``phone``."""

    box_id: str
    route: str
    units: int
    date: str
    manifest_code: str
    un_number: str = ""
    phone: str = ""
    air_note: str = ""

    def values(self) -> dict[str, str]:
        return {"box_id": self.box_id, "route": self.route, "units": str(self.units), "date": self.date,
                "manifest_code": self.manifest_code, "un_number": self.un_number, "phone": self.phone,
                "air_note": self.air_note}


def unit_label(data: UnitLabelData) -> Label:
    return fill(UNIT_TEMPLATE, data.values())


def box_label(data: BoxLabelData) -> Label:
    return fill(BOX_TEMPLATE, data.values())
