"""The sync wire protocol (v1), shared by the hub and the bench's sync client.

Pure data and crypto: no I/O, no SQL, no Qt. Events travel as JSON objects carrying every field
the bench hashed, plus the hash and the signature, so the hub can recompute and verify both.
Receipts are the hub's countersignature over a stream's contiguous high-water mark.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.core.canonical import canonical_json
from app.core.models import Event

API = "/v1"
# Caps on one push: large enough that a weeks-long backlog drains in few round trips, small
# enough that one batch commits well inside the client's timeout.
MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 1024 * 1024
# Rejections one handshake lists above the bench's mark; a bench with more asks again from the last one.
MAX_LISTED_REJECTIONS = 200


class EventStatus(enum.StrEnum):
    """What the hub did with one pushed event."""

    STORED = "stored"  # new, verified, committed
    DUPLICATE = "duplicate"  # already held with the same hash: a harmless re-send
    REJECTED = "rejected"  # permanently invalid; a tombstone lets the high-water mark pass it
    CONFLICT = "conflict"  # same (stream, seq) with a different body: tamper or fork; the stream stops


class StreamStatus(enum.StrEnum):
    ACTIVE = "active"
    FLAGGED = "flagged"  # a conflict stopped it; a supervisor must look
    REVOKED = "revoked"  # its bench was revoked


# The field that marks a withheld event (see withheld_to_wire).
WITHHELD = "withheld"


class WireError(ValueError):
    """A payload that does not have the protocol's shape."""


_EVENT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "stream_id": str, "seq": int, "event_id": str, "type": str, "schema_version": int, "occurred_at": str,
    "operator_id": (str, type(None)), "unit_id": (str, type(None)), "body": dict, "prev_hash": str,
    "hash": str, "signature": str,
}

_FIELD_NAMES = frozenset(_EVENT_FIELDS)
_EVENT_TYPES = tuple(_EVENT_FIELDS.items())


def event_to_wire(event: Event) -> dict[str, Any]:
    """The JSON object that carries one event."""
    return {**event.hashed_content(), "hash": event.hash, "signature": event.signature}


def event_from_wire(data: object) -> Event:
    """Parse one pushed event; raise WireError naming the first field that does not fit."""
    if not isinstance(data, dict):
        raise WireError("an event must be a JSON object")
    if data.keys() == _FIELD_NAMES and _types_fit(data):
        return Event(**data)  # the common case, checked in one pass
    for name, kind in _EVENT_FIELDS.items():
        if name not in data:
            raise WireError(f"event field {name!r} is missing")
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise WireError(f"event field {name!r} has the wrong type")
    extra = set(data) - set(_EVENT_FIELDS)
    if extra:
        raise WireError(f"unknown event fields {sorted(extra)}")
    if data["seq"] < 1:
        raise WireError("event seq must be 1 or more")
    return Event(**{name: data[name] for name in _EVENT_FIELDS})


def _types_fit(data: dict[str, Any]) -> bool:
    for name, kind in _EVENT_TYPES:
        value = data[name]
        if value.__class__ is bool or not isinstance(value, kind):
            return False
    return bool(data["seq"] >= 1)


def withheld_to_wire(wire_event: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """Stands for an event the bench cannot deliver (the hub refuses any batch holding it): its place
    in the stream and its hashes, without its body, so the hub records it as rejected and moves on."""
    return {"seq": wire_event["seq"], "stream_id": wire_event["stream_id"], "event_id": wire_event["event_id"],
            "prev_hash": wire_event["prev_hash"], "hash": wire_event["hash"], WITHHELD: reason[:500]}


def rotation_message(bench_id: str, ts: str) -> bytes:
    """What the bench signs with its station key to ask for a new token (with its current one)."""
    return canonical_json({"purpose": "token-rotate", "bench_id": bench_id, "ts": ts}).encode("ascii")


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_key_from_hex(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.strip()))
    except ValueError as exc:
        raise WireError("not an Ed25519 public key in hex") from exc


def event_signature_ok(public_key: Ed25519PublicKey, event: Event) -> bool:
    """True when the event's signature is the station key's signature of its hash."""
    try:
        public_key.verify(bytes.fromhex(event.signature), bytes.fromhex(event.hash))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Receipt:
    """The hub's signed statement that it holds a stream contiguously up to ``hwm``."""

    stream_id: str
    hwm: int
    hwm_hash: str
    ts: str
    server_sig: str = ""

    def message(self) -> bytes:
        return canonical_json(
            {"stream_id": self.stream_id, "hwm": self.hwm, "hwm_hash": self.hwm_hash, "ts": self.ts}
        ).encode("ascii")

    def signed(self, key: Ed25519PrivateKey) -> Receipt:
        signature = base64.b64encode(key.sign(self.message())).decode("ascii")
        return Receipt(self.stream_id, self.hwm, self.hwm_hash, self.ts, signature)

    def verify(self, hub_key: Ed25519PublicKey) -> bool:
        try:
            hub_key.verify(base64.b64decode(self.server_sig, validate=True), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_wire(self) -> dict[str, Any]:
        return {"stream_id": self.stream_id, "hwm": self.hwm, "hwm_hash": self.hwm_hash, "ts": self.ts,
                "server_sig": self.server_sig}

    @classmethod
    def from_wire(cls, data: object) -> Receipt:
        if not isinstance(data, Mapping):
            raise WireError("a receipt must be a JSON object")
        try:
            return cls(str(data["stream_id"]), int(data["hwm"]), str(data["hwm_hash"]), str(data["ts"]),
                       str(data["server_sig"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise WireError(f"malformed receipt: {exc}") from exc
