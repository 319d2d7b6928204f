"""The integrity check of one pushed batch: every event's hash, and the station's signature per chain run.

Why one signature can stand for a run. An event's hash covers everything in it but the hash and the
signature, ``prev_hash`` included, and the station signs that hash. So when events k..n of a batch
each match their own hash and each ``prev_hash`` is the hash of the event before it, a valid
signature on event n commits the station key to n's content, hence to n-1's hash, hence to n-1's
content, and so on down to k: the one check authenticates the content of the whole run. The hub
verifies that one signature, on the last event of each run, instead of one per event (verification
is most of the hub's CPU per event).

What is verified one by one all the same:
- every event of a run whose last signature fails, to find and reject the bad ones;
- documents the hub serves by id (certificates: GET /v1/certificates/{id} hands out the event and its
  signature for checking offline), so a served document always carries a valid signature;
- an event standing alone (a run of one) or closing a run: that is the run's own check.

What the run check cannot see: the signature field of a middle event. It is not covered by any hash,
so a middle event whose content is genuine but whose signature was garbled (in transit, or in the
bench's own store) is stored with the signature as sent. Its content is authentic (the chain proves
it); only that event's standalone signature is unusable, and the hub never serves a non-document
event as a standalone document. The same holds on the bench and in any audit: an event's authenticity
is the chain plus a signature at or after it, which the hub's receipts then countersign.

A middle event whose content was changed is always caught: either its content no longer matches its
hash (``bad_hash``), or its hash was recomputed, its successor no longer links to it, the run ends at
it, and its own signature is checked (``bad_signature``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core import certificate
from app.core import events as ev
from app.core.canonical import canonical_json, sha256_hex
from app.core.models import Event
from app.hub.protocol import WITHHELD, WireError, event_from_wire, event_signature_ok

# Event types whose body the hub serves as a signed document.
DOCUMENT_TYPES = frozenset({ev.ERASURE_COMPLETED, ev.LOT_CERTIFICATE_ISSUED})

Problem = tuple[str, str]  # (code, words)


@dataclass(frozen=True)
class Checked:
    """One pushed event after the check: its problem (None when it holds) and its canonical body."""

    problem: Problem | None
    body_text: str = ""  # the body as canonical JSON, written once for the hash and reused for storage


def canonical_parts(event: Event) -> tuple[str, str]:
    """(canonical body JSON, content hash), serialising the body once.

    The same bytes as ``canonical_json(event.hashed_content())``: keys are sorted and "body" sorts
    first, so the content is the body's text followed by the other fields' text.
    """
    body_text = canonical_json(dict(event.body))
    rest = json.dumps({"stream_id": event.stream_id, "seq": event.seq, "event_id": event.event_id,
                       "type": event.type, "schema_version": event.schema_version,
                       "occurred_at": event.occurred_at, "operator_id": event.operator_id,
                       "unit_id": event.unit_id, "prev_hash": event.prev_hash},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return body_text, sha256_hex('{"body":' + body_text + "," + rest[1:])


def is_document(event: Event) -> bool:
    """Whether the hub serves this event's body as a signed document (the certificate projection's rule)."""
    body = event.body
    return event.type in DOCUMENT_TYPES or (
        isinstance(body.get("certificate_id"), str) and bool(body.get(certificate.DIGESTS)))


def claimed_hashes(item: Event | dict[str, Any]) -> tuple[str, str]:
    """(prev_hash, hash) an event claims, even a malformed or withheld one, so a tombstone keeps the chain."""
    if isinstance(item, Event):
        return item.prev_hash, item.hash
    prev_hash, claimed = item.get("prev_hash"), item.get("hash")
    return (prev_hash if isinstance(prev_hash, str) else "", claimed if isinstance(claimed, str) else "")


def check_batch(items: Sequence[Event | dict[str, Any]], stream_id: str, key: Ed25519PublicKey) -> list[Checked]:
    """The verdict on each of ``items`` (in seq order), in the same order."""
    verdicts: list[Checked | None] = [None] * len(items)
    bodies: list[str] = [""] * len(items)
    run: list[int] = []  # indexes of the current run of linked, hash-matching events of this stream
    runs: list[list[int]] = []
    for index, item in enumerate(items):
        if not isinstance(item, Event):
            verdicts[index] = Checked(_shape_problem(item))
            _close(run, runs)
            continue
        try:
            bodies[index], digest = canonical_parts(item)
        except (TypeError, ValueError) as exc:
            verdicts[index] = Checked(("bad_hash", f"its content cannot be hashed: {exc}"))
            _close(run, runs)
            continue
        if digest != item.hash:
            verdicts[index] = Checked(("bad_hash", "its content does not match its hash"))
            _close(run, runs)
            continue
        if run:
            last = items[run[-1]]
            assert isinstance(last, Event)
            if item.stream_id != stream_id or item.seq != last.seq + 1 or item.prev_hash != last.hash:
                _close(run, runs)
        run.append(index)
    _close(run, runs)
    authentic = set()
    for members in runs:
        authentic.update(_authentic_members(items, members, key))
    checked: list[Checked] = []
    for index, item in enumerate(items):
        verdict = verdicts[index]
        if verdict is None:
            assert isinstance(item, Event)
            problem = None if index in authentic else ("bad_signature", "its signature is not the bench's")
            verdict = Checked(problem or _schema_problem(item), bodies[index])
        checked.append(verdict)
    return checked


def _close(run: list[int], runs: list[list[int]]) -> None:
    if run:
        runs.append(list(run))
        run.clear()


def _authentic_members(items: Sequence[Event | dict[str, Any]], members: list[int],
                       key: Ed25519PublicKey) -> list[int]:
    """The indexes of a run whose content the station key signed (see the module's notes)."""
    events = {index: item for index in members if isinstance(item := items[index], Event)}
    documents_ok = {index: event_signature_ok(key, event) for index, event in events.items() if is_document(event)}
    tail = members[-1]
    tail_ok = documents_ok[tail] if tail in documents_ok else event_signature_ok(key, events[tail])
    if tail_ok:
        return [index for index in members if documents_ok.get(index, True)]
    # The run does not hold as a whole: every event answers for its own signature.
    authentic = []
    for index in members:
        signed = documents_ok[index] if index in documents_ok else (
            index != tail and event_signature_ok(key, events[index]))
        if signed:
            authentic.append(index)
    return authentic


def _shape_problem(item: dict[str, Any]) -> Problem:
    if isinstance(item.get(WITHHELD), str):
        return "withheld", f"the bench withheld it: {item[WITHHELD]}"
    try:
        event_from_wire(item)
    except WireError as exc:
        return "malformed", str(exc)
    return "malformed", "malformed event"


def _schema_problem(event: Event) -> Problem | None:
    try:
        ev.schema_for(event.type, event.schema_version).validate(event.body, event.unit_id, event.operator_id)
    except ValueError as exc:
        return "bad_schema", str(exc)
    return None
