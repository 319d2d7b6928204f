"""Which files in the data folder count as backups, and which of them a restore may trust."""

from __future__ import annotations

import os
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3

from app.store.backups import BACKUP_FOLDER, list_backups, new_backup_path, newest_verified
from app.store.store import DB_FILE
from tests.store.db_damage import damage_a_page, record_bay_events, write_backup


def _age(path: Path, seconds: float) -> None:
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_empty_foreign_and_damaged_files_are_listed_but_never_offered(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    record_bay_events(data_dir, 300)
    good = write_backup(data_dir)
    _age(good, 300)
    folder = data_dir / BACKUP_FOLDER
    (folder / "empty.sqlite3").write_bytes(b"")  # a copy that never got written: SQLite calls it a valid database
    foreign = sqlite3.connect(str(folder / "foreign.sqlite3"))
    foreign.execute("CREATE TABLE t (x)")
    foreign.close()
    damaged = write_backup(data_dir)
    damage_a_page(damaged)

    found = {info.path.name: info for info in list_backups(data_dir)}
    assert set(found) == {good.name, damaged.name, "empty.sqlite3", "foreign.sqlite3"}
    assert found[good.name].ok
    assert found[good.name].events == 301
    assert "no event log" in found["empty.sqlite3"].check
    assert "no event log" in found["foreign.sqlite3"].check
    assert not found[damaged.name].ok
    newest = newest_verified(data_dir)
    assert newest is not None
    assert newest.path == good


def test_pre_migration_copies_count_and_the_newest_verified_wins(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    record_bay_events(data_dir, 10)
    older = write_backup(data_dir)
    _age(older, 3600)
    record_bay_events(data_dir, 10, start=10)
    pre_migration = data_dir / f"{DB_FILE}.pre-0007_example-20261204T000000000000Z.bak"
    pre_migration.write_bytes((data_dir / DB_FILE).read_bytes())  # closed, checkpointed: a consistent copy
    newest = newest_verified(data_dir)
    assert newest is not None
    assert newest.path == pre_migration
    assert newest.events == 21
    assert [i.path for i in list_backups(data_dir)] == [pre_migration, older]


def test_new_backup_paths_never_collide(tmp_path: Path) -> None:
    first = new_backup_path(tmp_path)
    first.write_bytes(b"x")
    second = new_backup_path(tmp_path)
    assert second != first
    assert second.parent == tmp_path / BACKUP_FOLDER
    assert (tmp_path / BACKUP_FOLDER).stat().st_mode & 0o077 == 0, "backups hold PIN hashes: owner only"
