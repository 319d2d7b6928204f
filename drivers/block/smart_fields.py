"""Tolerant readers for the fields of ``smartctl --json`` output: identity and the ATA attribute table.

Everything here takes untrusted JSON (the output of a tool that changed its schema between
versions, of a RAID controller that fills fields with zeros, or plain garbage) and either returns a
sane value or ``None``/``""``; nothing raises on a missing key or a wrong type. Judging health is
:mod:`drivers.block.smart`'s job; this module only reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Counters are stored in SQLite later; anything beyond a signed 64-bit integer is garbage, not data.
MAX_COUNT = 2**63 - 1
# Vendors pack several counters into one 48-bit raw value (e.g. "2725 (151 234 0)"); a sector or
# hour count beyond 32 bits means the value is packed and only the low word is the count.
PACKED_RAW_ABOVE = 0xFFFF_FFFF
# Free text from a drive (model, serial) is short; a longer string is noise we will not carry.
MAX_TEXT = 256
# 512/4096 are the usual sector sizes, but refurbished SAS drives often come formatted with 520 or
# 528-byte sectors (storage-array formats), so accept any plausible size rather than powers of two.
SECTOR_SIZES = range(256, 65_537)
# ATA IDENTIFY word 217 / SCSI VPD: 1 means "non-rotating", 0x401..0xFFFE is an rpm value.
ROTATION_RPM = range(0x401, 0xFFFF)

_EMPTY: Mapping[str, Any] = {}
_LEADING_INT = re.compile(r"\s*(\d{1,19})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# smartctl's SCSI transport protocol numbers (SPC-4 protocol identifiers) that the bench cares about.
_SCSI_TRANSPORTS = {0: "FC", 1: "SPI", 5: "iSCSI", 6: "SAS", 9: "USB", 10: "PCIe"}
# Device types that smartctl uses for USB bridges: usbjmicron, usbcypress, ..., and the NVMe ones (snt*).
_USB_TYPE_PREFIXES = ("usb", "snt")


def mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one (a list where a dict belongs is ignored)."""
    return value if isinstance(value, Mapping) else _EMPTY


def sequence(value: object) -> Sequence[Any]:
    """``value`` if it is a JSON array, else an empty one; a string is not an array here."""
    return value if isinstance(value, list | tuple) else ()


def dig(doc: object, *path: str) -> object:
    """Follow ``path`` through nested objects; ``None`` as soon as a step is missing or not an object."""
    node = doc
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def count(value: object) -> int | None:
    """A non-negative integer counter, or ``None``.

    JSON ``true`` is not 1 here (bool is an int subclass in Python); negative and absurdly large
    numbers are rejected; an integral float (``35.0``) or a string of digits is accepted because
    re-serialising tools produce those.
    """
    number: int | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        digits = value.strip()
        number = int(digits) if len(digits) <= 19 else None
    if number is None or not 0 <= number <= MAX_COUNT:
        return None
    return number


def flag(value: object) -> bool | None:
    """A JSON boolean, or ``None``; 0/1 and "true" are not booleans."""
    return value if isinstance(value, bool) else None


def text(value: object) -> str:
    """A printable, stripped, bounded string, or ``""`` for anything that is not a string."""
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", value).strip()[:MAX_TEXT]


def leading_int(value: object) -> int | None:
    """The number at the start of a smartctl raw string such as ``"36 (Min/Max 0/48)"`` or ``"1234h+05m"``."""
    if not isinstance(value, str):
        return None
    match = _LEADING_INT.match(value)
    return count(match.group(1)) if match else None


