"""ADB transport messages as the device end sends and receives them.

A message is a 24-byte header of six little-endian u32 words (command, arg0, arg1, payload length,
payload byte sum, command XOR 0xFFFFFFFF) followed by the payload. The v29 host never checks the
sum and sends 0 once version 0x01000001 is negotiated, so we accept anything there but always send a
real sum ourselves, which every host version takes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER = struct.Struct("<6I")


def _tag(name: bytes) -> int:
    value: int = struct.unpack("<I", name)[0]
    return value


A_CNXN = _tag(b"CNXN")
A_AUTH = _tag(b"AUTH")
A_OPEN = _tag(b"OPEN")
A_OKAY = _tag(b"OKAY")
A_WRTE = _tag(b"WRTE")
A_CLSE = _tag(b"CLSE")
A_SYNC = _tag(b"SYNC")

VERSION_SKIP_CHECKSUM = 0x01000001
# What we advertise. The host keeps min(ours, 1 MiB); a WRTE above the negotiated size is silently
# dropped by the host and hangs the client, so every writer splits at the negotiated size.
DEVICE_MAX_PAYLOAD = 256 * 1024
# Anything larger cannot be a sane host packet; the host itself drops links above 1 MiB.
HOST_PAYLOAD_LIMIT = 1024 * 1024

AUTH_TOKEN = 1
AUTH_SIGNATURE = 2
AUTH_RSAPUBLICKEY = 3

NAMES = {A_CNXN: "CNXN", A_AUTH: "AUTH", A_OPEN: "OPEN", A_OKAY: "OKAY", A_WRTE: "WRTE", A_CLSE: "CLSE",
         A_SYNC: "SYNC"}


class WireError(Exception):
    """The peer sent bytes that are not an ADB message."""


@dataclass(frozen=True)
class Message:
    command: int
    arg0: int
    arg1: int
    payload: bytes = b""

    @property
    def name(self) -> str:
        return NAMES.get(self.command, f"0x{self.command:08x}")

    def encode(self) -> bytes:
        checksum = sum(self.payload) & 0xFFFFFFFF
        header = HEADER.pack(self.command, self.arg0, self.arg1, len(self.payload), checksum,
                             self.command ^ 0xFFFFFFFF)
        return header + self.payload


def decode_header(header: bytes) -> tuple[int, int, int, int]:
    """(command, arg0, arg1, payload length) from a 24-byte header; raises WireError on a bad magic."""
    command, arg0, arg1, length, _checksum, magic = HEADER.unpack(header)
    if magic != command ^ 0xFFFFFFFF:
        raise WireError(f"bad magic 0x{magic:08x} for command 0x{command:08x}")
    if length > HOST_PAYLOAD_LIMIT:
        raise WireError(f"payload of {length} bytes exceeds 1 MiB")
    return command, arg0, arg1, length


def banner(kind: str, product: str, model: str, device: str, features: tuple[str, ...]) -> bytes:
    """The CNXN banner. The host splits it on ':' and ';', so those are replaced in values (a ':' in
    the model would cut off the feature list and silently drop the client to shell v1)."""

    def clean(value: str) -> str:
        return value.replace(":", "_").replace(";", "_").replace("=", "_")

    props = f"ro.product.name={clean(product)};ro.product.model={clean(model)};ro.product.device={clean(device)};"
    return f"{kind}::{props}features={','.join(features)}".encode()


# Shell protocol v2 packet ids (client <-> device inside a stream).
SHELL_STDIN = 0
SHELL_STDOUT = 1
SHELL_STDERR = 2
SHELL_EXIT = 3
SHELL_CLOSE_STDIN = 4
SHELL_WINDOW_SIZE = 5
SHELL_PACKET = struct.Struct("<BI")


def shell_packet(kind: int, data: bytes) -> bytes:
    return SHELL_PACKET.pack(kind, len(data)) + data
