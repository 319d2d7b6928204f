"""Health and hidden areas on the erasure record: smartctl really runs (on a loop device it has nothing
to say, and the record says so in smartctl's own words); recorded transcripts replayed by a stand-in
smartctl stand for drives that cannot exist here; the HPA/DCO probe is called before the first byte
is written and after the last."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core import certificate
from app.services.drives import DriveService
from app.services.erasure import EraseRequest, EraseService
from app.store.keys import public_key_text
from app.store.store import Store
from drivers.block.devices import BlockDevice
from drivers.block.overwrite import VerifyMode
from drivers.block.smart_probe import SMARTCTL_MISSING, probe_smart
from tests.drivers.loop_devices import loop_device

MIB = 1024 * 1024
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "smartctl"


@pytest.fixture
def drive(tmp_path: Path, store: Store) -> Iterator[str]:
    backing = tmp_path / "drive.img"
    backing.write_bytes(b"old customer data " * (16 * MIB // 18) + b"y" * (16 * MIB % 18))
    with loop_device(backing, 16 * MIB) as path:
        DriveService(store).assign_bay(1, f"virtual/{os.path.basename(path)}")
        yield path


def stand_in(folder: Path, script: str) -> Path:
    """An executable named smartctl that does what ``script`` says (sh)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "smartctl"
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(0o755)
    return path


def replaying(folder: Path, sample: str) -> Path:
    """A stand-in smartctl replaying a recorded transcript, exit status (a bit mask) included."""
    recorded = SAMPLES / sample
    status = json.loads(recorded.read_text())["smartctl"]["exit_status"]
    return stand_in(folder, f'cat "{recorded}"\nexit {status}\n')


def started_body(store: Store) -> dict[str, Any]:
    row = store.db.execute("SELECT body FROM events WHERE type = 'erasure.started' ORDER BY seq DESC").fetchone()
    return dict(json.loads(row[0]))


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60)
    return " ".join(out.stdout.decode().split())


def test_a_loop_device_has_no_smart_and_the_certificate_says_so_in_smartctls_words(store: Store, drive: str,
                                                                                   tmp_path: Path) -> None:
    assert shutil.which("smartctl"), "smartctl is part of the bench (Debian package smartmontools)"
    outcome = EraseService(store).erase(
        EraseRequest(drive, "overwrite-zeros", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="LP-0001"),
        threading.Event())
    assert outcome.outcome == "passed", outcome.summary
    assert outcome.certificate_path is not None
    doc = json.loads(Path(outcome.certificate_path).read_text())
    assert certificate.check(doc, public_key_text(store.public_key)).ok
    smart = doc["certificate"]["smart"]
    assert smart["verdict"] == "unknown"
    assert "Unable to detect device type" in smart["reasons"][0]["text"]
    assert smart["smartctl_exit_status"] & 1  # smartctl's own "command line did not parse" bit
    assert started_body(store)["smart"] == smart  # read once, before erasing, and carried to the certificate
    hidden = doc["certificate"]["hidden_areas"]
    assert hidden["before"]["hpa"] == hidden["after"]["dco"] == "not probed"
    assert hidden["before"]["visible_sectors"] == 16 * MIB // 512
    assert "loop device" in hidden["before"]["detail"]
    text = pdf_text(Path(outcome.certificate_path).with_suffix(".pdf"))
    assert "UNKNOWN (a virtual device has no SMART; smartctl 7.3, exit status 1)" in text
    assert "Unable to detect device type" in text
    assert "HPA not probed → not probed; DCO not probed → not probed (before → after erasure)" in text


