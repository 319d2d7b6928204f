"""`drive list` and `bays`: the bay map as events, the interlock as the CLI reports it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.drivers.loop_devices import loop_device

MIB = 1024 * 1024


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=60, env={**os.environ})


def drives(data_dir: Path, *extra: str) -> dict[str, dict[str, Any]]:
    proc = cli(data_dir, "drive", "list", "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return {d["path"]: d for d in json.loads(proc.stdout)}


def test_a_loop_drive_becomes_erasable_once_in_a_bay_and_allowed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with loop_device(tmp_path / "disk.img", 24 * MIB) as path:
        listed = drives(data)[path]
        assert listed["size_bytes"] == 24 * MIB
        assert listed["bay"] is None
        assert {r["code"] for r in listed["refusals"]} == {"loop", "not_in_bay_map"}
        assert all(r["hint"] for r in listed["refusals"])

        assert cli(data, "bays", "assign", "3", listed["bay_key"], "--label", "dock 3").returncode == 0
        allowed = drives(data, "--allow-loop")[path]
        assert allowed["bay"] == 3
        assert allowed["erasable"] is True
        assert allowed["refusals"] == []
        assert "3  virtual/" in cli(data, "bays", "list").stdout

        assert cli(data, "bays", "clear", "3").returncode == 0
        assert drives(data, "--allow-loop")[path]["bay"] is None
    # the bay map is part of the signed record
    assert cli(data, "audit", "verify").returncode == 0


def test_the_system_disk_is_listed_as_not_erasable_even_in_a_bay(tmp_path: Path) -> None:
    data = tmp_path / "data"
    root = os.stat("/").st_dev
    devno = f"{os.major(root)}:{os.minor(root)}"
    system = [d for d in drives(data).values() if Path(f"/sys/class/block/{d['name']}/dev").read_text().strip()
              == devno]
    assert system, "the disk holding / should be listed"
    assert cli(data, "bays", "assign", "1", system[0]["bay_key"]).returncode == 0
    again = drives(data, "--allow-loop")[system[0]["path"]]
    assert again["erasable"] is False
    assert "system" in {r["code"] for r in again["refusals"]}


def test_bay_commands_refuse_bad_input_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for args in (("bays", "clear", "9"), ("bays", "assign", "0", "pci0000:00/x"), ("bays", "assign", "2", " ")):
        proc = cli(data, *args)
        assert proc.returncode == 2, args
        assert proc.stderr.strip().count("\n") == 0
