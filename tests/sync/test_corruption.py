"""Failure matrix row 18: a disk fault damages the bench database. The damage is found when the
bench starts, the last verified backup takes its place on a new stream, and sync then brings the
hub the union of both streams with nothing colliding."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.core.errors import OperatorError
from app.services.sync import SyncClient, SyncState
from app.store.db import backup_to
from app.store.restore import check_database, restore_backup
from app.store.store import DB_FILE, Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, record_events


def _sync(bench: Path) -> None:
    client = SyncClient(bench, timeout=10)
    try:
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0


def _damage_a_page(path: Path) -> None:
    """Overwrite one b-tree page in the middle of the file, as a failing sector would."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    page = len(data) // page_size // 2
    data[page * page_size:(page + 1) * page_size] = bytes(range(256)) * (page_size // 256)
    path.write_bytes(bytes(data))


def test_a_damaged_database_is_found_and_a_verified_backup_continues_on_a_new_stream(
    bench: Path, hub: RunningHub, tmp_path: Path, log_warnings: list[logging.LogRecord]
) -> None:
    record_events(bench, 300)
    with Store(bench) as store:
        old_stream = store.stream_id
        backup = backup_to(store.db, tmp_path / "verified.sqlite3")  # checked as it is written
    record_events(bench, 200, start=300)
    _sync(bench)
    assert check_database(bench / DB_FILE) == "ok"

    _damage_a_page(bench / DB_FILE)
    found = check_database(bench / DB_FILE)
    assert found != "ok"

    new_stream = restore_backup(bench / DB_FILE, backup)
    assert new_stream != old_stream
    assert check_database(bench / DB_FILE) == "ok"
    assert list(bench.glob(f"{DB_FILE}.damaged-*")), "the damaged file is kept for the investigation"
    with Store(bench) as store:
        assert store.stream_id == new_stream
    record_events(bench, 20, start=900)
    _sync(bench)

    held = hub_hashes(hub.storage)
    assert set(bench_hashes(bench).items()) <= set(held.items())
    assert sorted(seq for stream, seq in held if stream == old_stream) == list(range(1, 502))
    assert sorted(seq for stream, seq in held if stream == new_stream) == list(range(302, 322))
    assert any("restored from" in r.getMessage() for r in log_warnings)


def test_a_damaged_backup_is_refused_before_anything_is_replaced(bench: Path, tmp_path: Path) -> None:
    record_events(bench, 300)
    with Store(bench) as store:
        backup = backup_to(store.db, tmp_path / "verified.sqlite3")
    _damage_a_page(backup)
    before = (bench / DB_FILE).read_bytes()
    with pytest.raises(OperatorError, match="damaged too"):
        restore_backup(bench / DB_FILE, backup)
    assert (bench / DB_FILE).read_bytes() == before
