"""One signature per chain run: what the hub does with tampered events and tampered signatures.

The hub verifies the station's signature on the last event of each run of linked, hash-matching
events, and one by one wherever that cannot stand for the run (see app/hub/ingest_check.py).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core import certificate
from app.core import events as ev
from app.core.canonical import GENESIS_HASH
from app.core.models import Event
from app.hub.client import HubClient
from app.hub.ingest_check import canonical_parts, check_batch
from app.hub.protocol import event_to_wire
from app.services.sync_enroll import enroll, load_enrollment
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.hub.helpers import RunningHub, hub_hashes, record_events

STREAM = str(uuid.uuid4())


def _sealed(event: Event, key: Ed25519PrivateKey) -> Event:
    digest = event.content_hash()
    return replace(event, hash=digest, signature=key.sign(bytes.fromhex(digest)).hex())


def _chain(key: Ed25519PrivateKey, count: int, *, certificate_at: int = 0) -> list[Event]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        body: dict[str, Any]
        if seq == certificate_at:
            kind, body = ev.ERASURE_COMPLETED, {"certificate_id": f"CERT-{seq}", certificate.DIGESTS: {"a": "b"}}
        else:
            kind, body = "bay.assigned", {"bay": seq, "bay_key": f"pci-{seq}", "label": f"dock {seq} é"}
        event = _sealed(Event(STREAM, seq, str(uuid.uuid4()), kind, 1, "2026-11-02T10:00:00.000Z", None, None,
                              body, prev), key)
        events.append(event)
        prev = event.hash
    return events


def _codes(events: list[Event], key: Ed25519PrivateKey) -> list[str]:
    return [(c.problem or ("ok", ""))[0] for c in check_batch(list(events), STREAM, key.public_key())]


def _garbled(signature: str) -> str:
    return ("0" if signature[0] != "0" else "1") + signature[1:]


def test_the_body_is_written_once_to_the_same_bytes_the_bench_hashed() -> None:
    for event in _chain(Ed25519PrivateKey.generate(), 3):
        body_text, digest = canonical_parts(event)
        assert digest == event.content_hash() == event.hash
        assert '"label":"dock' in body_text
        assert "\\u00e9" in body_text, "canonical JSON is ASCII"


def test_an_intact_run_holds_on_its_last_signature() -> None:
    key = Ed25519PrivateKey.generate()
    assert _codes(_chain(key, 6), key) == ["ok"] * 6


def test_a_run_signed_by_another_key_is_rejected_event_by_event() -> None:
    key = Ed25519PrivateKey.generate()
    assert _codes(_chain(key, 4), Ed25519PrivateKey.generate()) == ["bad_signature"] * 4


def test_a_middle_event_altered_and_rehashed_breaks_the_run_and_fails_its_own_signature() -> None:
    key = Ed25519PrivateKey.generate()
    events = _chain(key, 5)
    altered = replace(events[2], body={**events[2].body, "label": "altered"})
    events[2] = replace(altered, hash=altered.content_hash())
    assert _codes(events, key) == ["ok", "ok", "bad_signature", "ok", "ok"]


def test_a_garbled_last_signature_is_found_by_checking_the_run_one_by_one() -> None:
    key = Ed25519PrivateKey.generate()
    events = _chain(key, 4)
    events[3] = replace(events[3], signature=_garbled(events[3].signature))
    assert _codes(events, key) == ["ok", "ok", "ok", "bad_signature"]


def test_a_garbled_middle_signature_is_carried_because_the_chain_proves_the_content() -> None:
    """Documented outcome: the content is authentic (the last signature covers it through the chain),
    so the event is taken; its own signature field is not covered by any hash and is kept as sent."""
    key = Ed25519PrivateKey.generate()
    events = _chain(key, 4)
    events[1] = replace(events[1], signature=_garbled(events[1].signature))
    assert _codes(events, key) == ["ok"] * 4


def test_a_served_certificate_always_answers_for_its_own_signature() -> None:
    key = Ed25519PrivateKey.generate()
    events = _chain(key, 4, certificate_at=2)
    events[1] = replace(events[1], signature=_garbled(events[1].signature))
    codes = _codes(events, key)
    assert codes[1] == "bad_signature"
    assert codes[0] == codes[2] == codes[3] == "ok"


def _bench(hub: RunningHub, data_dir: Path) -> tuple[HubClient, str, list[dict[str, Any]]]:
    Store(data_dir).close()
    enroll(data_dir, hub.url, hub.hub.create_enrollment_code("Bench 1"), timeout=5)
    enrollment = load_enrollment(data_dir)
    assert enrollment is not None
    record_events(data_dir, 5)
    with Store(data_dir) as store:
        return (HubClient(hub.url, enrollment.access_token, timeout=5), store.stream_id,
                [event_to_wire(e) for e in iter_events(store.db)])


def test_a_rehashed_middle_event_is_rejected_over_http_and_its_successor_stops_the_stream(
    hub: RunningHub, tmp_path: Path, log_warnings: list[Any]
) -> None:
    """Its own signature fails (it closes a run of its own); the genuine next event does not follow the
    altered hash the tombstone keeps, so the stream stops there for a supervisor, as for any fork."""
    client, stream, events = _bench(hub, tmp_path / "bench")
    altered = Event(**{**events[2], "body": {**events[2]["body"], "label": "altered"}})
    events[2] = event_to_wire(replace(altered, hash=altered.content_hash()))
    reply = client.push(stream, {"events": events})
    assert [(r["status"], r["code"]) for r in reply["results"]] == [
        ("stored", ""), ("stored", ""), ("rejected", "bad_signature"), ("conflict", "chain_break")]
    assert (reply["hwm"], reply["status"]) == (3, "flagged"), "the tombstone passes the mark"
    assert (stream, 3) not in hub_hashes(hub.storage)
    assert any("seq 3 rejected" in r.getMessage() for r in log_warnings)
    assert any("stopped" in r.getMessage() for r in log_warnings)


def test_a_garbled_middle_signature_is_stored_over_http_with_its_genuine_content(hub: RunningHub,
                                                                                 tmp_path: Path) -> None:
    client, stream, events = _bench(hub, tmp_path / "bench")
    genuine = events[2]["hash"]
    events[2]["signature"] = _garbled(events[2]["signature"])
    reply = client.push(stream, {"events": events})
    assert {r["status"] for r in reply["results"]} == {"stored"}
    assert reply["hwm"] == 6
    assert hub_hashes(hub.storage)[(stream, 3)] == genuine
