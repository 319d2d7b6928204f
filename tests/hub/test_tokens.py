"""Token rotation on each storage backend: a new token for the old one and the station key; the old
one works until the new one is used, so a rotation whose answer is lost is simply asked again."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.hub.protocol import rotation_message
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import ENROLLMENT_FILE, enroll, load_enrollment, rotate_token
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, record_events
from tests.sync.faultproxy import FaultProxy


def _bench(hub: RunningHub, data_dir: Path) -> Path:
    Store(data_dir).close()
    enroll(data_dir, hub.url, hub.hub.create_enrollment_code("Bench 1"), timeout=5)
    return data_dir


def _sync(data_dir: Path) -> SyncState:
    client = SyncClient(data_dir, timeout=5)
    try:
        status = client.sync_once()
    finally:
        client.close()
    return status.state


def _stream(data_dir: Path) -> str:
    with Store(data_dir) as store:
        return store.stream_id


def _token(data_dir: Path) -> str:
    enrollment = load_enrollment(data_dir)
    assert enrollment is not None
    return enrollment.access_token


def test_rotation_swaps_the_token_and_the_old_one_ends_once_the_new_one_is_used(
    hub: RunningHub, tmp_path: Path
) -> None:
    bench = _bench(hub, tmp_path / "bench")
    old = _token(bench)
    renewed = rotate_token(bench, timeout=5)
    assert renewed.access_token != old
    assert renewed.token_issued_at
    assert (bench / ENROLLMENT_FILE).stat().st_mode & 0o077 == 0
    HubClient(hub.url, old, timeout=5).cursor(_stream(bench))  # still good: the new one was not used yet
    record_events(bench, 5)
    assert _sync(bench) is SyncState.IDLE
    with pytest.raises(HubRefused) as refused:
        HubClient(hub.url, old, timeout=5).cursor(_stream(bench))
    assert refused.value.status == 401
    assert hub_hashes(hub.storage) == bench_hashes(bench)


def test_a_rotation_whose_answer_is_lost_is_asked_for_again(hub: RunningHub, tmp_path: Path) -> None:
    bench = _bench(hub, tmp_path / "bench")
    old = _token(bench)
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), ["lose_reply"]) as proxy:
        enrollment = load_enrollment(bench)
        assert enrollment is not None
        (bench / ENROLLMENT_FILE).write_text(json.dumps({**dataclasses.asdict(enrollment), "hub_url": proxy.url}))
        with pytest.raises(HubUnavailable):
            rotate_token(bench, timeout=1)  # the hub committed a new token; the bench never heard it
        assert _token(bench) == old
        assert rotate_token(bench, timeout=5).access_token != old  # the old token still proves the bench
        record_events(bench, 3)
        assert _sync(bench) is SyncState.IDLE
    assert hub_hashes(hub.storage) == bench_hashes(bench)


def test_a_sync_renews_a_token_older_than_thirty_days(hub: RunningHub, tmp_path: Path) -> None:
    bench = _bench(hub, tmp_path / "bench")
    enrollment = load_enrollment(bench)
    assert enrollment is not None
    stale = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    (bench / ENROLLMENT_FILE).write_text(json.dumps({**dataclasses.asdict(enrollment), "token_issued_at": stale}))
    assert _sync(bench) is SyncState.IDLE
    assert _token(bench) != enrollment.access_token
    assert _sync(bench) is SyncState.IDLE
    assert _token(bench) == _token(bench)


def _rotation(hub: RunningHub, token: str, bench_id: str, key: Ed25519PrivateKey, ts: str) -> dict[str, Any]:
    return HubClient(hub.url, token, timeout=5).rotate_token(
        {"bench_id": bench_id, "ts": ts, "signature": key.sign(rotation_message(bench_id, ts)).hex()})


def test_rotation_needs_the_station_key_and_a_fresh_time(hub: RunningHub, tmp_path: Path) -> None:
    bench = _bench(hub, tmp_path / "bench")
    enrollment = load_enrollment(bench)
    assert enrollment is not None
    now = datetime.now(UTC)
    with pytest.raises(HubRefused) as forged:
        _rotation(hub, enrollment.access_token, enrollment.bench_id, Ed25519PrivateKey.generate(), now.isoformat())
    assert (forged.value.status, forged.value.code) == (403, "bad_signature")
    from app.store.keys import load_or_create_key

    key = load_or_create_key(bench)
    with pytest.raises(HubRefused) as replayed:
        _rotation(hub, enrollment.access_token, enrollment.bench_id, key, (now - timedelta(hours=1)).isoformat())
    assert (replayed.value.status, replayed.value.code) == (400, "clock_skew")
    with pytest.raises(HubRefused) as stranger:
        _rotation(hub, "not-a-token", enrollment.bench_id, key, now.isoformat())
    assert stranger.value.status == 401
    assert _token(bench) == enrollment.access_token, "nothing changed"
