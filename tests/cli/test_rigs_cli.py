"""`refurb-bench rigs ...` and `refurb-bench sim rig` as real processes, against simulated rigs on ptys."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from drivers.sim.rigs.faults import RigFaults
from drivers.sim.rigs.profiles import SimBench, start_bench
from tests.cli.test_cli import ROOT, bad_input, ok, run


@pytest.fixture
def charger() -> Iterator[SimBench]:
    with start_bench("charger-bench") as bench:
        yield bench


@pytest.fixture
def unit(tmp_path: Path) -> tuple[Path, str]:
    data = tmp_path / "data"
    ok("operators", "add", "--name", "Alex Martin", "--badge", "OP-0001", "--role", "admin", "--pin", "1234",
       data_dir=data)
    ok("units", "add", "--serial", "CHG65W004417", data_dir=data)
    return data, "CHG65W004417"


def test_bind_identifies_the_rig_and_list_shows_the_bay(charger: SimBench, unit: tuple[Path, str]) -> None:
    data, _ = unit
    out = ok("rigs", "bind", "1", charger.ports["load"], "--role", "load", data_dir=data)
    assert out.strip() == f"Rig bay 1: load is {charger.ports['load']} — RBSIM ELOAD-150, firmware 2.0.1"
    ok("rigs", "bind", "1", charger.ports["dmm"], "--role", "dmm", data_dir=data)
    rows = json.loads(ok("rigs", "list", "--probe", "--json", data_dir=data))
    assert [(r["bay"], r["role"], r["protocol"], r["state"], r["rig"]) for r in rows] == [
        (1, "dmm", "scpi", "ready", "RBSIM DMM-6500, firmware 1.1.0"),
        (1, "load", "scpi", "ready", "RBSIM ELOAD-150, firmware 2.0.1")]
    ok("rigs", "unbind", "1", "--role", "dmm", data_dir=data)
    assert [r["role"] for r in json.loads(ok("rigs", "list", "--json", data_dir=data))] == ["load"]


def test_a_port_nothing_answers_on_is_not_bound(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run("rigs", "bind", "2", "/dev/serial/by-id/usb-nothing-if00", "--role", "modem", data_dir=data)
    assert result.returncode == 1
    assert "Cannot open /dev/serial/by-id/usb-nothing-if00" in result.stderr
    assert "not bound" in result.stderr
    assert json.loads(ok("rigs", "list", "--json", data_dir=data)) == []
    forced = run("rigs", "bind", "2", "/dev/serial/by-id/usb-nothing-if00", "--role", "modem", "--protocol", "at",
                 data_dir=data)
    assert forced.returncode == 0
    assert "bound anyway as at" in forced.stderr


def test_run_records_the_plan_and_exits_by_its_verdict(charger: SimBench, unit: tuple[Path, str]) -> None:
    data, serial_no = unit
    for role in ("load", "dmm"):
        ok("rigs", "bind", "1", charger.ports[role], "--role", role, data_dir=data)
    out = json.loads(ok("rigs", "run", "1", "--plan", "laptop-charger-65w", "--unit", serial_no, "--answer", "y",
                        "--json", data_dir=data))
    assert (out["verdict"], out["summary"]) == ("pass", "11 of 11 steps passed")
    sag = next(s for s in out["steps"] if s["name"] == "Voltage at rated load (sag)")
    assert (sag["unit"], sag["limits"], sag["verdict"]) == ("V", "18.6–21 V", "pass")
    results = json.loads(ok("rigs", "results", serial_no, "--json", data_dir=data))
    assert results["functional"] == {"power_output": "pass"}
    # The operator says the cable is cut: the plan fails, and so does the command.
    failed = run("rigs", "run", "1", "--plan", "laptop-charger-65w", "--unit", serial_no, "--answer", "n",
                 data_dir=data)
    assert failed.returncode == 1
    assert "FAIL: 10 of 11 steps passed; Visual check: fail — operator answered 'n': fail" in failed.stdout
    results = json.loads(ok("rigs", "results", serial_no, "--json", data_dir=data))
    assert results["functional"] == {"power_output": "fail"}


def _run_on_ports(data: Path, serial_no: str, bench: SimBench, answers: str) -> subprocess.CompletedProcess[str]:
    """A one-port run of the charger plan with the meter given by role, prompts answered on stdin."""
    command = [sys.executable, "-m", "app", "--data-dir", str(data), "rigs", "run", bench.ports["load"],
               "--plan", "laptop-charger-65w", "--unit", serial_no, "--rig", f"dmm={bench.ports['dmm']}"]
    return subprocess.run(command, input=answers, capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)


def test_run_answers_prompts_from_stdin(charger: SimBench, unit: tuple[Path, str]) -> None:
    data, serial_no = unit
    result = _run_on_ports(data, serial_no, charger, "y\n")
    assert result.returncode == 0, result.stderr
    assert "Visual check: Is the cable free of cuts and kinks" in result.stderr  # the question, asked on stderr
    assert " 11 pass      Visual check  y — operator answered 'y': pass" in result.stdout
    assert result.stdout.splitlines()[-1] == "PASS: 11 of 11 steps passed"
    unanswered = _run_on_ports(data, serial_no, charger, "")  # nobody at the keyboard: the step is not judged
    assert unanswered.returncode == 1
    assert " 11 skipped   Visual check — not answered: the run was cancelled" in unanswered.stdout


def test_a_cable_pulled_mid_plan_is_a_rig_error(unit: tuple[Path, str]) -> None:
    data, serial_no = unit
    with start_bench("charger-bench", {"load": RigFaults(unplug_on="MEAS:POW")}) as bench:
        result = _run_on_ports(data, serial_no, bench, "y\n")
    assert result.returncode == 1, result.stderr
    assert " 10 rig error Power delivered — Lost the connection to load" in result.stdout
    assert "check the USB/serial cable" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("RIG ERROR: 9 of 11 steps passed; Power delivered: rig error")
    assert json.loads(ok("rigs", "results", serial_no, "--json", data_dir=data))["functional"] == {
        "power_output": "not_tested"}


def test_run_refuses_bad_input(charger: SimBench, unit: tuple[Path, str]) -> None:
    data, serial_no = unit
    line = bad_input("rigs", "run", charger.ports["load"], "--plan", "laptop-charger-65w", "--unit", serial_no,
                     data_dir=data)
    assert "needs rigs for load, dmm, not one port" in line
    assert "No test plan 'toaster'" in bad_input("rigs", "run", "1", "--plan", "toaster", "--unit", serial_no,
                                                 data_dir=data)
    assert "Rig bay 7 has no rigs bound" in bad_input("rigs", "run", "7", "--plan", "laptop-charger-65w", "--unit",
                                                      serial_no, data_dir=data)


def test_sim_rig_serves_a_modem_that_answers_ati() -> None:
    with subprocess.Popen([sys.executable, "-m", "app", "sim", "rig", "--profile", "modem"], cwd=ROOT,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"}) as proc:
        try:
            assert proc.stdout is not None
            role, path = proc.stdout.readline().split()
            assert role == "modem"
            with serial.Serial(path, 115200, timeout=2) as port:
                port.write(b"ATI\r")
                answer = b""
                while not answer.endswith(b"OK\r\n"):
                    chunk = port.read(64)
                    assert chunk, f"the modem stopped answering after {answer!r}"
                    answer += chunk
            assert answer == b"ATI\r\r\nRBSIM LTE-400\r\n\r\nRevision: LTE400R02A07M4G\r\n\r\nOK\r\n"
        finally:
            proc.send_signal(signal.SIGTERM)
            _, errors = proc.communicate(timeout=10)
    assert proc.returncode == 0, errors
