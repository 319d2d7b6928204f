"""Run every benchmark and print one table of figures: ``make bench`` (``make bench ARGS=--quick``).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.run_all [--quick] [--only NAMES]

Rows, each with its target, a peer baseline measured in the same run, ours/peer and PASS/MISS:

1. Append: events/s through ``Store.record``, one event per transaction, synchronous=FULL,
   ≥ 2,000/s over ≥ 3 s or 10,000 events. Peer: plain pysqlite3 INSERT of a row of the same size
   per transaction, same pragmas, no hashing or signing.
2. Start-up: a new process until the window is shown and the event loop runs, < 1.0 s (median of
   5; existing and fresh data folder; the real ``python -m app`` and an in-process build). Peer:
   ``import PySide6.QtWidgets`` + an empty QMainWindow shown.
3. Lookup: ``find_unit`` by exact IMEI and ``search_units`` by a 4–8 character serial prefix on
   1,000,000 units, 1,000 random queries each, p99 < 5 ms. Peer: the same queries on one plain
   table of the same units, no query layer. A lookup kind that has used 200 s stops early and
   the table says how many queries ran (with today's search_units, 1,000 prefixes take ~3 min).
4. Scan: keyboard-wedge scan of a new IMEI until the unit page shows it, p50/p99 < 50 ms, 250
   scans on a new bench and on 1,000,000 units. Peer: a bare QLineEdit + one durable INSERT.
5. Erase (as root: loop devices): the overwrite engine on 1, 2 and 4 drives at once beside
   ``dd oflag=direct`` (zero pass ≥ 0.9×, random pass ≥ 0.8× dd's zero pass; verify read ≥ 0.9×
   ``dd iflag=direct``), ``shred -n1`` and nwipe (erase + verify ≥ 5× nwipe, same method), with
   CPU-seconds per GB and peak memory; a 10 ms QTimer's p99 lateness while 4 erasures run < 50 ms.
   Last, because it keeps the disk busy for about two minutes.
6. Rigs: a SCPI query and an AT command round trip over a pty (p50, p99) against the time the same
   bytes take on a 115200-baud line; peer: bare pyserial write + read_until to the same simulator.
   A 50-step plan's wall time, overhead beyond its programmed waits < 5 % (median of runs after a
   warm-up); peer: the programmed waits. Runs before Erase (listed here after it for numbering).
7. Phones (emulated phones behind a private adb server): connect to identified through the Phones tab
   for 1 and 8 phones, < 2 s for 8 (peer: ``adb connect`` + ``adb shell getprop``); the app's overhead
   on a full automatic plan beyond the phone's own command time, < 1 s (peer: the same commands as
   ``adb shell`` processes). Runs before Erase.
8. Grading: grade one unit < 5 ms (peer: checking the inspection alone), one label as ZPL and as PDF
   < 50 ms, 1,000 different units' PDF labels as one job < 6 s (peer: reportlab's stock barcode
   widgets), and the keys from scan to printed label for a typical phone on the real Grade tab ≤ 12
   (the label sent to the network printer simulator). Runs before Erase.
9. Sync: 100,000 events drained bench -> hub over loopback (SQLite hub, PostgreSQL hub) ≥ 5,000/s
   (peer: the same rows into a plain table of that database, 500 per transaction); 200 benches
   pushing at once to the PostgreSQL hub, ≥ 5,000 events/s and p99 batch latency < 500 ms. The
   bench's month-offline log is built once and cached in .bench/. Runs before Erase.
10. Dashboard: KPI refresh (KpiService.snapshot of today) after 100 new events on a bench whose log holds
   1,000,000 events, p50/p99 < 200 ms (peer: a plain SQL GROUP BY state over the units table of the same
   database); the week's refresh and the first snapshot (the whole log folded) as info. The month's log
   is built once and cached in .bench/. Runs before Erase.
11. Reports: the customer report of a 5,000-unit lot (events read from the bench's log, report built with
   its sustainability figures, PDF rendered) < 10 s; peer: reportlab writing a plain table of the same
   rows. CSV and JSON of the same report as info. Runs before Erase.

12. Hub KPI: ``GET /v1/kpi`` over HTTP on a hub holding 100,000 events of four benches, after 100 new
   events (p50/p99), SQLite and PostgreSQL; peer: ``hub_snapshot`` folding every row. Runs before Erase.

``--quick`` is a smoke run of the same code paths with smaller sizes: 100,000 units, 2,000 events
(or 1 s), 300 queries, 50 scans, 3 start-up runs, 64 MiB drives erased once; about two minutes.
``--only`` picks sections (comma-separated: append, startup, lookup, scan, rigs, phones, grading, sync,
dashboard, reports, hub_kpi, erase).

Each section runs in its own interpreter (``python -m tests.bench.bench_<name>``, which also runs
alone and prints its own table), so one section's heap or Qt state cannot colour another's.
The large database is built once (about a minute for 1,000,000 units) and cached under .bench/
(gitignored), keyed by a fingerprint of the schema; ``make clean`` or deleting .bench/ rebuilds it.
Scratch data folders live in .bench/tmp/ (on the project's disk, so fsync is real) and are removed.

Exit status: 0 when every benchmark ran, whether or not its target was met (a missed target
prints MISS: this is a report, not a test); 1 when a benchmark could not run at all.
Benchmark modules are named bench_*.py and define no test_* functions: pytest never collects them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

from tests.bench.bench_util import ROOT, Results, Row, Sizes, print_table, progress, scratch_dir

# Append first, while the disk is quiet: its figure is one fsync per event.
SECTIONS = ("append", "startup", "lookup", "scan", "rigs", "phones", "grading", "sync", "dashboard", "reports",
            "hub_kpi", "erase")
TITLES = {"startup": "Start-up", "append": "Append", "lookup": "Lookup", "scan": "Scan", "erase": "Erase",
          "rigs": "Rigs", "phones": "Phones", "grading": "Grading", "sync": "Sync",
          "dashboard": "Dashboard", "reports": "Reports", "hub_kpi": "Hub KPI"}


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            "PYTHONPATH": str(ROOT)}


def versions() -> str:
    probe = (
        "import PySide6, pysqlite3.dbapi2 as s, cryptography; "
        "print(PySide6.__version__, s.sqlite_version, cryptography.__version__)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), check=False)
    pyside, sqlite, crypto = [*out.stdout.split(), "?", "?", "?"][:3]
    return (f"{os.cpu_count()} CPUs, {platform.machine()}, Linux {platform.release()}, Python "
            f"{platform.python_version()}, PySide6 {pyside}, SQLite {sqlite} (pysqlite3), cryptography {crypto}")


def ensure_dataset(sizes: Sizes) -> str:
    """Build (or find) the cached large database before any section needs it; returns a note."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_dataset", "--units", str(sizes.units)],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, text=True, timeout=1800, check=True,
    )
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    where = os.path.relpath(info["folder"], ROOT)
    if info["built_now"]:
        return (f"Data set: {info['units']:,} units / {info['identifiers']:,} identifiers built this run in "
                f"{info['build_seconds']:.1f} s (bulk insert, set-up only), cached in {where}")
    return (f"Data set: {info['units']:,} units / {info['identifiers']:,} identifiers from the cache {where} "
            f"(built once in {info['build_seconds']:.1f} s)")


