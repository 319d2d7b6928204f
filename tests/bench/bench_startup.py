"""Cold start to an interactive window: a new process until the window is shown and the event loop runs.

Target: < 1.0 s, median of N runs, on an existing data folder (second and later starts) and on a
fresh one (first start: station key, migrations, first event). Three measurements:

* The real app as a subprocess, ``python -m app --data-dir D --json-logging --quit-after 0.5``.
  Every log record is a JSON line with its time.time(); the clock starts just before the process
  is spawned. The app logs "job startup-check started" right after ``window.show()`` (shown) and
  "job startup-check finished" from a queued signal, which only an event loop that is running can
  deliver (interactive; an upper bound, as the check itself runs on a pool thread meanwhile).
  Also: wall time to process exit minus the 0.5 s quit delay, an upper bound that includes
  shutting down. (``--quit-after 0`` would never quit: the app treats 0 as "not set".)
* In-process, in a fresh interpreter: import, QApplication, Store, MainWindow, show, then until a
  ``QTimer.singleShot(0)`` fires — the steps of ``run_gui`` minus argument parsing and the
  background start-up check; it gives the phase breakdown. Also run on a copy of the large
  (1,000,000-unit) data folder.
* Peer: ``python -c`` importing PySide6.QtWidgets and showing an empty QMainWindow until a
  singleShot(0) fires — the floor for any PySide6 app on this machine.

One unmeasured run first warms the OS file cache (the benchmark cannot drop caches), so "cold"
means a new process, not a cold disk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench import bench_dataset
from tests.bench.bench_util import (
    ROOT,
    Results,
    Row,
    Sizes,
    copy_data_dir,
    median,
    progress,
    scratch_dir,
    section_main,
)

SECTION = "Start-up"
TARGET_S = 1.0
QUIT_AFTER_S = 0.5
SHOWN_MSG = "job startup-check started"
READY_MSG = "job startup-check finished"

IN_PROCESS = r"""
import time
marks = {"python": time.time()}
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app import APP_NAME, __version__
from app.log import setup_logging
from app.settings import load_settings
from app.store.store import Store
from app.ui.main_window import MainWindow
marks["imports"] = time.time()
data_dir = Path(sys.argv[1])
data_dir.mkdir(parents=True, exist_ok=True)
setup_logging(data_dir)
app = QApplication(sys.argv[:1])
app.setApplicationName(APP_NAME)
app.setApplicationVersion(__version__)
marks["qapplication"] = time.time()
store = Store(data_dir)
settings = load_settings(data_dir)
marks["store"] = time.time()
window = MainWindow(store, settings)
marks["window"] = time.time()
window.show()
marks["shown"] = time.time()
def ready():
    marks["event_loop"] = time.time()
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
window.shutdown()
store.close()
print(json.dumps(marks))
"""

PEER = r"""
import time
marks = {"python": time.time()}
import json, sys
import PySide6.QtWidgets
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
marks["imports"] = time.time()
app = QApplication(sys.argv[:1])
marks["qapplication"] = time.time()
window = QMainWindow()
window.resize(1280, 800)
window.show()
marks["shown"] = time.time()
def ready():
    marks["event_loop"] = time.time()
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
print(json.dumps(marks))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def run_app(data_dir: Path) -> dict[str, float]:
    """Seconds from spawn to shown, to the first event-loop delivery, and to exit (minus the quit delay)."""
    args = [sys.executable, "-m", "app", "--data-dir", str(data_dir), "--json-logging",
            "--quit-after", str(QUIT_AFTER_S)]
    started = time.time()
    proc = subprocess.run(args, env=_env(), cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    ended = time.time()
    if proc.returncode != 0:
        raise RuntimeError(f"the app exited with {proc.returncode}: {proc.stderr[-1000:]}")
    records = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    times = {r["msg"]: float(r["t"]) for r in records}
    shown = next(t for m, t in times.items() if m.startswith(SHOWN_MSG))
    ready = next(t for m, t in times.items() if m.startswith(READY_MSG))
    first = min(times.values())
    return {"log_start": first - started, "shown": shown - started, "ready": ready - started,
            "exit": ended - started - QUIT_AFTER_S}


def run_script(script: str, *argv: str) -> dict[str, float]:
    """Phase times (seconds since spawn) printed by a child script."""
    started = time.time()
    proc = subprocess.run([sys.executable, "-c", script, *argv], env=_env(), cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    ended = time.time()
    if proc.returncode != 0:
        raise RuntimeError(f"start-up child exited with {proc.returncode}: {proc.stderr[-1000:]}")
    marks = json.loads(proc.stdout.strip().splitlines()[-1])
    out = {name: t - started for name, t in marks.items()}
    out["exit"] = ended - started
    return out


def medians(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: median([s[key] for s in samples]) for key in samples[0]}


def phases(m: dict[str, float]) -> str:
    order = [k for k in ("python", "imports", "qapplication", "store", "window", "shown", "event_loop") if k in m]
    steps, previous = [], 0.0
    for key in order:
        steps.append(f"{key} +{(m[key] - previous) * 1000:.0f}")
        previous = m[key]
    return ", ".join(steps) + " ms"


def run(sizes: Sizes) -> Results:
    results = Results(peers={
        "S": "python -c 'import PySide6.QtWidgets', QApplication, an empty QMainWindow shown, "
             "until QTimer.singleShot(0) fires (same spawn-to-marker clock)",
    })
    n = sizes.startup_runs
    with scratch_dir("startup-") as folder:
        existing = folder / "existing"
        progress(f"start-up: {n} runs each (app, in-process, peer), existing and fresh data folders")
        run_app(existing)  # first start of this folder, and warms the file cache; not counted
        run_script(PEER)
        peer = medians([run_script(PEER) for _ in range(n)])
        app_existing = medians([run_app(existing) for _ in range(n)])
        app_fresh = medians([run_app(folder / f"fresh-app-{i}") for i in range(n)])
        inproc_existing = medians([run_script(IN_PROCESS, str(existing)) for _ in range(n)])
        inproc_fresh = medians([run_script(IN_PROCESS, str(folder / f"fresh-inproc-{i}")) for i in range(n)])
        dataset = bench_dataset.ensure(sizes.units)
        large = copy_data_dir(dataset.data_dir, folder / "large")
        run_script(IN_PROCESS, str(large))
        inproc_large = medians([run_script(IN_PROCESS, str(large)) for _ in range(n)])

    def row(label: str, ours: float, peer_value: float, note: str = "", target: float | None = TARGET_S) -> Row:
        return Row(SECTION, label, ours, "s", target, peer=peer_value, peer_key="S", note=note)

    def app_note(m: dict[str, Any]) -> str:
        return (f"median of {n}: first log line at {m['log_start']:.3f} s, window shown at {m['shown']:.3f} s, "
                f"event loop delivering at {m['ready']:.3f} s")

    results.rows += [
        row(f"app → event loop running, existing folder (median of {n})", app_existing["ready"], peer["event_loop"],
            app_note(app_existing)),
        row(f"app → event loop running, fresh folder (median of {n})", app_fresh["ready"], peer["event_loop"],
            app_note(app_fresh)),
        row("  app wall time to exit − quit delay, existing folder", app_existing["exit"], peer["exit"],
            "upper bound: includes closing the window, waiting for the pool and interpreter exit"),
        row("  app wall time to exit − quit delay, fresh folder", app_fresh["exit"], peer["exit"]),
        row(f"in-process → singleShot(0), existing folder (median of {n})", inproc_existing["event_loop"],
            peer["event_loop"], f"phases (ms after the previous one): {phases(inproc_existing)}"),
        row(f"in-process → singleShot(0), fresh folder (median of {n})", inproc_fresh["event_loop"],
            peer["event_loop"], f"phases: {phases(inproc_fresh)}"),
        row(f"in-process → singleShot(0), {dataset.units:,}-unit folder (median of {n})", inproc_large["event_loop"],
            peer["event_loop"], f"phases: {phases(inproc_large)}"),
    ]
    results.notes.append(f"Start-up peer phases: {phases(peer)}")
    return results


def main() -> int:
    return section_main("bench_startup", run)


if __name__ == "__main__":
    raise SystemExit(main())
