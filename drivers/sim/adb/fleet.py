"""Emulated phones on loopback TCP ports, many in one asyncio loop.

:class:`EmulatedPhone` is one phone on one port: it listens, serves each adb connection with an
:class:`AdbLink`, goes away for good when a fault profile pulls its cable, and on a factory reset
closes every link and its port, waits ``faults.reset_seconds`` and listens again as a fresh phone.

:class:`EmulatorFleet` runs phones on its own event-loop thread, for tests and for embedding in the
app: ``with EmulatorFleet() as fleet: fleet.add("pixel8-a16", port)``; leaving the block stops every
phone and joins the thread.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from drivers.sim.adb.link import AdbLink
from drivers.sim.adb.phone import PhoneState
from drivers.sim.adb.profile import load_profile

log = logging.getLogger(__name__)
T = TypeVar("T")

# Ports the adb server probes by itself when it starts (adb.md §1): a phone there is attached as
# emulator-<port-1> without `adb connect`, which tests must not get by accident.
AUTO_PROBED_PORTS = range(5555, 5586)


class PhoneLifecycle(enum.Enum):
    OFF = "off"
    LISTENING = "listening"
    REBOOTING = "rebooting"
    UNPLUGGED = "unplugged"
    STOPPED = "stopped"


_ALLOWED = {
    PhoneLifecycle.OFF: {PhoneLifecycle.LISTENING, PhoneLifecycle.STOPPED},
    PhoneLifecycle.LISTENING: {PhoneLifecycle.REBOOTING, PhoneLifecycle.UNPLUGGED, PhoneLifecycle.STOPPED},
    PhoneLifecycle.REBOOTING: {PhoneLifecycle.LISTENING, PhoneLifecycle.STOPPED},
    PhoneLifecycle.UNPLUGGED: {PhoneLifecycle.LISTENING, PhoneLifecycle.STOPPED},
    PhoneLifecycle.STOPPED: set(),
}


class EmulatedPhone:
    def __init__(self, profile_name: str, port: int, instance: int = 0, host: str = "127.0.0.1") -> None:
        self.state = PhoneState(load_profile(profile_name), instance)
        self.port = port
        self.host = host
        self.lifecycle = PhoneLifecycle.OFF
        self._server: asyncio.Server | None = None
        self._links: set[AdbLink] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _move(self, target: PhoneLifecycle) -> bool:
        """The one place the lifecycle changes; returns False (and changes nothing) if not allowed."""
        if target not in _ALLOWED[self.lifecycle]:
            return False
        log.info("emulated phone %s on %s: %s -> %s", self.state.serial, self.address,
                 self.lifecycle.value, target.value)
        self.lifecycle = target
        return True

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self._move(PhoneLifecycle.LISTENING)

    async def stop(self) -> None:
        self._move(PhoneLifecycle.STOPPED)
        await self._close_port()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def replug(self) -> None:
        """Plug a phone back in after ``unplug`` (the same phone, as it was). A cable pulled by the
        ``drop_after_commands`` fault was pulled once: plugged back, the phone stays."""
        if self.lifecycle is PhoneLifecycle.UNPLUGGED:
            self.state.data.get("faults", {}).pop("drop_after_commands", None)
            self._server = await asyncio.start_server(self._accept, self.host, self.port)
            self._move(PhoneLifecycle.LISTENING)

    def unplug(self) -> None:
        if self._move(PhoneLifecycle.UNPLUGGED):
            self._spawn(self._close_port())

    def _begin_reset(self) -> None:
        if self._move(PhoneLifecycle.REBOOTING):
            self._spawn(self._reboot())

    async def _reboot(self) -> None:
        await asyncio.sleep(0.2)  # the command's reply gets out before the phone goes down
        await self._close_port()
        await asyncio.sleep(float(self.state.faults.get("reset_seconds", 1.0)))
        self.state.apply_factory_reset()
        if self.lifecycle is PhoneLifecycle.REBOOTING:
            self._server = await asyncio.start_server(self._accept, self.host, self.port)
            self._move(PhoneLifecycle.LISTENING)

    async def _close_port(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for link in list(self._links):
            link.close()
        if server is not None:
            await server.wait_closed()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.lifecycle is not PhoneLifecycle.LISTENING:
            writer.close()
            return
        link = AdbLink(self.state, reader, writer, self.unplug, self._begin_reset)
        self._links.add(link)
        try:
            await link.serve()
        finally:
            self._links.discard(link)


class EmulatorFleet:
    """Phones served from a private event-loop thread. Methods are called from any other thread."""

    def __init__(self) -> None:
        self.phones: list[EmulatedPhone] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="adb-emulator", daemon=True)

    def __enter__(self) -> EmulatorFleet:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def add(self, profile_name: str, port: int, instance: int | None = None) -> EmulatedPhone:
        """Start a phone of ``profile_name`` listening on ``port``; each gets its own serial and IMEIs."""
        phone = EmulatedPhone(profile_name, port, len(self.phones) if instance is None else instance)
        self._call(phone.start())
        self.phones.append(phone)
        return phone

    def unplug(self, phone: EmulatedPhone) -> None:
        self._loop.call_soon_threadsafe(phone.unplug)

    def replug(self, phone: EmulatedPhone) -> None:
        self._call(phone.replug())

    def close(self) -> None:
        if not self._thread.is_alive():
            return

        async def stop_all() -> None:
            await asyncio.gather(*(p.stop() for p in self.phones), return_exceptions=True)
            # Connection handlers and stream tasks still winding down: finish them here so none is
            # destroyed pending when the loop closes.
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        self._call(stop_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
