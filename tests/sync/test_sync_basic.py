"""A bench drains its log to the hub: exactly its events, in order, with receipts it can check."""

from __future__ import annotations

from pathlib import Path

from app.services.sync import SyncClient, SyncState
from app.store import sync_state
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, record_events


def test_drain_sends_exactly_the_bench_events(bench: Path, hub: RunningHub) -> None:
    record_events(bench, 1234)
    client = SyncClient(bench, timeout=5, max_batch_events=100)
    try:
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0
    assert status.hub_hwm == status.last_seq == 1235
    assert hub_hashes(hub.storage) == bench_hashes(bench)
    with Store(bench) as store:
        receipt = sync_state.latest_receipt(store.db, store.stream_id)
    assert receipt is not None
    assert receipt[0] == 1235
