"""Enrolling a bench again on the real hub over 127.0.0.1: the hub re-binds a stream it knows to
the station key that owns it (new token, every older one dead), refuses the stream to any other
key in words the admin can act on, and lets a revoked bench back on the admin's new code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cli import main as cli_main
from app.core.errors import OperatorError
from app.hub.client import HubClient, HubRefused
from app.hub.protocol import public_key_hex
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.services.sync_enroll import enroll, load_enrollment
from app.store import sync_state
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, record_events


def _sync(bench: Path) -> SyncStatus:
    client = SyncClient(bench, timeout=10)
    try:
        return client.sync_once()
    finally:
        client.close()


def _bench_rows(hub: RunningHub) -> list[tuple[Any, ...]]:
    with hub.storage.transaction() as tx:
        return tx._all("SELECT bench_id, name, revoked_at IS NOT NULL FROM benches ORDER BY created_at")


def test_enrolling_again_keeps_the_bench_and_kills_its_old_token(
    bench: Path, hub: RunningHub, log_warnings: list[Any]
) -> None:
    record_events(bench, 12)
    assert _sync(bench).state is SyncState.IDLE
    before = load_enrollment(bench)
    assert before is not None
    record_events(bench, 8, start=100)  # written after the last sync: they wait on the bench

    again = enroll(bench, hub.url, hub.hub.create_enrollment_code("Bench 1 (reinstalled)"), timeout=5)
    assert again.bench_id == before.bench_id, "the same bench, not a second one"
    assert again.access_token != before.access_token
    assert _bench_rows(hub) == [(before.bench_id, "Bench 1 (reinstalled)", False)]
    with Store(bench) as store:
        stream_id = store.stream_id
    with pytest.raises(HubRefused) as refused:
        HubClient(hub.url, before.access_token, timeout=5).cursor(stream_id)
    assert refused.value.status == 401, "the token from before the enrolment no longer works"

    status = _sync(bench)
    assert status.state is SyncState.IDLE, status.last_error
    assert (status.pending, status.hub_hwm) == (0, 21)
    assert hub_hashes(hub.storage) == bench_hashes(bench)


def test_a_different_station_key_for_a_known_stream_is_refused_in_words(
    tmp_path: Path, bench: Path, hub: RunningHub
) -> None:
    record_events(bench, 5)
    assert _sync(bench).state is SyncState.IDLE
    # A copy of the bench's folder whose station key is another one (a copied data folder on a new PC).
    copy = tmp_path / "copy"
    Store(copy).close()
    with Store(bench) as original:
        stream_id = original.stream_id
    with Store(copy) as store:
        store.db.execute("UPDATE meta SET value = ? WHERE key = 'stream_id'", [stream_id])
        store.db.execute("UPDATE meta SET value = ? WHERE key = 'public_key'",
                         [public_key_hex(Ed25519PrivateKey.generate().public_key())])
        store.db.conn.commit()
    code = hub.hub.create_enrollment_code("Bench 2")
    with pytest.raises(OperatorError) as refused:
        enroll(copy, hub.url, code, timeout=5)
    assert "already enrolled on the hub by bench 'Bench 1' with a different station key" in str(refused.value)
    assert "copied data folder" in (refused.value.hint or "")
    assert len(_bench_rows(hub)) == 1, "no bench was added"
    enrollment = load_enrollment(bench)
    assert enrollment is not None
    record_events(bench, 3, start=50)
    assert _sync(bench).state is SyncState.IDLE, "the genuine bench keeps its token and its stream"
    # The code was not spent by the refusal: the admin can still hand it to the right bench.
    with pytest.raises(OperatorError, match="different station key"):
        enroll(copy, hub.url, code, timeout=5)


def test_a_revoked_bench_comes_back_on_a_new_code_from_the_admin(
    bench: Path, hub: RunningHub, log_warnings: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    record_events(bench, 6)
    assert _sync(bench).state is SyncState.IDLE
    hub.hub.revoke("Bench 1")
    record_events(bench, 4, start=20)
    stopped = _sync(bench)
    assert stopped.state is SyncState.STOPPED
    assert stopped.pending == 4

    code = hub.hub.create_enrollment_code("Bench 1")
    assert cli_main(["--data-dir", str(bench), "sync", "enroll", "--hub", hub.url, "--code", code]) == 0
    assert "4 events wait for the next sync" in capsys.readouterr().out
    assert [revoked for _, _, revoked in _bench_rows(hub)] == [False]
    assert any("its revocation is lifted" in r.getMessage() for r in log_warnings)
    status = _sync(bench)
    assert status.state is SyncState.IDLE, status.last_error
    assert status.last_error == ""
    assert hub_hashes(hub.storage) == bench_hashes(bench)
    assert cli_main(["--data-dir", str(bench), "sync", "--status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["last_error"] == ""


def test_enrolling_again_with_a_stream_begun_since_keeps_the_older_streams(
    bench: Path, hub: RunningHub, log_warnings: list[Any]
) -> None:
    record_events(bench, 7)
    assert _sync(bench).state is SyncState.IDLE
    before = load_enrollment(bench)
    assert before is not None
    record_events(bench, 3, start=30)  # wait on the first stream
    with Store(bench) as store:
        first = store.stream_id
        second = sync_state.begin_new_stream(store.db)  # as after a restore, before the hub heard of it
    record_events(bench, 4, start=60)
    again = enroll(bench, hub.url, hub.hub.create_enrollment_code("Bench 1"), timeout=5)
    assert again.bench_id == before.bench_id
    with hub.storage.transaction() as tx:
        owners = dict(tx._all("SELECT stream_id, bench_id FROM streams"))
    assert owners == {first: before.bench_id, second: before.bench_id}
    status = _sync(bench)
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0
    assert hub_hashes(hub.storage) == bench_hashes(bench)
