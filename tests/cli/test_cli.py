"""The refurb-bench command line, run as real processes: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pysqlite3.dbapi2 as sqlite3
import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
IMEI = "490154203237518"
IMEI_2 = "356938035643809"
IMEI_3 = "353918057412344"
BAD_IMEI = "490154203237519"  # check digit should be 8
LOT = "LOT-2026-0042"


def run(*args: str, data_dir: Path | None = None, env_data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m app`` with ``--data-dir data_dir`` or with $REFURB_BENCH_DATA_DIR set to env_data_dir."""
    env = {k: v for k, v in os.environ.items() if k != "REFURB_BENCH_DATA_DIR"}
    if env_data_dir is not None:
        env["REFURB_BENCH_DATA_DIR"] = str(env_data_dir)
    command = [sys.executable, "-m", "app"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env,
                          check=False)


def ok(*args: str, data_dir: Path) -> str:
    result = run(*args, data_dir=data_dir)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def bad_input(*args: str, data_dir: Path | None) -> str:
    """Run a command that must be refused: exit 2, nothing on stdout, one line on stderr; return that line."""
    result = run(*args, data_dir=data_dir)
    assert result.returncode == 2, f"{args}: exit {result.returncode}\n{result.stdout}{result.stderr}"
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert result.stderr.endswith("\n")
    assert lines[0].startswith("refurb-bench"), lines[0]
    assert result.stdout == ""
    return lines[0]


def events_of_type(data_dir: Path, event_type: str) -> int:
    with contextlib.closing(sqlite3.connect(str(data_dir / "bench.sqlite3"))) as conn:
        return int(conn.execute("SELECT count(*) FROM events WHERE type = ?", [event_type]).fetchone()[0])


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    return tmp_path / "bench"


@pytest.fixture
def lot(bench: Path) -> str:
    out = ok("lots", "create", "--code", LOT, "--supplier", "Acme Recyclers", "--po", "PO-77", "--expected", "3",
             data_dir=bench)
    assert out.startswith(f"created lot {LOT} (L-")
    return LOT


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# --- the program itself -------------------------------------------------------------------------------


def test_version(bench: Path) -> None:
    result = run("--version", data_dir=bench)
    assert result.returncode == 0
    assert result.stdout == f"refurb-bench {__version__}\n"
    assert not bench.exists(), "--version must not create a data folder"


def test_unknown_subcommand_is_one_line(bench: Path) -> None:
    line = bad_input("frobnicate", data_dir=bench)
    assert "frobnicate" in line
    assert "invalid choice" in line
    assert not bench.exists()


@pytest.mark.parametrize("args", [
    ["units"],
    ["units", "add"],
    ["units", "add", "--imei", IMEI, "--serial", "C02XK1ABJGH5"],
    ["lots", "create", "--code", LOT],
    ["units", "list", "--limit", "many"],
], ids=["no-action", "no-identifier", "two-identifiers", "no-party", "bad-int"])
def test_bad_usage_is_one_line(args: list[str], bench: Path) -> None:
    bad_input(*args, data_dir=bench)
    assert not bench.exists()


def test_data_dir_from_environment(tmp_path: Path) -> None:
    env_dir = tmp_path / "from-env"
    result = run("audit", "verify", env_data_dir=env_dir)
    assert result.returncode == 0, result.stderr
    assert (env_dir / "bench.sqlite3").exists()
    assert (env_dir / "station_key.pem").exists()
    # --data-dir wins over the environment.
    other = tmp_path / "from-option"
    command = [sys.executable, "-m", "app", "--data-dir", str(other), "audit", "verify"]
    env = {**os.environ, "REFURB_BENCH_DATA_DIR": str(env_dir)}
    assert subprocess.run(command, capture_output=True, cwd=ROOT, env=env, timeout=60, check=False).returncode == 0
    assert (other / "bench.sqlite3").exists()


# --- operators ------------------------------------------------------------------------------------


def test_operators_first_free_then_admin_only(bench: Path) -> None:
    out = ok("operators", "add", "--name", "Alex Martin", "--badge", "op-0001", "--role", "admin", "--pin", "1234",
             data_dir=bench)
    assert out == "added Alex Martin (admin) with badge OP-0001\n"

    line = bad_input("operators", "add", "--name", "Sam Okafor", "--badge", "OP-0002", "--pin", "2345", data_dir=bench)
    assert "Only an admin can add operators" in line

    line = bad_input("operators", "add", "--name", "Sam Okafor", "--badge", "OP-0002", "--pin", "2345",
                     "--admin", "Alex Martin", "--admin-pin", "9999", data_dir=bench)
    assert "Name or PIN not recognised" in line

    out = ok("operators", "add", "--name", "Sam Okafor", "--badge", "OP-0002", "--pin", "2345",
             "--admin", "alex martin", "--admin-pin", "1234", data_dir=bench)
    assert out == "added Sam Okafor (technician) with badge OP-0002\n"

    listed = ok("operators", "list", data_dir=bench).splitlines()
    assert len(listed) == 2
    assert listed[0].split() == ["OP-0001", "admin", "Alex", "Martin"]
    assert listed[1].split() == ["OP-0002", "technician", "Sam", "Okafor"]
    assert events_of_type(bench, "operator.added") == 2


