"""A blocking HTTP client for the hub's API, used by the bench's sync service and by scripts.

Failures come in two kinds, because the bench acts on them differently: ``HubUnavailable`` (no
answer, a cut or garbled answer, 5xx, 429 — retry the same request later, honouring
``retry_after``) and ``HubRefused`` (the hub answered and said no — a 4xx the bench must act on).
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from typing import Any
from urllib.parse import quote, urlsplit

from app.hub.protocol import API


class HubUnavailable(Exception):
    """No usable answer from the hub; the same request may be retried."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HubRefused(Exception):
    """The hub answered with a refusal (4xx)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} (HTTP {status} {code})")
        self.status, self.code, self.message = status, code, message


class HubClient:
    """One hub at ``url``; a new connection per request, so a failed one leaves nothing behind."""

    def __init__(self, url: str, token: str = "", *, timeout: float = 30.0,
                 tls: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not a hub address: {url!r} (expected http://host:port or https://host:port)")
        self.url = url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path
        self.token = token
        self.timeout = timeout
        self._tls = tls
        self.answers = 0  # HTTP answers received (any status): whether a session reached the hub

    def enroll(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", "/enroll", payload)

    def register_stream(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", "/streams", payload)

    def cursor(self, stream_id: str, *, rejected_after: int | None = None) -> dict[str, Any]:
        """The handshake; with ``rejected_after`` the hub also lists the rejected events above that seq."""
        query = "" if rejected_after is None else f"?rejected_after={int(rejected_after)}"
        return self.request("GET", f"/streams/{quote(stream_id)}/cursor{query}")

    def push(self, stream_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", f"/streams/{quote(stream_id)}/events", payload)

    def push_raw(self, stream_id: str, body: bytes) -> dict[str, Any]:
        """A push whose JSON the caller already wrote (the bench writes it straight from stored rows)."""
        return self.request("POST", f"/streams/{quote(stream_id)}/events", raw=body)

    def rotate_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", "/token/rotate", payload)

    def heartbeat(self, bench_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", f"/benches/{quote(bench_id)}/heartbeat", payload)

    def reference(self, since: int) -> dict[str, Any]:
        return self.request("GET", f"/reference?since={int(since)}")

    def certificate(self, certificate_id: str) -> dict[str, Any]:
        return self.request("GET", f"/certificates/{quote(certificate_id)}")

    def lot(self, lot_ref: str) -> dict[str, Any]:
        return self.request("GET", f"/lots/{quote(lot_ref)}")

    def request(self, method: str, path: str, payload: dict[str, Any] | None = None, *,
                raw: bytes | None = None) -> dict[str, Any]:
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8") if payload is not None else raw
        headers = {"Accept": "application/json", "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        conn: http.client.HTTPConnection
        if self._https:
            conn = http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout,
                                               context=self._tls or ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        try:
            conn.request(method, self._prefix + API + path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            status, retry_after = response.status, response.getheader("Retry-After")
        except ssl.SSLCertVerificationError as exc:
            raise HubRefused(495, "tls_verification", f"the hub's TLS certificate is not trusted: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timeout, cut reply
            raise HubUnavailable(f"no answer from the hub at {self.url}: {_describe(exc)}") from exc
        finally:
            conn.close()
        self.answers += 1
        try:
            data = json.loads(raw) if raw else {}
        except (ValueError, UnicodeDecodeError):
            raise HubUnavailable(f"the hub at {self.url} sent a garbled answer (HTTP {status})") from None
        if not isinstance(data, dict):
            raise HubUnavailable(f"the hub at {self.url} sent an answer of the wrong shape")
        if status in (429, 503) or status >= 500:
            raise HubUnavailable(f"the hub is {'busy' if status in (429, 503) else 'failing'} (HTTP {status})",
                                 retry_after=_seconds(retry_after))
        if status >= 400:
            raise HubRefused(status, str(data.get("error", "")), str(data.get("message", "refused")))
        return data


def _seconds(header: str | None) -> float | None:
    if header is None:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        return None  # an HTTP date: rare from our hub; the backoff still applies


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    return str(exc) or type(exc).__name__
