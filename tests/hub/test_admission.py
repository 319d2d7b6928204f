"""Admission control (sync.md matrix row 24): pushes beyond the hub's limit get 503 + Retry-After,
store nothing, and the bench that was told to wait comes back after the advised delay and drains.

Over real HTTP on 127.0.0.1, on both storage backends. A push is held in flight the way a slow bench
holds one: a raw socket sends the request's head and half its body, so the hub has admitted it and
waits for the rest.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.hub.admission import PushGate
from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.hub.protocol import API, event_to_wire
from app.hub.server import HubServer
from app.hub.service import Hub
from app.hub.storage import HubStorage
from app.services.sync import SyncState, SyncStatus
from app.services.sync_enroll import enroll, load_enrollment
from app.services.sync_loop import Backoff, SyncLoop
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.hub.helpers import BACKENDS, bench_hashes, free_env, hub_hashes, hub_storage, record_events

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class GatedHub:
    hub: Hub
    server: HubServer
    storage: HubStorage


@pytest.fixture(params=BACKENDS)
def gated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GatedHub]:
    """A hub that serves one push at a time."""
    with hub_storage(request.param, tmp_path / "hub") as storage:
        hub = Hub(storage, Ed25519PrivateKey.generate())
        with HubServer(hub, "127.0.0.1", 0, request_timeout=10, max_pushes=1) as server:
            yield GatedHub(hub, server, storage)


def _bench(gated: GatedHub, data_dir: Path, events: int, name: str) -> tuple[HubClient, str]:
    record_events(data_dir, events)
    enroll(data_dir, gated.server.url, gated.hub.create_enrollment_code(name), timeout=5)
    enrollment = load_enrollment(data_dir)
    assert enrollment is not None
    with Store(data_dir) as store:
        stream_id = store.stream_id
    return HubClient(gated.server.url, enrollment.access_token, timeout=5), stream_id


def _batch(data_dir: Path) -> bytes:
    with Store(data_dir) as store:
        return json.dumps({"events": [event_to_wire(e) for e in iter_events(store.db)]}).encode()


@contextlib.contextmanager
def _push_in_flight(gated: GatedHub, data_dir: Path) -> Iterator[threading.Event]:
    """A bench's push the hub has admitted and is still reading; set the event to send the rest.

    On leaving, the push must have been answered 200 (the held batch is stored)."""
    client, stream_id = _bench(gated, data_dir, 5, "Slow bench")
    body = _batch(data_dir)
    host, port = gated.server.server_address[:2]
    release = threading.Event()
    with socket.create_connection((str(host), port), timeout=10) as conn:
        conn.sendall(f"POST {API}/streams/{stream_id}/events HTTP/1.1\r\nHost: hub\r\n"
                     f"Content-Type: application/json\r\nAuthorization: Bearer {client.token}\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body[:len(body) // 2])
        deadline = time.monotonic() + 10
        while gated.server.push_gate.running < 1:
            assert time.monotonic() < deadline, "the hub never admitted the held push"
            time.sleep(0.01)
        yield release
        assert release.wait(30)
        conn.sendall(body[len(body) // 2:])
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 200"), answer[:200]


def test_push_over_the_limit_gets_503_with_retry_after_and_stores_nothing(gated: GatedHub, tmp_path: Path) -> None:
    client, stream_id = _bench(gated, tmp_path / "bench", 40, "Bench 1")
    batch = json.loads(_batch(tmp_path / "bench"))
    with _push_in_flight(gated, tmp_path / "slow") as release:
        for _ in range(3):
            with pytest.raises(HubUnavailable) as refused:
                client.push(stream_id, batch)
            assert refused.value.retry_after is not None
            assert refused.value.retry_after >= 1
            assert "busy" in str(refused.value)
        assert not [key for key in hub_hashes(gated.storage) if key[0] == stream_id]
        assert client.cursor(stream_id)["hwm"] == 0  # other endpoints are not gated
        release.set()
    assert gated.server.push_gate.refused == 3
    # The refused batch was never taken in: sent again, every event is new, none a duplicate.
    answer = client.push(stream_id, batch)
    assert [r["status"] for r in answer["results"]] == ["stored"] * len(batch["events"])
    assert hub_hashes(gated.storage) == {**bench_hashes(tmp_path / "bench"), **bench_hashes(tmp_path / "slow")}


def test_bench_told_to_wait_retries_after_the_advised_delay_and_drains_once(
        gated: GatedHub, tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    _bench(gated, bench, 120, "Bench 1")
    told_to_wait = threading.Event()
    seen: list[tuple[float, SyncStatus]] = []

    def on_status(status: SyncStatus) -> None:
        seen.append((time.monotonic(), status))
        if status.state is SyncState.BACKING_OFF:
            told_to_wait.set()

    loop = SyncLoop(bench, interval=30, backoff=Backoff(base=0.01, cap=10, rng=random.Random(5)),
                    on_status=on_status, timeout=5, max_batch_events=50)
    try:
        with _push_in_flight(gated, tmp_path / "slow") as release:
            loop.start()
            assert told_to_wait.wait(20), "the bench was never refused"
            release.set()
        deadline = time.monotonic() + 20
        while not (seen and seen[-1][1].state is SyncState.IDLE):
            assert time.monotonic() < deadline, seen[-1][1].last_error if seen else "no status"
            time.sleep(0.05)
    finally:
        loop.stop()
    refused_at, refused = next((t, s) for t, s in seen if s.state is SyncState.BACKING_OFF)
    drained_at = next(t for t, s in seen if s.state is SyncState.IDLE)
    assert "busy" in refused.last_error
    # Backoff base 0.01 s would retry at once; the hub's Retry-After (at least 1 s) held the bench back.
    assert drained_at - refused_at >= 1.0
    assert seen[-1][1].pending == 0
    stored = hub_hashes(gated.storage)
    assert stored == {**bench_hashes(bench), **bench_hashes(tmp_path / "slow")}
    with gated.storage.transaction() as tx:
        rows = tx._all("SELECT count(*) FROM events")
    assert int(rows[0][0]) == len(stored)  # each event exactly once


def test_refused_pushes_book_later_and_later_slots() -> None:
    now = [100.0]
    gate = PushGate(2, clock=lambda: now[0])
    assert gate.try_enter()
    assert gate.try_enter()
    assert not gate.try_enter()
    gate.leave(0.5)  # one slow push: the running mean of service time rises from 0.02 s to 0.068 s
    advice = [gate.retry_after() for _ in range(200)]
    assert advice == sorted(advice), "the queue only grows while no time passes"
    assert advice[0] == 1
    assert advice[-1] > 1
    now[0] += 1000  # the queue drained meanwhile: the next refusal is told the minimum again
    assert gate.retry_after() == 1
    assert gate.refused == 1
    gate.leave(0.02)
    assert gate.running == 0
    assert gate.try_enter()


def test_backoff_follows_the_hubs_retry_after_within_its_grain() -> None:
    backoff = Backoff(base=1, cap=300, rng=random.Random(11))
    for _ in range(10):
        backoff.next_delay()  # the ceiling of the bench's own backoff has grown to minutes
    delays = [backoff.next_delay(retry_after=3) for _ in range(50)]
    assert all(3 <= d <= 4 for d in delays)
    assert len(set(delays)) == len(delays), "jittered within the second, not all at once"
    assert Backoff(base=1, cap=2).next_delay(retry_after=30) == 2  # the bench's cap still bounds it




def _hold_push(url: str) -> socket.socket:
    """A push whose body never finishes arriving: once admitted, it keeps its place in the gate."""
    parts = urlsplit(url)
    held = socket.create_connection((str(parts.hostname), int(parts.port or 0)), timeout=10)
    held.sendall(f"POST {API}/streams/s1/events HTTP/1.1\r\nHost: hub\r\nContent-Length: 100\r\n\r\n{{".encode())
    return held


def _await_answer(client: HubClient, want: str) -> None:
    """Push until the hub answers ``want``. The token is not valid: the gate answers before authentication,
    so "busy" means the gate is full and "bad_token" that the push was let in; nothing is stored."""
    deadline = time.monotonic() + 10
    while True:
        try:
            client.push("s2", {"events": []})
            got = "stored"
        except HubUnavailable as exc:
            got = f"busy, retry after {exc.retry_after:.0f} s"
        except HubRefused as exc:
            got = exc.code
        if got == want:
            return
        assert time.monotonic() < deadline, f"the hub kept answering {got!r}, not {want!r}"
        time.sleep(0.05)


def test_hub_serve_max_pushes_sets_the_limit(tmp_path: Path) -> None:
    server = subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--data-dir", str(tmp_path / "hub"),
                               "--port", "0", "--max-pushes", "2"], cwd=ROOT, env=free_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[-1]
        client = HubClient(url, "not-a-token", timeout=10)
        with _hold_push(url):
            _await_answer(client, "bad_token")
            with _hold_push(url):
                _await_answer(client, "busy, retry after 1 s")  # two held: the gate is full
            _await_answer(client, "bad_token")  # one let go: its place is free again
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        if server.stdout:
            server.stdout.close()
    refused = subprocess.run([sys.executable, "-m", "app", "hub", "serve", "--data-dir", str(tmp_path / "zero"),
                              "--max-pushes", "0"], cwd=ROOT, env=free_env(), capture_output=True, text=True,
                             timeout=60, check=False)
    assert refused.returncode == 2
    assert "1 or more" in refused.stderr