@dataclass(frozen=True)
class AtaAttribute:
    """One row of ``ata_smart_attributes.table``, read defensively."""

    id: int
    name: str
    prefailure: bool | None
    when_failed: str          # "now", "past" or "" as smartctl reports it
    value: int | None
    threshold: int | None
    raw: int | None           # raw.value exactly as reported (may be several packed counters)
    raw_string: str

    def counter(self) -> int | None:
        """The attribute's count: ``raw.value``, unpacked when a vendor packed extra fields into it."""
        if self.raw is None:
            return leading_int(self.raw_string)
        if self.raw <= PACKED_RAW_ABOVE:
            return self.raw
        # smartctl already decoded the vendor format into the string's first number; without a
        # string the low 32 bits are where every known packing keeps the count.
        decoded = leading_int(self.raw_string)
        if decoded is not None and decoded <= PACKED_RAW_ABOVE:
            return decoded
        return self.raw & PACKED_RAW_ABOVE

    def low_byte(self) -> int | None:
        """The low byte of ``raw.value``: the current temperature for attributes 190 and 194."""
        return None if self.raw is None else self.raw & 0xFF


def ata_attributes(doc: Mapping[str, Any]) -> dict[int, AtaAttribute]:
    """The ATA attribute table by attribute id; malformed rows are skipped, the first of a duplicate id wins."""
    table: dict[int, AtaAttribute] = {}
    for row in sequence(dig(doc, "ata_smart_attributes", "table")):
        entry = mapping(row)
        attr_id = count(entry.get("id"))
        if attr_id is None or not 1 <= attr_id <= 255 or attr_id in table:
            continue
        flags = entry.get("flags")
        prefailure = flag(dig(flags, "prefailure"))
        if prefailure is None and (flag_bits := count(dig(flags, "value"))) is not None:
            prefailure = bool(flag_bits & 0x01)    # bit 0 of the ATA flags word is "pre-failure"
        raw = entry.get("raw")
        table[attr_id] = AtaAttribute(
            id=attr_id,
            name=text(entry.get("name")),
            prefailure=prefailure,
            when_failed=text(entry.get("when_failed")).lower(),
            value=count(entry.get("value")),
            threshold=count(entry.get("thresh")),
            raw=count(dig(raw, "value")),
            raw_string=text(dig(raw, "string")),
        )
    return table


@dataclass(frozen=True)
class Identity:
    """What the drive is and how it is attached; no health judgement."""

    device_type: str = ""
    transport: str = ""
    model: str = ""
    serial: str = ""
    firmware: str = ""
    wwn: str = ""
    capacity_bytes: int | None = None
    logical_sector: int | None = None
    physical_sector: int | None = None
    rotation_rpm: int | None = None
    smartctl_version: str = ""
    smartctl_exit_status: int | None = None


def identity(doc: Mapping[str, Any]) -> Identity:
    """Read identity fields from any smartctl JSON output (``-i``, ``-a``, ``-x``; ATA, NVMe, SCSI)."""
    device_type = text(dig(doc, "device", "type")).lower()
    transport = _transport(doc, device_type)
    logical = count(doc.get("logical_block_size"))
    physical = count(doc.get("physical_block_size"))
    return Identity(
        device_type=device_type,
        transport=transport,
        model=_model(doc),
        serial=text(doc.get("serial_number")),
        # SCSI devices report their firmware level as the INQUIRY "revision".
        firmware=text(doc.get("firmware_version")) or text(doc.get("revision")),
        wwn=_wwn(doc),
        capacity_bytes=_capacity(doc, logical),
        logical_sector=logical if _within(logical, SECTOR_SIZES) else None,
        physical_sector=physical if _within(physical, SECTOR_SIZES) else None,
        rotation_rpm=_rotation(doc, _is_nvme(doc, device_type)),
        smartctl_version=_version(dig(doc, "smartctl", "version")),
        smartctl_exit_status=exit_status(doc),
    )


def exit_status(doc: Mapping[str, Any]) -> int | None:
    """smartctl's exit status as recorded in its own JSON (an 8-bit mask), or ``None``."""
    status = count(dig(doc, "smartctl", "exit_status"))
    return status if status is not None and status <= 0xFF else None


def smartctl_messages(doc: Mapping[str, Any]) -> list[str]:
    """The messages smartctl printed (errors and warnings), in order."""
    messages = []
    for entry in sequence(dig(doc, "smartctl", "messages")):
        message = text(dig(entry, "string"))
        if message:
            messages.append(message)
    return messages


