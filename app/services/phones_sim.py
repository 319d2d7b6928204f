"""A simulated phone bench: emulated Android phones behind a private adb server.

For ``--simulate`` scenarios, demos, benchmarks and tests: the real Debian ``adb`` server is started
on a port of its own (never the user's 5037, whose phones and keys stay untouched), an
:class:`EmulatorFleet` serves the scenario's phone profiles on loopback ports, and the returned
:class:`AdbPhoneSource` attaches them with ``adb connect`` as a technician's cable would. Everything
above the emulated phones — the adb server, the client, the driver, the service — is the real thing.
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.core.errors import OperatorError
from app.services.phone_source import AdbPhoneSource
from drivers.android import AdbServerProcess, AdbServerUnavailable, Timeouts
from drivers.sim.adb.fleet import AUTO_PROBED_PORTS, EmulatedPhone, EmulatorFleet

log = logging.getLogger("app.phones")


def free_port() -> int:
    """A loopback port nobody listens on, outside the range the adb server probes by itself."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in AUTO_PROBED_PORTS:
            return port


class SimulatedPhoneBench:
    """``with SimulatedPhoneBench(["pixel8-a16", "galaxy-a54-frp"]) as bench: bench.source…``

    ``ports`` fixes where each phone listens (a demo's bay map names them); by default free ports.
    Leaving the block stops the phones and the server, and removes the server's home folder.
    """

    def __init__(self, profiles: Sequence[str], ports: Sequence[int] | None = None, *,
                 timeouts: Timeouts | None = None, server_port: int | None = None) -> None:
        if ports is not None and len(ports) != len(profiles):
            raise ValueError("one port per phone profile")
        self.profiles = list(profiles)
        self.ports = list(ports) if ports is not None else None
        self.timeouts = timeouts or Timeouts()
        self.server_port = server_port
        self._home: tempfile.TemporaryDirectory[str] | None = None
        self.server: AdbServerProcess | None = None
        self.fleet: EmulatorFleet | None = None
        self.phones: list[EmulatedPhone] = []
        self.source: AdbPhoneSource | None = None

    def __enter__(self) -> SimulatedPhoneBench:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> AdbPhoneSource:
        """Start the server and the phones (blocking: run it off the GUI thread); returns their source."""
        if shutil.which("adb") is None:
            raise OperatorError("The simulated phones need the adb program, which is not installed",
                                hint="Install the Debian package adb (make install does)")
        self._home = tempfile.TemporaryDirectory(prefix="refurb-bench-adb-")
        try:
            self.server = AdbServerProcess(self.server_port or free_port(), Path(self._home.name))
            self.server.start()
            self.fleet = EmulatorFleet()
            self.fleet.__enter__()
            for index, profile in enumerate(self.profiles):
                port = self.ports[index] if self.ports is not None else free_port()
                self.phones.append(self.fleet.add(profile, port))
        except (OSError, AdbServerUnavailable) as exc:
            self.stop()
            raise OperatorError(f"The simulated phones could not start: {exc}",
                                hint="Another program may hold their ports; close it or pick other ports") from exc
        addresses = [p.address for p in self.phones]
        self.source = AdbPhoneSource(self.server.client, self.timeouts, keep_attached=addresses)
        log.info("simulated phone bench: %d phone(s) on an adb server at port %d", len(addresses), self.server.port)
        return self.source

    def add(self, profile: str, port: int | None = None) -> EmulatedPhone:
        """Plug one more emulated phone in (the source attaches it at its next poll)."""
        assert self.fleet is not None, "start() first"
        assert self.source is not None
        phone = self.fleet.add(profile, port or free_port())
        self.phones.append(phone)
        self.source.keep(phone.address)
        return phone

    def unplug(self, phone: EmulatedPhone) -> None:
        assert self.fleet is not None
        self.fleet.unplug(phone)

    def replug(self, phone: EmulatedPhone) -> None:
        assert self.fleet is not None
        self.fleet.replug(phone)

    def stop(self) -> None:
        if self.server is not None:
            for phone in self.phones:
                try:
                    self.server.client.disconnect(phone.address)
                except AdbServerUnavailable:
                    break  # the server is gone already: it took its links with it
        if self.fleet is not None:
            self.fleet.close()
            self.fleet = None
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self._home is not None:
            self._home.cleanup()
            self._home = None
