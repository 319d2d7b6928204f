"""``python -m drivers.sim.ios`` serves simulated iPhones on a usbmuxd socket that pymobiledevice3's own
command line lists, pairs with (the simulator taps Trust) and reads."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    socket_dir = Path(tempfile.mkdtemp(prefix="mux-"))
    path = socket_dir / "usbmuxd"
    process = subprocess.Popen([sys.executable, "-m", "drivers.sim.ios", "--socket", str(path), "--profile",
                                "iphone13-trust", "--count", "2", "--tap-after", "0.3"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    udids = [process.stdout.readline().split()[0] for _ in range(2)]
    try:
        yield path, udids
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        shutil.rmtree(socket_dir)


def pymobiledevice3(served: tuple[Path, list[str]], home: Path, *args: str) -> object:
    env = {**os.environ, "HOME": str(home), "USBMUXD_SOCKET_ADDRESS": str(served[0])}
    result = subprocess.run([sys.executable, "-m", "pymobiledevice3", *args], env=env, capture_output=True,
                            text=True, timeout=60, check=True)
    return json.loads(result.stdout)


def test_pymobiledevice3_cli_lists_pairs_and_reads_the_simulated_phones(
        served: tuple[Path, list[str]], tmp_path: Path) -> None:
    listed = pymobiledevice3(served, tmp_path, "usbmux", "list")
    assert isinstance(listed, list)
    assert sorted(d["UniqueDeviceID"] for d in listed) == sorted(served[1])
    assert {d["ProductType"] for d in listed} == {"iPhone14,5"}

    info = pymobiledevice3(served, tmp_path, "lockdown", "info", "--udid", served[1][0])
    assert isinstance(info, dict)
    assert info["SerialNumber"] == "KX4HQ2V7YT"
    assert info["InternationalMobileEquipmentIdentity"] == "354678112345678"


def test_control_unplugs_and_replugs_from_stdin_and_stops_at_end_of_input(tmp_path: Path) -> None:
    from drivers.ios.usbmux_service import UsbmuxLockdown

    socket_dir = Path(tempfile.mkdtemp(prefix="mux-"))
    path = socket_dir / "usbmuxd"
    process = subprocess.Popen([sys.executable, "-m", "drivers.sim.ios", "--socket", str(path), "--count", "2",
                                "--control"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        udids = sorted(process.stdout.readline().split()[0] for _ in range(2))
        service = UsbmuxLockdown(tmp_path / "records", usbmux_address=str(path))

        def say(line: str) -> str:
            assert process.stdin is not None
            assert process.stdout is not None
            process.stdin.write(line + "\n")
            process.stdin.flush()
            return process.stdout.readline().strip()

        assert sorted(d.udid for d in service.devices(5)) == udids
        assert say(f"unplug {udids[0]}") == "ok unplug"
        assert [d.udid for d in service.devices(5)] == [udids[1]]
        assert say("unplug") == "ok unplug"
        assert service.devices(5) == ()
        assert say("replug") == "ok replug"
        assert sorted(d.udid for d in service.devices(5)) == udids
        assert say("shake").startswith("error 'shake'")
        process.stdin.close()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        shutil.rmtree(socket_dir)
