"""Canonical JSON and hashing for events: the bytes every implementation must agree on."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Serialise with sorted keys, no spaces and ASCII only (a practical subset of RFC 8785).

    Floats are refused: their text form differs between implementations, so measurements
    travel as integers (milli-units) or strings.
    """
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError(f"floats are not allowed in event bodies: {value!r}")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def sha256_hex(text: str) -> str:
    """Hex SHA-256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
