"""Schema migrations: recorded once, never re-applied, newer databases refused, a backup before changing
a database that holds data, and the SQLite version floor."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3
import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

from app.core.errors import OperatorError
from app.store import db as store_db
from app.store import migrations
from app.store.db import check_sqlite_version, connect
from app.store.migrations import MIGRATIONS, NewerDatabase, migrate
from app.store.store import DB_FILE, Store

ROOT = Path(__file__).resolve().parents[2]
KNOWN = [m.name for m in MIGRATIONS._migrations]
EXPECTED_TABLES = {"meta", "events", "operators", "lots", "units", "unit_identifiers", "lot_manifest", "lot_receipts"}


@contextlib.contextmanager
def raw_db(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def applied_rows(path: Path) -> list[tuple[str, str, str]]:
    with raw_db(path) as conn:
        rows = conn.execute("SELECT migration_set, name, applied_at FROM _sqlite_migrations ORDER BY id")
        return [(str(s), str(n), str(a)) for s, n, a in rows]


def event_count(path: Path) -> int:
    with raw_db(path) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def with_extra(*extra: Callable[[sqlite_utils.Database], None]) -> Migrations:
    """This build's migrations plus ``extra`` ones, as a later build of the app would ship them."""
    later = Migrations(MIGRATIONS.name)
    for known in MIGRATIONS._migrations:
        later(name=known.name)(known.fn)
    for fn in extra:
        later()(fn)
    return later


