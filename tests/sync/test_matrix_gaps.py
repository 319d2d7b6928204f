"""Failure matrix rows without a proving test elsewhere, each on the real hub over 127.0.0.1:

row 14: a token the hub no longer knows stops the bench, says so in words, and keeps every event;
row 20: an event altered in the bench's database is found by the audit and at the next sync, and
        the stream flows on past it;
row 21: the technician's writes and the sync thread's writes meet on one database without an error;
row 13: a rejection the hub committed but whose reply was lost is still shown on the bench;
and the heartbeat the hub keeps for each bench (what it knows is still outstanding there).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app.cli import main as cli_main
from app.hub.protocol import event_to_wire
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.services.sync_enroll import ENROLLMENT_FILE, enroll, load_enrollment
from app.store import audit, sync_state
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, record_events
from tests.sync.faultproxy import FaultProxy
from tests.sync.test_faults import _point_bench_at


def _sync(bench: Path, *, timeout: float = 10, **options: Any) -> SyncStatus:
    client = SyncClient(bench, timeout=timeout, **options)
    try:
        return client.sync_once()
    finally:
        client.close()


def _stale_token(bench: Path) -> None:
    """The bench's token as the hub no longer knows it (e.g. sync.json put back from an old copy)."""
    enrollment = load_enrollment(bench)
    assert enrollment is not None
    (bench / ENROLLMENT_FILE).write_text(json.dumps({**dataclasses.asdict(enrollment), "access_token": "stale"}))


def test_a_token_the_hub_does_not_know_stops_the_bench_in_words_and_keeps_every_event(
    bench: Path, hub: RunningHub, capsys: pytest.CaptureFixture[str]
) -> None:
    record_events(bench, 40)
    _stale_token(bench)
    status = _sync(bench)
    assert status.state is SyncState.STOPPED
    assert not status.online
    assert status.last_error == "the hub no longer accepts this bench's token: enroll the bench again"
    assert status.pending == 41, "nothing is lost: every event waits on the bench"
    assert hub_hashes(hub.storage) == {}, "nothing was sent"
    # What a script reads: the same words, kept in the database for the next process.
    assert cli_main(["--data-dir", str(bench), "sync", "--status", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["last_error"] == status.last_error
    assert (shown["pending"], shown["hub_hwm"], shown["last_seq"]) == (41, 0, 41)
    assert shown["stream_id"] == status.stream_id
    assert shown["last_success"] is None
    assert cli_main(["--data-dir", str(bench), "sync", "--once"]) == 1, "a stopped sync is not a finished one"
    assert "enroll the bench again" in capsys.readouterr().out


def test_enrolling_again_after_a_refused_token_delivers_the_waiting_events(
    bench: Path, hub: RunningHub, log_warnings: list[Any]
) -> None:
    record_events(bench, 10)
    _stale_token(bench)
    assert _sync(bench).state is SyncState.STOPPED
    enroll(bench, hub.url, hub.hub.create_enrollment_code("Bench 1"), timeout=5)
    assert any("enrolled again with its station key" in r.getMessage() for r in log_warnings)
    status = _sync(bench)
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0
    assert hub_hashes(hub.storage) == bench_hashes(bench)


def _alter_label(bench: Path, seq: int) -> None:
    """Edit one event's body in place, as someone with the database file and a SQLite shell would."""
    with Store(bench) as store:
        body = json.loads(store.db.execute("SELECT body FROM events WHERE seq = ?", [seq]).fetchone()[0])
        body["label"] = "altered afterwards"
        store.db.execute("UPDATE events SET body = ? WHERE seq = ?",
                         [json.dumps(body, sort_keys=True, separators=(",", ":")), seq])
        store.db.conn.commit()


def test_an_event_altered_in_the_bench_database_is_found_by_the_audit_and_refused_at_the_next_sync(
    bench: Path, hub: RunningHub, log_warnings: list[Any]
) -> None:
    record_events(bench, 30)
    assert _sync(bench).state is SyncState.IDLE
    genuine = hub_hashes(hub.storage)
    record_events(bench, 30, start=100)
    _alter_label(bench, 10)  # already on the hub
    _alter_label(bench, 45)  # not sent yet
    with Store(bench) as store:
        report = audit.verify(store.db, store.public_key)
    assert report.broken_seq == 10, report.describe()

    status = _sync(bench)
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0, "the altered event does not hold the stream up"
    with Store(bench) as store:
        problems = sync_state.problem_events(store.db)
    assert [(seq, state, code) for seq, state, code, _ in problems] == [(45, "rejected", "bad_hash")]
    assert any("rejected for event seq 45" in r.getMessage() for r in log_warnings)
    held = hub_hashes(hub.storage)
    stream = status.stream_id
    assert (stream, 45) not in held, "the hub did not take the altered body"
    assert held[(stream, 10)] == genuine[(stream, 10)], "the hub keeps the event as it was first signed"
    assert sorted(seq for _, seq in held) == [s for s in range(1, 62) if s != 45]
    with hub.storage.transaction() as tx:
        assert tx.stream(stream).hwm == 61  # type: ignore[union-attr]


def test_technician_writes_and_sync_writes_meet_without_an_error(bench: Path, hub: RunningHub) -> None:
    """Row 21 (SQLITE_BUSY): a writer thread records events back to back while the sync thread drains
    and records the hub's answers on its own connection, for a few seconds; neither sees an error."""
    record_events(bench, 500)
    stop = threading.Event()
    errors: list[BaseException] = []
    written: list[int] = []
    sessions: list[SyncStatus] = []

    def technician() -> None:
        try:
            with Store(bench) as store:
                i = 0
                while not stop.is_set():
                    store.record("bay.assigned", {"bay": i % 64 + 1, "bay_key": f"ui-{i}", "label": "ui"})
                    i += 1
                written.append(i)
        except BaseException as exc:  # noqa: BLE001 - any error at all is the failure under test
            errors.append(exc)
            stop.set()

    def syncer() -> None:
        try:
            client = SyncClient(bench, timeout=10, max_batch_events=25)
            try:
                while not stop.is_set():
                    sessions.append(client.sync_once())
            finally:
                client.close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=technician, name="ui-writer"), threading.Thread(target=syncer, name="sync")]
    for thread in threads:
        thread.start()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(written) == 1
    assert written[0] > 200, f"the writer wrote only {written[0]}"
    # At 25 events a batch, 20 acknowledgement transactions at least went in among the writer's.
    assert sessions
    assert sessions[-1].hub_hwm >= 501, "the sync thread recorded the hub's answers meanwhile"
    failed = [s.last_error for s in sessions if s.state is not SyncState.IDLE]
    assert failed == []
    final = _sync(bench)
    assert final.state is SyncState.IDLE, final.last_error
    held, local = hub_hashes(hub.storage), bench_hashes(bench)
    assert held == local
    assert sorted(seq for _, seq in held) == list(range(1, len(local) + 1))


