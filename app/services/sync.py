"""The bench's sync client: pushes the event log to the hub, in order, exactly once in effect.

Each session starts with a handshake per stream; the hub's contiguous high-water mark is the
cursor, so anything the hub lost (a restore, a reply lost after its commit) is sent again and
comes back ``duplicate`` at worst. One batch in flight per stream, seq order, capped in count
and bytes. Failures back off exponentially with full jitter and honour Retry-After.

A batch the hub refuses whole (400 malformed, 413 too large) is halved until the event that
causes it stands alone; that event is then announced as withheld (its seq, id and hashes, no
body), so the hub records it as rejected and the stream flows on past it.

``SyncClient.sync_once`` blocks (for the CLI and for a job); app/services/sync_loop.py runs it in
the background so the caller's thread never waits on the network.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.hub.protocol import (
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    EventStatus,
    Receipt,
    WireError,
    public_key_from_hex,
    withheld_to_wire,
)
from app.hub.reference import ReferenceError
from app.services import reference_data
from app.services.sync_enroll import Enrollment, load_enrollment, rotate_token, token_due
from app.store import sync_state
from app.store.db import connect, sqlite_version
from app.store.migrations import migrate
from app.store.store import DB_FILE

log = logging.getLogger("app.sync")

class SyncState(enum.StrEnum):
    NOT_ENROLLED = "not_enrolled"
    IDLE = "idle"  # the last session reached the hub and sent everything it had
    SYNCING = "syncing"
    BACKING_OFF = "backing_off"  # the hub could not be reached; a retry is scheduled
    STOPPED = "stopped"  # the hub refused this bench (bad token, revoked): a person must act


_NEEDS_A_PERSON = frozenset({401, 403, 409, 495})

_ALLOWED: dict[SyncState, frozenset[SyncState]] = {
    SyncState.NOT_ENROLLED: frozenset({SyncState.SYNCING}),
    SyncState.IDLE: frozenset({SyncState.SYNCING, SyncState.NOT_ENROLLED}),
    SyncState.SYNCING: frozenset({SyncState.IDLE, SyncState.BACKING_OFF, SyncState.STOPPED,
                                  SyncState.NOT_ENROLLED}),
    SyncState.BACKING_OFF: frozenset({SyncState.SYNCING, SyncState.NOT_ENROLLED}),
    SyncState.STOPPED: frozenset({SyncState.SYNCING, SyncState.NOT_ENROLLED}),
}


@dataclass(frozen=True)
class SyncStatus:
    """One snapshot of the sync state, safe to hand to any thread."""

    state: SyncState
    online: bool
    stream_id: str
    last_seq: int
    pending: int
    oldest_pending_at: str | None
    hub_hwm: int
    last_success: str | None
    last_error: str
    hub_url: str = ""
    reference_version: int = 0  # the hub's reference data in use here (0: the packaged resources)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "state": self.state.value}


class _Fork(Exception):
    """The hub holds more of a stream than this database: it was restored from a backup."""


class SyncClient:
    """One bench's sync over its own database connection; use it from one thread."""

    def __init__(self, data_dir: Path, *, timeout: float = 30.0, max_batch_events: int = MAX_BATCH_EVENTS,
                 max_batch_bytes: int = MAX_BATCH_BYTES, clock: Callable[[], datetime] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.timeout = timeout
        self.max_batch_events, self.max_batch_bytes = max_batch_events, max_batch_bytes
        self._clock = clock or (lambda: datetime.now(UTC))
        self.db = connect(self.data_dir / DB_FILE)
        migrate(self.db, self.data_dir / DB_FILE)
        self.state = SyncState.NOT_ENROLLED
        self.last_error = ""
        self.retry_after: float | None = None

    def close(self) -> None:
        self.db.close()

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _move(self, new: SyncState, why: str = "") -> None:
        """The one place the sync state changes."""
        if new is self.state:
            return
        if new not in _ALLOWED[self.state]:
            raise RuntimeError(f"sync cannot go from {self.state} to {new}")
        log.info("sync %s -> %s%s", self.state.value, new.value, f": {why}" if why else "")
        self.state = new

    def sync_once(self) -> SyncStatus:
        """One session: handshake and drain every stream, then a heartbeat. Never raises for a
        network fault: the outcome is in the returned status (state, last_error)."""
        enrollment = load_enrollment(self.data_dir)
        if enrollment is None:
            self._move(SyncState.NOT_ENROLLED)
            self.last_error = "this bench is not enrolled with a hub"
            # Nothing is counted: the bench keeps everything here until it is enrolled ('sync --status' counts).
            return SyncStatus(SyncState.NOT_ENROLLED, False, sync_state.current_stream_id(self.db),
                              sync_state.last_seq(self.db), 0, None, 0, None, self.last_error)
        self._move(SyncState.SYNCING)
        self.retry_after = None
        self.last_error = ""
        client = HubClient(enrollment.hub_url, enrollment.access_token, timeout=self.timeout)
        hub_key = public_key_from_hex(enrollment.server_pubkey)
        stream_id = ""
        try:
            try:
                for stream in sync_state.local_streams(self.db):
                    stream_id = stream.stream_id
                    self._sync_stream(client, hub_key, stream)
            except (HubUnavailable, HubRefused, WireError) as exc:
                self._heartbeat_after_failure(client, enrollment, exc)
                raise
            self._heartbeat(client, enrollment)
            if token_due(enrollment, self._clock()):
                rotate_token(self.data_dir, timeout=self.timeout, now=self._clock())
            self._pull_reference(client, hub_key)
        except HubUnavailable as exc:
            self._fail(stream_id, str(exc), SyncState.BACKING_OFF)
            self.retry_after = exc.retry_after
        except HubRefused as exc:
            # 401/403 (token, revoked), 409 (a stream the hub stopped: conflict, sealed) and 495 (untrusted TLS)
            # need a person; retrying will not mend them, so the bench says it stopped rather than offline.
            self._fail(stream_id, _refusal_words(exc), SyncState.STOPPED if exc.status in _NEEDS_A_PERSON
                       else SyncState.BACKING_OFF)
        except WireError as exc:
            self._fail(stream_id, f"the hub's answer does not hold: {exc}", SyncState.STOPPED)
        else:
            sync_state.clear_errors(self.db)
            self._move(SyncState.IDLE)
        return self.status()

    def _fail(self, stream_id: str, words: str, state: SyncState) -> None:
        self.last_error = words
        if stream_id:
            sync_state.save_error(self.db, stream_id, words)
        self._move(state, words)

    def _sync_stream(self, client: HubClient, hub_key: Any, stream: sync_state.LocalStream) -> None:
        # The bench knows the hub's verdict on every event up to its saved mark (a push reply and its
        # mark are saved together): the hub lists the rejections above it, in case a reply was lost.
        mark = sync_state.cursor(self.db, stream.stream_id).hub_hwm
        try:
            answer = client.cursor(stream.stream_id, rejected_after=mark)
        except HubRefused as exc:
            if exc.code != "unknown_stream":
                raise
            answer = client.register_stream({"stream_id": stream.stream_id, "base_seq": stream.base_seq,
                                             "base_hash": stream.base_hash})
        self._record_listed_rejections(client, stream.stream_id, answer)
        hwm, hwm_hash, status = int(answer["hwm"]), str(answer["hwm_hash"]), str(answer["status"])
        if status != "active":
            sync_state.save_cursor(self.db, stream.stream_id, hub_hwm=hwm, hub_hwm_hash=hwm_hash, hub_status=status)
            raise HubRefused(409, f"stream_{status}", f"the hub stopped stream {stream.stream_id[:8]}: "
                             f"{answer.get('detail') or status}")
        if hwm > stream.last_seq or (hwm > stream.base_seq and sync_state.event_hash_at(self.db, hwm) != hwm_hash):
            self._fork(stream, hwm, hwm_hash, status)
            return
        # Server-authoritative: whatever the hub lacks above its mark is pending again.
        sync_state.save_cursor(self.db, stream.stream_id, hub_hwm=hwm, hub_hwm_hash=hwm_hash, hub_status=status)
        # The hub says how much it takes in one batch; a bench never sends more.
        ceiling = min(self.max_batch_events, int(answer.get("max_batch_events") or self.max_batch_events))
        limit, suspect_until = ceiling, 0
        while True:
            batch = self._next_batch(stream.stream_id, hwm, limit)
            if not batch:
                return
            try:
                reply = client.push_raw(stream.stream_id, _batch_body(f"{stream.stream_id}:{batch[0]['seq']}",
                                                                      batch))
            except HubRefused as exc:
                if exc.status not in (400, 413):
                    raise
                if len(batch) > 1:
                    # Bisect: the event the hub cannot take is within this batch; halve until it stands
                    # alone, sending the good halves before it as they come.
                    limit, suspect_until = len(batch) // 2, batch[-1]["seq"]
                    log.info("the hub refused a batch of %d (%s): trying %d", len(batch), exc.code, limit)
                    continue
                reply = self._withhold(client, stream.stream_id, batch[0], exc)
                suspect_until = 0
            new_hwm = self._record_push(hub_key, stream.stream_id, reply)
            if new_hwm <= hwm:
                raise HubUnavailable(f"the hub did not take stream {stream.stream_id[:8]} past seq {hwm}")
            hwm = new_hwm
            if hwm >= suspect_until:
                limit = ceiling

    def _record_listed_rejections(self, client: HubClient, stream_id: str, answer: dict[str, Any]) -> None:
        """Record the rejections a handshake listed (asking for the rest while the hub says there is more),
        before the cursor moves past them. A hub older than this list sends none."""
        listed = answer.get("rejected")
        known = {seq for seq, *_ in sync_state.problem_events(self.db)}
        problems: list[tuple[int, str, str, str]] = []
        while isinstance(listed, list) and listed:
            for item in listed:
                if not isinstance(item, dict) or not isinstance(item.get("seq"), int):
                    raise WireError("the hub's list of rejected events does not hold")
                problems.append((item["seq"], EventStatus.REJECTED.value, str(item.get("code", "")),
                                 str(item.get("detail", ""))))
            if not answer.get("rejected_more"):
                break
            last = problems[-1][0]
            answer = client.cursor(stream_id, rejected_after=last)
            listed = answer.get("rejected")
            if isinstance(listed, list) and listed and not (isinstance(listed[0], dict)
                                                            and isinstance(listed[0].get("seq"), int)
                                                            and listed[0]["seq"] > last):
                raise WireError("the hub listed rejected events out of order")
        new = [p for p in problems if p[0] not in known]
        for seq, _, code, detail in new:
            log.warning("the hub lists event seq %d as rejected (%s): %s", seq, code, detail)
        if new:
            sync_state.save_event_problems(self.db, new, self._now())

    def _withhold(self, client: HubClient, stream_id: str, event: dict[str, Any], exc: HubRefused) -> dict[str, Any]:
        """Announce one event the hub refuses to take (its seq and hashes, no body) so the stream passes it."""
        reason = f"the hub refused it (HTTP {exc.status} {exc.code}): {exc.message}"
        log.warning("event seq %s is withheld from the hub: %s", event["seq"], reason)
        return client.push(stream_id, {"batch_id": f"{stream_id}:{event['seq']}:withheld",
                                       "events": [withheld_to_wire(event, reason)]})

    def _fork(self, stream: sync_state.LocalStream, hub_hwm: int, hub_hwm_hash: str, status: str) -> None:
        """The hub holds more of this stream than this database, or something else at the same seq."""
        if hub_hwm > stream.last_seq:
            # Everything this database has of the stream is on the hub already: nothing to send.
            sync_state.save_cursor(self.db, stream.stream_id, hub_hwm=hub_hwm, hub_hwm_hash=hub_hwm_hash,
                                   hub_status=status)
            if stream.stream_id != sync_state.current_stream_id(self.db):
                return  # an old stream, closed when the restore was first noticed
            words = (f"the hub holds stream {stream.stream_id[:8]} up to seq {hub_hwm} but this database ends at "
                     f"seq {stream.last_seq}: it was restored from a backup, so new events go on a new stream")
        else:
            words = (f"the hub holds a different event at seq {hub_hwm} of stream {stream.stream_id[:8]}: this "
                     "database was restored from a backup and written since; those events stay on this bench")
            sync_state.save_error(self.db, stream.stream_id, words)
            if stream.stream_id != sync_state.current_stream_id(self.db):
                return
        new_id = sync_state.begin_new_stream(self.db)
        log.warning("%s (new stream %s)", words, new_id)

    def _next_batch(self, stream_id: str, after_seq: int, limit: int) -> list[dict[str, Any]]:
        """The next events to push: their envelope fields and their wire JSON, written from the stored
        row (the body is stored as canonical JSON already: it goes out as it is, not parsed and re-encoded)."""
        batch: list[dict[str, Any]] = []
        size = 0
        for row in sync_state.pending_rows(self.db, stream_id, after_seq, limit):
            wire = _wire_text(row)
            if batch and size + len(wire) > self.max_batch_bytes:
                break
            batch.append({"seq": row[0], "stream_id": row[1], "event_id": row[2], "prev_hash": row[9],
                          "hash": row[10], "wire": wire})
            size += len(wire)
        return batch

    def _record_push(self, hub_key: Any, stream_id: str, reply: dict[str, Any]) -> int:
        receipt = Receipt.from_wire(reply.get("receipt"))
        if receipt.stream_id != stream_id or receipt.hwm != reply.get("hwm") or not receipt.verify(hub_key):
            raise WireError("the receipt is not signed by the hub this bench enrolled with")
        problems = []
        for result in reply.get("results", []):
            status = str(result.get("status"))
            if status in (EventStatus.REJECTED, EventStatus.CONFLICT):
                problems.append((int(result["seq"]), status, str(result.get("code", "")),
                                 str(result.get("detail", ""))))
                log.warning("the hub answered %s for event seq %s: %s", status, result.get("seq"),
                            result.get("detail"))
        sync_state.save_push_outcome(self.db, stream_id, hub_hwm=receipt.hwm, hub_hwm_hash=receipt.hwm_hash,
                                     hub_status=str(reply.get("status", "active")),
                                     receipt=(receipt.ts, receipt.server_sig), problems=problems, at=self._now())
        if reply.get("status") not in (None, "active"):
            raise HubRefused(409, "stream_flagged", f"the hub stopped stream {stream_id[:8]} after a conflict")
        return receipt.hwm

    def _pull_reference(self, client: HubClient, hub_key: Any) -> None:
        """Fetch newer reference data, if the hub has any; it applies between jobs (reference_data.py)."""
        data = reference_data.for_folder(self.data_dir)
        answer = client.reference(data.newest_kept())
        if answer.get("unchanged"):
            return
        if not isinstance(answer.get("version"), int) or not isinstance(answer.get("manifest"), dict):
            # Not an answer to this question (a reply cut, mixed up or replayed on the way): ask again later.
            raise HubUnavailable("the hub's answer about reference data did not arrive whole")
        try:
            data.receive(answer.get("manifest"), str(answer.get("signature", "")), hub_key)
        except ReferenceError as exc:
            # Events keep flowing; the bench keeps its rules and says why it did not take the new ones.
            log.warning("reference data version %s not taken: %s", answer.get("version"), exc)
            self.last_error = f"reference data not taken: {exc.message}"

    def _heartbeat(self, client: HubClient, enrollment: Enrollment) -> None:
        """Tell the hub what is still outstanding here: one small request at the end of every session
        that reached the hub, drained or not (a bench that cannot drain is the one the hub must see)."""
        pending, oldest = sync_state.pending_summary(self.db)
        client.heartbeat(enrollment.bench_id, {
            "stream_id": sync_state.current_stream_id(self.db), "last_seq": sync_state.last_seq(self.db),
            "pending": pending, "oldest_pending_at": oldest, "sqlite_version": sqlite_version(),
            "app_version": __version__})

    def _heartbeat_after_failure(self, client: HubClient, enrollment: Enrollment, failure: Exception) -> None:
        """The heartbeat of a session that reached the hub but did not drain; its own failure is only
        logged, so the session's outcome is the one that stopped it."""
        if client.answers == 0:
            return  # the hub was not reached: a heartbeat would not be either
        if isinstance(failure, HubRefused) and failure.status in (401, 403, 495):
            return  # the hub does not take this bench's token (or is not trusted): it would refuse this too
        try:
            self._heartbeat(client, enrollment)
        except (HubUnavailable, HubRefused) as exc:
            log.info("heartbeat after an unfinished session not delivered: %s", exc)

    def status(self) -> SyncStatus:
        enrollment = load_enrollment(self.data_dir)
        stream_id = sync_state.current_stream_id(self.db)
        cursor = sync_state.cursor(self.db, stream_id)
        pending, oldest = sync_state.pending_summary(self.db)
        successes = [sync_state.cursor(self.db, s.stream_id).last_success for s in sync_state.local_streams(self.db)]
        known = [s for s in successes if s]
        return SyncStatus(
            state=self.state if enrollment else SyncState.NOT_ENROLLED,
            online=self.state is SyncState.IDLE, stream_id=stream_id, last_seq=sync_state.last_seq(self.db),
            pending=pending, oldest_pending_at=oldest, hub_hwm=cursor.hub_hwm,
            last_success=max(known) if known else None, last_error=self.last_error or cursor.last_error,
            hub_url=enrollment.hub_url if enrollment else "",
            reference_version=reference_data.for_folder(self.data_dir).current_version())


_WIRE_FIELDS = ("seq", "stream_id", "event_id", "type", "schema_version", "occurred_at", "operator_id", "unit_id")


# One encoder for every row: json.dumps with any option builds a new one per call.
_encode = json.JSONEncoder(separators=(",", ":")).encode


def _wire_text(row: tuple[Any, ...]) -> str:
    """One stored event row as the JSON object event_to_wire would give, without decoding its body."""
    head = _encode(dict(zip(_WIRE_FIELDS, row[:8], strict=True)))
    tail = _encode({"prev_hash": row[9], "hash": row[10], "signature": row[11]})
    return f'{head[:-1]},"body":{row[8]},{tail[1:]}'


def _batch_body(batch_id: str, batch: list[dict[str, Any]]) -> bytes:
    events = ",".join(item["wire"] for item in batch)
    return f'{{"batch_id":{json.dumps(batch_id)},"events":[{events}]}}'.encode()


def _refusal_words(exc: HubRefused) -> str:
    if exc.status == 401:
        return "the hub no longer accepts this bench's token: enroll the bench again"
    if exc.code == "revoked":
        return "this bench was revoked on the hub: ask the hub's admin"
    return exc.message
