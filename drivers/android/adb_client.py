"""The adb client protocol, spoken directly on the adb server's socket.

Requests are a 4-digit hex length and the service name; the server answers ``OKAY`` or ``FAIL`` plus a
length-prefixed message. A shell runs on a connection switched to one phone with
``host:transport:SERIAL``; with the phone's ``shell_v2`` feature its output comes as frames (stdout,
stderr, exit status), otherwise as raw bytes and we append an exit marker to the command.

Every call has a deadline: a socket timeout bounds each wait, so a hung phone raises
:class:`ShellTimeout` and a dropped one :class:`DeviceGone`; nothing blocks forever. Closing the socket
after a timeout makes the server close the stream on the phone.

Server pitfalls this client respects (Debian adb 29): ``adb reconnect`` on a TCP phone acts as a
disconnect, so it is never used; ``host:connect`` answers OKAY even when connecting failed, so the
reply text decides; a phone that never completes its handshake stays ``offline`` forever, so waits are
bounded by the caller's timeout, not the server's.
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import time
from dataclasses import dataclass

from drivers.android.errors import (
    AdbProtocolError,
    AdbServerUnavailable,
    ConnectFailed,
    DeviceGone,
    DeviceNotFound,
    DeviceOffline,
    ShellTimeout,
)

log = logging.getLogger(__name__)

DEFAULT_SERVER_PORT = 5037
_EXIT_MARKER = "__RB_EXIT__:"
_EXIT_LINE = re.compile(re.escape(_EXIT_MARKER) + r"(\d+)\n?")
_SHELL_FRAME = struct.Struct("<BI")
_STDOUT, _STDERR, _EXIT = 1, 2, 3


@dataclass(frozen=True)
class ShellResult:
    command: str
    stdout: str
    stderr: str
    exit_code: int
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass(frozen=True)
class AttachedDevice:
    """One line of ``host:devices-l``."""

    serial: str
    state: str
    product: str = ""
    model: str = ""
    device: str = ""
    transport_id: str = ""
    usb: str = ""  # the USB port path ("1-2.3") of a phone on a cable; empty for TCP phones


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


class AdbClient:
    """A client of one adb server (``127.0.0.1:5037`` unless told otherwise). Thread-safe: every call
    opens its own connection, as the adb client does, so one hung phone never blocks the others."""

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_SERVER_PORT, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._features: dict[str, frozenset[str]] = {}

    # -- low level ---------------------------------------------------------------------------------------

    def _open(self, deadline: _Deadline) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=deadline.remaining())
        except (OSError, TimeoutError) as exc:
            raise AdbServerUnavailable(f"no adb server answers on {self.host}:{self.port} ({exc})") from exc

    @staticmethod
    def _recv_exact(sock: socket.socket, size: int, deadline: _Deadline) -> bytes:
        data = b""
        while len(data) < size:
            sock.settimeout(deadline.remaining())
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise EOFError(f"connection closed after {len(data)} of {size} bytes")
            data += chunk
        return data

    def _request(self, sock: socket.socket, service: str, deadline: _Deadline) -> None:
        """Send one request and consume OKAY, or raise with the server's FAIL text."""
        payload = service.encode()
        sock.settimeout(deadline.remaining())
        sock.sendall(f"{len(payload):04x}".encode() + payload)
        status = self._recv_exact(sock, 4, deadline)
        if status == b"OKAY":
            return
        if status == b"FAIL":
            raise _ServerRefused(self._read_block(sock, deadline))
        raise AdbProtocolError(f"adb server answered {status!r} to {service!r}")

    def _read_block(self, sock: socket.socket, deadline: _Deadline) -> str:
        length = int(self._recv_exact(sock, 4, deadline), 16)
        return self._recv_exact(sock, length, deadline).decode("utf-8", "replace")

    def _query(self, service: str, timeout: float | None = None) -> str:
        """A host service that answers one length-prefixed block."""
        deadline = _Deadline(timeout or self.timeout)
        try:
            with self._open(deadline) as sock:
                self._request(sock, service, deadline)
                return self._read_block(sock, deadline)
        except (TimeoutError, EOFError, OSError) as exc:
            raise AdbServerUnavailable(f"adb server stopped answering {service!r}: {exc or 'timed out'}") from exc

    # -- host services -----------------------------------------------------------------------------------

    def server_version(self) -> int:
        return int(self._query("host:version"), 16)

    def kill_server(self) -> None:
        """Ask the server to exit (it closes every transport first). Quiet if it is already gone."""
        deadline = _Deadline(2.0)
        try:
            with self._open(deadline) as sock:
                self._request(sock, "host:kill", deadline)
        except (AdbServerUnavailable, TimeoutError, EOFError, OSError, _ServerRefused):
            pass

    def devices(self) -> list[AttachedDevice]:
        result = []
        for line in self._query("host:devices-l").splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            extra = dict(p.split(":", 1) for p in parts[2:] if ":" in p)
            result.append(AttachedDevice(parts[0], parts[1], extra.get("product", ""), extra.get("model", ""),
                                         extra.get("device", ""), extra.get("transport_id", ""),
                                         extra.get("usb", "")))
        return result

    def state(self, serial: str) -> str:
        """``device``, ``offline``, ``unauthorized``, ``recovery``…; raises DeviceNotFound if unknown."""
        try:
            return self._query(f"host-serial:{serial}:get-state")
        except _ServerRefused as exc:
            if "offline" in exc.text:
                return "offline"
            if "unauthorized" in exc.text:
                return "unauthorized"
            if "authorizing" in exc.text:
                return "authorizing"
            raise DeviceNotFound(f"phone {serial} is not attached ({exc.text})") from None

    def connect(self, address: str, timeout: float = 12.0) -> str:
        """Attach a phone over TCP. The server waits up to 10 s for the handshake and always answers OKAY,
        so success is read from the text ("connected to", "already connected to")."""
        try:
            text = self._query(f"host:connect:{address}", timeout=timeout)
        except _ServerRefused as exc:
            raise ConnectFailed(f"could not attach {address}: {exc.text}") from None
        if text.startswith(("connected to", "already connected to")):
            return text
        raise ConnectFailed(f"could not attach {address}: {text}")

    def disconnect(self, address: str) -> str:
        try:
            return self._query(f"host:disconnect:{address}")
        except _ServerRefused as exc:
            return exc.text

    def features(self, serial: str) -> frozenset[str]:
        cached = self._features.get(serial)
        if cached is None:
            try:
                text = self._query(f"host-serial:{serial}:features")
            except _ServerRefused as exc:
                raise self._unusable(serial, exc.text) from None
            cached = frozenset(f for f in text.strip().split(",") if f)
            self._features[serial] = cached
        return cached

    def forget(self, serial: str) -> None:
        """Drop what is cached about a phone (after a reset it may come back with other features)."""
        self._features.pop(serial, None)

    def _unusable(self, serial: str, text: str) -> Exception:
        if "not found" in text:
            return DeviceNotFound(f"phone {serial} is not attached ({text})")
        state = "unauthorized" if "unauthorized" in text else "offline"
        hint = " — tap “Allow USB debugging” on the phone" if state == "unauthorized" else ""
        return DeviceOffline(f"phone {serial} is {state}{hint} ({text})", state)

    # -- shell ---------------------------------------------------------------------------------------------

    def shell(self, serial: str, command: str, timeout: float = 10.0) -> ShellResult:
        """Run ``command`` through ``sh -c`` on the phone; raises ShellTimeout, DeviceGone, DeviceOffline or
        DeviceNotFound, never hangs past ``timeout`` seconds."""
        v2 = "shell_v2" in self.features(serial)
        deadline = _Deadline(timeout)
        started = time.monotonic()
        try:
            with self._open(deadline) as sock:
                try:
                    self._request(sock, f"host:transport:{serial}", deadline)
                    if v2:
                        self._request(sock, f"shell,v2,raw:{command}", deadline)
                        stdout, stderr, code = self._read_v2(sock, deadline)
                    else:
                        self._request(sock, f"shell:{command}; echo \"{_EXIT_MARKER}$?\"", deadline)
                        stdout, stderr, code = self._read_v1(sock, deadline)
                except _ServerRefused as exc:
                    raise self._unusable(serial, exc.text) from None
        except TimeoutError:
            raise ShellTimeout(f"phone {serial} did not answer {command!r} within {timeout:g} s",
                               command, timeout) from None
        except (EOFError, ConnectionError) as exc:
            raise self._gone(serial, command, exc) from None
        seconds = time.monotonic() - started
        log.debug("phone %s: %r -> exit %s in %.3f s", serial, command, code, seconds)
        return ShellResult(command, stdout, stderr, code, seconds)

    def _gone(self, serial: str, command: str, cause: Exception) -> DeviceGone:
        try:
            state = self.state(serial)
        except (DeviceNotFound, AdbServerUnavailable):
            state = "not attached"
        return DeviceGone(f"phone {serial} went away during {command!r} (link now {state}; {cause})")

    def _read_v2(self, sock: socket.socket, deadline: _Deadline) -> tuple[str, str, int]:
        out, err = bytearray(), bytearray()
        while True:
            kind, length = _SHELL_FRAME.unpack(self._recv_exact(sock, _SHELL_FRAME.size, deadline))
            data = self._recv_exact(sock, length, deadline)
            if kind == _STDOUT:
                out += data
            elif kind == _STDERR:
                err += data
            elif kind == _EXIT:
                # A phone killed mid-command sends no exit frame; the adb CLI then reports 0, we raise.
                return out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), data[0] if data else 255

    def _read_v1(self, sock: socket.socket, deadline: _Deadline) -> tuple[str, str, int]:
        data = bytearray()
        while True:
            sock.settimeout(deadline.remaining())
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        text = data.decode("utf-8", "replace").replace("\r\n", "\n")
        # Our marker is the last thing the command line prints; stderr a pty flushes late may follow it.
        matches = list(_EXIT_LINE.finditer(text))
        if not matches:
            raise EOFError("output ended without the exit status")
        last = matches[-1]
        return text[:last.start()] + text[last.end():], "", int(last.group(1))

    def wait_for_state(self, serial: str, wanted: str, timeout: float, poll: float = 0.2) -> bool:
        """Poll until the phone is in ``wanted`` (or, for ``"gone"``, not attached/offline); False on timeout."""
        end = time.monotonic() + timeout
        while True:
            try:
                state = self.state(serial)
            except DeviceNotFound:
                state = "gone"
            if state == wanted or (wanted == "gone" and state in ("offline", "gone")):
                return True
            if time.monotonic() >= end:
                return False
            time.sleep(poll)


class _ServerRefused(Exception):
    """The server answered FAIL; ``text`` is its reason."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
