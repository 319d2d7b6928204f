"""Operator PINs: checked for shape, stored only as a slow salted hash (scrypt)."""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP

# scrypt cost: about 50 ms on a bench PC per check, which makes guessing a 6-digit PIN offline
# from a copied database take days rather than seconds; parameters are stored with each hash so
# they can be raised later without invalidating existing PINs.
_N, _R, _P = 2**14, 8, 1
_PIN_RE = re.compile(r"[0-9]{4,12}")  # ASCII digits only: \d would admit any script's digits


def check_pin_shape(pin: str) -> None:
    """Refuse PINs that are not 4 to 12 digits."""
    if not _PIN_RE.fullmatch(pin):
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "A PIN is 4 to 12 digits"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "Choose a PIN of digits only, at least 4 long"),
        )


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """Hash a PIN as ``scrypt$N$r$p$salt$digest`` (hex)."""
    check_pin_shape(pin)
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time check of a PIN against a stored hash; False for any malformed input."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        expected = bytes.fromhex(digest_hex)
        cost = int(n), int(r), int(p)
        # A damaged or hostile record must not make a login check eat the machine's memory.
        if scheme != "scrypt" or not (2 <= cost[0] <= 2**20 and 1 <= cost[1] <= 32 and 1 <= cost[2] <= 16):
            return False
        digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt_hex), n=cost[0], r=cost[1], p=cost[2],
                                dklen=32)
    except (ValueError, TypeError, OverflowError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)
