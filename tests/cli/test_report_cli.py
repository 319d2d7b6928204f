"""`report lot` and `report daily` as real processes: the files they write, and one-line refusals with a
hint for an unknown lot, a path that cannot be written and a day that is not a date."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.store.store import Store
from tests.core.kpi_floor import record_floor
from tests.reports.lot_report_fixture import LOT_K, lot_clock, record_lot


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ})


def refusal(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bench")
    clock = lot_clock()
    with Store(base / "data", clock=clock) as store:
        record_lot(store, clock, base / "certs")
        record_floor(store, clock)
    return base / "data"


def test_lot_report_in_each_format(data: Path, tmp_path: Path) -> None:
    for fmt in ("pdf", "csv", "json"):
        out = tmp_path / f"lot.{fmt}"
        proc = cli(data, "report", "lot", LOT_K.lower(), "--format", fmt, "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        assert f"Lot report of {LOT_K} (5 unit(s)) written to {out}" in proc.stdout
    assert (tmp_path / "lot.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "lot.csv").read_text(encoding="utf-8").count("\n") == 6   # title + 5 units
    doc = json.loads((tmp_path / "lot.json").read_text(encoding="utf-8"))
    assert doc["lot"]["code"] == LOT_K
    assert doc["totals"]["not_received"] == 1


def test_daily_report_in_each_format(data: Path, tmp_path: Path) -> None:
    for fmt in ("pdf", "csv"):
        out = tmp_path / f"day.{fmt}"
        proc = cli(data, "report", "daily", "2026-12-04", "--format", fmt, "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        assert "Daily production report of 2026-12-04 written to" in proc.stdout
    assert (tmp_path / "day.pdf").read_bytes().startswith(b"%PDF-")
    assert "2026-12-04,stage,received,received,units,3" in (tmp_path / "day.csv").read_text(encoding="utf-8")


def test_refusals_name_the_problem_and_the_fix(data: Path, tmp_path: Path) -> None:
    line = refusal(cli(data, "report", "lot", "LOT-2099-0001", "--out", str(tmp_path / "x.pdf")))
    assert "Lot LOT-2099-0001 does not exist on this bench" in line
    assert "lots list" in line
    line = refusal(cli(data, "report", "lot", LOT_K, "--out", str(tmp_path / "missing" / "x.pdf")))
    assert f"Cannot write the report to {tmp_path / 'missing' / 'x.pdf'}" in line
    assert "--out" in line
    line = refusal(cli(data, "report", "daily", "04/12/2026", "--out", str(tmp_path / "d.pdf")))
    assert "YYYY-MM-DD" in line
    line = refusal(cli(data, "report", "lot", LOT_K, "--format", "xlsx", "--out", str(tmp_path / "x.xlsx")))
    assert "invalid choice" in line
    assert not list(tmp_path.iterdir())   # nothing half-written anywhere
