"""A fault-injecting TCP proxy for HTTP/1.0-style exchanges (one request per connection).

Each accepted connection takes the next fate from a list (then ``pass``): what the bench
experiences on a real network — refused or reset connections, hangs, replies lost after the hub
committed, duplicated and late (overtaking) deliveries, truncated replies, and what a load
balancer in front of a busy hub answers (503 with Retry-After). With ``poison`` set, any request
whose body holds those bytes is answered 400, as a hub answers a batch it cannot parse.
"""

from __future__ import annotations

import collections
import socket
import struct
import threading
import time
from collections.abc import Iterable

FATES = ("pass", "refuse", "reset", "hang", "lose_reply", "duplicate", "delay", "truncate", "replay_stale")
BUSY_RETRY_AFTER = 2  # seconds, in the "busy" fate's Retry-After header


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], fates: Iterable[str] = (), *, delay: float = 0.3,
                 io_timeout: float = 10.0, poison: bytes | None = None) -> None:
        self.upstream = upstream
        self.poison = poison
        self.arrivals: list[tuple[float, str, str]] = []  # (monotonic time, fate, request line) per request
        self._fates: collections.deque[str] = collections.deque(fates)
        self.delay = delay
        self.io_timeout = io_timeout
        self.seen: collections.Counter[str] = collections.Counter()
        self._stale: bytes | None = None  # an earlier push, kept to deliver again out of order
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_loop, name="fault-proxy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def add_fates(self, fates: Iterable[str]) -> None:
        with self._lock:
            self._fates.extend(fates)

    def start(self) -> FaultProxy:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._acceptor.join()
        for thread in self._threads:
            thread.join()
        self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                fate = self._fates.popleft() if self._fates else "pass"
                self.seen[fate] += 1
            thread = threading.Thread(target=self._handle, args=(conn, fate), name=f"fault-proxy-{fate}")
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket, fate: str) -> None:
        conn.settimeout(self.io_timeout)
        try:
            if fate == "refuse":
                return
            request = _read_request(conn)
            if request is None:
                return
            line = request.split(b"\r\n", 1)[0].decode("latin-1")
            with self._lock:
                self.arrivals.append((time.monotonic(), fate, line))
            if fate == "busy":
                conn.sendall(_answer(503, b'{"error": "busy", "message": "the hub is busy"}',
                                     f"Retry-After: {BUSY_RETRY_AFTER}\r\n"))
                return
            if self.poison is not None and self.poison in request.partition(b"\r\n\r\n")[2]:
                conn.sendall(_answer(400, b'{"error": "bad_request", "message": "the batch cannot be read"}'))
                return
            if fate == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if fate == "hang":
                # Hold the connection until the bench gives up (it closes) or the test ends.
                conn.settimeout(0.05)
                while not self._stop.is_set():
                    try:
                        if conn.recv(1) == b"":
                            return
                    except TimeoutError:
                        continue
                return
            if fate == "delay":
                time.sleep(self.delay)
            if fate == "replay_stale" and self._stale is not None:
                self._forward(self._stale)
            if b" /v1/streams/" in request.split(b"\r\n", 1)[0] and request.startswith(b"POST"):
                self._stale = request
            reply = self._forward(request)
            if fate == "duplicate":
                reply = self._forward(request)
            if fate == "lose_reply":
                return
            if fate == "truncate":
                reply = reply[: max(1, len(reply) // 2)]
            conn.sendall(reply)
        except OSError:
            pass  # the bench went away first; that is one of the faults under test
        finally:
            conn.close()

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=self.io_timeout) as upstream:
            upstream.sendall(request)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def _answer(status: int, body: bytes, extra_headers: str = "") -> bytes:
    reason = {400: "Bad Request", 503: "Service Unavailable"}[status]
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"{extra_headers}Connection: close\r\n\r\n")
    return head.encode("ascii") + body


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body
