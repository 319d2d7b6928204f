"""The emulator as the real `adb` command-line client sees it, started from its command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from drivers.android import AdbServerProcess
from drivers.android.parsing import parse_parcel_string
from drivers.sim.adb import render, wire
from tests.drivers.android.conftest import free_port


@pytest.fixture
def emulator_process() -> Iterator[tuple[int, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "drivers.sim.adb", "--port", str(port), "--profile",
                                "galaxy-a54", "--count", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    for _ in range(2):
        assert "listening on 127.0.0.1:" in process.stdout.readline()
    try:
        yield port, process
    finally:
        process.terminate()
        process.communicate(timeout=10)


def _adb(server: AdbServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ADB_SERVER_SOCKET": f"tcp:127.0.0.1:{server.port}", "HOME": str(server.home)}
    return subprocess.run(["adb", *args], env=env, capture_output=True, text=True, timeout=20, check=False)


def test_real_adb_client_talks_to_the_cli_emulator(adb_server: AdbServerProcess,
                                                   emulator_process: tuple[int, subprocess.Popen[str]]) -> None:
    port, _ = emulator_process
    addresses = [f"127.0.0.1:{port}", f"127.0.0.1:{port + 1}"]
    try:
        for address in addresses:
            assert _adb(adb_server, "connect", address).stdout.startswith(f"connected to {address}")
        listing = [line.split() for line in _adb(adb_server, "devices", "-l").stdout.splitlines()]
        for address in addresses:
            assert [address, "device", "product:a54xnseea", "model:SM_A546B", "device:a54x"] in [
                line[:5] for line in listing]
        serials = [_adb(adb_server, "-s", a, "shell", "getprop", "ro.serialno").stdout.strip() for a in addresses]
        assert serials == ["R5CW20ABCDE", "R5CW20ABCDE01"]
        missing = _adb(adb_server, "-s", addresses[0], "shell", "nosuchtool")
        assert missing.returncode == 127  # shell v2 carries the exit status
        assert missing.stderr == "/system/bin/sh: nosuchtool: inaccessible or not found\n"
        started = time.monotonic()
        assert _adb(adb_server, "-s", addresses[1], "shell", "sleep 0.3; false").returncode == 1
        assert time.monotonic() - started >= 0.3
    finally:
        for address in addresses:
            _adb(adb_server, "disconnect", address)


def test_cli_refuses_ports_the_server_probes_by_itself() -> None:
    result = subprocess.run([sys.executable, "-m", "drivers.sim.adb", "--port", "5555"], capture_output=True,
                            text=True, timeout=20, check=False)
    assert result.returncode == 2
    assert "attached by the adb server on its own" in result.stderr


def test_banner_values_cannot_cut_the_feature_list() -> None:
    payload = wire.banner("device", "p", "Pixel 4 XL:rev=2", "d;x", ("shell_v2", "cmd"))
    assert payload == b"device::ro.product.name=p;ro.product.model=Pixel 4 XL_rev_2;ro.product.device=d_x;" \
                      b"features=shell_v2,cmd"


@pytest.mark.parametrize("text", ["356904211835270", "", "x" * 37, None])
def test_parcel_strings_round_trip(text: str | None) -> None:
    assert parse_parcel_string(render.parcel_string(text)) == text
