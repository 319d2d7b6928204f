"""One TCP connection from the adb server to an emulated phone: handshake and streams.

The device never opens a stream towards the host: Debian's adb 29 aborts the whole server on a
device-initiated OPEN (its CVE-2022-3168 backport). Packets for unknown stream ids (the host echoes
our CLSE) are ignored, and every WRTE is split at the negotiated maximum payload, because the host
silently drops a larger one and the client then hangs.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.sim.adb import wire
from drivers.sim.adb.phone import PhoneState
from drivers.sim.adb.shell import run_line
from drivers.sim.adb.wire import Message

log = logging.getLogger(__name__)

ADB_FEATURES = ("shell_v2", "cmd")


@dataclass
class _Stream:
    local_id: int
    remote_id: int
    shell_v2: bool
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class AdbLink:
    """Serves one connection until the host goes away or the phone is unplugged or resets.

    ``on_unplug`` and ``on_reset`` are called (once) when a fault profile drops the link or the
    phone starts a factory reset; the owner then closes the listening port and every link.
    """

    def __init__(self, phone: PhoneState, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 on_unplug: Callable[[], None], on_reset: Callable[[], None]) -> None:
        self.phone = phone
        self.reader = reader
        self.writer = writer
        self.on_unplug = on_unplug
        self.on_reset = on_reset
        self.max_payload = wire.DEVICE_MAX_PAYLOAD
        self.online = False
        self.streams: dict[int, _Stream] = {}
        self.next_id = 1

    async def serve(self) -> None:
        try:
            while True:
                header = await self.reader.readexactly(wire.HEADER.size)
                command, arg0, arg1, length = wire.decode_header(header)
                payload = await self.reader.readexactly(length) if length else b""
                await self._handle(Message(command, arg0, arg1, payload))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the host hung up (adb disconnect closes the socket without a word)
        except wire.WireError as exc:
            log.info("phone %s: dropping link: %s", self.phone.serial, exc)
        finally:
            self.close()

    def close(self) -> None:
        for stream in self.streams.values():
            if stream.task is not None:
                stream.task.cancel()
        self.streams.clear()
        self.writer.close()

    def _send(self, message: Message) -> None:
        if not self.writer.is_closing():
            self.writer.write(message.encode())

    def _send_banner(self) -> None:
        product, model, device = self.phone.banner_fields()
        features = tuple(self.phone.data.get("adb_features", ADB_FEATURES))
        payload = wire.banner("device", product, model, device, features)
        self._send(Message(wire.A_CNXN, wire.VERSION_SKIP_CHECKSUM, wire.DEVICE_MAX_PAYLOAD, payload))
        self.online = True

    async def _handle(self, msg: Message) -> None:
        if msg.command == wire.A_CNXN:
            # A reconnecting host offers the previously negotiated size, not 1 MiB: take whatever it says.
            self.max_payload = max(64, min(msg.arg1 or wire.DEVICE_MAX_PAYLOAD, wire.DEVICE_MAX_PAYLOAD))
            if self.phone.data.get("auth") == "token":
                self._send(Message(wire.A_AUTH, wire.AUTH_TOKEN, 0, os.urandom(20)))
            else:
                self._send_banner()
        elif msg.command == wire.A_AUTH:
            # We cannot check an RSA signature against a key we never stored; like a phone whose user
            # taps "Always allow", the first signature or public key is accepted.
            if msg.arg0 in (wire.AUTH_SIGNATURE, wire.AUTH_RSAPUBLICKEY) and not self.online:
                self._send_banner()
        elif not self.online:
            return  # nothing but CNXN/AUTH counts before the handshake
        elif msg.command == wire.A_OPEN:
            self._open(msg)
        elif msg.command == wire.A_OKAY:
            stream = self.streams.get(msg.arg1)
            if stream is not None:
                stream.acked.set()
        elif msg.command == wire.A_WRTE:
            stream = self.streams.get(msg.arg1)
            if stream is not None:
                self._send(Message(wire.A_OKAY, stream.local_id, stream.remote_id))
        elif msg.command == wire.A_CLSE:
            stream = self.streams.pop(msg.arg1, None)
            if stream is not None and stream.task is not None:
                stream.task.cancel()

    def _open(self, msg: Message) -> None:
        service = msg.payload.rstrip(b"\0").decode("utf-8", "replace")
        name, _, command = service.partition(":")
        options = name.split(",")
        if options[0] != "shell":
            self._send(Message(wire.A_CLSE, 0, msg.arg0))  # refuse: the client prints "closed"
            return
        stream = _Stream(self.next_id, msg.arg0, shell_v2="v2" in options[1:])
        self.next_id += 1
        self.streams[stream.local_id] = stream
        self._send(Message(wire.A_OKAY, stream.local_id, stream.remote_id))
        limit = self.phone.faults.get("drop_after_commands")
        if limit is not None and self.phone.commands_served >= int(limit):
            log.info("phone %s: unplugged after %d commands", self.phone.serial, self.phone.commands_served)
            self.on_unplug()
            return
        stream.task = asyncio.create_task(self._run(stream, command))

    async def _run(self, stream: _Stream, command: str) -> None:
        result = await run_line(self.phone, command)
        if stream.shell_v2:
            data = b""
            if result.stdout:
                data += wire.shell_packet(wire.SHELL_STDOUT, result.stdout.encode())
            if result.stderr:
                data += wire.shell_packet(wire.SHELL_STDERR, result.stderr.encode())
            data += wire.shell_packet(wire.SHELL_EXIT, bytes([result.exit_code & 0xFF]))
        else:
            data = result.merged.encode()
        for start in range(0, len(data), self.max_payload):
            stream.acked.clear()
            self._send(Message(wire.A_WRTE, stream.local_id, stream.remote_id,
                               data[start:start + self.max_payload]))
            await self.writer.drain()
            await stream.acked.wait()  # one WRTE outstanding at a time, as the protocol asks
        self.streams.pop(stream.local_id, None)
        self._send(Message(wire.A_CLSE, stream.local_id, stream.remote_id))
        await self.writer.drain()
        if self.phone.reset_requested:
            self.on_reset()
