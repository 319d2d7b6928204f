"""Verifying the event log: sequence, hash chain, signatures and the recorded chain head."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.canonical import GENESIS_HASH
from app.core.events import SCHEMAS
from app.store.eventlog import event_hash, iter_rows, row_to_event
from app.store.keys import signature_ok


@dataclass(frozen=True)
class AuditReport:
    """The outcome of one verification: ok, or the first broken event and why."""

    checked: int
    broken_seq: int | None = None
    broken_event_id: str | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None

    def describe(self) -> str:
        if self.ok:
            return f"ok: {self.checked} events, chain and signatures hold"
        ident = f" ({self.broken_event_id})" if self.broken_event_id else ""
        return f"broken at event seq {self.broken_seq}{ident}: {self.reason}"


def verify(db: sqlite_utils.Database, public_key: Ed25519PublicKey) -> AuditReport:
    """Walk the whole log and report the first event that does not hold.

    Anything stored may have been altered by hand, so every row is treated as untrusted input:
    a body that is not JSON or holds values no event can hold is reported, never a crash.
    """
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for row in iter_rows(db):
        seq, event_id = int(row[0]), str(row[2])
        if seq != expected_seq:
            return AuditReport(checked, expected_seq, None,
                               f"event seq {expected_seq} is missing (seq {expected_seq - 1} is followed by {seq})")
        problem = _check_row(row, prev_hash, public_key)
        if problem:
            return AuditReport(checked, seq, event_id, problem)
        expected_seq, prev_hash, checked = seq + 1, str(row[10]), checked + 1
    return _check_head(db, checked, expected_seq, prev_hash)


def _check_row(row: tuple[Any, ...], prev_hash: str, public_key: Ed25519PublicKey) -> str:
    """Why this stored row does not hold, or "" when it does."""
    try:
        event = row_to_event(row)
    except (ValueError, TypeError, RecursionError):
        return "its body is not valid JSON (the event was altered)"
    if event.prev_hash != prev_hash:
        return "its prev_hash does not match the hash of the event before it"
    try:
        digest = event_hash(event)
    except (TypeError, ValueError, RecursionError):
        return "its body holds a value no event can hold (the event was altered)"
    if digest != event.hash:
        return "its content does not match its hash (the event was altered)"
    if not signature_ok(public_key, event.hash, str(event.signature)):
        return "its signature is not the station's"
    if (event.type, event.schema_version) not in SCHEMAS:
        return f"unknown event type {event.type} v{event.schema_version}"
    return ""


def _check_head(db: sqlite_utils.Database, checked: int, next_seq: int, last_hash: str) -> AuditReport:
    """The log must end where the recorded chain head says, so deleting the newest events shows."""
    head_row = db.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()
    initialised = db.execute("SELECT 1 FROM meta WHERE key = 'station_id'").fetchone() is not None
    if head_row is None:
        if checked or initialised:
            return AuditReport(checked, next_seq, None, "the recorded chain head is missing (the log was altered)")
        return AuditReport(checked)
    head_seq, _, head_hash = str(head_row[0]).partition(":")
    if not head_seq.isdigit():
        return AuditReport(checked, next_seq, None, f"the recorded chain head {str(head_row[0])[:40]!r} is damaged")
    if int(head_seq) != next_seq - 1 or head_hash != last_hash:
        return AuditReport(
            checked, next_seq, None,
            f"the log ends at seq {next_seq - 1} but the recorded chain head is seq {head_seq}"
            " (events were deleted from the end)",
        )
    return AuditReport(checked)
