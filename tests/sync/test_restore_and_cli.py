"""A bench restored from an old backup starts a new stream (nothing collides); the CLI end to end."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli import main as cli_main
from app.services.sync import SyncClient, SyncState
from app.store.db import backup_to
from app.store.store import DB_FILE, Store
from tests.hub.helpers import RunningHub, bench_hashes, free_env, hub_hashes, record_events

ROOT = Path(__file__).resolve().parents[2]


def test_bench_restored_from_an_old_backup_continues_on_a_new_stream(
    bench: Path, hub: RunningHub, tmp_path: Path, log_warnings: list[Any]
) -> None:
    record_events(bench, 50)
    with Store(bench) as store:
        old_stream = store.stream_id
        backup_to(store.db, tmp_path / "old.sqlite3")
    record_events(bench, 50, start=50)
    client = SyncClient(bench, timeout=5)
    try:
        assert client.sync_once().state is SyncState.IDLE
    finally:
        client.close()
    for suffix in ("", "-wal", "-shm"):
        (bench / f"{DB_FILE}{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "old.sqlite3", bench / DB_FILE)

    client = SyncClient(bench, timeout=5)
    try:
        client.sync_once()
        assert any("restored from a backup" in r.getMessage() for r in log_warnings)
        with Store(bench) as store:
            new_stream = store.stream_id
            assert new_stream != old_stream
        record_events(bench, 10, start=900)
        status = client.sync_once()
    finally:
        client.close()
    assert status.state is SyncState.IDLE, status.last_error
    assert status.pending == 0
    held = hub_hashes(hub.storage)
    assert set(bench_hashes(bench).items()) <= set(held.items())
    assert sorted(seq for stream, seq in held if stream == old_stream) == list(range(1, 102))
    assert sorted(seq for stream, seq in held if stream == new_stream) == list(range(52, 62))


def _run(*argv: str) -> int:
    return cli_main(list(argv))


def test_cli_serves_enrolls_syncs_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub_dir, bench = tmp_path / "hub", tmp_path / "bench"
    server = subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--data-dir", str(hub_dir), "--port", "0"],
                              cwd=ROOT, env=free_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        assert server.stderr is not None
        line = server.stdout.readline()
        assert line.startswith("hub listening on http://127.0.0.1:"), line + server.stderr.read()
        url = line.split()[-1]
        assert _run("hub", "enroll-code", "--data-dir", str(hub_dir), "--bench-name", "Bench 9") == 0
        code = capsys.readouterr().out.strip()
        assert _run("--data-dir", str(bench), "sync", "enroll", "--hub", url, "--code", code) == 0
        assert "Bench 9" in capsys.readouterr().out
        record_events(bench, 25)
        assert _run("--data-dir", str(bench), "sync", "--once") == 0
        capsys.readouterr()
        assert _run("--data-dir", str(bench), "sync", "--status", "--json") == 0
        status = json.loads(capsys.readouterr().out)
        assert {k: status[k] for k in ("last_seq", "pending", "hub_hwm")} == {"last_seq": 26, "pending": 0,
                                                                             "hub_hwm": 26}
        assert status["stream_id"]
        assert status["last_success"]
        assert status["last_error"] == ""
        # a used code is refused in one line, exit 2
        assert _run("--data-dir", str(tmp_path / "other"), "sync", "enroll", "--hub", url, "--code", code) == 2
        assert "unknown, used or expired" in capsys.readouterr().err
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        if server.stdout:
            server.stdout.close()
        if server.stderr:
            server.stderr.close()
