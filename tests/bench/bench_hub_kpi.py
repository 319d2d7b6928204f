"""The hub's all-benches dashboard: one ``GET /v1/kpi`` over real HTTP on 127.0.0.1 with 100,000 events.

The hub holds a month of four benches (the dashboard benchmark's flow generator, its units dealt to
four streams), inserted in bulk (set-up only: hashes and signatures are placeholders, as no figure
reads them). Each storage backend runs (PostgreSQL when its cluster is here).

Figures:

* a request after 100 new events (five units through the flow on one bench, inserted untimed), p50 and
  p99 over the rounds, on a hub process whose fold has answered once before;
* the same request with nothing new (info);
* the first request of a hub process: every row folded (info).

Peer: ``hub_snapshot`` over the same storage, the fold built from every row for the one answer (what the
endpoint would cost without its kept fold).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.kpi_snapshot import KpiScope
from app.core.kpi_wire import snapshot_from_wire
from app.hub.client import HubClient
from app.hub.kpi_source import hub_snapshot
from app.hub.server import HubServer
from app.hub.service import Hub, token_digest
from app.hub.storage import HubStorage
from tests.bench.bench_dashboard import SEED, FlowGenerator, iso, month_of_events
from tests.bench.bench_util import Results, Row, Sizes, percentile, progress, scratch_dir, section_main
from tests.hub.helpers import hub_storage, postgres_available

SECTION = "Hub dashboard"
EVENTS = 100_000
BENCHES = 4
TOKEN = "bench-kpi-token"
ROUNDS = 20


class _Loader:
    """Bulk rows for the hub's events table, one stream per bench, seqs in order per stream."""

    def __init__(self, storage: HubStorage, now: str) -> None:
        self.storage = storage
        self.streams = [f"bench-stream-{i}" for i in range(BENCHES)]
        self.seqs = dict.fromkeys(self.streams, 0)
        with storage.transaction() as tx:
            for i, stream in enumerate(self.streams):
                tx._run("INSERT INTO benches (bench_id, name, token_sha256, device_pubkey, created_at)"
                        " VALUES (?, ?, ?, '-', ?)", [f"B{i}", f"Bench {i}", token_digest(f"{TOKEN}-{i}"), now])
                tx._run("INSERT INTO streams (stream_id, bench_id, base_seq, base_hash, hwm, hwm_hash, status,"
                        " created_at) VALUES (?, ?, 0, '', 0, '', 'active', ?)", [stream, f"B{i}", now])
        self.insert([(datetime.fromisoformat(now), ("station.initialised", {"station_id": f"ST-{i}"}, None, None),
                      stream) for i, stream in enumerate(self.streams)], now)

    def stream_of(self, unit: str | None) -> str:
        return self.streams[int(hashlib.sha256((unit or "").encode()).hexdigest(), 16) % BENCHES]

    def insert(self, events: list[tuple[datetime, tuple[str, Any, str | None, str | None], str]], now: str) -> None:
        rows = []
        for at, (event_type, body, unit, op), stream in events:
            self.seqs[stream] += 1
            seq = self.seqs[stream]
            rows.append((stream, seq, f"{stream}-{seq}", event_type, 1, iso(at), op, unit,
                         json.dumps(body, sort_keys=True, separators=(",", ":")), "-", "-", "-", now))
        sql = ("INSERT INTO events (stream_id, seq, event_id, type, schema_version, occurred_at, operator_id, unit_id,"
               " body, prev_hash, hash, signature, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        with self.storage.transaction() as tx:
            tx._cursor.executemany(sql.replace("?", self.storage.dialect.placeholder), rows)


def _month(loader: _Loader) -> Iterator[tuple[datetime, tuple[str, Any, str | None, str | None], str]]:
    for count, (at, event) in enumerate(month_of_events(EVENTS - BENCHES)):
        if count >= EVENTS - BENCHES:
            return
        yield at, event, loader.stream_of(event[2])


def _run_backend(backend: str, folder: Path, results: Results) -> None:
    with hub_storage(backend, folder / backend) as storage:
        loader = _Loader(storage, "2026-11-05T00:00:00.000Z")
        batch: list[Any] = []
        last = datetime.fromisoformat("2026-11-05T00:00:00+00:00")
        for item in _month(loader):
            batch.append(item)
            last = max(last, item[0])
            if len(batch) >= 20_000:
                loader.insert(batch, iso(last))
                batch.clear()
                progress(f"  {backend}: {sum(loader.seqs.values()):,} events")
        loader.insert(batch, iso(last))
        clock = [last + timedelta(minutes=1)]
        hub = Hub(storage, Ed25519PrivateKey.generate(), clock=lambda: clock[0])
        with HubServer(hub, "127.0.0.1", 0) as server:
            client = HubClient(server.url, f"{TOKEN}-0", timeout=120)
            started = time.perf_counter()
            first = snapshot_from_wire(client.request("GET", "/kpi?period=today"))
            first_s = time.perf_counter() - started
            progress(f"{backend}: first request folded {first.through_seq:,} events in {first_s:.1f} s")
            gen = FlowGenerator(SEED + 7)
            after_new: list[float] = []
            unchanged: list[float] = []
            peer: list[float] = []
            for round_ in range(ROUNDS):
                start = clock[0]
                fresh = sorted((e for n in range(5) for e in gen.unit(20_000_000 + round_ * 5 + n, start)),
                               key=lambda e: e[0])
                loader.insert([(at, event, loader.streams[round_ % BENCHES]) for at, event in fresh], iso(start))
                clock[0] = max(at for at, _ in fresh) + timedelta(seconds=1)
                started = time.perf_counter()
                answer = snapshot_from_wire(client.request("GET", "/kpi?period=today"))
                after_new.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                client.request("GET", "/kpi?period=today")
                unchanged.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                scratch = hub_snapshot(storage, KpiScope(answer.scope.period, answer.scope.start, answer.scope.end),
                                       answer.as_of)
                peer.append((time.perf_counter() - started) * 1000)
                if scratch != answer:
                    raise AssertionError(f"{backend}: the endpoint's answer differs from hub_snapshot")
    events = answer.through_seq
    results.rows += [
        Row(SECTION, f"{backend}: GET /v1/kpi after 100 new events, {events // 1000:,}k events, p50",
            percentile(after_new, 50), "ms", peer=percentile(peer, 50), peer_key="A",
            note=f"p99 {percentile(after_new, 99):.0f} ms"),
        Row(SECTION, f"{backend}: GET /v1/kpi, nothing new, p50", percentile(unchanged, 50), "ms"),
        Row(SECTION, f"{backend}: first request, every row folded", first_s, "s"),
    ]


def run(sizes: Sizes) -> Results:
    results = Results(peers={"A": "hub_snapshot: every row folded for the one answer, same storage"})
    backends = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    with scratch_dir("hub-kpi-") as folder:
        for backend in backends:
            _run_backend(backend, folder, results)
    results.notes.append(f"{EVENTS:,} events over {BENCHES} benches' streams; {ROUNDS} rounds of 100 new events")
    return results


def main() -> int:
    return section_main("bench_hub_kpi", run)


if __name__ == "__main__":
    raise SystemExit(main())