def m900_add_grades(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE grades (unit_id TEXT PRIMARY KEY, grade TEXT NOT NULL)")


def m901_half_done(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE half_done (x INTEGER)")
    db.execute("INSERT INTO half_done VALUES (1)")
    raise RuntimeError("migration failed half way")


class FrozenClock:
    """Stands in for ``datetime`` inside app.store.migrations, which names its backups by the second."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 22, 5, 10, 0, tzinfo=UTC)

    def now(self, tz: tzinfo | None = None) -> datetime:
        return self.moment.astimezone(tz)

    def tick(self) -> None:
        self.moment += timedelta(seconds=1)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock()
    monkeypatch.setattr(migrations, "datetime", frozen)
    return frozen


def backups(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob(f"{DB_FILE}.pre-*.bak"))


# --- applied once -----------------------------------------------------------------------------------


def test_fresh_database_records_every_migration(data_dir: Path) -> None:
    with Store(data_dir) as store:
        tables = set(store.db.table_names())
    rows = applied_rows(data_dir / DB_FILE)
    assert [(s, n) for s, n, _ in rows] == [("refurb_bench", name) for name in KNOWN]
    assert "m001_events_and_units" in KNOWN
    assert tables >= EXPECTED_TABLES
    assert backups(data_dir) == [], "an empty new database needs no backup"


def test_reopening_applies_nothing(data_dir: Path, make_store: Callable[..., Store]) -> None:
    Store(data_dir).close()
    before = applied_rows(data_dir / DB_FILE)
    reopened = make_store(data_dir)
    assert migrate(reopened.db, reopened.path) == []
    assert MIGRATIONS.pending(reopened.db) == []
    reopened.close()
    assert applied_rows(data_dir / DB_FILE) == before
    assert backups(data_dir) == []
    # And the store did not start a second station on the way.
    assert event_count(data_dir / DB_FILE) == 1


# --- newer databases ----------------------------------------------------------------------------


def _mark_applied_by_newer_build(path: Path, name: str) -> None:
    with raw_db(path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('refurb_bench', ?, ?)",
            [name, "2031-01-01 00:00:00+00:00"],
        )


def test_database_with_unknown_migration_is_refused(data_dir: Path) -> None:
    Store(data_dir).close()
    _mark_applied_by_newer_build(data_dir / DB_FILE, "m777_from_the_future")
    size_before = (data_dir / DB_FILE).stat().st_size
    with pytest.raises(NewerDatabase) as caught:
        Store(data_dir)
    error = caught.value
    assert isinstance(error, OperatorError)
    assert "m777_from_the_future" in error.message
    assert "newer" in error.message.lower()
    assert "Update" in error.hint
    assert event_count(data_dir / DB_FILE) == 1
    assert (data_dir / DB_FILE).stat().st_size == size_before
    assert backups(data_dir) == []


def test_migration_of_another_set_is_not_a_newer_database(data_dir: Path) -> None:
    """Only this app's migration set counts; another tool's migrations in the same file are not ours."""
    Store(data_dir).close()
    with raw_db(data_dir / DB_FILE) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('other_tool', 'm001_x', '')"
        )
    with Store(data_dir) as store:
        assert store.meta("station_id")


def test_cli_refuses_newer_database_in_one_line(data_dir: Path) -> None:
    Store(data_dir).close()
    _mark_applied_by_newer_build(data_dir / DB_FILE, "m777_from_the_future")
    env = {k: v for k, v in os.environ.items() if k != "REFURB_BENCH_DATA_DIR"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), "audit", "verify"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env=env, check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "m777_from_the_future" in lines[0]
    assert "Update Refurb Bench" in lines[0]
    assert result.stdout == ""


# --- a later build's migrations --------------------------------------------------------------------


def test_migrating_a_database_with_data_writes_a_backup_first(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(data_dir) as store:
        store.record("lot.created", {"lot_id": "L-1", "code": "LOT-1", "party_kind": "supplier", "party": "Acme",
                                     "po": "", "expected_count": 0})
    monkeypatch.setattr(migrations, "MIGRATIONS", with_extra(m900_add_grades))

    with Store(data_dir) as store:
        assert "grades" in store.db.table_names()
        assert migrate(store.db, store.path) == []

    assert [n for _, n, _ in applied_rows(data_dir / DB_FILE)] == [*KNOWN, "m900_add_grades"]
    (backup,) = backups(data_dir)
    assert backup.name.startswith(f"{DB_FILE}.pre-m900_add_grades-")
    with raw_db(backup) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "grades" not in tables
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 2
        assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")] == KNOWN


def test_downgrade_after_a_later_migration_is_refused(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(migrations, "MIGRATIONS", with_extra(m900_add_grades))
        Store(data_dir).close()
    with pytest.raises(NewerDatabase, match="m900_add_grades"):
        Store(data_dir)


def test_failed_migration_leaves_no_trace_but_its_backup(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> None:
    Store(data_dir).close()
    monkeypatch.setattr(migrations, "MIGRATIONS", with_extra(m900_add_grades, m901_half_done))
    before = applied_rows(data_dir / DB_FILE)
    with pytest.raises(RuntimeError, match="half way"):
        Store(data_dir)
    # The migrations run as one transaction: m900 succeeded but is rolled back with m901.
    assert applied_rows(data_dir / DB_FILE) == before
    with raw_db(data_dir / DB_FILE) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert "half_done" not in tables
    assert "grades" not in tables
    assert len(backups(data_dir)) == 1
    # Nothing is stuck: the same database opens again once the bad migration is gone.
    clock.tick()
    monkeypatch.setattr(migrations, "MIGRATIONS", with_extra(m900_add_grades))
    with Store(data_dir) as store:
        assert "grades" in store.db.table_names()
    assert len(backups(data_dir)) == 2


# Regression test; the bug it was written for: migrate() names its pre-migration backup by the second (migrations.py,
# backup = ...{stamp}.bak), so a second attempt within the same second (e.g. a restart after a failed migration) dies
# with sqlite OperationalError 'output file already exists' from VACUUM INTO instead of migrating
def test_retrying_a_migration_within_the_same_second_works(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> None:
    Store(data_dir).close()
    monkeypatch.setattr(migrations, "MIGRATIONS", with_extra(m900_add_grades, m901_half_done))
    with pytest.raises(RuntimeError, match="half way"):
        Store(data_dir)
    monkeypatch.setattr(migrations, "MIGRATIONS", with_extra(m900_add_grades))
    with Store(data_dir) as store:
        assert "grades" in store.db.table_names()


def test_migrate_without_a_path_writes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite3"
    db = connect(path)
    try:
        db.execute("CREATE TABLE foreign_table (x INTEGER)")
        assert migrate(db, None) == KNOWN
    finally:
        db.close()
    assert list(tmp_path.glob("*.bak")) == []


# --- the SQLite floor -------------------------------------------------------------------------------


def test_bundled_sqlite_is_new_enough() -> None:
    check_sqlite_version()
    assert tuple(int(p) for p in store_db.sqlite_version().split(".")) >= (3, 51, 3)


@pytest.mark.parametrize("version", ["3.51.2", "3.50.9", "3.9.99", "2.99.99", "3.45.0"])
def test_sqlite_below_3_51_3_is_refused(
    version: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(store_db, "sqlite_version", lambda: version)
    with pytest.raises(OperatorError, match=rf"SQLite {version} is too old: 3\.51\.3 or newer") as refused:
        check_sqlite_version()
    assert "pysqlite3" in refused.value.hint
    with pytest.raises(OperatorError, match="too old"):
        Store(tmp_path / "data")
    assert not (tmp_path / "data" / DB_FILE).exists(), "no database may be created on a refused SQLite"


@pytest.mark.parametrize("version", ["3.51.3", "3.51.10", "3.52.0", "3.100.0", "4.0.0"])
def test_sqlite_at_or_above_3_51_3_is_accepted(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_db, "sqlite_version", lambda: version)
    check_sqlite_version()
