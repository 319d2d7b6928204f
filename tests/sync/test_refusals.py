"""Whole-batch refusals and the hub's pacing: a batch too large (413) or unreadable (400) is halved
until the one event behind it stands alone and is withheld, and the stream flows on past it; a
busy hub's Retry-After holds the bench back however small its own backoff."""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path
from typing import Any

import pytest

from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.services.sync_loop import Backoff, SyncLoop
from app.store import sync_state
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, record_events, running_hub
from tests.sync.faultproxy import BUSY_RETRY_AFTER, FaultProxy
from tests.sync.test_faults import _point_bench_at


def _sync(bench: Path, **options: Any) -> tuple[SyncState, str, int]:
    client = SyncClient(bench, timeout=10, **options)
    try:
        status = client.sync_once()
    finally:
        client.close()
    return status.state, status.last_error, status.pending


def _rejected(hub: RunningHub) -> dict[int, str]:
    with hub.storage.transaction() as tx:
        return {int(seq): str(code) for seq, code in tx._all("SELECT seq, code FROM rejected_events")}


def _last_seq(bench: Path) -> int:
    with Store(bench) as store:
        return sync_state.last_seq(store.db)


def test_the_bench_sends_no_more_than_the_hub_says_it_takes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with running_hub("sqlite", tmp_path / "small-hub", max_batch_events=50) as small:
        bench = tmp_path / "bench"
        Store(bench).close()
        enroll(bench, small.url, small.hub.create_enrollment_code("Bench 2"), timeout=5)
        record_events(bench, 299)
        with caplog.at_level(logging.INFO, logger="app.sync"):
            state, error, pending = _sync(bench, max_batch_events=200)
        assert (state, error, pending) == (SyncState.IDLE, "", 0)
        assert hub_hashes(small.storage) == bench_hashes(bench)
        assert not [r for r in caplog.records if "refused a batch" in r.getMessage()]
        assert _rejected(small) == {}


def test_an_event_too_large_for_any_batch_is_withheld_and_the_stream_flows_on(
    bench: Path, hub: RunningHub, log_warnings: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    record_events(bench, 20)
    with Store(bench) as store:
        # A real event the hub cannot take: one label of 1.2 MiB (the hub caps a request at 1 MiB + 64 KiB).
        huge = store.record("bay.assigned", {"bay": 9, "bay_key": "pci-huge", "label": "x" * 1_250_000})
    record_events(bench, 20, start=100)
    # Up to 4 MiB per batch on the bench's side: the hub's 413 sends it bisecting to the huge event.
    with caplog.at_level(logging.INFO, logger="app.sync"):
        state, error, pending = _sync(bench, max_batch_bytes=4 * 1024 * 1024)
    assert (state, error, pending) == (SyncState.IDLE, "", 0)
    assert _rejected(hub) == {huge.seq: "withheld"}
    halvings = [r.getMessage() for r in caplog.records if "refused a batch" in r.getMessage()]
    assert halvings[0].startswith("the hub refused a batch of 42 (batch_too_large)"), halvings
    held, local = hub_hashes(hub.storage), bench_hashes(bench)
    del local[(huge.stream_id, huge.seq)]
    assert held == local, "every other event is on the hub, before and after the withheld one"
    with Store(bench) as store:
        problems = sync_state.problem_events(store.db)
    assert [(seq, status, code) for seq, status, code, _ in problems] == [(huge.seq, "rejected", "withheld")]
    assert "413" in problems[0][3]
    assert any(f"seq {huge.seq} is withheld" in r.getMessage() for r in log_warnings)


def test_a_batch_the_hub_cannot_read_is_bisected_to_the_poison_event(
    bench: Path, hub: RunningHub, log_warnings: list[Any]
) -> None:
    record_events(bench, 56)
    with Store(bench) as store:
        poison = store.record("bay.assigned", {"bay": 3, "bay_key": "pci-poison", "label": "POISON-LABEL"})
    record_events(bench, 60, start=200)
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), poison=b"POISON-LABEL") as proxy:
        _point_bench_at(bench, proxy.url)
        state, error, pending = _sync(bench, max_batch_events=64)
    assert (state, error, pending) == (SyncState.IDLE, "", 0)
    assert _rejected(hub) == {poison.seq: "withheld"}
    assert len(hub_hashes(hub.storage)) == _last_seq(bench) - 1
    pushes = [line for _, _, line in proxy.arrivals if "/events" in line]
    # 64 refused, 32 ok, 32 refused, 16 ok, 16 refused, 8 ok, 8, 4, 2 refused, 1 ok, 1 refused, withheld,
    # the rest in one batch: 13 requests, where sending one event at a time would take 118.
    assert len(pushes) == 13, pushes
    assert any("withheld" in r.getMessage() for r in log_warnings)


def test_retry_after_holds_the_loop_back_however_small_its_backoff(bench: Path, hub: RunningHub) -> None:
    record_events(bench, 30)
    host, port = hub.server.server_address[:2]
    with FaultProxy((str(host), port), ["busy", "refuse", "busy"]) as proxy:
        _point_bench_at(bench, proxy.url)
        statuses: list[Any] = []
        loop = SyncLoop(bench, interval=60, backoff=Backoff(base=0.01, cap=30, rng=random.Random(1)),
                        on_status=statuses.append, timeout=5)
        loop.start()
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(s.state is SyncState.IDLE for s in statuses):
                time.sleep(0.02)
        finally:
            loop.stop()
    assert any(s.state is SyncState.IDLE for s in statuses)
    assert proxy.seen["busy"] == 2
    assert proxy.seen["refuse"] == 1
    # A refused connection never gets as far as a request: the log holds busy, busy, then the good session.
    times = [t for t, _, line in proxy.arrivals if "/cursor" in line]
    assert [fate for _, fate, line in proxy.arrivals if "/cursor" in line][:3] == ["busy", "busy", "pass"]
    assert times[1] - times[0] >= BUSY_RETRY_AFTER - 0.05, "the hub's Retry-After is a floor"
    assert times[2] - times[1] >= BUSY_RETRY_AFTER - 0.05
    assert "busy" in statuses[0].last_error
    assert hub_hashes(hub.storage) == bench_hashes(bench)
