"""Power loss (failure matrix rows 1, 2, 10, 22): the bench's code runs on a FUSE file system that
keeps unsynced writes in memory only; the process is killed at a chosen point and the power cut
drops everything not fsynced, then the database that survived is opened on an ordinary disk."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pysqlite3.dbapi2 as sqlite3
import pytest

from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
from app.store import migrations, projections
from app.store.db import connect
from app.store.store import DB_FILE, Store
from tests.hub.helpers import RunningHub, bench_hashes, hub_hashes, record_events
from tests.sync.lossyfs import LossyMount, fuse_available

ROOT = Path(__file__).resolve().parents[2]
LAST_MIGRATION = migrations.MIGRATIONS._migrations[-1].name


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[LossyMount]:
    reason = fuse_available()
    if reason is not None:
        pytest.fail(f"the power-loss tests need a FUSE mount: {reason} (make test installs fuse as root)")
    with LossyMount(tmp_path / "mnt", tmp_path / "survived") as mounted:
        try:
            yield mounted
        finally:
            while _RUNNING:  # a test that failed before its kill leaves no writer behind
                _RUNNING.pop().kill()


_RUNNING: list[Child] = []


class Child:
    """tests/sync/power_child.py in a process of its own, read line by line."""

    def __init__(self, *argv: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.sync.power_child", *argv], cwd=ROOT,
                                     stdout=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        _RUNNING.append(self)

    def wait_for(self, prefix: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        stdout: IO[str] | None = self.proc.stdout
        assert stdout is not None
        while time.monotonic() < deadline:
            line = stdout.readline()
            if not line:
                raise AssertionError(f"the child ended (code {self.proc.wait()}) before printing {prefix!r}")
            self.lines.append(line.strip())
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError(f"the child did not print {prefix!r} in {timeout} s")

    def kill(self) -> None:
        if self in _RUNNING:
            _RUNNING.remove(self)
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def committed(self) -> list[int]:
        return [int(line.split()[1]) for line in self.lines if line.startswith("committed")]


def _durably_copy(source: Path, target: Path) -> None:
    """Put a file on the lossy mount and fsync it, as an installer copying a database would."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
        dst.flush()
        os.fsync(dst.fileno())


