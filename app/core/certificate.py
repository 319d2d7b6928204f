"""Erasure certificates that anyone can check offline.

A certificate *is* the body of a signed ``erasure.completed`` event, carried with the event's
envelope (stream, seq, time, operator, previous hash, hash, signature) and the station's public
key. Checking one needs nothing but this file and the station's key: recompute the event hash,
verify the Ed25519 signature. The body also carries a digest of each of its fields, inside the
signed content, so that when a copy has been edited the check can say *which* field was changed.

A lot's certificate of data destruction works the same way, as the body of a ``lot.certificate_issued``
event. Its table of units (a list of rows) gets a digest per row and a digest per column rather
than one per cell: a 500-unit lot then carries about 500 digests, not 6,000, and an edited cell is
still named exactly, where its row and its column both fail to match ("units[12].serial").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.canonical import canonical_json, sha256_hex
from app.core.models import Event

SCHEMA = "refurb-bench/erasure-certificate/1"
LOT_SCHEMA = "refurb-bench/lot-destruction-certificate/1"
SCHEMAS = (SCHEMA, LOT_SCHEMA)
DIGESTS = "field_digests"
_ENVELOPE = ("stream_id", "seq", "event_id", "type", "schema_version", "occurred_at", "operator_id", "unit_id",
             "prev_hash", "hash", "signature")


def _fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level fields, with one level of nesting spelled out ("device.serial"), so a check can
    name the very field that was changed."""
    flat: dict[str, Any] = {}
    for key, value in body.items():
        if key == DIGESTS:
            continue
        if isinstance(value, dict) and value:
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = inner_value
        elif _is_table(value):
            # a row digest per row and a column digest per column (see the module docstring)
            columns = sorted({name for row in value for name in row})
            for index, row in enumerate(value):
                flat[f"{key}[{index}]"] = row
            for name in columns:
                flat[f"{key}[].{name}"] = [row.get(name) for row in value]
        else:
            flat[key] = value
    return flat


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(row, dict) for row in value)


def with_field_digests(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body plus a SHA-256 of each field's canonical form (signed along with the rest)."""
    plain = {k: v for k, v in body.items() if k != DIGESTS}
    return {**plain, DIGESTS: {k: sha256_hex(canonical_json(v)) for k, v in sorted(_fields(plain).items())}}


def document(event: Event, station_public_key: str, schema: str = SCHEMA) -> dict[str, Any]:
    """The certificate file's content for a stored ``erasure.completed`` (or, with ``LOT_SCHEMA``,
    ``lot.certificate_issued``) event."""
    envelope = {k: getattr(event, k) for k in _ENVELOPE}
    return {"schema": schema, "certificate": dict(event.body), "event": envelope,
            "station_public_key": station_public_key}


@dataclass(frozen=True)
class Check:
    """The outcome of checking a certificate: ok, or every problem found, in words."""

    problems: tuple[str, ...]
    certificate_id: str = ""
    schema: str = ""

    @property
    def is_lot(self) -> bool:
        return self.schema == LOT_SCHEMA

    @property
    def ok(self) -> bool:
        return not self.problems


def check(doc: Any, trusted_public_key: str | None = None) -> Check:
    """Verify a certificate document; never raises on malformed input."""
    if not isinstance(doc, dict) or doc.get("schema") not in SCHEMAS:
        return Check(("this is not a Refurb Bench erasure certificate",))
    schema = str(doc["schema"])
    body, envelope, key_hex = doc.get("certificate"), doc.get("event"), doc.get("station_public_key")
    if not isinstance(body, dict) or not isinstance(envelope, dict) or not isinstance(key_hex, str):
        return Check(("the certificate is incomplete (certificate, event or key missing)",), schema=schema)
    cert_id = str(body.get("certificate_id", ""))
    problems: list[str] = []
    if trusted_public_key is not None and key_hex.strip().lower() != trusted_public_key.strip().lower():
        problems.append("it names a station key that is not the trusted station key")
    try:
        event = Event(body=body, **{k: envelope[k] for k in _ENVELOPE})
        recomputed = event.content_hash()
    except (KeyError, TypeError, ValueError, RecursionError):
        return Check((*problems, "the event envelope is incomplete or malformed"), cert_id, schema)
    if recomputed != envelope["hash"]:
        problems.extend(_altered_fields(body, envelope))
    if not _signature_ok(key_hex, str(envelope["hash"]), str(envelope["signature"])):
        problems.append("the signature does not match the station key (the hash or signature was altered)")
    return Check(tuple(problems), cert_id, schema)


def _altered_fields(body: Mapping[str, Any], envelope: Mapping[str, Any]) -> list[str]:
    digests = body.get(DIGESTS)
    if not isinstance(digests, dict):
        return ["the certificate's content does not match its hash (its field digests are missing)"]
    named: list[str] = []
    try:
        fields = _fields(body)
    except AttributeError:
        return ["the certificate's content is malformed"]
    altered: list[str] = []
    for name in sorted(set(digests) | set(fields)):
        if name not in fields:
            named.append(f"field '{name}' was removed")
        elif name not in digests:
            named.append(f"field '{name}' was added")
        else:
            try:
                if sha256_hex(canonical_json(fields[name])) != digests[name]:
                    altered.append(name)
            except (TypeError, ValueError, RecursionError):
                named.append(f"field '{name}' was altered (it holds a value no certificate can hold)")
    named.extend(f"field '{name}' was altered" for name in _cells(altered))
    if not named:
        named.append("the certificate's envelope (time, operator, sequence or field digests) was altered")
    return named


def _cells(altered: list[str]) -> list[str]:
    """Altered names, with a table's altered rows and columns crossed into cells ("units[3].serial").

    A row that changed where no column did (rows swapped) is named as the row.
    """
    rows: dict[str, list[str]] = {}
    columns: dict[str, list[str]] = {}
    plain: list[str] = []
    for name in altered:
        table, bracket, rest = name.partition("[")
        if not bracket:
            plain.append(name)
        elif rest.startswith("]."):
            columns.setdefault(table, []).append(rest[2:])
        else:
            rows.setdefault(table, []).append(name)
    for table, row_names in rows.items():
        for row in sorted(row_names, key=lambda n: int(n[len(table) + 1:-1]) if n[len(table) + 1:-1].isdigit() else 0):
            plain.extend([f"{row}.{column}" for column in columns.get(table, [])] or [row])
    for table, names in columns.items():
        if table not in rows:  # a column changed but no row did: only possible when digests were edited
            plain.extend(f"{table}[].{column}" for column in names)
    return plain


def _signature_ok(key_hex: str, hash_hex: str, signature_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex)).verify(
            bytes.fromhex(signature_hex), bytes.fromhex(hash_hex))
    except (InvalidSignature, ValueError):
        return False
    return True


def loads(text: str) -> Any:
    """Parse a certificate file's text; a damaged file gives None, which check() refuses."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
