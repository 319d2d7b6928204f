"""The crash test: SIGKILL a writing process at random moments and check that nothing it reported is lost
and that the database, the projections and the signed chain still agree after every kill."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.store import audit
from app.store.db import connect
from app.store.keys import KEY_FILE, load_or_create_key, public_key_from_text, public_key_text
from app.store.migrations import migrate
from app.store.store import DB_FILE, Store

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("append_worker.py")
RUNS = 36
SEED = 20261122


def _wait_for_ready(out_path: Path, proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out_path.read_bytes().startswith(b"ready\n"):
            return
        if proc.poll() is not None:
            return  # it died on its own; the caller reports its stderr
        time.sleep(0.002)
    pytest.fail("the worker did not open the store in time")


@contextlib.contextmanager
def _worker(
    data_dir: Path, work: Path, name: str, pause_ms: float = 0
) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    """A running append worker writing to work/NAME.out and .err; killed and reaped on exit."""
    out_path, err_path = work / f"{name}.out", work / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(data_dir), str(pause_ms)], stdout=out, stderr=err, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            yield proc, out_path, err_path
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)


def _reported(proc: subprocess.Popen[bytes], out_path: Path, err_path: Path) -> list[tuple[int, str]]:
    """The (seq, event_id) pairs a SIGKILLed worker reported as committed."""
    assert proc.returncode == -signal.SIGKILL, (
        f"{out_path.stem} ended by itself (exit {proc.returncode}):\n{err_path.read_text(errors='replace')}"
    )
    text = out_path.read_text()
    # A line cut off by the kill has no newline yet; its write had not finished, so it promised nothing.
    complete = text[: text.rfind("\n") + 1]
    reported = []
    for line in complete.splitlines():
        if line == "ready":
            continue
        seq, event_id = line.split()
        reported.append((int(seq), event_id))
    return reported


def _run_worker(data_dir: Path, work: Path, run: int, delay: float, after_ready: bool) -> list[tuple[int, str]]:
    """Start a worker, SIGKILL it ``delay`` seconds after start (or after it opened the store) and return
    the (seq, event_id) pairs it reported as committed."""
    with _worker(data_dir, work, f"worker{run}") as (proc, out_path, err_path):
        if after_ready:
            _wait_for_ready(out_path, proc)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    return _reported(proc, out_path, err_path)


@contextlib.contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def _count(conn: sqlite3.Connection, sql: str, *params: object) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


def _check_after_kill(data_dir: Path, reported: list[tuple[int, str]], run: int) -> int:
    """Every invariant that must hold after a kill; returns the number of events in the log."""
    path = data_dir / DB_FILE
    if not path.exists():
        assert not reported, f"run {run}: events reported but no database"
        return 0
    with _open(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"run {run}"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "events" not in tables:
            # Killed before the first migration committed: it must have left nothing half-made.
            assert not reported, f"run {run}"
            assert "_sqlite_migrations" not in tables or _count(conn, "SELECT count(*) FROM _sqlite_migrations") == 0
            return 0
        stored = dict(conn.execute("SELECT seq, event_id FROM events").fetchall())
        for seq, event_id in reported:
            assert stored.get(seq) == event_id, f"run {run}: reported event seq {seq} ({event_id}) is lost"

        def events(kind: str) -> int:
            return _count(conn, "SELECT count(*) FROM events WHERE type = ?", kind)

        # Event and projection rows commit together, or neither does.
        assert _count(conn, "SELECT count(*) FROM units") == events("unit.created"), f"run {run}"
        assert _count(conn, "SELECT count(*) FROM unit_identifiers") == events("unit.created"), f"run {run}"
        assert _count(conn, "SELECT count(*) FROM units WHERE state = 'identified'") == events(
            "unit.state_changed"
        ), f"run {run}"
        assert _count(conn, "SELECT count(*) FROM lots") == events("lot.created"), f"run {run}"
        assert _count(conn, "SELECT count(*) FROM lot_receipts") == events("lot.unit_received"), f"run {run}"
        assert _count(conn, "SELECT count(*) FROM units WHERE lot_id IS NOT NULL") == events("lot.unit_received")
        # The station identity and its first event are one transaction.
        has_identity = _count(conn, "SELECT count(*) FROM meta WHERE key IN ('station_id', 'stream_id')") == 2
        assert has_identity == (events("station.initialised") == 1), f"run {run}"
        total = len(stored)
    if total == 0:
        return 0
    private = serialization.load_pem_private_key((data_dir / KEY_FILE).read_bytes(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    db = connect(path)
    try:
        recorded = db.execute("SELECT value FROM meta WHERE key = 'public_key'").fetchone()[0]
        assert recorded == public_key_text(private.public_key()), "the log is signed by the folder's key"
        report = audit.verify(db, public_key_from_text(recorded))
    finally:
        db.close()
    assert report.ok, f"run {run}: {report.describe()}"
    assert report.checked == total
    return total


@pytest.mark.slow
def test_sigkill_during_appends_loses_nothing_reported_and_keeps_log_and_projections_consistent(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    data_dir = tmp_path / "data"
    work = tmp_path / "work"
    work.mkdir()
    all_reported: list[tuple[int, str]] = []
    kills_with_events = 0
    started = time.monotonic()
    for run in range(RUNS):
        # Most kills are timed from the moment the store is open, so they land among the appends; every
        # fourth is timed from the process start, so some land while the store is being opened.
        after_ready = run % 4 != 1
        delay = rng.uniform(0.020, 0.250)
        reported = _run_worker(data_dir, work, run, delay, after_ready)
        total = _check_after_kill(data_dir, reported, run)
        if reported:
            kills_with_events += 1
            assert reported[-1][0] <= total
        all_reported.extend(reported)
        assert time.monotonic() - started < 100, "the crash test is far slower than intended"

    seqs = [seq for seq, _ in all_reported]
    assert seqs == sorted(set(seqs)), "each committed seq is reported once, in order, across workers"
    # The test means nothing if the kills never hit a process that was writing.
    assert kills_with_events >= RUNS // 2
    assert len(all_reported) >= 10 * RUNS


@pytest.mark.slow
def test_sigkill_while_a_new_folder_is_set_up_leaves_it_usable(tmp_path: Path) -> None:
    """Kill the very first start of a station (key, migration, station.initialised) at random moments: the
    folder must be consistent afterwards and the next start must open it and write."""
    rng = random.Random(SEED + 1)
    work = tmp_path / "work"
    work.mkdir()
    for folder in range(10):
        data_dir = tmp_path / f"data{folder}"
        # Time to "ready" on a new folder is about 0.15-0.3 s, most of it imports; aim at the set-up after them.
        first = _run_worker(data_dir, work, 2 * folder, rng.uniform(0.09, 0.25), after_ready=False)
        _check_after_kill(data_dir, first, 2 * folder)
        second = _run_worker(data_dir, work, 2 * folder + 1, rng.uniform(0.02, 0.06), after_ready=True)
        assert second, f"folder {folder}: the start after the interrupted one wrote nothing"
        assert _check_after_kill(data_dir, second, 2 * folder + 1) >= second[-1][0]
        with _open(data_dir / DB_FILE) as conn:
            assert _count(conn, "SELECT count(*) FROM events WHERE type = 'station.initialised'") == 1


@pytest.mark.slow
def test_two_processes_appending_at_once_share_one_intact_chain(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE serialises writers: two processes appending at once never take the same seq, lose a
    reported event or break the chain, even when both are killed mid-write."""
    data_dir = tmp_path / "data"
    Store(data_dir).close()  # opened once first: opening a new folder from two processes at once is racy (below)
    work = tmp_path / "work"
    work.mkdir()
    for round_no in range(3):
        with _worker(data_dir, work, f"a{round_no}", 2) as a, _worker(data_dir, work, f"b{round_no}", 2) as b:
            _wait_for_ready(a[1], a[0])
            _wait_for_ready(b[1], b[0])
            time.sleep(0.3)
            a[0].send_signal(signal.SIGKILL)
            b[0].send_signal(signal.SIGKILL)
        from_a, from_b = _reported(*a), _reported(*b)
        assert from_a, "worker a never got to write"
        assert from_b, "worker b never got to write"
        seqs_a, seqs_b = {seq for seq, _ in from_a}, {seq for seq, _ in from_b}
        assert not seqs_a & seqs_b
        assert min(seqs_b) < max(seqs_a), "the two workers' writes should interleave"
        _check_after_kill(data_dir, from_a + from_b, round_no)


