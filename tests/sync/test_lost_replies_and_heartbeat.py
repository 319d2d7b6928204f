"""What the bench learns at the handshake and tells at the end of a session, on the real hub over
127.0.0.1 behind the fault proxy:

a rejection whose push reply was lost is listed by the next handshake above the bench's mark, page
by page when there are many; a bench that does not ask (an older one) gets the answer it always had;
and every session that reached the hub ends with a heartbeat, so a bench that cannot drain (the hub
busy, the network cut mid-way) shows the hub what is still waiting on it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.hub.client import HubClient, HubRefused
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.services.sync_enroll import load_enrollment
from app.store import sync_state
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


def _alter_labels(bench: Path, seqs: list[int]) -> None:
    """Edit event bodies in place after they were signed: the hub rejects each one (bad_hash)."""
    with Store(bench) as store:
        for seq in seqs:
            body = json.loads(store.db.execute("SELECT body FROM events WHERE seq = ?", [seq]).fetchone()[0])
            body["label"] = "altered afterwards"
            store.db.execute("UPDATE events SET body = ? WHERE seq = ?",
                             [json.dumps(body, sort_keys=True, separators=(",", ":")), seq])
        store.db.conn.commit()


def _client(bench: Path, hub: RunningHub) -> HubClient:
    enrollment = load_enrollment(bench)
    assert enrollment is not None
    return HubClient(hub.url, enrollment.access_token, timeout=5)


def test_many_rejections_whose_reply_was_lost_come_page_by_page(
    bench: Path, hub: RunningHub, log_warnings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.hub.service.MAX_LISTED_REJECTIONS", 2)
    record_events(bench, 12)
    poisoned = [3, 5, 8, 9, 12]
    _alter_labels(bench, poisoned)
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), ["pass", "lose_reply"]) as proxy:
        _point_bench_at(bench, proxy.url)
        assert _sync(bench, timeout=1).state is SyncState.BACKING_OFF
        with Store(bench) as store:
            assert sync_state.problem_events(store.db) == [], "the reply that listed them was lost"
        cursors_before = sum(1 for *_, line in proxy.arrivals if "/cursor" in line)
        status = _sync(bench)
        cursors = sum(1 for *_, line in proxy.arrivals if "/cursor" in line) - cursors_before
    assert status.state is SyncState.IDLE, status.last_error
    assert cursors == 3, "five rejections at two a page: three handshake answers"
    with Store(bench) as store:
        problems = sync_state.problem_events(store.db)
        stream_id = store.stream_id
    assert [(seq, state, code) for seq, state, code, _ in problems] == [(s, "rejected", "bad_hash") for s in poisoned]
    assert all("hash" in detail for *_, detail in problems), problems
    # The mark has passed them: the next handshake lists nothing.
    answer = _client(bench, hub).cursor(stream_id, rejected_after=status.hub_hwm)
    assert (answer["rejected"], answer["rejected_more"]) == ([], False)
    assert sorted(seq for _, seq in hub_hashes(hub.storage)) == [s for s in range(1, 14) if s not in poisoned]


def test_a_bench_that_does_not_ask_gets_the_handshake_it_always_had(
    bench: Path, hub: RunningHub, log_warnings: list[Any]
) -> None:
    record_events(bench, 4)
    _alter_labels(bench, [2])
    assert _sync(bench).state is SyncState.IDLE
    with Store(bench) as store:
        stream_id = store.stream_id
    client = _client(bench, hub)
    old = client.cursor(stream_id)
    assert "rejected" not in old
    assert "rejected_more" not in old
    assert old["hwm"] == 5
    listed = client.cursor(stream_id, rejected_after=0)["rejected"]
    assert [(r["seq"], r["status"], r["code"]) for r in listed] == [(2, "rejected", "bad_hash")]
    assert client.cursor(stream_id, rejected_after=2)["rejected"] == []
    with pytest.raises(HubRefused) as refused:
        client.request("GET", f"/streams/{stream_id}/cursor?rejected_after=two")
    assert (refused.value.status, refused.value.code) == (400, "bad_request")


def _beat(hub: RunningHub, bench: Path) -> dict[str, Any] | None:
    enrollment = load_enrollment(bench)
    assert enrollment is not None
    with hub.storage.transaction() as tx:
        return tx.heartbeat(enrollment.bench_id)


def test_a_bench_the_busy_hub_turns_away_still_reports_what_waits(bench: Path, hub: RunningHub) -> None:
    record_events(bench, 30)
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), ["pass", "busy"]) as proxy:
        _point_bench_at(bench, proxy.url)
        status = _sync(bench)
    assert status.state is SyncState.BACKING_OFF
    assert status.pending == 31
    beat = _beat(hub, bench)
    assert beat is not None, "the session reached the hub: it ends with a heartbeat"
    assert (beat["last_seq"], beat["pending"]) == (31, 31)
    assert beat["payload"]["oldest_pending_at"] is not None


def test_a_session_cut_mid_way_reports_the_rest_as_pending(bench: Path, hub: RunningHub) -> None:
    record_events(bench, 49)
    host, port = hub.server.server_address[:2]
    # The handshake and two batches of ten go through; the third batch's connection is reset.
    with FaultProxy((str(host), port), ["pass", "pass", "pass", "reset"]) as proxy:
        _point_bench_at(bench, proxy.url)
        status = _sync(bench, max_batch_events=10)
        assert status.state is SyncState.BACKING_OFF
        assert status.pending == 30
        beat = _beat(hub, bench)
        assert beat is not None
        assert (beat["last_seq"], beat["pending"]) == (50, 30)
        final = _sync(bench, max_batch_events=10)
    assert final.state is SyncState.IDLE, final.last_error
    beat = _beat(hub, bench)
    assert beat is not None
    assert beat["pending"] == 0
    assert hub_hashes(hub.storage) == bench_hashes(bench)


def test_no_heartbeat_when_the_hub_was_not_reached(bench: Path, hub: RunningHub) -> None:
    record_events(bench, 5)
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), ["refuse"] * 5) as proxy:
        _point_bench_at(bench, proxy.url)
        status = _sync(bench, timeout=2)
        connections = sum(proxy.seen.values())
    assert status.state is SyncState.BACKING_OFF
    assert connections == 1, "one attempt at the handshake, no heartbeat sent into the void"
    assert _beat(hub, bench) is None
