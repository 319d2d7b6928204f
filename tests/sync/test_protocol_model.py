"""A Hypothesis state machine over the real bench store, the real sync client and the real hub on
127.0.0.1: whatever the interleaving of local work, faults and hub restores, the hub never holds
an event the bench did not write, and after the network heals it holds exactly the bench's log."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store.store import Store
from tests.hub.helpers import bench_hashes, hub_hashes, record_events, running_hub
from tests.sync.faultproxy import FATES, FaultProxy
from tests.sync.test_faults import _point_bench_at


class SyncProtocol(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._stack = contextlib.ExitStack()
        self.root = Path(tempfile.mkdtemp(prefix="sync-model-"))
        self._stack.callback(shutil.rmtree, self.root, True)
        self.hub = self._stack.enter_context(running_hub("sqlite", self.root / "hub", request_timeout=2))
        self.bench = self.root / "bench"
        Store(self.bench).close()
        enroll(self.bench, self.hub.url, self.hub.hub.create_enrollment_code("Model bench"), timeout=5)
        host, port = self.hub.server.server_address[:2]
        self.proxy = self._stack.enter_context(FaultProxy((str(host), port), delay=0.05))
        _point_bench_at(self.bench, self.proxy.url)
        self.client = SyncClient(self.bench, timeout=0.5, max_batch_events=7)
        self._stack.callback(self.client.close)
        self.written = 1
        with Store(self.bench) as store:
            self.stream_id = store.stream_id

    @rule(count=st.integers(1, 20))
    def work(self, count: int) -> None:
        record_events(self.bench, count, start=self.written)
        self.written += count

    @rule(fates=st.lists(st.sampled_from(FATES), min_size=1, max_size=4))
    def sync(self, fates: list[str]) -> None:
        self.proxy.add_fates(fates)
        self.client.sync_once()

    @rule(keep=st.integers(0, 60))
    def hub_restored_from_backup(self, keep: int) -> None:
        with self.hub.storage.transaction() as tx:
            stream = tx.stream(self.stream_id)
            assert stream is not None
            keep = min(keep, stream.hwm)
            held = tx.held(self.stream_id, keep)
            tx._run("DELETE FROM events WHERE stream_id = ? AND seq > ?", [self.stream_id, keep])
            tx._run("UPDATE streams SET hwm = ?, hwm_hash = ? WHERE stream_id = ?",
                    [keep, held.hash if held else stream.base_hash, self.stream_id])

    @invariant()
    def hub_holds_nothing_the_bench_did_not_write(self) -> None:
        local = bench_hashes(self.bench)
        for key, digest in hub_hashes(self.hub.storage).items():
            assert local.get(key) == digest, f"phantom or altered event at {key}"

    def teardown(self) -> None:
        try:
            with contextlib.suppress(AttributeError):
                for _ in range(20):
                    if self.client.sync_once().state is SyncState.IDLE and not self.proxy._fates:
                        break
                assert hub_hashes(self.hub.storage) == bench_hashes(self.bench)
        finally:
            self._stack.close()


SyncProtocol.TestCase.settings = settings(
    max_examples=25, stateful_step_count=12, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSyncProtocol = SyncProtocol.TestCase
