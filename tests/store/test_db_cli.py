"""`refurb-bench db check / backups / restore / backup` as real processes (failure matrix row 18): a damaged
database is found without opening it, replaced only by a backup that passes its check now, and kept."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from app.store.backups import BACKUP_FOLDER
from app.store.restore import check_database
from app.store.store import DB_FILE, Store
from tests.store.db_damage import damage_a_page, damaged_bench, event_hashes, record_bay_events, snapshot

ROOT = Path(__file__).resolve().parents[2]


def run(data_dir: Path, *args: str, stdin: int = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """``python -m app --data-dir DATA_DIR ARGS``; stdin is not a terminal unless one is given."""
    env = {k: v for k, v in os.environ.items() if k != "REFURB_BENCH_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), *args], stdin=stdin,
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env=env, check=False)


def refused(data_dir: Path, *args: str) -> str:
    """A command that must be refused: exit 2, one line on stderr naming what to do; returns that line."""
    result = run(data_dir, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert " — " in lines[0], "the refusal carries a hint"
    return lines[0]


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """(data folder, verified backup, newer damaged backup, the stream the database was on)."""
    data_dir = tmp_path / "data"
    verified, bad, stream = damaged_bench(data_dir)
    return data_dir, verified, bad, stream


def test_check_passes_a_healthy_database_and_exits_1_naming_the_backup_for_a_damaged_one(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    record_bay_events(data_dir, 500)
    healthy = run(data_dir, "db", "check")
    assert healthy.returncode == 0, healthy.stderr
    assert healthy.stdout == f"database {data_dir / DB_FILE}: ok\n"
    assert json.loads(run(data_dir, "db", "check", "--json").stdout) == {
        "path": str(data_dir / DB_FILE), "ok": True, "check": "ok"}

    verified = run(data_dir, "db", "backup")
    assert verified.returncode == 0, verified.stderr
    backup = Path(verified.stdout.split()[-1])
    assert backup.parent == data_dir / BACKUP_FOLDER
    damage_a_page(data_dir / DB_FILE)
    before = snapshot(data_dir)

    found = run(data_dir, "db", "check")
    assert found.returncode == 1
    line, = found.stderr.splitlines()
    assert "is damaged" in line
    assert f"db restore {backup}" in line
    assert "Traceback" not in found.stderr
    report = json.loads(run(data_dir, "db", "check", "--json").stdout)
    assert report["ok"] is False
    assert report["check"] != "ok"
    assert report["newest_backup"]["path"] == str(backup)
    assert report["newest_backup"]["events"] == len(event_hashes(backup))
    after = snapshot(data_dir)
    assert {name: after.get(name) for name in before} == before, "a check changes nothing"


def test_check_without_a_database_says_where_it_looked(tmp_path: Path) -> None:
    line = refused(tmp_path / "empty", "db", "check")
    assert f"no database in {tmp_path / 'empty'}" in line


def test_backups_are_listed_newest_first_each_checked_now(damaged: tuple[Path, Path, Path, str]) -> None:
    data_dir, verified, bad, _ = damaged
    listed = json.loads(run(data_dir, "db", "backups", "--json").stdout)
    assert [b["path"] for b in listed] == [str(bad), str(verified)]
    assert [b["ok"] for b in listed] == [False, True]
    assert listed[1]["events"] == len(event_hashes(verified))
    text = run(data_dir, "db", "backups").stdout.splitlines()
    assert text[0].startswith(f"DAMAGED   {bad}")
    assert text[1].startswith(f"verified  {verified}")


def test_restore_refuses_a_missing_or_damaged_backup_and_an_unconfirmed_restore(
    damaged: tuple[Path, Path, Path, str]
) -> None:
    data_dir, verified, bad, _ = damaged
    before = snapshot(data_dir)
    assert "db backups" in refused(data_dir, "db", "restore", str(data_dir / "nope.sqlite3"))
    line = refused(data_dir, "db", "restore", str(bad), "--yes")
    assert "cannot be restored" in line
    assert "older backup" in line
    assert "not a backup" in refused(data_dir, "db", "restore", str(data_dir / DB_FILE), "--yes")
    assert "--yes" in refused(data_dir, "db", "restore", str(verified))  # no terminal to ask on
    after = snapshot(data_dir)
    assert {name: after.get(name) for name in before} == before
    assert not list(data_dir.glob(f"{DB_FILE}.damaged-*"))


def test_restore_keeps_the_damaged_file_and_continues_on_a_new_stream(damaged: tuple[Path, Path, Path, str]) -> None:
    data_dir, verified, _, old_stream = damaged
    damaged_bytes = (data_dir / DB_FILE).read_bytes()
    result = run(data_dir, "db", "restore", str(verified), "--yes", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["restored_from"] == str(verified)
    assert report["replaced_check"] != "ok"
    kept = [Path(p) for p in report["kept"] if not p.endswith(("-wal", "-shm"))]
    assert len(kept) == 1
    assert kept[0].read_bytes() == damaged_bytes
    assert "restored from" in result.stderr  # the warning that goes to the bench log too

    assert run(data_dir, "db", "check").returncode == 0
    assert event_hashes(data_dir / DB_FILE) == event_hashes(verified)
    with Store(data_dir) as store:
        assert store.stream_id == report["stream_id"]
        assert store.stream_id != old_stream


def test_restore_asks_on_a_terminal_and_no_leaves_the_database(damaged: tuple[Path, Path, Path, str]) -> None:
    data_dir, verified, _, _ = damaged
    before = (data_dir / DB_FILE).read_bytes()
    for answer, code in ((b"n\n", 2), (b"y\n", 0)):
        controller, terminal = pty.openpty()
        try:
            os.write(controller, answer)
            result = run(data_dir, "db", "restore", str(verified), stdin=terminal)
        finally:
            os.close(terminal)
            os.close(controller)
        assert result.returncode == code, result.stdout + result.stderr
        assert "is damaged" in result.stdout
        assert verified.name in result.stdout
        if answer == b"n\n":
            assert "Nothing restored" in result.stderr
            assert (data_dir / DB_FILE).read_bytes() == before
    assert "new stream" in result.stdout
    assert check_database(data_dir / DB_FILE) == "ok"
