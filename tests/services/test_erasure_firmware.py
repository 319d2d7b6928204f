"""Firmware erasures through the erase service: a loop device poses as an NVMe or SATA drive, the real
subprocess runner calls stand-in hdparm / nvme on PATH that replay a drive's answers and change the
device as the drive would. The three claims are recorded one by one; a certificate only when all
hold; a frozen drive, a missing tool or a method the drive lacks are refused before anything is sent."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core import certificate
from app.core.errors import OperatorError
from app.core.lifecycle import UnitState
from app.services.drives import DriveService, KernelDevices
from app.services.erasure import EraseRequest, EraseService
from app.store import queries
from app.store.keys import public_key_text
from app.store.store import Store
from drivers.block.firmware.probe import FROZEN_HINT
from tests.drivers.firmware.conftest import StandIns, make_standins
from tests.drivers.loop_devices import loop_device

MIB = 1024 * 1024
OLD_DATA = b"the previous owner's tax returns " * (16 * MIB // 33) + b"z" * (16 * MIB % 33)


@pytest.fixture
def drive(tmp_path: Path, store: Store) -> Iterator[str]:
    """A 16 MiB loop device full of the previous owner's data, in bay 1."""
    backing = tmp_path / "drive.img"
    backing.write_bytes(OLD_DATA)
    with loop_device(backing, 16 * MIB) as path:
        DriveService(store).assign_bay(1, f"virtual/{os.path.basename(path)}")
        yield path


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIns:
    return make_standins(tmp_path, monkeypatch)


def service(store: Store, transport: str) -> EraseService:
    return EraseService(store, devices=KernelDevices(loop_as=transport, poll_interval_s=0.01))


def read_all(path: str) -> bytes:
    with open(path, "rb", buffering=0) as handle:
        return handle.read()


def completed(store: Store) -> dict[str, Any]:
    row = store.db.execute("SELECT body FROM events WHERE type = 'erasure.completed' ORDER BY seq DESC").fetchone()
    return dict(json.loads(row[0]))


def test_nvme_sanitize_crypto_erase_is_a_certified_purge(store: Store, drive: str, standins: StandIns,
                                                          tmp_path: Path) -> None:
    standins.use_named("nvme", drive)
    outcome = service(store, "nvme").erase(
        EraseRequest(drive, "nvme-sanitize-crypto", allow_loop=True, unit_identifier="NV-0001"), threading.Event())
    assert outcome.outcome == "passed", outcome.summary
    assert outcome.firmware is not None
    assert read_all(drive) != OLD_DATA  # checked independently: the device changed under the stand-in "firmware"
    body = completed(store)
    assert [(s["name"], s["ok"]) for s in body["result"]["steps"]] == [
        ("command sent", True), ("drive reports done", True), ("read-back passed", True)]
    assert all(s["at"] for s in body["result"]["steps"])
    sent = body["result"]["steps"][0]["transcripts"]
    assert sent[-1]["argv"][:2] == ["nvme", "sanitize"]
    assert "--sanact=4" in sent[-1]["argv"]
    assert body["method"]["category"] == "Purge"
    assert body["method"]["technique"] == "Crypto Erase"
    assert body["method"]["tool"].startswith("nvme-cli")
    assert body["verification"]["result"] == "passed"
    assert body["verification"]["verified_bytes"] * 10 >= 16 * MIB  # a NIST sample: at least a tenth
    assert body["hidden_areas"]["before"]["hpa"] == "not supported"  # HPA/DCO are ATA features
    assert outcome.certificate_path is not None
    doc = json.loads(Path(outcome.certificate_path).read_text())
    assert certificate.check(doc, public_key_text(store.public_key)).ok
    unit = queries.find_unit(store.db, "NV-0001")
    assert unit is not None
    assert unit.state is UnitState.SANITISED
    # the printable certificate: rendered, looked at, and its QR read back
    pdf = Path(outcome.certificate_path).with_suffix(".pdf")
    png = tmp_path / "firmware-cert"
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", str(pdf), str(png)], check=True, timeout=60)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", f"{png}.png"], capture_output=True, text=True, check=True,
                             timeout=60).stdout.strip()
    assert decoded == f"RBCERT:1:{outcome.certificate_id}:{doc['event']['hash']}"
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                                   timeout=60).stdout.decode().split())
    assert "PASSED: SANITIZED (PURGE) AND VERIFIED" in text
    assert "command sent" in text
    assert "read-back passed" in text
    if os.environ.get("REFURB_BENCH_SCREENSHOTS"):
        Path(os.environ["REFURB_BENCH_SCREENSHOTS"], "certificate-firmware.png").write_bytes(
            Path(f"{png}.png").read_bytes())


