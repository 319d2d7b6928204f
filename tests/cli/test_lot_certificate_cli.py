"""`erase --override-reason`, `lots certificate` and `cert verify` on lot certificates, as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.drivers.loop_devices import loop_device

MIB = 1024 * 1024
LOT = "LOT-2026-0500"
REASON = "dock 6 added this morning, bay map update pending"


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ})


def ok(data: Path, *args: str) -> str:
    proc = cli(data, *args)
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stderr}"
    return proc.stdout


def one_line_refusal(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def bench(data: Path) -> None:
    ok(data, "operators", "add", "--name", "Alex Martin", "--badge", "OP-0001", "--role", "admin", "--pin", "1234")
    for name, badge, role in (("Pat Lee", "OP-0003", "supervisor"), ("Sam Okafor", "OP-0002", "technician")):
        ok(data, "operators", "add", "--name", name, "--badge", badge, "--role", role, "--pin", "2345",
           "--admin", "Alex Martin", "--admin-pin", "1234")
    ok(data, "lots", "create", "--code", LOT, "--customer", "Acme Leasing", "--po", "PO-9", "--expected", "2")
    for serial in ("CLI-0001", "CLI-0002"):
        ok(data, "units", "add", "--serial", serial, "--lot", LOT, "--operator", "OP-0002")


def test_override_erase_then_lot_certificate_then_verify_and_tamper(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bench(data)
    with loop_device(tmp_path / "spare-dock.img", 8 * MIB) as path:
        erase = ["erase", path, "--method", "overwrite-zeros", "--verify", "sample", "--yes", "--allow-loop",
                 "--unit", "CLI-0001", "--json"]
        refusal = one_line_refusal(cli(data, *erase))
        assert "not in a bay of this bench" in refusal
        assert "supervisor may override" in refusal
        refusal = one_line_refusal(cli(data, *erase, "--override-reason", REASON, "--operator", "OP-0002"))
        assert "needs a supervisor; Sam Okafor is a technician" in refusal
        done = json.loads(ok(data, *erase, "--override-reason", REASON, "--operator", "OP-0003"))
    assert done["outcome"] == "passed"
    drive_cert = json.loads(Path(done["certificate_path"]).read_text())
    assert drive_cert["certificate"]["override"]["reason"] == REASON

    out = tmp_path / "for-acme"
    issued: dict[str, Any] = json.loads(ok(data, "lots", "certificate", LOT.lower(), "--out", str(out), "--json",
                                           "--operator", "OP-0003"))
    assert issued["totals"]["units"] == 2
    assert issued["totals"]["erased"] == 1
    assert Path(issued["json_path"]).parent == out
    lot_doc = json.loads(Path(issued["json_path"]).read_text())
    rows = {r["identifier"]: r for r in lot_doc["certificate"]["units"]}
    assert rows["CLI-0001"]["certificate_id"] == done["certificate_id"]
    assert rows["CLI-0002"]["outcome"] == "not erased"
    assert lot_doc["certificate"]["operator"]["name"] == "Pat Lee"

    for path in (issued["json_path"], issued["pdf_path"]):
        verified = ok(data, "cert", "verify", path)
        assert verified.startswith(f"ok: lot certificate {issued['certificate_id']} is intact")

    forged = json.loads(json.dumps(lot_doc))
    forged["certificate"]["units"][1]["outcome"] = "erased"
    forged_path = tmp_path / "forged.json"
    forged_path.write_text(json.dumps(forged))
    proc = cli(data, "cert", "verify", str(forged_path))
    assert proc.returncode == 1
    assert "altered: field 'units[1].outcome' was altered" in proc.stderr

    pdf = Path(issued["pdf_path"]).read_bytes()
    original = b'"serial": "CLI-0002"'
    assert pdf.count(original) == 1
    forged_pdf = tmp_path / "forged.pdf"
    forged_pdf.write_bytes(pdf.replace(original, b'"serial": "CLI-0999"'))
    proc = cli(data, "cert", "verify", str(forged_pdf))
    assert proc.returncode == 1
    assert "field 'units[1].serial' was altered" in proc.stderr

    proc = cli(data, "cert", "verify", issued["json_path"], "--key", "00" * 32)
    assert proc.returncode == 1
    assert "not the trusted station key" in proc.stderr
    assert ok(data, "audit", "verify").startswith("ok")


def test_lots_certificate_of_an_unknown_lot_is_one_line(tmp_path: Path) -> None:
    line = one_line_refusal(cli(tmp_path / "data", "lots", "certificate", "LOT-NOPE"))
    assert "Lot LOT-NOPE does not exist" in line
    # the default destination is the data folder's certificates folder
    data = tmp_path / "data"
    bench(data)
    out = ok(data, "lots", "certificate", LOT)
    assert "0 of 2 unit(s) erased, 2 not erased, 0 not received" in out
    assert str(data / "certificates") in out
