"""The hub's HTTP front: stdlib ThreadingHTTPServer, JSON in and out, one thread per request.

Stateless over its storage, so any number of these processes can stand behind a load balancer
when the storage is PostgreSQL. Pushes pass an admission gate (``app.hub.admission``): a few run at
once, the excess is answered at once with 503 and Retry-After, without parsing or verifying it.
"""

from __future__ import annotations

import json
import logging
import re
import ssl
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from app.core.errors import OperatorError
from app.core.kpi import period_bounds
from app.core.kpi_snapshot import KpiScope, Period
from app.core.kpi_wire import snapshot_to_wire
from app.hub.admission import PushGate
from app.hub.kpi_source import HubKpi
from app.hub.protocol import API, MAX_BATCH_BYTES
from app.hub.service import Hub, HubError

log = logging.getLogger("app.hub")

# A batch is capped at MAX_BATCH_BYTES of events; the envelope around them is small.
MAX_REQUEST_BYTES = MAX_BATCH_BYTES + 64 * 1024
_SEGMENT = r"([^/]+)"
# A refused request up to this size is read to its end before the answer (see json_body).
_DRAIN_LIMIT = 64 * 1024 * 1024


class HubServer(ThreadingHTTPServer):
    """The hub on one address. ``start``/``stop`` run it on a background thread."""

    # Request threads are joined on close: nothing the hub started outlives it.
    daemon_threads = False
    block_on_close = True
    # Connections waiting to be accepted: a facility's benches reconnect at once after an outage.
    request_queue_size = 1024

    def __init__(self, hub: Hub, host: str = "127.0.0.1", port: int = 0, *, request_timeout: float = 30.0,
                 tls: ssl.SSLContext | None = None, max_pushes: int | None = None) -> None:
        super().__init__((host, port), _Handler)
        self.hub = hub
        # At most this many pushes at once (default: two per core); the rest are told when to come back.
        self.push_gate = PushGate(max_pushes)
        self.request_timeout = request_timeout
        # This process's KPI fold, kept between requests (each hub process keeps its own).
        self.kpi = HubKpi(hub.storage)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        scheme = "https" if isinstance(self.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{host!s}:{port}"

    def start(self) -> HubServer:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hub-server")
        self._thread.start()
        log.info("hub listening on %s", self.url)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


Route = tuple[str, re.Pattern[str], Callable[["_Handler", Hub, tuple[str, ...]], Any]]


def _bearer(handler: _Handler) -> str:
    header = handler.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else ""


def _route(method: str, path: str) -> Callable[[Callable[[_Handler, Hub, tuple[str, ...]], Any]], Any]:
    pattern = re.compile("^" + API + path.replace("{}", _SEGMENT) + "$")

    def register(fn: Callable[[_Handler, Hub, tuple[str, ...]], Any]) -> Any:
        _ROUTES.append((method, pattern, fn))
        return fn

    return register


_ROUTES: list[Route] = []


@_route("GET", "/health")
def _health(h: _Handler, hub: Hub, _: tuple[str, ...]) -> Any:
    return 200, {"ok": True, "server_time": hub.now(), "server_pubkey": hub.public_key_hex}


@_route("POST", "/enroll")
def _enroll(h: _Handler, hub: Hub, _: tuple[str, ...]) -> Any:
    return 201, hub.enroll(h.json_body())


@_route("POST", "/streams")
def _register_stream(h: _Handler, hub: Hub, _: tuple[str, ...]) -> Any:
    return 200, hub.register_stream(_bearer(h), h.json_body())


@_route("GET", "/streams/{}/cursor")
def _cursor(h: _Handler, hub: Hub, args: tuple[str, ...]) -> Any:
    query = parse_qs(h.path.partition("?")[2])
    after = query.get("rejected_after")
    try:
        rejected_after = int(after[0]) if after else None
    except ValueError:
        raise HubError(400, "bad_request", "'rejected_after' must be a seq") from None
    return 200, hub.cursor(_bearer(h), args[0], rejected_after=rejected_after)


@_route("POST", "/streams/{}/events")
def _push(h: _Handler, hub: Hub, args: tuple[str, ...]) -> Any:
    gate = h.server.push_gate
    if not gate.try_enter():
        # The cheap path: the body is read off the socket and dropped, never parsed nor verified.
        h.discard_body()
        raise HubError(503, "busy", "the hub is serving other benches; retry after the advised delay",
                       retry_after=gate.retry_after())
    started = time.perf_counter()
    try:
        return 200, hub.push(_bearer(h), args[0], h.json_body())
    finally:
        gate.leave(time.perf_counter() - started)


@_route("POST", "/token/rotate")
def _rotate(h: _Handler, hub: Hub, _: tuple[str, ...]) -> Any:
    return 200, hub.rotate_token(_bearer(h), h.json_body())


@_route("POST", "/benches/{}/heartbeat")
def _heartbeat(h: _Handler, hub: Hub, args: tuple[str, ...]) -> Any:
    return 200, hub.heartbeat(_bearer(h), args[0], h.json_body())


@_route("GET", "/reference")
def _reference(h: _Handler, hub: Hub, _: tuple[str, ...]) -> Any:
    query = parse_qs(h.path.partition("?")[2])
    try:
        since = int(query.get("since", ["0"])[0])
    except ValueError:
        raise HubError(400, "bad_request", "'since' must be a version number") from None
    return 200, hub.reference(_bearer(h), since)


@_route("GET", "/certificates/{}")
def _certificate(h: _Handler, hub: Hub, args: tuple[str, ...]) -> Any:
    return 200, hub.certificate(args[0])


@_route("GET", "/lots/{}")
def _lot(h: _Handler, hub: Hub, args: tuple[str, ...]) -> Any:
    return 200, hub.lot_units(_bearer(h), args[0])


@_route("GET", "/kpi")
def _kpi(h: _Handler, hub: Hub, _: tuple[str, ...]) -> Any:
    """The dashboard's figures over every bench: ?period=today|week|lot|customer, &lot= (id or code) with
    period=lot, &customer= with period=customer, &station= to narrow to one station."""
    query = {key: values[-1] for key, values in parse_qs(h.path.partition("?")[2]).items()}
    unknown = sorted(query.keys() - {"period", "lot", "customer", "station"})
    if unknown:
        raise HubError(400, "bad_request", f"unknown parameter(s) {', '.join(unknown)}; "
                                           "the dashboard takes period, lot, customer and station")
    try:
        period = Period(query.get("period", ""))
    except ValueError:
        raise HubError(400, "bad_request", "'period' must be one of " + ", ".join(p.value for p in Period)) from None
    with hub.storage.transaction() as tx:
        hub._bench(tx, _bearer(h))  # any enrolled bench may read the figures, as for lots
        lot_id = None
        if period is Period.LOT:
            if not query.get("lot"):
                raise HubError(400, "bad_request", "period=lot needs lot=<lot id or code>")
            lot = tx.find_lot(query["lot"])
            if lot is None:
                raise HubError(404, "unknown_lot", f"the hub knows no lot {query['lot']}")
            lot_id = lot[0]
    customer = query.get("customer") or None
    if period is Period.CUSTOMER and customer is None:
        raise HubError(400, "bad_request", "period=customer needs customer=<customer name>")
    as_of = hub.now()
    start, end = period_bounds(period, as_of)
    scope = KpiScope(period, start=start, end=end, lot_id=lot_id,
                     customer=customer if period is Period.CUSTOMER else None, station_id=query.get("station") or None)
    return 200, snapshot_to_wire(h.server.kpi.snapshot(scope, as_of))


class _Handler(BaseHTTPRequestHandler):
    server: HubServer
    server_version = "RefurbBenchHub/1"

    def setup(self) -> None:
        # A client that stops sending mid-request must not pin a thread for ever.
        super().setup()
        self.connection.settimeout(self.server.request_timeout)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def json_body(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise HubError(411, "length_required", "send a Content-Length") from None
        if length > MAX_REQUEST_BYTES:
            self._drain(length)
            raise HubError(413, "batch_too_large", f"requests are capped at {MAX_REQUEST_BYTES} bytes")
        raw = self.rfile.read(length)
        if len(raw) != length:
            raise HubError(400, "bad_request", "the request body ended early")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise HubError(400, "bad_request", "the body is not JSON") from None
        if not isinstance(data, dict):
            raise HubError(400, "bad_request", "the body must be a JSON object")
        return data

    def discard_body(self) -> None:
        """Read the request's body and drop it, so the refusal that follows reaches the bench."""
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = _DRAIN_LIMIT + 1
        self._drain(length)

    def _drain(self, length: int) -> None:
        if length > _DRAIN_LIMIT:
            self.close_connection = True
            return
        # Read what the bench is sending before answering, or closing on unread bytes resets the
        # connection and the bench sees a network fault instead of the answer.
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(1 << 16, remaining))
            if not chunk:
                break
            remaining -= len(chunk)

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        status, payload, retry_after = 404, {"error": "not_found", "message": "no such endpoint"}, None
        for route_method, pattern, fn in _ROUTES:
            match = pattern.match(path)
            if not match:
                continue
            if route_method != method:
                status, payload = 405, {"error": "method_not_allowed", "message": "wrong method"}
                continue
            try:
                status, payload = fn(self, self.server.hub, tuple(unquote(g) for g in match.groups()))
            except HubError as exc:
                status, payload, retry_after = exc.status, {"error": exc.code, "message": exc.message}, exc.retry_after
            except OperatorError as exc:
                status, payload = 400, {"error": "bad_request", "message": str(exc)}
            except Exception:
                if _storage_busy():
                    status, payload, retry_after = 503, {"error": "busy", "message": "the hub is busy"}, 1.0
                else:
                    log.exception("hub request %s %s failed", method, path)
                    status, payload = 500, {"error": "internal", "message": "the hub failed; see its log"}
            break
        self._send(status, payload, retry_after)

    def _send(self, status: int, payload: Any, retry_after: float | None) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if retry_after is not None:
            self.send_header("Retry-After", str(max(1, round(retry_after))))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def _storage_busy() -> bool:
    """Whether the exception being handled is the database being locked (worth a retry, not a bug)."""
    import sys

    exc = sys.exc_info()[1]
    return exc is not None and "locked" in str(exc).lower() and type(exc).__name__ == "OperationalError"