def _projections(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {t: [tuple(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()]
            for t in migrations.PROJECTION_TABLES}


def assert_consistent(data_dir: Path) -> int:
    """Integrity ok, no partial unit, projections equal to the log rebuilt; returns the last seq."""
    db = connect(data_dir / DB_FILE)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        last = int(db.execute("SELECT MAX(seq) FROM events").fetchone()[0])
        # seq 1 initialises the station; every unit of work after it is three events in one transaction
        assert (last - 1) % 3 == 0, f"a unit of work is cut in half: the log ends at seq {last}"
        head = db.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()[0]
        assert head.startswith(f"{last}:")
        stored = _projections(db)
        db.conn.execute("BEGIN IMMEDIATE")
        projections.rebuild(db)
        rebuilt = _projections(db)
        db.conn.execute("ROLLBACK")
        assert stored == rebuilt
        return last
    finally:
        db.close()


def test_power_cut_inside_a_transaction_leaves_no_partial_unit(mount: LossyMount) -> None:
    """Row 1: killed between the first write of a unit and its COMMIT, then the cache is lost."""
    child = Child("write", str(mount.mountpoint / "bench"), "5", "--pause-in-tx")
    child.wait_for("in-tx")
    child.kill()
    survived = mount.power_cut() / "bench"
    assert assert_consistent(survived) == child.committed()[-1] == 16


@pytest.mark.parametrize("seed", range(4))
def test_power_cut_at_a_random_moment_keeps_every_committed_unit(mount: LossyMount, seed: int) -> None:
    """Rows 1 and 2 at an unplanned moment: whatever COMMIT returned is there, nothing half-written."""
    child = Child("write", str(mount.mountpoint / "bench"), "100000")
    child.wait_for("committed")
    time.sleep(random.Random(seed).uniform(0.05, 1.5))
    child.kill()
    survived = mount.power_cut() / "bench"
    last = assert_consistent(survived)
    assert child.committed()
    assert last >= child.committed()[-1]


def test_power_cut_right_after_commit_keeps_the_rows(mount: LossyMount) -> None:
    """Row 2: with synchronous=FULL every id printed after COMMIT returned is there after the cut."""
    child = Child("write", str(mount.mountpoint / "bench"), "30")
    for _ in range(30):
        child.wait_for("committed")
    child.kill()
    survived = mount.power_cut() / "bench"
    assert assert_consistent(survived) == child.committed()[-1] == 91


def test_harness_drops_unsynced_commits_with_synchronous_normal(mount: LossyMount) -> None:
    """Row 2's harness check: with synchronous=NORMAL the WAL is not fsynced at COMMIT, and the cut
    loses the committed suffix, so the harness really drops what the disk never got."""
    child = Child("write", str(mount.mountpoint / "bench"), "30", "--normal")
    for _ in range(30):
        child.wait_for("committed")
    child.kill()
    survived = mount.power_cut() / "bench"
    last = assert_consistent(survived)
    assert last < child.committed()[-1] == 91


def _old_schema_database(tmp_path: Path) -> Path:
    """A database as the build before the newest migration left it, with data in it."""
    path = tmp_path / "old.sqlite3"
    db = connect(path)
    migrations.MIGRATIONS.apply(db, stop_before=LAST_MIGRATION)
    db.execute("INSERT INTO meta (key, value) VALUES ('probe', 'kept')")
    db.close()
    return path


def _applied(db: Any) -> list[str]:
    return [m.name for m in migrations.MIGRATIONS.applied(db)]


def test_power_cut_during_a_migration_leaves_the_old_schema(mount: LossyMount, tmp_path: Path) -> None:
    """Row 22, cut inside the migration's transaction: the old schema and its data are intact."""
    bench = mount.mountpoint / "bench"
    bench.mkdir()
    _durably_copy(_old_schema_database(tmp_path), bench / DB_FILE)
    child = Child("migrate", str(bench))
    child.wait_for("migrating")
    child.kill()
    survived = mount.power_cut() / "bench"
    db = connect(survived / DB_FILE)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        expected = [m.name for m in migrations.MIGRATIONS._migrations[:-1]]
        assert _applied(db) == expected
        assert db.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "kept"
    finally:
        db.close()
    # The copy taken before migrating survived the cut too, whole.
    backups = list(survived.glob(f"{DB_FILE}.pre-{LAST_MIGRATION}-*.bak"))
    assert len(backups) == 1
    copy = sqlite3.connect(str(backups[0]))
    try:
        assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "kept"
    finally:
        copy.close()
    # And the app migrates it on the next start.
    Store(survived).close()


def test_power_cut_after_a_migration_keeps_the_new_schema(mount: LossyMount, tmp_path: Path) -> None:
    """Row 22, cut once the migration returned: the new schema is complete, the data still there."""
    bench = mount.mountpoint / "bench"
    bench.mkdir()
    _durably_copy(_old_schema_database(tmp_path), bench / DB_FILE)
    child = Child("migrate", str(bench), "--through")
    child.wait_for("migrated")
    child.kill()
    survived = mount.power_cut() / "bench"
    db = connect(survived / DB_FILE)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert _applied(db) == [m.name for m in migrations.MIGRATIONS._migrations]
        assert db.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "kept"
    finally:
        db.close()


def _bench_on_mount(mount: LossyMount, hub: RunningHub) -> Path:
    bench = mount.mountpoint / "bench"
    Store(bench).close()
    enroll(bench, hub.url, hub.hub.create_enrollment_code("Bench 1"), timeout=5)
    record_events(bench, 120)
    return bench


def _hub_hwm_in_cursor(data_dir: Path) -> int:
    db = connect(data_dir / DB_FILE)
    try:
        row = db.execute("SELECT hub_hwm FROM sync_streams").fetchone()
        return int(row[0]) if row else 0
    finally:
        db.close()


def _sync_to_the_end(data_dir: Path, hub: RunningHub) -> None:
    client = SyncClient(data_dir, timeout=10)
    try:
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0
    held = hub_hashes(hub.storage)
    assert held == bench_hashes(data_dir)  # every event once, none missing, none extra


@pytest.mark.parametrize("in_ack", [True, False], ids=["inside-ack-tx", "after-ack-commit"])
def test_power_cut_while_marking_acked_is_safe_either_way(
    mount: LossyMount, hub: RunningHub, in_ack: bool
) -> None:
    """Row 10: the hub holds the batch; the bench's ack is lost (cut inside its transaction) or kept
    (cut after its COMMIT). Either way the next session ends with every event on the hub once."""
    bench = _bench_on_mount(mount, hub)
    child = Child("sync", str(bench), *(["--pause-in-ack"] if in_ack else []))
    line = child.wait_for("ack-in-tx" if in_ack else "acked")
    child.kill()
    hwm = int(line.split()[1])
    survived = mount.power_cut() / "bench"
    db = connect(survived / DB_FILE)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    assert _hub_hwm_in_cursor(survived) == (0 if in_ack else hwm)
    _sync_to_the_end(survived, hub)
