"""The app must exit with status 0 after background work has signalled the GUI thread.

PySide6 6.12.0 aborts at interpreter exit (status 134) once a signal has crossed threads; this
test is what lets us move off the 6.11 pin safely.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def test_app_exits_cleanly_after_cross_thread_signals(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "data"), "--simulate", "demo",
         "--json-logging", "--quit-after", "3"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    messages = [r["msg"] for r in records]
    # the start-up database check ran on a pool thread and its result reached the GUI thread
    assert "job startup-check finished (ok)" in messages
    assert not [r for r in records if r["level"] in ("ERROR", "CRITICAL")]


def test_unknown_scenario_is_refused_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "data"), "--simulate", "nope"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "no simulation scenario 'nope'" in proc.stderr