def test_the_hub_keeps_each_bench_heartbeat(bench: Path, hub: RunningHub) -> None:
    record_events(bench, 25)
    status = _sync(bench)
    assert status.state is SyncState.IDLE
    enrollment = load_enrollment(bench)
    assert enrollment is not None
    with hub.storage.transaction() as tx:
        beat = tx.heartbeat(enrollment.bench_id)
    assert beat is not None
    assert (beat["stream_id"], beat["last_seq"], beat["pending"]) == (status.stream_id, 26, 0)
    assert beat["payload"]["sqlite_version"]
    assert beat["payload"]["app_version"]
    assert beat["payload"]["oldest_pending_at"] is None


def test_a_rejection_whose_reply_was_lost_is_still_shown_on_the_bench(
    bench: Path, hub: RunningHub, log_warnings: list[Any]
) -> None:
    record_events(bench, 5)
    _alter_label(bench, 3)
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), ["pass", "lose_reply"]) as proxy:
        _point_bench_at(bench, proxy.url)
        assert _sync(bench, timeout=1).state is SyncState.BACKING_OFF
        status = _sync(bench)
    assert status.state is SyncState.IDLE, status.last_error
    with hub.storage.transaction() as tx:
        assert tx._all("SELECT seq, code FROM rejected_events") == [(3, "bad_hash")]
    with Store(bench) as store:
        problems = sync_state.problem_events(store.db)
    assert [(seq, state, code) for seq, state, code, _ in problems] == [(3, "rejected", "bad_hash")]


def test_the_hub_keeps_only_a_digest_of_each_bench_token(bench: Path, hub: RunningHub) -> None:
    enrollment = load_enrollment(bench)
    assert enrollment is not None
    with hub.storage.transaction() as tx:
        rows = tx._all("SELECT bench_id, token_sha256 FROM benches")
    assert rows == [(enrollment.bench_id, hashlib.sha256(enrollment.access_token.encode()).hexdigest())]
    with hub.storage.transaction() as tx:
        for (table,) in tx._all("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in tx._all(f"SELECT * FROM {table}"):
                assert enrollment.access_token not in repr(row), f"the token in clear in {table}"


class _SizingProxy(FaultProxy):
    """Passes everything through and notes the body size of each push."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        super().__init__(upstream)
        self.push_sizes: list[int] = []

    def _forward(self, request: bytes) -> bytes:
        head, _, body = request.partition(b"\r\n\r\n")
        if head.startswith(b"POST") and b"/events " in head.split(b"\r\n", 1)[0]:
            self.push_sizes.append(len(body))
        return super()._forward(request)


def test_batches_stay_under_the_byte_cap(bench: Path, hub: RunningHub) -> None:
    record_events(bench, 60)
    host, port = hub.server.server_address[:2]
    proxy = _SizingProxy((str(host), port))
    with proxy:
        _point_bench_at(bench, proxy.url)
        status = _sync(bench, max_batch_bytes=4000)
    assert status.state is SyncState.IDLE, status.last_error
    with Store(bench) as store:
        wire = sum(len(json.dumps(event_to_wire(e), separators=(",", ":"))) for e in iter_events(store.db))
    assert len(proxy.push_sizes) >= wire // 4000, proxy.push_sizes
    # The cap counts the events; the batch's envelope ({"batch_id": ..., "events": [...]}) comes on top.
    assert max(proxy.push_sizes) <= 4000 + 100, proxy.push_sizes
    assert hub_hashes(hub.storage) == bench_hashes(bench)
