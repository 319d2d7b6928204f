"""Failure matrix row 17: the bench's clock jumps backwards or runs hours off the hub's.

Ordering stays stable (a unit's later fact wins on the hub however the clock moved) and nothing
is rejected; the hub stamps its own received_at on every event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.core import events as ev
from app.services.sync import SyncClient, SyncState
from app.store.store import Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes


class JumpingClock:
    """A second per reading; ``jump`` sets it back (or forward) like an NTP step or a flat RTC battery."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def jump(self, by: timedelta) -> None:
        self.now += by


def _hub_unit_state(hub: RunningHub, unit_id: str) -> str:
    with hub.storage.transaction() as tx:
        rows = tx._all("SELECT state FROM units WHERE unit_id = ?", [unit_id])
    return str(rows[0][0])


def _sync(bench: Path) -> None:
    client = SyncClient(bench, timeout=10)
    try:
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0


def test_a_clock_set_back_keeps_order_and_nothing_is_rejected(bench: Path, hub: RunningHub) -> None:
    clock = JumpingClock(datetime.now(UTC) + timedelta(days=400))  # a year ahead of the hub, too
    with Store(bench, clock=clock) as store:
        store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "serial", "value": "SN-SKEW-1"}], "source": "typed"},
                     unit_id="U-SKEW-1")
        store.record(ev.UNIT_STATE_CHANGED, {"from": "received", "to": "identified"}, unit_id="U-SKEW-1")
        clock.jump(-timedelta(days=400, hours=2))  # the clock is corrected, and then some
        store.record(ev.UNIT_STATE_CHANGED, {"from": "identified", "to": "testing"}, unit_id="U-SKEW-1")
        store.record(ev.UNIT_STATE_CHANGED, {"from": "testing", "to": "tested"}, unit_id="U-SKEW-1")
        times = [str(r[0]) for r in store.db.execute("SELECT occurred_at FROM events ORDER BY seq")]
        assert store.db.execute("SELECT state FROM units WHERE unit_id = 'U-SKEW-1'").fetchone()[0] == "tested"
    assert times == sorted(times), "event times went backwards with the clock"
    _sync(bench)
    with Store(bench) as store:
        assert store.db.execute("SELECT count(*) FROM sync_event_results").fetchone()[0] == 0  # no rejects
    assert hub_hashes(hub.storage) == bench_hashes(bench)
    assert _hub_unit_state(hub, "U-SKEW-1") == "tested"
    # The hub keeps its own arrival time beside the bench's claimed one.
    with hub.storage.transaction() as tx:
        received = tx._all("SELECT occurred_at, received_at FROM events WHERE unit_id = 'U-SKEW-1' ORDER BY seq")
    assert all(str(arrival) < str(claimed) for claimed, arrival in received[:2])


def test_events_from_a_clock_behind_the_log_stay_in_seq_order_across_sessions(bench: Path, hub: RunningHub) -> None:
    """The jump happens between two runs of the app: the next run's events still sort after the log."""
    ahead = JumpingClock(datetime.now(UTC) + timedelta(hours=5))
    with Store(bench, clock=ahead) as store:
        store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "serial", "value": "SN-SKEW-2"}], "source": "typed"},
                     unit_id="U-SKEW-2")
    _sync(bench)
    behind = JumpingClock(datetime.now(UTC) - timedelta(hours=1))
    with Store(bench, clock=behind) as store:
        store.record(ev.UNIT_STATE_CHANGED, {"from": "received", "to": "on_hold"}, unit_id="U-SKEW-2")
        times = [str(r[0]) for r in store.db.execute("SELECT occurred_at FROM events ORDER BY seq")]
    assert times == sorted(times)
    _sync(bench)
    assert hub_hashes(hub.storage) == bench_hashes(bench)
    assert _hub_unit_state(hub, "U-SKEW-2") == "on_hold"
