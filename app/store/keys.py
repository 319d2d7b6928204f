"""The station's Ed25519 signing key: created on first start, stored readable by its owner only."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.core.errors import OperatorError

log = logging.getLogger("app.store")

KEY_FILE = "station_key.pem"
PUBLIC_KEY_FILE = "station_key.pub"


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    """Load the station key, creating it (mode 0600) on first start.

    The key is written whole to a private temporary file and then hard-linked into place, which
    fails if the name exists: two processes starting at once end up with one complete key, and
    nobody ever reads a half-written one.
    """
    path = data_dir / KEY_FILE
    for stale in data_dir.glob(f".{KEY_FILE}.*.tmp"):
        stale.unlink(missing_ok=True)  # left by a start that was killed while creating the key
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = data_dir / f".{KEY_FILE}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return load_or_create_key(data_dir)
        finally:
            tmp.unlink()
        (data_dir / PUBLIC_KEY_FILE).write_text(public_key_text(key.public_key()) + "\n")
        log.info("created station key %s", path)
        return key
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise OperatorError(
            f"The station key {path} is readable by other users (mode {mode:o})",
            hint=f"Run: chmod 600 {path}",
        )
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise OperatorError(
            f"The station key {path} is damaged", hint="Restore it from the key backup; do not create a new one"
        ) from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise OperatorError(f"{path} is not an Ed25519 key", hint="Restore the station key from its backup")
    public = data_dir / PUBLIC_KEY_FILE
    if not public.exists():
        public.write_text(public_key_text(loaded.public_key()) + "\n")
    return loaded


def public_key_text(key: Ed25519PublicKey) -> str:
    """Raw 32-byte public key as hex: short enough to print on a certificate."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """Inverse of public_key_text."""
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.strip()))


def sign_hash(key: Ed25519PrivateKey, hash_hex: str) -> str:
    """Signature (hex) over the 32 raw bytes of an event hash."""
    return key.sign(bytes.fromhex(hash_hex)).hex()


def signature_ok(public_key: Ed25519PublicKey, hash_hex: str, signature_hex: str) -> bool:
    """True when ``signature_hex`` is the station's signature of ``hash_hex``."""
    try:
        public_key.verify(bytes.fromhex(signature_hex), bytes.fromhex(hash_hex))
    except (InvalidSignature, ValueError):
        return False
    return True