def test_a_drive_that_says_done_but_erased_nothing_gets_no_certificate(
    store: Store, drive: str, standins: StandIns, log_warnings: list[logging.LogRecord]
) -> None:
    standins.use_named("nvme-readback-mismatch", drive)
    outcome = service(store, "nvme").erase(
        EraseRequest(drive, "nvme-sanitize-block", allow_loop=True, unit_identifier="NV-0002"), threading.Event())
    assert outcome.outcome == "failed"
    assert outcome.certificate_id is None
    assert not (store.data_dir / "certificates").exists() or not list((store.data_dir / "certificates").iterdir())
    assert read_all(drive) == OLD_DATA
    body = completed(store)
    assert [(s["name"], s["ok"]) for s in body["result"]["steps"]] == [
        ("command sent", True), ("drive reports done", True), ("read-back passed", False)]
    assert body["result"]["failed_step"] == "read-back passed"
    assert "unchanged by the erase" in body["result"]["summary"]
    assert body["verification"]["result"] == "failed"
    unit = queries.find_unit(store.db, "NV-0002")
    assert unit is not None
    assert unit.state is UnitState.FAILED


def test_a_frozen_drive_is_refused_with_the_suspend_or_replug_hint(store: Store, drive: str,
                                                                  standins: StandIns) -> None:
    standins.use_named("sata-ssd-frozen", drive)
    with pytest.raises(OperatorError, match=r"cannot run on .* now: the drive is frozen") as refused:
        service(store, "sata-ssd").erase(
            EraseRequest(drive, "ata-sanitize-crypto", allow_loop=True, unit_identifier="SS-0001"), threading.Event())
    assert refused.value.hint == FROZEN_HINT
    assert "suspend" in refused.value.hint
    assert "unplug the drive and plug it back in" in refused.value.hint
    assert [c[1] for c in standins.calls()] == ["-I"]  # only asked, never sent anything
    assert read_all(drive) == OLD_DATA
    assert store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0
    # the overwrite stays available for the frozen drive, and works
    outcome = service(store, "sata-ssd").erase(
        EraseRequest(drive, "overwrite-zeros", allow_loop=True, unit_identifier="SS-0001"), threading.Event())
    assert outcome.outcome == "passed", outcome.summary
    assert read_all(drive) == bytes(16 * MIB)


def test_a_missing_tool_names_the_debian_package(store: Store, drive: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(OperatorError, match="nvme is not installed") as missing:
        service(store, "nvme").erase(
            EraseRequest(drive, "nvme-sanitize-crypto", allow_loop=True, unit_identifier="NV-0003"), threading.Event())
    assert missing.value.hint == "Install the Debian package nvme-cli (apt-get install nvme-cli)"
    assert store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0
    assert read_all(drive) == OLD_DATA


def test_a_method_the_drive_does_not_offer_is_refused(store: Store, drive: str, standins: StandIns) -> None:
    standins.use_named("nvme", drive)
    with pytest.raises(OperatorError, match="does not offer NVMe Sanitize overwrite") as refused:
        service(store, "nvme").erase(
            EraseRequest(drive, "nvme-sanitize-overwrite", allow_loop=True, unit_identifier="NV-0004"),
            threading.Event())
    assert "nvme-sanitize-crypto" in refused.value.hint
    with pytest.raises(OperatorError, match="Unknown erase method"):
        service(store, "nvme").prepare(EraseRequest(drive, "degauss", allow_loop=True, unit_identifier="NV-0004"))
    assert read_all(drive) == OLD_DATA


def test_a_sata_drive_records_its_hidden_areas_and_a_cancel_before_sending_touches_nothing(
    store: Store, drive: str, standins: StandIns
) -> None:
    standins.use_named("sata-ssd", drive)
    cancel = threading.Event()
    erase = service(store, "sata-ssd")
    prepared = erase.prepare(EraseRequest(drive, "ata-sanitize-block", allow_loop=True, unit_identifier="SS-0002"))
    assert prepared.hidden_before["hpa"] == "absent"
    assert prepared.hidden_before["dco"] == "not supported"  # an SSD without the DCO feature set
    steps = erase.run(prepared, cancel)
    assert next(steps).phase == "sample"  # reading what is there before the erase
    cancel.set()
    for _ in steps:
        pass
    outcome = erase.finish(prepared)
    assert outcome.outcome == "interrupted"
    assert "not touched" in outcome.summary
    assert not any("--sanitize-block-erase" in call for call in standins.calls())
    assert read_all(drive) == OLD_DATA
    assert completed(store)["result"]["steps"] == []
