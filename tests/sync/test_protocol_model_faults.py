"""A second Hypothesis state machine over the real store, sync client and hub on 127.0.0.1, with the
rules the failure matrix names beside the network faults of tests/sync/test_protocol_model.py:

row 4:  the bench dies after reading a batch, before sending it (nothing is written after the read);
row 13: a poison event (its body altered in the bench database after it was signed) — the hub
        rejects it, the stream flows on past it;
row 17: the bench's clock jumps back or forward between events — nothing is rejected for it.

Invariants: the hub never holds an event the bench did not write; event times never go back in
seq order. After the network heals, the hub holds every event the bench wrote, except poison events
it did not hold already; the hub keeps each of those as rejected (bad_hash), and the bench shows
exactly those as its problems.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store import sync_state
from app.store.store import Store
from tests.hub.helpers import bench_hashes, hub_hashes, running_hub
from tests.sync.faultproxy import FATES, FaultProxy
from tests.sync.test_faults import _point_bench_at


class _Crash(Exception):
    """The process dying right after it read a batch: nothing after the read happens."""


class _Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=5)
        return self.now


class SyncFaultModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._stack = contextlib.ExitStack()
        self.root = Path(tempfile.mkdtemp(prefix="sync-faults-"))
        self._stack.callback(shutil.rmtree, self.root, True)
        self.hub = self._stack.enter_context(running_hub("sqlite", self.root / "hub", request_timeout=2))
        self.bench = self.root / "bench"
        Store(self.bench).close()
        enroll(self.bench, self.hub.url, self.hub.hub.create_enrollment_code("Model bench"), timeout=5)
        host, port = self.hub.server.server_address[:2]
        self.proxy = self._stack.enter_context(FaultProxy((str(host), port), delay=0.05))
        _point_bench_at(self.bench, self.proxy.url)
        self.clock = _Clock()
        self.written = 0
        self.poisoned: set[int] = set()

    def _client(self) -> SyncClient:
        return SyncClient(self.bench, timeout=0.5, max_batch_events=7)

    @rule(count=st.integers(1, 15))
    def work(self, count: int) -> None:
        with Store(self.bench, clock=self.clock) as store, store.transaction():
            for i in range(self.written, self.written + count):
                store.record("bay.assigned", {"bay": i % 64 + 1, "bay_key": f"m-{i}", "label": f"dock {i}"})
        self.written += count

    @rule(hours=st.integers(-48, 48).filter(lambda h: h != 0))
    def clock_jumps(self, hours: int) -> None:
        self.clock.now += timedelta(hours=hours)

    @rule(fates=st.lists(st.sampled_from(FATES), min_size=1, max_size=4))
    def sync(self, fates: list[str]) -> None:
        self.proxy.add_fates(fates)
        client = self._client()
        try:
            client.sync_once()
        finally:
            client.close()

    @rule()
    def crash_after_reading_a_batch(self) -> None:
        client = self._client()
        read = client._next_batch

        def read_then_die(stream_id: str, after_seq: int, limit: int) -> list[dict[str, Any]]:
            batch = read(stream_id, after_seq, limit)
            if batch:
                raise _Crash
            return batch

        client._next_batch = read_then_die  # type: ignore[method-assign]
        try:
            with contextlib.suppress(_Crash):
                client.sync_once()
        finally:
            client.close()

    @rule(pick=st.integers(0, 10_000))
    def poison_a_pending_event(self, pick: int) -> None:
        with Store(self.bench) as store:
            after = sync_state.cursor(store.db, store.stream_id).hub_hwm
            pending = [int(r[0]) for r in store.db.execute(
                "SELECT seq FROM events WHERE seq > ? AND type = 'bay.assigned' ORDER BY seq", [after])]
            if not pending:
                return
            seq = pending[pick % len(pending)]
            body = json.loads(store.db.execute("SELECT body FROM events WHERE seq = ?", [seq]).fetchone()[0])
            body["label"] = "poison"
            store.db.execute("UPDATE events SET body = ? WHERE seq = ?",
                             [json.dumps(body, sort_keys=True, separators=(",", ":")), seq])
            store.db.conn.commit()
        self.poisoned.add(seq)
        event("poisoned")

    @invariant()
    def hub_holds_nothing_the_bench_did_not_write(self) -> None:
        local = bench_hashes(self.bench)
        for key, digest in hub_hashes(self.hub.storage).items():
            assert local.get(key) == digest, f"phantom or altered event at {key}"

    @invariant()
    def event_times_never_go_back(self) -> None:
        with Store(self.bench) as store:
            times = [str(r[0]) for r in store.db.execute("SELECT occurred_at FROM events ORDER BY seq")]
        assert times == sorted(times)

    def teardown(self) -> None:
        try:
            with contextlib.suppress(AttributeError):
                client = self._client()
                try:
                    for _ in range(20):
                        if client.sync_once().state is SyncState.IDLE and not self.proxy._fates:
                            break
                finally:
                    client.close()
                held, local = hub_hashes(self.hub.storage), bench_hashes(self.bench)
                missing = {seq for (_, seq) in set(local) - set(held)}
                assert missing <= self.poisoned, f"lost events {sorted(missing - self.poisoned)}"
                with Store(self.bench) as store:
                    problems = sync_state.problem_events(store.db)
                    stream_id = store.stream_id
                with self.hub.storage.transaction() as tx:
                    stream = tx.stream(stream_id)
                    tombstones = {(int(seq), str(code)) for seq, code in tx._all(
                        "SELECT seq, code FROM rejected_events WHERE stream_id = ?", [stream_id])}
                assert tombstones == {(seq, "bad_hash") for seq in missing}, "the hub shows each one as rejected"
                # From the push's reply, or from the handshake's list when that reply was lost.
                assert {(seq, status, code) for seq, status, code, _ in problems} == {
                    (seq, "rejected", "bad_hash") for seq in missing}, "the bench shows every rejection"
                assert stream is not None
                assert stream.hwm == max(seq for _, seq in local), "rejected events never block the stream"
        finally:
            self._stack.close()


def test_sync_through_crashes_poison_and_clock_jumps(log_warnings: list[logging.LogRecord]) -> None:
    # Poison events are logged as WARNINGs by the hub and the bench: expected here, checked in teardown.
    run_state_machine_as_test(SyncFaultModel, settings=settings(
        max_examples=15, stateful_step_count=10, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
