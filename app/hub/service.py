"""The hub's rules: enrolment, tokens, handshake, verified ingest, receipts, and what it answers.

Every request is one storage transaction; a push is answered only after its commit, so a reply
the bench receives always describes committed facts, and a reply lost on the way costs nothing but
a re-send that comes back ``duplicate``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core import certificate
from app.core import events as ev
from app.core.canonical import GENESIS_HASH, canonical_json
from app.core.errors import OperatorError
from app.core.models import Event
from app.hub import reference
from app.hub.ingest_check import Checked, check_batch, claimed_hashes
from app.hub.protocol import (
    MAX_BATCH_EVENTS,
    MAX_LISTED_REJECTIONS,
    EventStatus,
    Receipt,
    StreamStatus,
    WireError,
    event_from_wire,
    event_to_wire,
    public_key_from_hex,
    public_key_hex,
    rotation_message,
)
from app.hub.records import Bench, HeldEvent, Stream
from app.hub.storage import HubStorage, HubTx

log = logging.getLogger("app.hub")

Clock = Callable[[], datetime]
# A tombstone for an event that failed its integrity check in transit, or that the bench withheld
# because no batch holding it got through, may be replaced by the genuine event when the bench
# sends it; a schema rejection is final.
_HEALABLE = frozenset({"bad_hash", "bad_signature", "withheld"})
_WALK_CHUNK = 1000
_CERTIFICATE_SCHEMAS = {ev.ERASURE_COMPLETED: certificate.SCHEMA, ev.LOT_CERTIFICATE_ISSUED: certificate.LOT_SCHEMA}
# How far a token rotation request's time may be from the hub's clock (a captured request replays no later).
ROTATION_WINDOW = timedelta(minutes=10)


class HubError(Exception):
    """A whole request the hub refuses: an HTTP status, a code the bench acts on, words for people."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class EventResult:
    seq: int
    event_id: str
    status: EventStatus
    code: str = ""
    detail: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {"seq": self.seq, "event_id": self.event_id, "status": self.status.value, "code": self.code,
                "detail": self.detail}