@pytest.mark.parametrize(("args", "expected"), [
    (["--badge", "OP-0009", "--pin", "12"], "A PIN is 4 to 12 digits"),
    (["--badge", "OP-0009", "--pin", "12a4"], "A PIN is 4 to 12 digits"),
    (["--badge", "BADGE9", "--pin", "1234"], "is not an operator badge code"),
], ids=["short-pin", "letters-in-pin", "not-a-badge"])
def test_operator_add_refusals(args: list[str], expected: str, bench: Path) -> None:
    line = bad_input("operators", "add", "--name", "Alex Martin", "--role", "admin", *args, data_dir=bench)
    assert expected in line
    assert events_of_type(bench, "operator.added") == 0


# --- lots and manifests ---------------------------------------------------------------------------


def test_lots_create_and_list(bench: Path, lot: str) -> None:
    listed = ok("lots", "list", data_dir=bench)
    assert LOT in listed
    assert "supplier:Acme Recyclers" in listed
    assert "PO PO-77" in listed
    assert "expected 3 received 0" in listed
    line = bad_input("lots", "create", "--code", LOT, "--customer", "Other", data_dir=bench)
    assert f"Lot {LOT} already exists" in line
    line = bad_input("lots", "create", "--code", "BATCH-1", "--supplier", "Acme", data_dir=bench)
    assert "is not a lot code" in line
    assert events_of_type(bench, "lot.created") == 1


def test_manifest_import(bench: Path, lot: str, tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "acme.csv", "IMEI,Model,Condition", f"{IMEI},Pixel 7,B", f"{IMEI_2},iPhone 12,A")
    assert ok("lots", "import", lot.lower(), str(csv), data_dir=bench) == f"imported 2 manifest lines into {LOT}\n"
    shown = json.loads(ok("lots", "show", LOT, "--json", data_dir=bench))
    assert shown["lot"]["code"] == LOT
    assert shown["expected"] == 2, "a manifest replaces the lot's expected count"
    assert shown["received"] == 0
    assert sorted((m["value"], m["model"], m["description"]) for m in shown["missing"]) == [
        (IMEI_2, "iPhone 12", "A"), (IMEI, "Pixel 7", "B"),
    ]


def test_manifest_with_bad_imei_on_line_3_imports_nothing(bench: Path, lot: str, tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "bad.csv", "IMEI,Model", f"{IMEI},Pixel 7", "356938035643808,iPhone 12",
                    f"{IMEI_3},Galaxy S21")
    line = bad_input("lots", "import", lot, str(csv), data_dir=bench)
    assert "line 3" in line
    assert "356938035643808" in line
    assert "check digit" in line
    assert "line 2" not in line
    assert "line 4" not in line
    assert "nothing was imported" in line
    assert events_of_type(bench, "lot.manifest_imported") == 0
    shown = json.loads(ok("lots", "show", LOT, "--json", data_dir=bench))
    assert shown["missing"] == []
    assert shown["expected"] == 3  # still the count typed at creation, no manifest


def test_import_into_unknown_lot_or_missing_file(bench: Path, lot: str, tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "ok.csv", "IMEI", IMEI)
    assert "Lot LOT-NOPE does not exist" in bad_input("lots", "import", "LOT-NOPE", str(csv), data_dir=bench)
    assert "Cannot read" in bad_input("lots", "import", lot, str(tmp_path / "missing.csv"), data_dir=bench)
    assert events_of_type(bench, "lot.manifest_imported") == 0


# --- units ----------------------------------------------------------------------------------------


def unit_json(bench: Path, ident: str) -> dict[str, Any]:
    data = json.loads(ok("units", "show", ident, "--json", data_dir=bench))
    assert isinstance(data, dict)
    return data


