"""Failure matrix row 19 seen from the bench: the hub found a different body at a seq it holds
(tamper or a bench bug) and stopped the stream. The bench's sync stops too — a supervisor must look,
waiting and retrying will not mend it — says why in words, and keeps every event it has not sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.hub.client import HubClient
from app.hub.protocol import event_to_wire
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import load_enrollment
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.hub.helpers import RunningHub, record_events


def test_a_stream_the_hub_stopped_for_a_conflict_stops_the_bench_in_words(
    bench: Path, hub: RunningHub, tmp_path: Path, log_warnings: list[Any]
) -> None:
    record_events(bench, 3)
    client = SyncClient(bench, timeout=10)
    try:
        assert client.sync_once().state is SyncState.IDLE
        enrollment = load_enrollment(bench)
        assert enrollment is not None
        other = tmp_path / "other"
        record_events(other, 3, start=100)  # another station's log, its event passed off as this stream's seq 3
        with Store(other) as store:
            forged = event_to_wire(list(iter_events(store.db))[2])
        with Store(bench) as store:
            stream_id = store.stream_id
        forged["stream_id"] = stream_id
        reply = HubClient(hub.url, enrollment.access_token, timeout=5).push(stream_id, {"events": [forged]})
        assert reply["status"] == "flagged"

        record_events(bench, 5, start=10)
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.STOPPED, status.last_error
    assert not status.online
    assert status.last_error.startswith(f"the hub stopped stream {stream_id[:8]}: conflict at seq 3")
    assert status.pending == 5, "what the bench had not sent stays here"
    assert status.hub_hwm == 4
