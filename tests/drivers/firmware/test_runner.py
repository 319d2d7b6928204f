"""The real subprocess runner against the stand-in tools: output, exit codes, the timeout kill."""

from __future__ import annotations

import logging
import os
import time

import pytest

from drivers.block.firmware.hidden_areas import detect_hidden_areas
from drivers.block.firmware.probe import BRIDGE_HINT, probe
from drivers.block.firmware.runner import ToolMissing, run
from tests.drivers.firmware.conftest import StandIns


def test_runs_a_tool_and_keeps_what_it_said(standins: StandIns) -> None:
    standins.use_named("sata-ssd")
    t = run(["hdparm", "-I", "/dev/sdb"], timeout_s=30)
    assert t.ok
    assert t.exit_code == 0
    assert not t.timed_out
    assert "SANITIZE feature set" in t.stdout
    assert t.argv == ("hdparm", "-I", "/dev/sdb")
    assert 0 < t.duration_s < 30
    assert t.started_at.endswith("+00:00")
    assert standins.calls() == [["hdparm", "-I", "/dev/sdb"]]


def test_non_zero_exit_is_a_transcript_not_an_exception(standins: StandIns) -> None:
    standins.use_named("usb-bridge")
    t = run(["hdparm", "-I", "/dev/sdc"], timeout_s=30)
    assert t.exit_code == 22
    assert not t.ok
    assert "bad/missing sense data" in t.stderr


def test_a_hung_tool_is_killed_at_the_timeout(standins: StandIns, log_warnings: list[logging.LogRecord]) -> None:
    standins.use_named("sata-ssd-hangs", os.devnull)
    began = time.monotonic()
    t = run(["hdparm", "--yes-i-know-what-i-am-doing", "--sanitize-block-erase", "/dev/sdb"], timeout_s=1.0)
    assert time.monotonic() - began < 5
    assert t.timed_out
    assert t.exit_code is None
    assert not t.ok
    assert t.stdout == "working...\n"  # what it wrote before hanging is kept
    assert any("was killed" in r.getMessage() for r in log_warnings)


def test_a_missing_tool_names_its_debian_package(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    for tool, package in (("hdparm", "hdparm"), ("nvme", "nvme-cli"), ("sg_sanitize", "sg3-utils"),
                          ("smartctl", "smartmontools")):
        with pytest.raises(ToolMissing, match=f"install the Debian package {package}"):
            run([tool, "--version"], timeout_s=5)


def test_probe_each_transport_through_the_tools(standins: StandIns) -> None:
    standins.use_named("nvme")
    result = probe("/dev/nvme0n1", "nvme")
    assert result.capabilities.sanitize_crypto
    assert result.transcripts[0].argv[:3] == ("nvme", "id-ctrl", "/dev/nvme0")
    standins.use_named("sas")
    assert probe("/dev/sdd", "sas").capabilities.supported == ("scsi-sanitize-overwrite", "scsi-sanitize-crypto")
    standins.use_named("sata-ssd-frozen")
    assert probe("/dev/sdb", "sata").capabilities.blockers == ("frozen",)
    standins.use_named("usb-bridge")
    bridge = probe("/dev/sdc", "usb").capabilities
    assert not bridge.known
    assert bridge.hint == BRIDGE_HINT
    assert "pass-through" in bridge.detail
    assert probe("/dev/loop3", "loop").capabilities.supported == ()


def test_hidden_areas_through_the_tools(standins: StandIns) -> None:
    standins.use_named("sata-hdd")
    caps = probe("/dev/sdb", "sata").capabilities
    found = detect_hidden_areas("/dev/sdb", "sata", identify=caps)
    assert found.to_json() == {"hpa": "absent", "dco": "absent", "visible_sectors": 976773168,
                               "native_sectors": 976773168, "dco_max_sectors": 976773168, "detail": found.detail}
    standins.use_named("sata-ssd")  # an SSD without the DCO feature set: not even asked
    ssd = detect_hidden_areas("/dev/sdb", "sata", identify=probe("/dev/sdb", "sata").capabilities)
    assert (ssd.hpa, ssd.dco) == ("absent", "not supported")
    assert [t.argv[1] for t in ssd.transcripts] == ["-N"]
    standins.use_named("usb-bridge")
    bridge = detect_hidden_areas("/dev/sdc", "usb")
    assert (bridge.hpa, bridge.dco) == ("unknown", "unknown")
    nvme = detect_hidden_areas("/dev/nvme0n1", "nvme").to_json()
    assert nvme["hpa"] == nvme["dco"] == "not supported"
    assert nvme["visible_sectors"] is None
