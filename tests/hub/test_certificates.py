"""Anyone holding a certificate id asks the hub for it and checks the answer offline; a supervisor
lists a lot's units and their states from the hub. The certificates are real: a loop device erased
by the app as root, and the lot's certificate of data destruction issued over it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.core import certificate
from app.core.identifiers import IdentifierKind
from app.core.models import PartyKind, Role
from app.hub.client import HubClient, HubRefused
from app.hub.protocol import Receipt, public_key_from_hex
from app.services.drives import DriveService
from app.services.erasure import EraseRequest, EraseService
from app.services.intake import IntakeService
from app.services.lot_certificate import issue_lot_certificate
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store.keys import public_key_text
from app.store.store import Store
from drivers.block.overwrite import VerifyMode
from tests.drivers.loop_devices import loop_device
from tests.hub.helpers import RunningHub, free_env

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


@pytest.fixture
def certified_bench(tmp_path: Path, hub: RunningHub) -> tuple[Path, str, str]:
    """An enrolled bench that erased a real drive of lot LOT-9 and issued the lot's certificate, all
    synced: (data folder, drive certificate id, lot certificate id)."""
    data_dir = tmp_path / "bench"
    backing = tmp_path / "drive.img"
    backing.write_bytes(b"customer data! " * (4 * MIB // 15) + b"x" * (4 * MIB % 15))
    with Store(data_dir) as store, loop_device(backing, 4 * MIB) as drive:
        intake = IntakeService(store)
        admin = intake.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
        intake.login_badge(admin.badge)
        intake.create_lot("LOT-9", PartyKind.CUSTOMER, "Acme Leasing", "PO-77", 2)
        intake.add_unit(IdentifierKind.SERIAL, "WD-0001", lot_code="LOT-9")
        intake.add_unit(IdentifierKind.IMEI, "490154203237518", lot_code="LOT-9")
        DriveService(store).assign_bay(1, f"virtual/{os.path.basename(drive)}")
        outcome = EraseService(store, admin).erase(
            EraseRequest(drive, "overwrite-zeros", VerifyMode.FULL, allow_loop=True, unit_identifier="WD-0001"),
            threading.Event())
        assert outcome.outcome == "passed", outcome.summary
        assert outcome.certificate_id is not None
        lot_cert = issue_lot_certificate(store, "LOT-9", tmp_path / "certs", admin)
    enroll(data_dir, hub.url, hub.hub.create_enrollment_code("Bench 3"), timeout=5)
    client = SyncClient(data_dir, timeout=10)
    try:
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error
    return data_dir, outcome.certificate_id, lot_cert.certificate_id


def test_the_hub_returns_a_drive_certificate_that_checks_offline(
    certified_bench: tuple[Path, str, str], hub: RunningHub
) -> None:
    data_dir, cert_id, _ = certified_bench
    answer = HubClient(hub.url, timeout=5).certificate(cert_id)  # no token: anyone holding the id may ask
    doc = answer["document"]
    written = json.loads((data_dir / "certificates" / f"{cert_id}.json").read_text())
    assert doc == written, "the hub gives back exactly the document the bench wrote"
    with Store(data_dir) as store:
        station_key = public_key_text(store.public_key)
    result = certificate.check(doc, station_key)
    assert result.ok, result.problems
    assert result.certificate_id == cert_id
    receipt = Receipt.from_wire(answer["receipt"])
    assert receipt.verify(public_key_from_hex(hub.hub.public_key_hex))
    assert (receipt.hwm, receipt.hwm_hash) == (doc["event"]["seq"], doc["event"]["hash"])
    assert answer["anchored"] is True

    doc["certificate"]["device"]["serial"] = "WD-9999"  # someone edits a copy
    altered = certificate.check(doc, station_key)
    assert not altered.ok
    assert any("device.serial" in p for p in altered.problems), altered.problems


def test_a_lot_certificate_and_the_lot_listing_come_from_the_hub(
    certified_bench: tuple[Path, str, str], hub: RunningHub, tmp_path: Path
) -> None:
    data_dir, drive_cert, lot_cert = certified_bench
    answer = HubClient(hub.url, timeout=5).certificate(lot_cert)
    result = certificate.check(answer["document"])
    assert result.ok, result.problems
    assert result.is_lot
    units = answer["document"]["certificate"]["units"]
    assert len(units) == 2
    assert drive_cert in json.dumps(units), "the erased drive's row names its own certificate"

    with pytest.raises(HubRefused) as unknown:
        HubClient(hub.url, timeout=5).certificate("LC-NOSUCHCERTIFICATE")
    assert unknown.value.status == 404

    env = free_env()
    run = [sys.executable, "-m", "app", "--data-dir", str(data_dir), "sync"]
    listed = subprocess.run([*run, "lot", "LOT-9"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "lot LOT-9 (Acme Leasing, PO PO-77): 2 unit(s) on the hub" in listed.stdout
    lines = {line.split()[1]: line.split()[-1] for line in listed.stdout.splitlines()[1:]}
    assert lines == {"WD-0001": "sanitised", "490154203237518": "received"}

    saved = tmp_path / "fetched.json"
    fetched = subprocess.run([*run, "certificate", drive_cert, "--out", str(saved)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert fetched.returncode == 0, fetched.stderr
    assert f"certificate {drive_cert} is genuine" in fetched.stdout
    assert "the hub countersigned for it" in fetched.stdout
    assert certificate.check(json.loads(saved.read_text())).ok
    missing = subprocess.run([*run, "certificate", "C-NOSUCH"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=60)
    assert missing.returncode == 1
    assert "the hub holds no certificate C-NOSUCH" in missing.stderr