def test_units_add_into_lot_and_show(bench: Path, lot: str, tmp_path: Path) -> None:
    ok("lots", "import", lot, str(write_csv(tmp_path / "m.csv", "IMEI", IMEI)), data_dir=bench)
    added = json.loads(ok("units", "add", "--imei", IMEI, "--lot", lot, "--model", "Pixel 7", "--json",
                          data_dir=bench))
    assert added["created"] is True
    unit_id = added["unit_id"]

    shown = unit_json(bench, IMEI)
    assert shown["unit_id"] == unit_id
    assert shown["state"] == "received"
    assert shown["lot_code"] == LOT
    assert shown["model"] == "Pixel 7"
    assert shown["identifiers"] == [{"kind": "imei", "value": IMEI}]
    timeline = shown["timeline"]
    assert [e["type"] for e in timeline] == ["unit.created", "lot.unit_received"]
    assert timeline[0]["seq"] < timeline[1]["seq"]
    assert timeline[0]["body"]["source"] == "cli"
    assert timeline[1]["body"]["lot_id"] == shown["lot_id"]
    assert timeline[1]["body"]["expected"] is True
    assert all(e["at"].endswith("Z") and e["text"] for e in timeline)
    assert unit_json(bench, unit_id) == shown, "a unit is found by its id as well as by its IMEI"

    again = json.loads(ok("units", "add", "--imei", IMEI, "--lot", lot, "--json", data_dir=bench))
    assert again["created"] is False
    assert again["unit_id"] == unit_id
    assert len(unit_json(bench, IMEI)["timeline"]) == 2, "adding it again records nothing"

    progress = json.loads(ok("lots", "show", lot, "--json", data_dir=bench))
    assert (progress["received_expected"], progress["unexpected"], progress["missing"]) == (1, 0, [])


def test_units_add_text_output_and_operator(bench: Path) -> None:
    ok("operators", "add", "--name", "Alex Martin", "--badge", "OP-0001", "--role", "admin", "--pin", "1234",
       data_dir=bench)
    out = ok("units", "add", "--serial", "c02xk1abjgh5", "--operator", "OP-0001", data_dir=bench)
    words = out.split()
    assert words[0] == "created"
    assert words[1].startswith("U-")
    assert words[2:] == ["C02XK1ABJGH5", "(received)"]
    timeline = unit_json(bench, "c02xk1abjgh5")["timeline"]
    assert timeline[0]["operator_id"] is not None
    assert timeline[0]["operator_id"].startswith("O-")
    assert "not registered" in bad_input("units", "add", "--serial", "C02XK1ABJGH6", "--operator", "OP-0404",
                                         data_dir=bench)


def test_units_add_with_bad_check_digit_is_one_line(bench: Path) -> None:
    line = bad_input("units", "add", "--imei", BAD_IMEI, data_dir=bench)
    assert BAD_IMEI in line
    assert "check digit" in line
    assert "should be 8, not 9" in line
    assert events_of_type(bench, "unit.created") == 0
    assert json.loads(ok("units", "list", "--json", data_dir=bench)) == []


def test_units_add_refusals(bench: Path, lot: str) -> None:
    assert "is not a valid imei" in bad_input("units", "add", "--imei", "C02XK1ABJGH5", data_dir=bench)
    assert "LOT-NOPE is not on this bench" in bad_input("units", "add", "--imei", IMEI, "--lot", "LOT-NOPE",
                                                        data_dir=bench)
    assert events_of_type(bench, "unit.created") == 0


def test_units_list_and_search(bench: Path, lot: str) -> None:
    ok("units", "add", "--imei", IMEI, "--lot", lot, "--model", "Pixel 7", data_dir=bench)
    ok("units", "add", "--imei", IMEI_2, "--model", "iPhone 12", data_dir=bench)
    ok("units", "add", "--serial", "C02XK1ABJGH5", "--model", "MacBook Air", data_dir=bench)

    everything = json.loads(ok("units", "list", "--json", data_dir=bench))
    assert len(everything) == 3
    assert {u["state"] for u in everything} == {"received"}
    assert sorted(i["value"] for u in everything for i in u["identifiers"]) == sorted([IMEI, IMEI_2, "C02XK1ABJGH5"])

    def found(*args: str) -> list[str]:
        units = json.loads(ok("units", "list", "--json", *args, data_dir=bench))
        return sorted(i["value"] for u in units for i in u["identifiers"])

    assert found("--search", IMEI[:8]) == [IMEI]
    assert found("--search", "c02x") == ["C02XK1ABJGH5"]
    assert found("--search", "iphone") == [IMEI_2]
    assert found("--search", "LOT-2026") == [IMEI]
    assert found("--search", "99999999") == []
    assert found("--lot", lot) == [IMEI]
    assert found("--state", "testing") == []
    assert len(found("--limit", "2")) == 2

    text = ok("units", "list", "--search", IMEI[:8], data_dir=bench).splitlines()
    assert len(text) == 1
    assert IMEI in text[0]
    assert "Lot LOT-NOPE does not exist" in bad_input("units", "list", "--lot", "LOT-NOPE", data_dir=bench)


