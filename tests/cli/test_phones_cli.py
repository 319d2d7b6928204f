"""`refurb-bench sim adb` phones attached by the real `adb` client, then `phones list/check/reset` and
`cert verify` on what the reset certified — every part a separate process, as at a bench."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services.phones_sim import free_port
from drivers.android import AdbServerProcess

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def adb_server(tmp_path: Path) -> Iterator[AdbServerProcess]:
    with AdbServerProcess(free_port(), tmp_path / "adb-home") as server:
        yield server


@pytest.fixture
def sim_adb() -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def start(profile: str, count: int = 1) -> int:
        port = free_port()
        process = subprocess.Popen([sys.executable, "-m", "app", "sim", "adb", "--port", str(port), "--profile",
                                    profile, "--count", str(count)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=ROOT)
        started.append(process)
        assert process.stdout is not None
        for _ in range(count):
            line = process.stdout.readline()
            assert "listening on 127.0.0.1:" in line, line + (process.stderr.read() if process.stderr else "")
        return port

    yield start
    for process in started:
        process.terminate()
        process.communicate(timeout=10)


def adb(server: AdbServerProcess, *args: str) -> str:
    """The real adb client, talking to the test's own server (it never starts one on 5037)."""
    env = {**os.environ, "ADB_SERVER_SOCKET": f"tcp:127.0.0.1:{server.port}", "HOME": str(server.home)}
    return subprocess.run(["adb", *args], capture_output=True, text=True, timeout=30, env=env, check=True).stdout


def cli(data_dir: Path, server: AdbServerProcess, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), *args, "--adb-port",
                           str(server.port)], capture_output=True, text=True, timeout=90, cwd=ROOT, input=stdin,
                          check=False)


def test_sim_adb_phones_are_attached_by_the_real_adb_and_listed(tmp_path: Path, adb_server: AdbServerProcess,
                                                                 sim_adb: Any) -> None:
    port = sim_adb("galaxy-a54", count=2)
    for p in (port, port + 1):
        assert adb(adb_server, "connect", f"127.0.0.1:{p}").startswith(f"connected to 127.0.0.1:{p}")
    devices = adb(adb_server, "devices", "-l")
    assert re.search(rf"^127\.0\.0\.1:{port}\s+device product:a54xnseea model:SM_A546B device:a54x ", devices, re.M)
    assert adb(adb_server, "-s", f"127.0.0.1:{port + 1}", "shell", "getprop", "ro.product.model") == "SM-A546B\n"

    listed = cli(tmp_path / "data", adb_server, "phones", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["serial"]: r for r in json.loads(listed.stdout)}
    assert set(rows) == {f"127.0.0.1:{port}", f"127.0.0.1:{port + 1}"}
    first = rows[f"127.0.0.1:{port}"]
    assert first["identity"]["make"] == "Samsung"
    assert [i["luhn_valid"] for i in first["identity"]["imeis"]] == [True, True]
    assert first["battery"]["cycle_count"] == 312
    assert first["holds"] == []
    # two phones of one profile are still two phones
    assert rows[f"127.0.0.1:{port + 1}"]["identity"]["serial"] != first["identity"]["serial"]


def test_check_holds_an_frp_phone_and_reset_certifies_a_clean_one(tmp_path: Path, adb_server: AdbServerProcess,
                                                                   sim_adb: Any) -> None:
    data = tmp_path / "data"
    assert subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), "operators", "add", "--name",
                           "Alex Martin", "--badge", "OP-0001", "--role", "admin", "--pin", "1234"],
                          capture_output=True, text=True, cwd=ROOT, check=False).returncode == 0
    frp, clean = sim_adb("galaxy-a54-frp"), sim_adb("pixel8-a16")
    for p in (frp, clean):
        adb(adb_server, "connect", f"127.0.0.1:{p}")

    held = cli(data, adb_server, "phones", "check", f"127.0.0.1:{frp}", "--json")
    assert held.returncode == 1, held.stderr
    body = json.loads(held.stdout)
    assert body["state"] == "on_hold"
    assert body["hold"].startswith("phone blocker: Google FRP (signed in to Google account j***@gmail.com")
    assert body["checks"] == {}
    refused = cli(data, adb_server, "phones", "reset", f"127.0.0.1:{frp}", "--yes")
    assert refused.returncode == 2
    assert "is on hold" in refused.stderr

    checked = cli(data, adb_server, "phones", "check", f"127.0.0.1:{clean}", "--json", "--operator", "OP-0001")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    result = json.loads(checked.stdout)
    assert result["state"] == "testing"  # the guided steps wait for the Phones tab
    assert {c["outcome"] for c in result["checks"].values()} == {"pass"}
    assert len(result["checks"]) == 6

    unknown = cli(data, adb_server, "phones", "check", "127.0.0.1:1")
    assert unknown.returncode == 2
    assert "No phone 127.0.0.1:1 on the adb server" in unknown.stderr

    # a unit part-way through its plan is not reset; a freshly identified one is
    busy = cli(data, adb_server, "phones", "reset", f"127.0.0.1:{clean}", "--yes")
    assert busy.returncode == 2
    assert "is testing; a phone in that state is not reset" in busy.stderr
    other = sim_adb("galaxy-a54")
    adb(adb_server, "connect", f"127.0.0.1:{other}")
    reset = cli(data, adb_server, "phones", "reset", f"127.0.0.1:{other}", "--yes", "--json", "--operator", "OP-0001")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    outcome = json.loads(reset.stdout)
    assert outcome["outcome"] == "passed"
    pdf = Path(outcome["certificate_path"]).with_suffix(".pdf")
    verified = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), "cert", "verify", str(pdf)],
                              capture_output=True, text=True, cwd=ROOT, check=False)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(f"ok: certificate {outcome['certificate_id']} is intact")
