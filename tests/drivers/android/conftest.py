"""Real Debian ``adb`` server for the session (own port, own HOME), emulated phones per test.

Phones are attached with ``adb connect 127.0.0.1:PORT`` exactly as a bench would attach a TCP phone
and disconnected at the end of each test; the emulator's thread is joined after each test and the
server is shut down with the session.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.android import AdbClient, AdbServerProcess, AndroidPhone, Timeouts
from drivers.sim.adb.fleet import AUTO_PROBED_PORTS, EmulatedPhone, EmulatorFleet

TEST_TIMEOUTS = Timeouts(command=3.0, reset_return=30.0)

pytestmark = pytest.mark.skipif(shutil.which("adb") is None, reason="Debian package adb is not installed")


def free_port() -> int:
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in AUTO_PROBED_PORTS:
            return port


@pytest.fixture(scope="session")
def adb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdbServerProcess]:
    if shutil.which("adb") is None:
        pytest.skip("Debian package adb is not installed (make install adds it)")
    with AdbServerProcess(free_port(), tmp_path_factory.mktemp("adb-home")) as server:
        yield server


@dataclass
class Bench:
    """Emulated phones attached to the session's adb server."""

    client: AdbClient
    fleet: EmulatorFleet
    attached: list[str] = field(default_factory=list)

    def start(self, profile: str) -> EmulatedPhone:
        return self.fleet.add(profile, free_port())

    def attach(self, emulated: EmulatedPhone, timeout: Timeouts = TEST_TIMEOUTS) -> AndroidPhone:
        self.client.connect(emulated.address)
        self.attached.append(emulated.address)
        return AndroidPhone(self.client, emulated.address, timeout)

    def plug(self, profile: str, timeout: Timeouts = TEST_TIMEOUTS) -> AndroidPhone:
        return self.attach(self.start(profile), timeout)


@pytest.fixture
def bench(adb_server: AdbServerProcess) -> Iterator[Bench]:
    with EmulatorFleet() as fleet:
        b = Bench(adb_server.client, fleet)
        try:
            yield b
        finally:
            for address in b.attached:
                adb_server.client.disconnect(address)


@pytest.fixture
def adb_home(adb_server: AdbServerProcess) -> Path:
    return adb_server.home
