"""Parsers for what Android shell commands print. Pure functions on text; none raises on odd input —
they return ``None`` (or an empty mapping) and the caller records why the value is unknown."""

from __future__ import annotations

import json
import re
import struct
from typing import Any

_GETPROP_LINE = re.compile(r"^\[([^\]]+)\]: \[(.*)\]$")
_PARCEL_WORDS = re.compile(r"0x[0-9a-fA-F]{8}: ((?:[0-9a-fA-F]{8} ?){1,4})")


def parse_getprop(text: str) -> dict[str, str]:
    """``getprop`` with no argument: ``[key]: [value]`` lines; anything else is skipped."""
    props = {}
    for line in text.splitlines():
        match = _GETPROP_LINE.match(line.strip())
        if match:
            props[match.group(1)] = match.group(2)
    return props


def parse_key_values(text: str) -> dict[str, str]:
    """``key: value`` lines (``dumpsys battery``); keys lower-cased, surrounding spaces dropped."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            values[key.strip().lower()] = value.strip()
    return values


def parse_int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def parse_json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def luhn_valid(digits: str) -> bool:
    """IMEI check: 15 digits whose last is the Luhn digit of the first 14 (3GPP TS 23.003)."""
    if len(digits) != 15 or not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(digits[:14]):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return (10 - total % 10) % 10 == int(digits[14])


class ParcelError(ValueError):
    """``service call`` output that is not a one-string reply."""


def parse_parcel_string(text: str) -> str | None:
    """The String16 in a ``service call`` reply (``Result: Parcel(0x00000000: 00000000 0000000f …)``).

    Each printed word is a little-endian u32; the reply is [exception code, length in UTF-16 units,
    characters…]. A non-zero exception code (e.g. SecurityException when the shell may not read device
    identifiers) raises ParcelError with the exception's message; a null string returns None.
    """
    words: list[int] = []
    for match in _PARCEL_WORDS.finditer(text):
        words += [int(w, 16) for w in match.group(1).split()]
    if len(words) < 2:
        raise ParcelError(f"no parcel in {text.strip()[:80]!r}")
    raw = b"".join(struct.pack("<I", w) for w in words)
    exception = struct.unpack_from("<i", raw, 0)[0]
    if exception != 0:
        raise ParcelError(f"the phone refused (exception {exception}: {_string_at(raw, 4) or 'no message'})")
    length = struct.unpack_from("<i", raw, 4)[0]
    if length == -1:
        return None
    return _string_at(raw, 4)


def _string_at(raw: bytes, offset: int) -> str:
    if offset + 4 > len(raw):
        return ""
    length = struct.unpack_from("<i", raw, offset)[0]
    if length < 0:
        return ""
    body = raw[offset + 4: offset + 4 + 2 * length]
    if len(body) != 2 * length:
        raise ParcelError(f"parcel string of {length} characters is cut short")
    return body.decode("utf-16-le", "replace")


# Marketed capacities in GB; the user partition is a little smaller than the flash it lives on.
_NOMINAL_GB = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


def nominal_capacity_bytes(partition_bytes: int) -> int | None:
    """The marketed size (decimal GB) a phone with these partitions was sold as: the smallest standard
    size that holds them. None if nothing fits (not a phone we can judge)."""
    for gb in _NOMINAL_GB:
        if partition_bytes <= gb * 1_000_000_000:
            return gb * 1_000_000_000
    return None


_DISKSTATS = re.compile(r"^(Data|System)-Free: (\d+)K / (\d+)K total", re.MULTILINE)


def parse_diskstats(text: str) -> dict[str, int]:
    """Total KiB per partition from ``dumpsys diskstats`` (``Data``, ``System``)."""
    return {m.group(1): int(m.group(3)) for m in _DISKSTATS.finditer(text)}
