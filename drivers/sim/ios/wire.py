"""Framing of the protocols the wire simulator speaks, on blocking sockets.

usbmuxd: a 16-byte little-endian header (total length, protocol version 1 = plist, message type
8 = plist, tag) and an XML property list. lockdownd and the services behind it: a 4-byte big-endian
length and a property list. Reads poll in short slices so a connection notices when its phone leaves
or the simulator stops, as a real link would drop.
"""

from __future__ import annotations

import plistlib
import socket
import struct
from collections.abc import Callable
from typing import Any

USBMUX_HEADER = struct.Struct("<IIII")
PLIST_VERSION = 1
PLIST_MESSAGE = 8
POLL_SECONDS = 0.1


class LinkClosed(Exception):
    """The peer closed the connection, or the phone or the simulator went away."""


def recv_exact(sock: socket.socket, size: int, alive: Callable[[], bool]) -> bytes:
    data = bytearray()
    while len(data) < size:
        if not alive():
            raise LinkClosed("the phone left")
        try:
            chunk = sock.recv(size - len(data))
        except TimeoutError:
            continue
        except OSError as exc:
            raise LinkClosed(str(exc)) from exc
        if not chunk:
            raise LinkClosed("peer closed")
        data += chunk
    return bytes(data)


def send_all(sock: socket.socket, payload: bytes) -> None:
    try:
        sock.sendall(payload)
    except OSError as exc:
        raise LinkClosed(str(exc)) from exc


def recv_usbmux(sock: socket.socket, alive: Callable[[], bool]) -> tuple[int, int, dict[str, Any]]:
    """(version, tag, message) of one usbmuxd request."""
    length, version, _message, tag = USBMUX_HEADER.unpack(recv_exact(sock, USBMUX_HEADER.size, alive))
    body = recv_exact(sock, length - USBMUX_HEADER.size, alive)
    message = plistlib.loads(body) if body else {}
    return version, tag, message if isinstance(message, dict) else {}


def send_usbmux(sock: socket.socket, tag: int, message: dict[str, Any]) -> None:
    body = plistlib.dumps(message)
    send_all(sock, USBMUX_HEADER.pack(USBMUX_HEADER.size + len(body), PLIST_VERSION, PLIST_MESSAGE, tag) + body)


def recv_plist(sock: socket.socket, alive: Callable[[], bool]) -> Any:
    (length,) = struct.unpack(">I", recv_exact(sock, 4, alive))
    return plistlib.loads(recv_exact(sock, length, alive))


def send_plist(sock: socket.socket, value: Any) -> None:
    body = plistlib.dumps(value)
    send_all(sock, struct.pack(">I", len(body)) + body)
