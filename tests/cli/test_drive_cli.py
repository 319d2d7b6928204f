"""`drive list` and `bays`: the bay map as events, the interlock as the CLI reports it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.drivers.firmware.conftest import make_standins
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


def test_drive_list_says_what_each_drive_offers_and_what_the_rules_recommend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    standins = make_standins(tmp_path, monkeypatch)
    with loop_device(tmp_path / "disk.img", 24 * MIB) as path:
        key = drives(data)[path]["bay_key"]
        assert cli(data, "bays", "assign", "1", key).returncode == 0
        plain = drives(data, "--allow-loop")[path]
        assert (plain["recommended_method"], plain["recommended_category"]) == ("overwrite-zeros", "Clear")
        assert plain["media"] == "virtual"
        standins.use_named("nvme", path)
        nvme = drives(data, "--allow-loop", "--loop-as", "nvme")[path]
        assert (nvme["recommended_method"], nvme["recommended_category"]) == ("nvme-sanitize-crypto", "Purge")
        assert {"method": "nvme-sanitize-block", "category": "Purge"} in nvme["alternatives"]
        assert {"method": "overwrite-random", "category": "Clear"} in nvme["alternatives"]
        assert nvme["firmware_known"] is True
        standins.use_named("sata-ssd-frozen", path)
        frozen = drives(data, "--allow-loop", "--loop-as", "sata-ssd")[path]
        assert frozen["recommended_category"] == "Clear"  # its Purge commands wait for a power cycle
        assert {"method": "ata-sanitize-crypto", "reason": "the drive is frozen"} in frozen["blocked"]
        assert "suspend" in frozen["hint"]
        human = cli(data, "drive", "list", "--allow-loop", "--loop-as", "sata-ssd")
        assert human.returncode == 0
        assert f"{path}" in human.stdout
        assert "recommended: overwrite-random (Clear)" in human.stdout


def test_erase_with_a_firmware_method_prints_the_three_claims_and_the_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    standins = make_standins(tmp_path, monkeypatch)
    with loop_device(tmp_path / "disk.img", 24 * MIB) as path:
        with open(path, "r+b") as handle:
            handle.write(b"customer data " * 1000)
        assert cli(data, "bays", "assign", "2", drives(data)[path]["bay_key"]).returncode == 0
        standins.use_named("nvme", path)
        proc = cli(data, "erase", path, "--method", "nvme-sanitize-crypto", "--allow-loop", "--loop-as", "nvme",
                   "--poll-seconds", "0.01", "--unit", "NV-CLI-1", "--yes", "--json")
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
        assert result["outcome"] == "passed"
        assert result["firmware"] is True
        assert [(s["name"], s["ok"]) for s in result["steps"]] == [
            ("command sent", True), ("drive reports done", True), ("read-back passed", True)]
        assert Path(result["certificate_path"]).exists()
        assert cli(data, "cert", "verify", result["certificate_path"]).returncode == 0
        with open(path, "rb") as handle:
            assert handle.read(14) != b"customer data "
        # a frozen SATA SSD: refused before anything is sent, with what to do about it
        standins.use_named("sata-ssd-frozen", path)
        frozen = cli(data, "erase", path, "--method", "ata-sanitize-crypto", "--allow-loop", "--loop-as", "sata-ssd",
                     "--unit", "NV-CLI-1", "--yes")
        assert frozen.returncode == 2
        assert "cannot run on" in frozen.stderr
        assert "suspend and resume the bench" in frozen.stderr
        assert [c[1] for c in standins.calls()] == ["-I"]
        # --loop-as without --allow-loop is refused
        refused = cli(data, "erase", path, "--method", "nvme-sanitize-crypto", "--loop-as", "nvme", "--yes")
        assert refused.returncode == 2
        assert "--loop-as needs --allow-loop" in refused.stderr
    assert "nvme-sanitize-crypto" in cli(data, "erase", "--help").stdout