def run_section(name: str, quick: bool) -> Results:
    with scratch_dir(f"results-{name}-") as folder:
        out = folder / "results.json"
        args = [sys.executable, "-m", f"tests.bench.bench_{name}", "--out", str(out)] + (["--quick"] if quick else [])
        started = time.perf_counter()
        proc = subprocess.run(args, cwd=ROOT, env=_env(), stderr=subprocess.PIPE, text=True, timeout=1800,
                              check=False)
        sys.stderr.write(proc.stderr)
        if proc.returncode != 0 or not out.exists():
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            return Results(rows=[Row(TITLES[name], "did not run", None, "s",
                                     note=f"exit status {proc.returncode}: {tail}")])
        results = Results.from_json(out.read_text())
        results.notes.append(f"{TITLES[name]} section took {time.perf_counter() - started:.0f} s")
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run_all", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a fast smoke run")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections to run")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    sizes = Sizes.for_run(args.quick)
    started = time.perf_counter()
    results = Results()
    progress(f"{'quick' if args.quick else 'full'} run: {', '.join(chosen)}")
    try:
        if {"startup", "lookup", "scan"} & set(chosen):
            results.notes.append(ensure_dataset(sizes))
    except (subprocess.SubprocessError, ValueError) as exc:
        results.rows.append(Row("Data set", "building the large database", None, "s", note=str(exc)))
    else:
        for name in chosen:
            progress(f"section {name}")
            results.extend(run_section(name, args.quick))
    elapsed = time.perf_counter() - started
    results.notes.append(f"Total run time {elapsed:.0f} s")
    title = (f"Refurb Bench benchmarks — {'QUICK (smoke) run' if args.quick else 'full run'}, "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n{versions()}")
    print_table(results, title)
    return 1 if any(r.verdict == "ERROR" for r in results.rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