_OPENER = "import sys; from pathlib import Path; from app.store.store import Store\n" \
          "with Store(Path(sys.argv[1])) as store: print(store.station_id)"


def _sleeping_in_busy_handler(pid: int) -> bool:
    # SQLite's busy handler waits for a lock by sleeping; nothing else in opening a store sleeps.
    with contextlib.suppress(OSError):
        return "nanosleep" in Path(f"/proc/{pid}/wchan").read_text()
    return False


# Regression test; the bug it was written for: Store._identity (app/store/store.py) reads meta station_id outside the
# write transaction, so two processes opening a new data folder at once both decide to initialise it and the second
# dies with IntegrityError 'UNIQUE constraint failed: meta.key'
def test_two_processes_opening_a_new_folder_at_once_agree_on_one_station(tmp_path: Path) -> None:
    if not Path("/proc/self/wchan").exists():
        pytest.skip("needs /proc/PID/wchan to see a process wait for a lock")
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    path = data_dir / DB_FILE
    # The state a first start reaches just before it records station.initialised: key made, schema migrated.
    load_or_create_key(data_dir)
    holder = connect(path)
    migrate(holder, path)
    # Hold the write lock so that both processes look for an identity, find none, and queue for the lock.
    holder.execute("BEGIN IMMEDIATE")
    procs = [
        subprocess.Popen([sys.executable, "-c", _OPENER, str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 4  # well inside the store's 5 s busy_timeout
        waiting: set[int] = set()
        while len(waiting) < 2 and time.monotonic() < deadline:
            waiting |= {p.pid for p in procs if _sleeping_in_busy_handler(p.pid)}
            time.sleep(0.002)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    outputs = [p.communicate(timeout=30) for p in procs]
    if len(waiting) < 2:
        pytest.skip("could not see both processes wait for the write lock")
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    assert outputs[0][0] == outputs[1][0]
    with _open(path) as conn:
        assert _count(conn, "SELECT count(*) FROM events WHERE type = 'station.initialised'") == 1