def test_units_show_unknown_is_one_line(bench: Path) -> None:
    assert "No unit with id or identifier 999" in bad_input("units", "show", "999", data_dir=bench)


# --- audit and database ----------------------------------------------------------------------------


def test_audit_verify_after_commands(bench: Path, lot: str) -> None:
    ok("units", "add", "--imei", IMEI, "--lot", lot, data_dir=bench)
    out = ok("audit", "verify", data_dir=bench)
    assert out.startswith("ok: 4 events")  # station, lot, unit, receipt


def test_db_backup_opens_as_a_data_folder(bench: Path, lot: str, tmp_path: Path) -> None:
    ok("units", "add", "--imei", IMEI, "--lot", lot, data_dir=bench)
    target = tmp_path / "backups" / "bench-backup.sqlite3"
    target.parent.mkdir()
    assert ok("db", "backup", str(target), data_dir=bench) == f"backup written to {target}\n"
    with contextlib.closing(sqlite3.connect(str(target))) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 4

    # Restoring is copying the backup back beside the station key: the copy verifies and holds the unit.
    restored = tmp_path / "restored"
    restored.mkdir(mode=0o700)
    shutil.copy2(bench / "station_key.pem", restored / "station_key.pem")
    shutil.copyfile(target, restored / "bench.sqlite3")
    assert ok("audit", "verify", data_dir=restored).startswith("ok: 4 events")
    assert unit_json(restored, IMEI)["lot_code"] == LOT

    assert "already exists" in bad_input("db", "backup", str(target), data_dir=bench)
    assert "does not exist" in bad_input("db", "backup", str(tmp_path / "nowhere" / "b.sqlite3"), data_dir=bench)


def test_db_rebuild(bench: Path, lot: str) -> None:
    ok("units", "add", "--imei", IMEI, "--lot", lot, data_dir=bench)
    before = unit_json(bench, IMEI)
    assert ok("db", "rebuild", data_dir=bench) == "rebuilt projections from 4 events\n"
    assert unit_json(bench, IMEI) == before


# Regression test; the bug it was written for: commit 43bdf7b added a required 'lot_code' field to lot.unit_received
# v1 in place (app/core/events.py) instead of a v2, and app/core/describe.py reads b['lot_code']; 'units show' of a
# unit received by the previous build dies with KeyError: 'lot_code'
def test_units_show_reads_a_receipt_written_by_the_previous_build(
    bench: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core import events as ev
    from app.core.identifiers import IdentifierKind
    from app.core.models import PartyKind
    from app.services.intake import IntakeService
    from app.store.store import Store

    # The v1 body as the first release wrote it: lot_id and expected, nothing else.
    first_release_v1 = ev.EventSchema(ev.LOT_UNIT_RECEIVED, 1, (ev.FieldSpec("lot_id", str),
                                                                 ev.FieldSpec("expected", bool)), needs_unit=True)
    with Store(bench) as store:
        intake = IntakeService(store)
        lot = intake.create_lot(LOT, PartyKind.SUPPLIER, "Acme", "", 0)
        unit, _ = intake.add_unit(IdentifierKind.IMEI, IMEI)
        monkeypatch.setitem(ev.SCHEMAS, (ev.LOT_UNIT_RECEIVED, 1), first_release_v1)
        monkeypatch.setitem(ev.CURRENT_VERSION, ev.LOT_UNIT_RECEIVED, 1)
        store.record(ev.LOT_UNIT_RECEIVED, {"lot_id": lot.lot_id, "expected": False}, unit_id=unit.unit_id)
        monkeypatch.undo()
    with contextlib.closing(sqlite3.connect(str(bench / "bench.sqlite3"))) as conn:
        stored = conn.execute("SELECT schema_version, body FROM events WHERE type = 'lot.unit_received'").fetchall()
    assert stored == [(1, f'{{"expected":false,"lot_id":"{lot.lot_id}"}}')]
    assert ok("audit", "verify", data_dir=bench).startswith("ok")
    shown = unit_json(bench, IMEI)
    assert [e["type"] for e in shown["timeline"]] == ["unit.created", "lot.unit_received"]


# Regression test; the bug it was written for: --data-dir naming an existing regular file dies with a
# NotADirectoryError traceback (app/cli main(): setup_logging mkdirs DATA_DIR/logs because the path exists) instead
# of exit 2 with a one-line reason
def test_data_dir_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "bench.txt"
    not_a_folder.write_text("notes\n")
    bad_input("audit", "verify", data_dir=not_a_folder)
    assert not_a_folder.read_text() == "notes\n"
