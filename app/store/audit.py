"""Verifying the event log: sequence, hash chain, signatures and the recorded chain head."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.canonical import GENESIS_HASH
from app.core.events import SCHEMAS
from app.store.eventlog import event_hash, iter_events
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
    """Walk the whole log and report the first event that does not hold."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for event in iter_events(db):
        def broken(
            reason: str, seq: int = event.seq, event_id: str | None = event.event_id, count: int = checked
        ) -> AuditReport:
            return AuditReport(count, seq, event_id, reason)

        if event.seq != expected_seq:
            return broken(f"event seq {expected_seq} is missing (seq {expected_seq - 1} is followed by {event.seq})",
                          seq=expected_seq, event_id=None)
        if event.prev_hash != prev_hash:
            return broken("its prev_hash does not match the hash of the event before it")
        if event_hash(event) != event.hash:
            return broken("its content does not match its hash (the event was altered)")
        if not signature_ok(public_key, event.hash, event.signature):
            return broken("its signature is not the station's")
        if (event.type, event.schema_version) not in SCHEMAS:
            return broken(f"unknown event type {event.type} v{event.schema_version}")
        expected_seq, prev_hash, checked = event.seq + 1, event.hash, checked + 1
    head_row = db.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()
    if head_row is not None:
        head_seq, _, head_hash = str(head_row[0]).partition(":")
        if int(head_seq) != expected_seq - 1 or head_hash != prev_hash:
            return AuditReport(
                checked, expected_seq, None,
                f"the log ends at seq {expected_seq - 1} but the recorded chain head is seq {head_seq}"
                " (events were deleted from the end)",
            )
    elif checked:
        return AuditReport(checked, expected_seq, None, "the recorded chain head is missing")
    return AuditReport(checked)
