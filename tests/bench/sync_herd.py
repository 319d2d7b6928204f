"""The thundering herd (sync.md failure matrix row 24): many benches push at once after an outage.

Each simulated bench has its own key, stream and token, and pushes its batches one at a time (one in
flight per stream) through the product's own ``HubClient``, honouring 503 + Retry-After with the
product's own ``Backoff`` — exactly what a bench's sync loop does. The hub runs as ``hub serve``
processes on one PostgreSQL database, the benches spread over them as a load balancer would.

What is reported, side by side: the hub's rate over the whole burst (events stored / time until the
last bench drained), the latency of the batches the hub accepted (request sent to reply read, the
attempt that was served), how many pushes were told 503, how long a batch took from its first
attempt to being stored (waits included), and the hub's own counts (nothing lost, nothing twice).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.canonical import GENESIS_HASH
from app.core.models import Event
from app.hub.backends import open_postgres
from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.hub.hub_key import load_or_create_hub_key
from app.hub.protocol import event_to_wire, public_key_hex
from app.hub.service import Hub
from app.services.sync_loop import Backoff
from tests.bench.bench_util import ROOT, progress


@dataclass
class HerdResult:
    benches: int
    hub_processes: int
    expected_events: int
    drain_seconds: float = 0.0
    accepted_ms: list[float] = field(default_factory=list)  # the served attempt of each batch
    first_try_to_stored_ms: list[float] = field(default_factory=list)  # waits and refused attempts included
    busy_answers: int = 0  # 503 + Retry-After
    network_faults: int = 0  # no answer at all (retried like the sync loop does)
    stored_replies: int = 0  # events the hub's replies called stored
    duplicate_replies: int = 0  # events the hub's replies called duplicate
    hub_rows: int = 0  # events rows in the hub's database after the burst
    hub_distinct: int = 0  # distinct (stream, seq) among them
    hub_hwm_total: int = 0  # sum of every stream's high-water mark

    @property
    def rate(self) -> float:
        return self.hub_distinct / self.drain_seconds

    @property
    def lost(self) -> int:
        return self.expected_events - self.hub_distinct

    @property
    def duplicates(self) -> int:
        return self.hub_rows - self.hub_distinct + self.duplicate_replies


def _signed_events(stream_id: str, key: Ed25519PrivateKey, count: int) -> list[dict[str, Any]]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        event = Event(stream_id, seq, str(uuid.uuid4()), "bay.assigned", 1, f"2026-11-0{1 + seq % 9}T10:00:00.000Z",
                      None, None, {"bay": seq % 64 + 1, "bay_key": f"pci-{seq}", "label": f"dock {seq}"}, prev)
        digest = event.content_hash()
        event = Event(**{**event.__dict__, "hash": digest, "signature": key.sign(bytes.fromhex(digest)).hex()})
        events.append(event_to_wire(event))
        prev = digest
    return events


def _fleet(hub: Hub, benches: int, batches: int, per_batch: int) -> list[tuple[str, str, list[bytes]]]:
    fleet = []
    for number in range(benches):
        key, stream_id = Ed25519PrivateKey.generate(), str(uuid.uuid4())
        answer = hub.enroll({"enrollment_code": hub.create_enrollment_code(f"Herd {number}"),
                             "device_pubkey": public_key_hex(key.public_key()), "stream_id": stream_id})
        events = _signed_events(stream_id, key, batches * per_batch)
        bodies = [json.dumps({"batch_id": f"{stream_id}:{i}", "events": events[i * per_batch:(i + 1) * per_batch]})
                  .encode() for i in range(batches)]
        fleet.append((answer["access_token"], stream_id, bodies))
    return fleet


def _start_hubs(hub_dir: Path, dsn: str, processes: int, max_pushes: int | None) -> list[subprocess.Popen[str]]:
    limit = ["--max-pushes", str(max_pushes)] if max_pushes else []
    return [subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--data-dir", str(hub_dir), "--database",
                              dsn, "--port", "0", *limit], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(processes)]


def _count(dsn: str, result: HerdResult) -> None:
    import psycopg

    with psycopg.connect(dsn) as conn:
        counted = conn.execute("SELECT count(*), count(DISTINCT (stream_id, seq)) FROM events").fetchone()
        rows, distinct = counted or (0, 0)
        hwm = conn.execute("SELECT coalesce(sum(hwm), 0) FROM streams").fetchone()
    result.hub_rows, result.hub_distinct, result.hub_hwm_total = int(rows), int(distinct), int(hwm[0] if hwm else 0)


def herd(hub_dir: Path, dsn: str, benches: int, batches: int, per_batch: int, *, processes: int,
         max_pushes: int | None = None) -> HerdResult:
    """``benches`` benches push ``batches`` batches of ``per_batch`` events each, all starting at once."""
    hub = Hub(open_postgres(dsn, pool_size=2), load_or_create_hub_key(hub_dir))
    progress(f"enrolling {benches} simulated benches and signing {benches * batches * per_batch:,} events")
    try:
        fleet = _fleet(hub, benches, batches, per_batch)
    finally:
        hub.storage.close()
    result = HerdResult(benches, processes, benches * batches * per_batch)
    servers = _start_hubs(hub_dir, dsn, processes, max_pushes)
    try:
        urls = []
        for server in servers:
            assert server.stdout is not None
            urls.append(server.stdout.readline().strip().rsplit(" ", 1)[1])
        lock = threading.Lock()
        go = threading.Event()
        failures: list[str] = []

        def bench(number: int, token: str, stream_id: str, bodies: list[bytes]) -> None:
            client = HubClient(urls[number % len(urls)], token, timeout=120)
            backoff = Backoff(rng=random.Random(number))
            go.wait()
            for body in bodies:
                first_try = time.perf_counter()
                while True:
                    sent = time.perf_counter()
                    try:
                        reply = client.push_raw(stream_id, body)
                    except HubUnavailable as exc:
                        with lock:
                            if exc.retry_after is not None:
                                result.busy_answers += 1
                            else:
                                result.network_faults += 1
                        time.sleep(backoff.next_delay(exc.retry_after))
                        continue
                    except HubRefused as exc:  # a refusal is a bug in the herd or the hub
                        with lock:
                            failures.append(f"{type(exc).__name__}: {exc}")
                        return
                    done = time.perf_counter()
                    backoff.reset()
                    break
                statuses = [r.get("status") for r in reply.get("results", [])]
                with lock:
                    result.accepted_ms.append((done - sent) * 1000)
                    result.first_try_to_stored_ms.append((done - first_try) * 1000)
                    result.stored_replies += statuses.count("stored")
                    result.duplicate_replies += statuses.count("duplicate")

        threads = [threading.Thread(target=bench, args=(i, *member), name=f"herd-{i}")
                   for i, member in enumerate(fleet)]
        for thread in threads:
            thread.start()
        progress(f"{benches} benches push at once")
        started = time.perf_counter()
        go.set()
        for thread in threads:
            thread.join()
        result.drain_seconds = time.perf_counter() - started
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
            if server.stdout:
                server.stdout.close()
    if failures:
        raise RuntimeError(f"{len(failures)} benches were refused, e.g. {failures[0]}")
    _count(dsn, result)
    return result
