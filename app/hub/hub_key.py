"""The hub's own Ed25519 key, which countersigns receipts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.errors import OperatorError

HUB_KEY_FILE = "hub_key.pem"


def load_or_create_hub_key(data_dir: Path) -> Ed25519PrivateKey:
    """Load the hub key from ``data_dir``, creating it (owner-only) on first start."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data_dir / HUB_KEY_FILE
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_hub_key(data_dir)  # another hub process created it first
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        return key
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise OperatorError(f"The hub key {path} is readable by other users", hint=f"Run: chmod 600 {path}")
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise OperatorError(f"The hub key {path} is damaged", hint="Restore it from the hub's backup") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise OperatorError(f"{path} is not an Ed25519 key", hint="Restore the hub key from its backup")
    return loaded