class Hub:
    """The hub's behaviour over one storage and one countersigning key."""

    def __init__(self, storage: HubStorage, key: Ed25519PrivateKey, *, clock: Clock | None = None,
                 max_batch_events: int = MAX_BATCH_EVENTS) -> None:
        self.storage = storage
        self._key = key
        self.public_key_hex = public_key_hex(key.public_key())
        self._clock = clock or (lambda: datetime.now(UTC))
        self.max_batch_events = max_batch_events

    def now(self) -> str:
        return _iso(self._clock())

    # --- admin -------------------------------------------------------------------------------

    def create_enrollment_code(self, bench_name: str, *, valid_for: timedelta = timedelta(hours=24)) -> str:
        """A one-time code an admin hands to the technician enrolling ``bench_name``."""
        if not bench_name.strip():
            raise OperatorError("A bench name is required", hint="Give --bench-name, e.g. 'Bench 7'")
        code = "-".join(secrets.token_hex(3).upper() for _ in range(3))
        moment = self._clock()
        with self.storage.transaction() as tx:
            tx.add_enrollment_code(token_digest(code), bench_name.strip(), _iso(moment), _iso(moment + valid_for))
        log.info("enrolment code issued for bench %r", bench_name)
        return code

    def revoke(self, bench_name: str) -> list[str]:
        with self.storage.transaction() as tx:
            revoked = tx.revoke_benches(bench_name, self.now())
        if not revoked:
            raise OperatorError(f"No active bench is called {bench_name!r}",
                                hint="Check the name the bench enrolled as")
        log.warning("bench %r revoked (%s)", bench_name, ", ".join(revoked))
        return revoked

    # --- bench requests ------------------------------------------------------------------------

    def enroll(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Enroll a bench with a one-time code; enrolling again re-binds a stream the hub knows.

        A bench whose token the hub no longer accepts (a sync.json put back from an old copy, a lost
        rotation) is told to enroll again. When its stream is known and the station key it presents
        is the key that owns the stream, the new code re-binds that bench: it gets a new token (every
        older one stops working) and its streams go on where the hub holds them. The station key is
        the bench's identity: a new stream from a key the hub knows (begun since a restore) joins
        that bench's streams the same way. A different key for
        a known stream is refused: it is another install claiming the stream. A revoked bench may come
        back this way too: the admin issuing a new code for it is the admin's explicit decision to let
        it in again (a stream stopped for a conflict stays stopped).
        """
        code = _text(payload, "enrollment_code")
        pubkey = _text(payload, "device_pubkey")
        stream_id = _text(payload, "stream_id")
        base_seq, base_hash = _base(payload)
        try:
            public_key_from_hex(pubkey)
        except WireError as exc:
            raise HubError(400, "bad_request", str(exc)) from exc
        token = secrets.token_urlsafe(32)
        now = self.now()
        with self.storage.transaction() as tx:
            name = tx.claim_enrollment_code(token_digest(code.strip().upper()), now)
            if name is None:
                raise HubError(403, "bad_enrollment_code", "this enrolment code is unknown, used or expired")
            stream = tx.stream(stream_id)
            was_revoked = False
            if stream is None:
                known = tx.bench_by_pubkey(pubkey)  # the same station with a stream begun since (a restore)
                if known is None:
                    bench_id, rebound = str(uuid.uuid4()), False
                    tx.add_bench(bench_id, name, token_digest(token), pubkey, now)
                else:
                    bench_id, rebound, was_revoked = known.bench_id, True, known.revoked
                    tx.rebind_bench(bench_id, name, token_digest(token), pubkey, now)
                stream = Stream(stream_id, bench_id, base_seq, base_hash, base_seq, base_hash, StreamStatus.ACTIVE)
                tx.add_stream(stream, now)
            else:
                owner = self._rebindable_owner(tx, stream, pubkey, base_seq, base_hash)
                bench_id, rebound, was_revoked = owner.bench_id, True, owner.revoked
                tx.rebind_bench(bench_id, name, token_digest(token), pubkey, now)
                stream = tx.stream(stream_id) or stream
        if rebound:
            log.warning("bench %r (%s) enrolled again with its station key: stream %s continues after seq %d%s",
                        name, bench_id, stream_id, stream.hwm, " (its revocation is lifted)" if was_revoked else "")
        else:
            log.info("bench %r enrolled as %s with stream %s", name, bench_id, stream_id)
        return {"bench_id": bench_id, "bench_name": name, "stream_id": stream_id, "access_token": token,
                "server_pubkey": self.public_key_hex, "server_time": now, "rebound": rebound,
                "hwm": stream.hwm, "hwm_hash": stream.hwm_hash, "status": stream.status.value}

    @staticmethod
    def _rebindable_owner(tx: HubTx, stream: Stream, pubkey: str, base_seq: int, base_hash: str) -> Bench:
        """The bench that owns a known stream, if the enrolling install is that bench; refused otherwise."""
        owner = tx.bench(stream.bench_id)
        if owner is None or owner.device_pubkey != pubkey:
            held_by = f"bench {owner.name!r}" if owner else "another bench"
            raise HubError(409, "stream_exists",
                           f"stream {stream.stream_id[:8]} is already enrolled on the hub by {held_by} with a "
                           "different station key: this data folder is a copy of another bench's, or its key "
                           "was replaced; the hub admin must check which bench this is before it can send")
        if (stream.base_seq, stream.base_hash) != (base_seq, base_hash):
            raise HubError(409, "stream_exists",
                           f"stream {stream.stream_id[:8]} is registered on the hub with a different start: "
                           "this data folder is not the one the hub knows; the hub admin must check it")
        return owner

    def register_stream(self, token: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A bench restored from a backup continues its chain on a new stream (never on the old one)."""
        stream_id = _text(payload, "stream_id")
        base_seq, base_hash = _base(payload)
        with self.storage.transaction() as tx:
            bench = self._bench(tx, token)
            existing = tx.stream(stream_id)
            if existing is None:
                tx.add_stream(Stream(stream_id, bench.bench_id, base_seq, base_hash, base_seq, base_hash,
                                     StreamStatus.ACTIVE), self.now())
                log.info("bench %s opened stream %s after seq %d", bench.bench_id, stream_id, base_seq)
            elif (existing.bench_id, existing.base_seq, existing.base_hash) != (bench.bench_id, base_seq, base_hash):
                raise HubError(409, "stream_exists", "this stream is registered differently on the hub")
        return self.cursor(token, stream_id)

    def cursor(self, token: str, stream_id: str, *, rejected_after: int | None = None) -> dict[str, Any]:
        """The handshake: the stream's contiguous high-water mark; the bench re-sends everything above it.

        A bench that sends ``rejected_after`` (the mark up to which it knows the hub's verdicts) also
        gets the events the hub rejected above it, at most MAX_LISTED_REJECTIONS, with
        ``rejected_more`` when it should ask again from the last one listed: so a rejection whose
        push reply was lost on the way still reaches the bench. A bench that does not ask gets
        the answer it always had.
        """
        rejected: list[tuple[int, str, str]] = []
        with self.storage.transaction() as tx:
            bench = self._bench(tx, token)
            stream = self._own_stream(tx, bench, stream_id)
            if not bench.retiring:
                tx.drop_retiring_tokens(bench.bench_id)  # the bench has its new token: the old one ends here
            if rejected_after is not None:
                rejected = tx.rejected_after(stream_id, rejected_after, MAX_LISTED_REJECTIONS + 1)
        answer: dict[str, Any] = {
            "stream_id": stream.stream_id, "base_seq": stream.base_seq, "hwm": stream.hwm,
            "hwm_hash": stream.hwm_hash, "status": stream.status.value, "detail": stream.status_detail,
            "server_time": self.now(), "max_batch_events": self.max_batch_events}
        if rejected_after is not None:
            answer["rejected"] = [{"seq": seq, "status": EventStatus.REJECTED.value, "code": code, "detail": detail}
                                  for seq, code, detail in rejected[:MAX_LISTED_REJECTIONS]]
            answer["rejected_more"] = len(rejected) > MAX_LISTED_REJECTIONS
        return answer

    def push(self, token: str, stream_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        raw = payload.get("events")
        if not isinstance(raw, list):
            raise HubError(400, "bad_request", "'events' must be a list")
        if len(raw) > self.max_batch_events:
            raise HubError(413, "batch_too_large", f"at most {self.max_batch_events} events per batch")
        parsed = sorted((_parse(item) for item in raw), key=lambda pair: pair[0])
        now = self.now()
        with self.storage.transaction() as tx:
            bench = self._bench(tx, token)
            stream = self._own_stream(tx, bench, stream_id, lock=True)
            if stream.status is StreamStatus.FLAGGED:
                raise HubError(409, "stream_flagged", f"this stream is stopped: {stream.status_detail}")
            key = public_key_from_hex(bench.device_pubkey)
            results: list[EventResult] = []
            status, detail = StreamStatus.ACTIVE, ""
            # What the hub holds around the batch, read once; new events are written in one go below.
            batch = _Batch(tx.held_range(stream_id, parsed[0][0] - 1, parsed[-1][0]) if parsed else {})
            verdicts = check_batch([item for _, item in parsed], stream_id, key)
            for (seq, item), verdict in zip(parsed, verdicts, strict=True):
                result = self._ingest_one(tx, stream, seq, item, verdict, now, batch)
                results.append(result)
                if result.status is EventStatus.CONFLICT:
                    # Stop at the first conflict: nothing after it in this stream can be trusted.
                    status, detail = StreamStatus.FLAGGED, f"conflict at seq {seq}: {result.detail}"
                    break
            batch.write(tx, now)
            hwm, hwm_hash, chain_problem = _walk(tx, stream)
            if chain_problem and status is StreamStatus.ACTIVE:
                status, detail = StreamStatus.FLAGGED, chain_problem
            tx.update_stream(stream_id, hwm=hwm, hwm_hash=hwm_hash, status=status, detail=detail, seen_at=now)
        if status is StreamStatus.FLAGGED:
            log.warning("stream %s of bench %s stopped: %s", stream_id, bench.bench_id, detail)
        receipt = Receipt(stream_id, hwm, hwm_hash, now).signed(self._key)
        return {"results": [r.to_wire() for r in results], "hwm": hwm, "hwm_hash": hwm_hash,
                "status": status.value, "receipt": receipt.to_wire()}

    def rotate_token(self, token: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A new token for a bench that proves itself twice: its current token and its station key."""
        bench_id, ts, signature = _text(payload, "bench_id"), _text(payload, "ts"), _text(payload, "signature")
        try:
            asked_at = datetime.fromisoformat(ts.replace("Z", "+00:00"))
        except ValueError:
            raise HubError(400, "bad_request", "'ts' must be an ISO 8601 time") from None
        if asked_at.tzinfo is None or abs(asked_at - self._clock()) > ROTATION_WINDOW:
            raise HubError(400, "clock_skew", "the rotation request's time is too far from the hub's clock")
        new_token = secrets.token_urlsafe(32)
        now = self.now()
        with self.storage.transaction() as tx:
            bench = self._bench(tx, token)
            if bench.bench_id != bench_id:
                raise HubError(403, "not_your_bench", "this token belongs to another bench")
            try:
                public_key_from_hex(bench.device_pubkey).verify(bytes.fromhex(signature),
                                                                rotation_message(bench_id, ts))
            except (InvalidSignature, ValueError):
                raise HubError(403, "bad_signature", "the rotation request is not signed by this bench's key") \
                    from None
            tx.replace_token(bench_id, token_digest(token), token_digest(new_token), now)
        log.info("bench %s rotated its token", bench_id)
        return {"access_token": new_token, "issued_at": now}

    def heartbeat(self, token: str, bench_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        stream_id = _text(payload, "stream_id")
        last_seq, pending = payload.get("last_seq"), payload.get("pending")
        if not isinstance(last_seq, int) or not isinstance(pending, int):
            raise HubError(400, "bad_request", "'last_seq' and 'pending' must be integers")
        now = self.now()
        with self.storage.transaction() as tx:
            bench = self._bench(tx, token)
            if bench.bench_id != bench_id:
                raise HubError(403, "not_your_bench", "this token belongs to another bench")
            tx.put_heartbeat(bench_id, stream_id, now, last_seq, pending, canonical_json(_plain(payload)))
        return {"server_time": now}

    # --- reference data ----------------------------------------------------------------------------

    def publish_reference(self, folder: Path) -> int:
        """Check and publish the reference data in ``folder`` as the next version; returns it."""
        files = reference.collect(folder)
        now = self.now()
        with self.storage.transaction() as tx:
            latest = tx.latest_reference()
            version = (latest[0] if latest else 0) + 1
            document = reference.manifest(version, now, files)
            tx.add_reference(version, now, canonical_json(document), reference.sign(document, self._key))
        log.info("reference data version %d published (%d files)", version, len(files))
        return version

    def reference(self, token: str, since: int) -> dict[str, Any]:
        """The newest reference data if it is newer than ``since``, else just its version number."""
        with self.storage.transaction() as tx:
            self._bench(tx, token)
            latest = tx.latest_reference()
        if latest is None or latest[0] <= since:
            return {"version": latest[0] if latest else 0, "unchanged": True}
        return {"version": latest[0], "manifest": json.loads(latest[1]), "signature": latest[2]}

    # --- queries ---------------------------------------------------------------------------------

    def certificate(self, certificate_id: str) -> dict[str, Any]:
        """A certificate's signed event, its station key and the hub's countersignature, for anyone holding its id."""
        with self.storage.transaction() as tx:
            where = tx.certificate_location(certificate_id)
            event = tx.event(*where) if where else None
            stream = tx.stream(where[0]) if where else None
            pubkey = tx.bench_pubkey(stream.bench_id) if stream else None
        if event is None or stream is None or pubkey is None:
            raise HubError(404, "unknown_certificate", f"the hub holds no certificate {certificate_id}")
        receipt = Receipt(stream.stream_id, event.seq, event.hash, self.now()).signed(self._key)
        answer = {"certificate_id": certificate_id, "event": event_to_wire(event), "station_public_key": pubkey,
                  "anchored": stream.hwm >= event.seq, "receipt": receipt.to_wire()}
        schema = _CERTIFICATE_SCHEMAS.get(event.type)
        if schema:
            # The document as the bench wrote it: check it offline with app.core.certificate.check.
            answer["document"] = certificate.document(event, pubkey, schema)
        return answer

    def lot_units(self, token: str, lot_ref: str) -> dict[str, Any]:
        with self.storage.transaction() as tx:
            self._bench(tx, token)
            lot = tx.find_lot(lot_ref)
            if lot is None:
                raise HubError(404, "unknown_lot", f"the hub knows no lot {lot_ref}")
            units = tx.lot_units(lot[0])
        return {"lot_id": lot[0], "code": lot[1], "party": lot[2], "po": lot[3],
                "units": [{"unit_id": unit_id, "state": state, "identifier_kind": kind, "identifier": value}
                          for unit_id, state, kind, value in units]}

    def stream_seqs(self, stream_id: str) -> list[int]:
        """Every stored seq of a stream (for operators' checks and tests)."""
        with self.storage.transaction() as tx:
            return tx.stream_seqs(stream_id)

    # --- helpers -------------------------------------------------------------------------------------

    def _bench(self, tx: HubTx, token: str) -> Bench:
        bench = tx.bench_by_token(token_digest(token)) if token else None
        if bench is None:
            raise HubError(401, "bad_token", "the hub does not know this bench's token")
        if bench.revoked:
            raise HubError(403, "revoked", "this bench has been revoked on the hub")
        return bench

    def _own_stream(self, tx: HubTx, bench: Bench, stream_id: str, *, lock: bool = False) -> Stream:
        stream = tx.stream(stream_id, lock=lock)
        if stream is None:
            raise HubError(404, "unknown_stream", "the hub knows no such stream")
        if stream.bench_id != bench.bench_id:
            raise HubError(403, "not_your_stream", "this stream belongs to another bench")
        return stream

    def _ingest_one(self, tx: HubTx, stream: Stream, seq: int, item: Event | dict[str, Any], verdict: Checked,
                    now: str, batch: _Batch) -> EventResult:
        event_id = item.event_id if isinstance(item, Event) else str(item.get("event_id", ""))
        if seq <= stream.base_seq or (isinstance(item, Event) and item.stream_id != stream.stream_id):
            return EventResult(seq, event_id, EventStatus.REJECTED, "wrong_stream", "the event is not of this stream")
        problem = verdict.problem
        held = batch.held.get(seq)
        if held is not None and held.rejected_code is None:
            if isinstance(item, Event) and held.hash == item.hash and not problem:
                return EventResult(seq, event_id, EventStatus.DUPLICATE)
            return EventResult(seq, event_id, EventStatus.CONFLICT, "different_body",
                               "the hub holds a different event at this seq")
        if held is not None:
            if held.hash == claimed_hashes(item)[1] and problem:
                return EventResult(seq, event_id, EventStatus.REJECTED, held.rejected_code or "", problem[1])
            if problem or held.rejected_code not in _HEALABLE:
                return EventResult(seq, event_id, EventStatus.CONFLICT, "different_body",
                                   "the hub holds a different, rejected event at this seq")
            tx.delete_tombstone(stream.stream_id, seq)
            del batch.held[seq]
        if problem:
            prev_hash, claimed = claimed_hashes(item)
            payload = canonical_json(event_to_wire(item) if isinstance(item, Event) else item)
            tx.insert_tombstone(stream.stream_id, seq, event_id, prev_hash, claimed, problem[0], problem[1],
                                payload, now)
            batch.held[seq] = HeldEvent(seq, prev_hash, claimed, problem[0])
            log.warning("stream %s seq %d rejected: %s", stream.stream_id, seq, problem[1])
            return EventResult(seq, event_id, EventStatus.REJECTED, problem[0], problem[1])
        assert isinstance(item, Event)
        before = batch.held.get(seq - 1)
        link = stream.base_hash if seq - 1 == stream.base_seq else (before.hash if before else None)
        if link is not None and link != item.prev_hash:
            return EventResult(seq, event_id, EventStatus.CONFLICT, "chain_break",
                               "the event does not follow the event the hub holds before it")
        batch.store(item, verdict.body_text)
        return EventResult(seq, event_id, EventStatus.STORED)


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise HubError(400, "bad_request", f"{name!r} must be a non-empty string")
    return value


def _base(payload: Mapping[str, Any]) -> tuple[int, str]:
    base_seq = payload.get("base_seq", 0)
    base_hash = payload.get("base_hash", GENESIS_HASH)
    if not isinstance(base_seq, int) or isinstance(base_seq, bool) or base_seq < 0 or not isinstance(base_hash, str):
        raise HubError(400, "bad_request", "'base_seq' must be a count and 'base_hash' a hash")
    return base_seq, base_hash


def _plain(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON payload with any float turned to text, so canonical JSON accepts it."""
    return json.loads(json.dumps(dict(payload)), parse_float=str)  # type: ignore[no-any-return]


def _parse(item: object) -> tuple[int, Event | dict[str, Any]]:
    """(seq, event) for a well-formed event, (seq, raw dict) for one to reject; 400 without a seq."""
    if not isinstance(item, dict) or not isinstance(item.get("seq"), int) or isinstance(item.get("seq"), bool):
        raise HubError(400, "bad_request", "every event must be an object with an integer 'seq'")
    try:
        return item["seq"], event_from_wire(item)
    except WireError:
        return item["seq"], item


def _walk(tx: HubTx, stream: Stream) -> tuple[int, str, str]:
    """Advance the high-water mark over contiguous, linked seqs: (hwm, hwm_hash, chain problem or "")."""
    hwm, hwm_hash = stream.hwm, stream.hwm_hash
    while True:
        chunk = tx.held_after(stream.stream_id, hwm, _WALK_CHUNK)
        for held in chunk:
            if held.seq != hwm + 1:
                return hwm, hwm_hash, ""
            if held.prev_hash != hwm_hash:
                return hwm, hwm_hash, f"chain broken at seq {held.seq}"
            hwm, hwm_hash = held.seq, held.hash
        if len(chunk) < _WALK_CHUNK:
            return hwm, hwm_hash, ""


class _Batch:
    """One push's view of the stream: what the hub holds around it, and what it will write."""

    def __init__(self, held: dict[int, HeldEvent]) -> None:
        self.held = held
        self.events: list[tuple[Event, str]] = []  # with the body's canonical JSON
        self.rows: dict[str, list[tuple[str, ...]]] = {}

    def store(self, event: Event, body_text: str) -> None:
        self.events.append((event, body_text))
        self.held[event.seq] = HeldEvent(event.seq, event.prev_hash, event.hash)
        self._project(event)

    def _add(self, table: str, *row: str) -> None:
        self.rows.setdefault(table, []).append(row)

    def _project(self, event: Event) -> None:
        """The hub's read tables (certificates, lots, unit states), idempotent and order-independent."""
        body = event.body
        order = f"{event.occurred_at}|{event.stream_id}|{event.seq:015d}"
        if isinstance(body.get("certificate_id"), str) and body.get(certificate.DIGESTS):
            # Every signed certificate (a drive's erasure, a lot's destruction, any other) is found by its id.
            self._add("certificate", body["certificate_id"], event.stream_id, str(event.seq))
        if event.type == ev.UNIT_CREATED and event.unit_id and body.get("identifiers"):
            first = body["identifiers"][0]
            self._add("unit_label", event.unit_id, str(first.get("kind", "")), str(first.get("value", "")))
        if event.type == ev.LOT_CREATED:
            self._add("lot", str(body["lot_id"]), str(body["code"]), str(body["party"]), str(body["po"]))
        elif event.type == ev.UNIT_CREATED and event.unit_id:
            self._add("unit_state", event.unit_id, "received", order)
        elif event.type == ev.UNIT_STATE_CHANGED and event.unit_id:
            self._add("unit_state", event.unit_id, str(body["to"]), order)
        elif event.type == ev.LOT_UNIT_RECEIVED and event.unit_id:
            self._add("unit_lot", event.unit_id, str(body["lot_id"]), order)

    def write(self, tx: HubTx, now: str) -> None:
        """Every new event and its read-table rows, a statement per table for the whole batch."""
        tx.insert_events(self.events, now)
        for table, rows in self.rows.items():
            tx.project_many(table, rows)