def test_missing_smartctl_is_a_verdict_not_an_error(store: Store, drive: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    report = probe_smart(drive)
    assert report.verdict == "unknown"
    assert [r.text for r in report.reasons] == [SMARTCTL_MISSING]
    outcome = EraseService(store).erase(
        EraseRequest(drive, "overwrite-ones", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="LP-0002"),
        threading.Event())
    assert outcome.outcome == "passed"
    assert started_body(store)["smart"]["reasons"][0]["text"] == SMARTCTL_MISSING


def test_a_worn_drive_transcript_with_exit_bits_is_parsed_and_printed(store: Store, drive: str,
                                                                      tmp_path: Path) -> None:
    smartctl = replaying(tmp_path / "bin", "synthetic-ata-worn.json")
    service = EraseService(store, probe_health=lambda device: probe_smart(device.path, smartctl=str(smartctl)))
    outcome = service.erase(
        EraseRequest(drive, "overwrite-zeros", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="LP-0003"),
        threading.Event())
    assert outcome.outcome == "passed"  # bits 5 and 6 are findings, not a failure to read
    assert outcome.certificate_path is not None
    smart = json.loads(Path(outcome.certificate_path).read_text())["certificate"]["smart"]
    assert smart["verdict"] == "warn"
    assert smart["smartctl_exit_status"] == 96
    assert (smart["model"], smart["serial"], smart["power_on_hours"]) == ("ST2000DM001-1CH164", "Z1E0ABCD", 52114)
    assert (smart["reallocated_sectors"], smart["pending_sectors"], smart["temperature_c"]) == (8, 2, 41)
    pdf = Path(outcome.certificate_path).with_suffix(".pdf")
    text = pdf_text(pdf)
    for expected in ("exit status 96): 8 reallocated sectors", "power-on 52,114 h", "reallocated 8", "pending 2",
                     "model ST2000DM001-1CH164", "WARN (smartctl 7.3, exit status 96)"):
        assert expected in text, expected
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    assert len(list(tmp_path.glob("page*.png"))) == 1, "the certificate stays one page with a full SMART summary"


def test_a_hung_smartctl_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    # The stand-in starts a child that would keep the device busy, then hangs itself.
    smartctl = stand_in(tmp_path / "bin", f'sleep 300 &\necho $! > "{pid_file}"\nsleep 300\n')
    began = time.monotonic()
    report = probe_smart("/dev/null", smartctl=str(smartctl), timeout_s=0.5)
    assert time.monotonic() - began < 10
    assert report.verdict == "unknown"
    assert report.reason_codes() == ("smartctl_timeout",)
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the stand-in's child outlived the timeout"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # killed and waiting for its new parent to reap it is dead enough


def test_hidden_areas_are_probed_before_the_first_write_and_after_the_last(store: Store, drive: str) -> None:
    seen: list[bytes] = []

    def probe(device: BlockDevice) -> dict[str, Any]:
        with open(device.path, "rb", buffering=0) as handle:
            seen.append(handle.read(18))
        state = "present" if len(seen) == 1 else "absent"
        return {"hpa": state, "dco": "absent", "visible_sectors": 32768 - (256 if state == "present" else 0),
                "native_sectors": 32768, "dco_max_sectors": 32768, "detail": f"call {len(seen)}"}

    outcome = EraseService(store, probe_hidden_areas=probe).erase(
        EraseRequest(drive, "overwrite-zeros", VerifyMode.FULL, allow_loop=True, unit_identifier="LP-0004"),
        threading.Event())
    assert seen == [b"old customer data ", bytes(18)]
    assert outcome.certificate_path is not None
    hidden = json.loads(Path(outcome.certificate_path).read_text())["certificate"]["hidden_areas"]
    assert (hidden["before"]["hpa"], hidden["after"]["hpa"]) == ("present", "absent")
    assert started_body(store)["hidden_areas"] == {"before": hidden["before"]}
    text = pdf_text(Path(outcome.certificate_path).with_suffix(".pdf"))
    assert "HPA present → absent; DCO absent → absent (before → after erasure)" in text
    assert "visible 32,512 sectors, native 32,768 sectors" in text


def test_a_failing_hidden_area_probe_is_logged_and_recorded_as_unknown(
    store: Store, drive: str, log_warnings: list[logging.LogRecord]
) -> None:
    def broken(device: BlockDevice) -> dict[str, Any]:
        raise RuntimeError("hdparm output changed")

    outcome = EraseService(store, probe_hidden_areas=broken).erase(
        EraseRequest(drive, "overwrite-zeros", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="LP-0005"),
        threading.Event())
    assert outcome.outcome == "passed"
    assert outcome.certificate_path is not None
    hidden = json.loads(Path(outcome.certificate_path).read_text())["certificate"]["hidden_areas"]
    assert hidden["before"]["hpa"] == hidden["after"]["dco"] == "unknown"
    assert "RuntimeError" in hidden["before"]["detail"]
    errors = [r for r in log_warnings if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert all(r.exc_info for r in errors), "a probe bug is logged with its traceback"
