"""Erasing real block devices (loop devices, as root): certify only a verified pass, never a tampered
or unfinished one; an erasure killed mid-way resumes and certifies."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3
import pytest

from app.core import certificate
from app.core.errors import OperatorError
from app.core.lifecycle import UnitState
from app.reports.certificate_pdf import embedded_document
from app.services.drives import DriveService
from app.services.erasure import EraseRequest, EraseService
from app.store import queries
from app.store.keys import public_key_text
from app.store.store import Store
from drivers.block.keystream import Keystream
from drivers.block.overwrite import Checkpoint, VerifyMode
from tests.drivers.loop_devices import loop_device

MIB = 1024 * 1024


@pytest.fixture
def drive(tmp_path: Path, store: Store) -> Iterator[str]:
    """A 32 MiB loop device full of non-zero 'customer data', assigned to bay 1."""
    backing = tmp_path / "drive.img"
    backing.write_bytes(b"customer data! " * (32 * MIB // 15) + b"x" * (32 * MIB % 15))
    with loop_device(backing, 32 * MIB) as path:
        DriveService(store).assign_bay(1, f"virtual/{os.path.basename(path)}")
        yield path


def read_all(path: str) -> bytes:
    # An independent read of the device, not through the engine.
    with open(path, "rb", buffering=0) as handle:
        return handle.read()


def test_zeros_with_full_verification_certifies_and_the_drive_reads_back_blank(store: Store, drive: str) -> None:
    outcome = EraseService(store).erase(
        EraseRequest(drive, "overwrite-zeros", VerifyMode.FULL, allow_loop=True, unit_identifier="WD-0001"),
        threading.Event(),
    )
    assert outcome.outcome == "passed", outcome.summary
    assert read_all(drive) == bytes(32 * MIB)
    assert outcome.certificate_path is not None
    doc = json.loads(Path(outcome.certificate_path).read_text())
    check = certificate.check(doc, public_key_text(store.public_key))
    assert check.ok, check.problems
    assert doc["certificate"]["verification"]["method"] == "full"
    assert doc["certificate"]["method"]["category"] == "Clear"
    pdf = Path(outcome.certificate_path).with_suffix(".pdf")  # the printable copy carries the same document
    assert embedded_document(pdf.read_bytes()) == doc
    unit = queries.find_unit(store.db, "WD-0001")
    assert unit is not None
    assert unit.state is UnitState.SANITISED


def test_random_with_sampled_verification_writes_the_seeded_keystream(store: Store, drive: str) -> None:
    outcome = EraseService(store).erase(
        EraseRequest(drive, "overwrite-random", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="WD-0002"),
        threading.Event(),
    )
    assert outcome.outcome == "passed", outcome.summary
    assert outcome.result.sample_ranges >= 1000
    seed = bytes.fromhex(outcome.result.seed_hex)
    assert read_all(drive) == Keystream(seed).block(0, 32 * MIB)


def test_bytes_changed_after_the_write_fail_verification_and_get_no_certificate(
    store: Store, drive: str, log_warnings: list[logging.LogRecord]  # the engine warns about the mismatch
) -> None:
    service = EraseService(store)
    prepared = service.prepare(EraseRequest(drive, "overwrite-zeros", VerifyMode.FULL, allow_loop=True,
                                            unit_identifier="WD-0003"))
    flipped = False
    for progress in service.run(prepared, threading.Event()):
        if progress.phase == "verify" and not flipped:
            # someone (or a failing drive) changes data between the write and the read-back
            with open(drive, "r+b", buffering=0) as handle:
                handle.seek(20 * MIB + 123)
                handle.write(b"\x01")
                os.fsync(handle.fileno())
            flipped = True
    outcome = service.finish(prepared)
    assert flipped
    assert outcome.outcome == "failed"
    assert outcome.certificate_id is None
    assert outcome.certificate_path is None
    assert any(m.offset <= 20 * MIB + 123 < m.offset + m.length for m in outcome.result.mismatches)
    unit = queries.find_unit(store.db, "WD-0003")
    assert unit is not None
    assert unit.state is UnitState.FAILED
    assert not (store.data_dir / "certificates").exists()
    assert any("verification" in r.getMessage() for r in log_warnings)


def test_refusals_touch_nothing(store: Store, tmp_path: Path, drive: str) -> None:
    before = read_all(drive)
    with pytest.raises(OperatorError, match="loop device"):
        EraseService(store).prepare(EraseRequest(drive, allow_loop=False, unit_identifier="WD-0004"))
    with loop_device(tmp_path / "unmapped.img", 8 * MIB) as unmapped, \
            pytest.raises(OperatorError, match="not in a bay"):
        EraseService(store).prepare(EraseRequest(unmapped, allow_loop=True, unit_identifier="WD-0005"))
    with pytest.raises(OperatorError, match="reports no serial"):
        EraseService(store).prepare(EraseRequest(drive, allow_loop=True))
    with pytest.raises(OperatorError, match="Unknown erase method"):
        EraseService(store).prepare(EraseRequest(drive, "shred-it", allow_loop=True, unit_identifier="WD-0006"))
    assert read_all(drive) == before
    assert store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0


def _cli(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "app", "--data-dir", str(data), *args]


def test_killed_mid_erase_shows_interrupted_then_resumes_and_certifies(tmp_path: Path) -> None:
    data = tmp_path / "data"
    backing = tmp_path / "big.img"
    with loop_device(backing, 768 * MIB) as path:
        assert subprocess.run(_cli(data, "bays", "assign", "2", f"virtual/{os.path.basename(path)}"),
                              capture_output=True).returncode == 0
        erase = _cli(data, "erase", path, "--method", "overwrite-random", "--verify", "full", "--yes",
                     "--allow-loop", "--unit", "ST-KILL-1", "--checkpoint-mb", "32", "--json")
        proc = subprocess.Popen(erase, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        db_path = data / "bench.sqlite3"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait for a checkpoint past the start, then pull the plug
            if db_path.exists():
                conn = sqlite3.connect(str(db_path))
                try:
                    done = conn.execute("SELECT max(next_offset) FROM erasures").fetchone()[0] or 0
                finally:
                    conn.close()
                if done >= 32 * MIB:
                    break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with Store(data) as store:
            row = store.db.execute("SELECT state, next_offset FROM erasures").fetchone()
            assert row[0] == "running"  # nobody finished it: the bench shows it as interrupted
            assert 32 * MIB <= row[1] < 768 * MIB
            checkpoint = int(row[1])
            unit = queries.find_unit(store.db, "ST-KILL-1")
            assert unit is not None
            assert unit.state is UnitState.SANITISING
        resumed = subprocess.run(erase, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr
        result = json.loads(resumed.stdout)
        assert result["outcome"] == "passed"
        with Store(data) as store:
            states = [r[0] for r in store.db.execute("SELECT state FROM erasures ORDER BY started_at")]
            assert states == ["interrupted", "passed"]
            started = store.db.execute(
                "SELECT body FROM events WHERE type = 'erasure.started' ORDER BY seq DESC LIMIT 1").fetchone()[0]
            assert json.loads(started)["method"]["start_offset"] == checkpoint
            seed = bytes.fromhex(json.loads(started)["seed_hex"])
        assert read_all(path) == Keystream(seed).block(0, 768 * MIB)  # the same stream, continued
        verify = subprocess.run(_cli(data, "cert", "verify", result["certificate_path"]), capture_output=True,
                                text=True)
        assert verify.returncode == 0, verify.stderr
        assert subprocess.run(_cli(data, "audit", "verify"), capture_output=True).returncode == 0


def test_cert_verify_names_the_altered_field(store: Store, drive: str, tmp_path: Path) -> None:
    outcome = EraseService(store).erase(
        EraseRequest(drive, "overwrite-ones", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="WD-0007"),
        threading.Event(),
    )
    assert outcome.certificate_path is not None
    original = json.loads(Path(outcome.certificate_path).read_text())
    data = store.data_dir
    store.close()
    cases = {
        "device.label_identifier": lambda d: d["certificate"]["device"].update(label_identifier="WD-9999"),
        "verification.result": lambda d: d["certificate"]["verification"].update(result="passed!"),
        "outcome": lambda d: d["certificate"].update(outcome="passed "),
    }
    for field, change in cases.items():
        doc = json.loads(json.dumps(original))
        change(doc)
        forged = tmp_path / f"forged-{field}.json"
        forged.write_text(json.dumps(doc))
        proc = subprocess.run(_cli(data, "cert", "verify", str(forged)), capture_output=True, text=True)
        assert proc.returncode == 1
        assert f"field '{field}' was altered" in proc.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("%PDF-1.4 not json")
    proc = subprocess.run(_cli(data, "cert", "verify", str(garbage)), capture_output=True, text=True)
    assert proc.returncode == 1
    assert "not a Refurb Bench erasure certificate" in proc.stderr
    pdf = str(Path(outcome.certificate_path).with_suffix(".pdf"))
    proc = subprocess.run(_cli(data, "cert", "verify", pdf), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    other_key = "00" * 32
    proc = subprocess.run(_cli(data, "cert", "verify", outcome.certificate_path, "--key", other_key),
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "not the trusted station key" in proc.stderr


def test_a_cancelled_erasure_is_resumed_not_redone(store: Store, tmp_path: Path) -> None:
    with loop_device(tmp_path / "cancel.img", 128 * MIB) as path:
        DriveService(store).assign_bay(4, f"virtual/{os.path.basename(path)}")
        request = EraseRequest(path, "overwrite-random", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="WD-0008",
                               block_size=1 * MIB, checkpoint_every=8 * MIB)
        cancel = threading.Event()
        service = EraseService(store)
        prepared = service.prepare(request)

        def checkpoint(cp: Checkpoint) -> None:
            service.record_checkpoint(prepared, cp)
            if cp.next_offset >= 32 * MIB:
                cancel.set()  # the operator presses cancel: the pass stops at the next block

        prepared.job.on_checkpoint = checkpoint
        for _ in service.run(prepared, cancel):
            pass
        first = service.finish(prepared)
        assert first.outcome == "interrupted"
        assert first.certificate_id is None
        stopped_at = store.db.execute("SELECT next_offset FROM erasures WHERE erasure_id = ?",
                                      [first.erasure_id]).fetchone()[0]
        assert 32 * MIB <= stopped_at < 128 * MIB
        second = EraseService(store).erase(request, threading.Event())
        assert second.outcome == "passed", second.summary
        assert second.result.start_offset == stopped_at  # carried on where the cancel left it
        seed = bytes.fromhex(second.result.seed_hex)
        assert seed.hex() == first.result.seed_hex
        assert read_all(path) == Keystream(seed).block(0, 128 * MIB)
        states = [r[0] for r in store.db.execute("SELECT state FROM erasures ORDER BY started_at, rowid")]
        assert states == ["interrupted", "passed"]
        completed = store.db.execute("SELECT count(*) FROM events WHERE type = 'erasure.completed'").fetchone()[0]
        assert completed == 2  # the cancel's own record, then the pass: no second 'interrupted' for the first


def test_a_loop_device_is_not_called_magnetic_media_on_its_certificate(store: Store, drive: str) -> None:
    outcome = EraseService(store).erase(
        EraseRequest(drive, "overwrite-zeros", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="WD-0009"),
        threading.Event(),
    )
    assert outcome.certificate_path is not None
    doc = json.loads(Path(outcome.certificate_path).read_text())
    assert doc["certificate"]["device"]["media_type"] == "virtual (file-backed loop device)"


def test_a_sanitised_drive_can_be_erased_again_and_gets_a_second_certificate(store: Store, drive: str) -> None:
    # A customer may ask for a second pass (or a Purge after a Clear): the unit goes back through
    # sanitising, both erasures stay on record and each has its own certificate.
    first = EraseService(store).erase(
        EraseRequest(drive, "overwrite-zeros", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="WD-0009"),
        threading.Event())
    second = EraseService(store).erase(
        EraseRequest(drive, "overwrite-random", VerifyMode.FULL, allow_loop=True, unit_identifier="WD-0009"),
        threading.Event())
    assert (first.outcome, second.outcome) == ("passed", "passed"), second.summary
    assert first.certificate_path is not None
    assert second.certificate_path is not None
    assert first.certificate_path != second.certificate_path
    assert read_all(drive) == Keystream(bytes.fromhex(second.result.seed_hex)).block(0, 32 * MIB)
    unit = queries.find_unit(store.db, "WD-0009")
    assert unit is not None
    assert unit.state is UnitState.SANITISED
