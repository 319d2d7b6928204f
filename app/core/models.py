"""Immutable domain records that the store returns and the services and views consume."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.canonical import canonical_json, sha256_hex
from app.core.lifecycle import UnitState


class Role(enum.StrEnum):
    """What an operator may do; each role includes the ones before it."""

    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    def includes(self, other: Role) -> bool:
        order = [Role.TECHNICIAN, Role.SUPERVISOR, Role.ADMIN]
        return order.index(self) >= order.index(other)


class PartyKind(enum.StrEnum):
    """Who a lot comes from: a supplier we buy from, or an ITAD customer whose assets we process."""

    SUPPLIER = "supplier"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class Identifier:
    """One identifier of a unit, e.g. ("imei", "490154203237518")."""

    kind: str
    value: str


@dataclass(frozen=True)
class Unit:
    """One physical device, one identity for life."""

    unit_id: str
    state: UnitState
    created_at: str
    updated_at: str
    model: str = ""
    lot_id: str | None = None
    identifiers: tuple[Identifier, ...] = ()

    def identifier(self, kind: str) -> str | None:
        """The first identifier of ``kind``, if the unit has one."""
        return next((i.value for i in self.identifiers if i.kind == kind), None)

    @property
    def label(self) -> str:
        """The identifier a technician recognises first: IMEI, then serial, then anything."""
        for kind in ("imei", "serial", "meid", "asset_tag"):
            value = self.identifier(kind)
            if value:
                return value
        return self.identifiers[0].value if self.identifiers else self.unit_id


@dataclass(frozen=True)
class Operator:
    """A person at the bench."""

    operator_id: str
    name: str
    badge: str
    role: Role
    active: bool = True


@dataclass(frozen=True)
class Lot:
    """An inbound batch from a supplier or customer."""

    lot_id: str
    code: str
    party_kind: PartyKind
    party: str
    po: str
    expected_count: int
    created_at: str


@dataclass(frozen=True)
class ManifestLine:
    """One expected unit of a lot, as its manifest lists it."""

    kind: str
    value: str
    model: str = ""
    description: str = ""


@dataclass(frozen=True)
class LotProgress:
    """Expected versus received versus unexpected units of one lot."""

    lot: Lot
    expected: int
    received_expected: int
    unexpected: int
    missing: tuple[ManifestLine, ...] = ()

    @property
    def received(self) -> int:
        return self.received_expected + self.unexpected

    @property
    def outstanding(self) -> int:
        return max(self.expected - self.received_expected, 0)


@dataclass(frozen=True)
class Event:
    """One immutable fact, as stored: part of the station's hash chain, signed by its key."""

    stream_id: str
    seq: int
    event_id: str
    type: str
    schema_version: int
    occurred_at: str
    operator_id: str | None
    unit_id: str | None
    body: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""
    signature: str = ""

    def content_hash(self) -> str:
        """SHA-256 over the canonical form of everything but the hash and the signature."""
        return sha256_hex(canonical_json(self.hashed_content()))

    def hashed_content(self) -> dict[str, Any]:
        """Everything the hash covers: all fields except the hash and the signature."""
        return {
            "stream_id": self.stream_id,
            "seq": self.seq,
            "event_id": self.event_id,
            "type": self.type,
            "schema_version": self.schema_version,
            "occurred_at": self.occurred_at,
            "operator_id": self.operator_id,
            "unit_id": self.unit_id,
            "body": dict(self.body),
            "prev_hash": self.prev_hash,
        }
