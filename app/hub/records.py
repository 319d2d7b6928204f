"""Immutable records the hub's storage returns."""

from __future__ import annotations

from dataclasses import dataclass

from app.hub.protocol import StreamStatus


@dataclass(frozen=True)
class Bench:
    bench_id: str
    name: str
    device_pubkey: str
    revoked: bool
    retiring: bool = False  # known by a token that rotation replaced


@dataclass(frozen=True)
class Stream:
    stream_id: str
    bench_id: str
    base_seq: int  # the stream continues the bench's chain after this seq (0 for a first install)
    base_hash: str
    hwm: int  # every seq in base_seq+1..hwm is held, stored or tombstoned, and the chain links
    hwm_hash: str
    status: StreamStatus
    status_detail: str = ""


@dataclass(frozen=True)
class HeldEvent:
    """What the hub holds at one (stream, seq): a stored event or a rejection tombstone."""

    seq: int
    prev_hash: str
    hash: str
    rejected_code: str | None = None  # None for a stored event