def _model(doc: Mapping[str, Any]) -> str:
    model = text(doc.get("model_name"))
    if model:
        return model
    # Older SCSI output has only INQUIRY vendor and product.
    return " ".join(part for part in (text(doc.get("vendor")), text(doc.get("product"))) if part)


def _transport(doc: Mapping[str, Any], device_type: str) -> str:
    protocol = text(dig(doc, "device", "protocol")).lower()
    info_name = text(dig(doc, "device", "info_name")).lower()
    if device_type.startswith(_USB_TYPE_PREFIXES) or "[usb" in info_name:
        return "USB"
    if _is_nvme(doc, device_type):
        return "NVMe"
    if protocol == "ata":
        # "-d sat" is also how Linux reaches every libata disk, so the device type cannot tell SATA
        # from PATA; the SATA version and link speed fields only exist for SATA drives.
        sata = doc.get("sata_version") is not None or doc.get("interface_speed") is not None
        return "SATA" if sata else "ATA"
    if protocol == "scsi":
        scsi_protocol = count(dig(doc, "scsi_transport_protocol", "value"))
        return _SCSI_TRANSPORTS.get(scsi_protocol, "SCSI") if scsi_protocol is not None else "SCSI"
    return ""


def _wwn(doc: Mapping[str, Any]) -> str:
    naa = count(dig(doc, "wwn", "naa"))
    oui = count(dig(doc, "wwn", "oui"))
    ident = count(dig(doc, "wwn", "id"))
    # NAA (4 bits) + OUI (24 bits) + vendor id (36 bits) = the 64-bit world wide name.
    if naa is not None and oui is not None and ident is not None and naa <= 0xF and oui <= 0xFFFFFF \
            and ident <= 0xF_FFFF_FFFF:
        return f"naa.{naa:x}{oui:06x}{ident:09x}"
    for namespace in sequence(doc.get("nvme_namespaces")):
        nguid = text(dig(namespace, "nguid")).replace("-", "").replace(" ", "").lower()
        if len(nguid) == 32 and all(c in "0123456789abcdef" for c in nguid) and nguid.strip("0"):
            return f"eui.{nguid}"
        oui = count(dig(namespace, "eui64", "oui"))
        ext = count(dig(namespace, "eui64", "ext_id"))
        if oui is not None and ext is not None and oui <= 0xFFFFFF and ext <= 0xFF_FFFF_FFFF and (oui or ext):
            return f"eui.{oui:06x}{ext:010x}"
    return ""


def _capacity(doc: Mapping[str, Any], logical: int | None) -> int | None:
    size = count(dig(doc, "user_capacity", "bytes"))
    if size:
        return size
    blocks = count(dig(doc, "user_capacity", "blocks"))
    if blocks and logical is not None and _within(logical, SECTOR_SIZES) and blocks * logical <= MAX_COUNT:
        return blocks * logical
    # "-i" on an NVMe controller without a namespace reports only the controller's total capacity.
    return count(doc.get("nvme_total_capacity")) or None


def _rotation(doc: Mapping[str, Any], nvme: bool) -> int | None:
    rate = count(doc.get("rotation_rate"))
    if rate in (0, 1):
        return 0          # smartctl writes 0 for "Solid State Device"; 1 is the raw ATA code for it
    if _within(rate, ROTATION_RPM):
        return rate
    if nvme:
        return 0          # smartctl has no rotation field for NVMe: it is always flash
    return None


def _is_nvme(doc: Mapping[str, Any], device_type: str) -> bool:
    # "snt..." are smartctl's USB-to-NVMe bridge types: NVMe behind USB is still flash.
    protocol = text(dig(doc, "device", "protocol")).lower()
    return protocol == "nvme" or device_type.startswith(("nvme", "snt"))


def _within(value: int | None, allowed: range) -> bool:
    # ``None in range(...)`` does not raise but scans the whole range; say what we mean instead.
    return value is not None and allowed.start <= value < allowed.stop


def _version(value: object) -> str:
    if isinstance(value, str):
        return text(value)
    parts = [count(part) for part in sequence(value)[:3]]
    if not parts or any(part is None for part in parts):
        return ""
    return ".".join(str(part) for part in parts)
