"""Shared pieces of the benchmark suite: result rows, percentiles, scratch folders and the table.

Each bench_* module measures one area and returns rows; run_all collects them (one fresh
interpreter per area, so one area's heap or Qt state never colours another's figures) and
prints a single table. A row is a report, not an assertion: a missed target prints MISS.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_ROOT = ROOT / ".bench"  # gitignored: cached databases and scratch folders
SCRATCH_ROOT = BENCH_ROOT / "tmp"


@dataclass(frozen=True)
class Sizes:
    """How big a run is; ``--quick`` gives a smoke run of the same code paths."""

    quick: bool
    units: int  # units in the large database (lookups, scans on a full bench)
    events: int  # cap on appended events
    append_seconds: float  # minimum append time unless the event cap is reached first
    scans: int  # scans per scan-latency measurement
    queries: int  # random queries per lookup kind
    startup_runs: int  # runs per start-up figure (the median is reported)
    query_budget_s: float  # wall-clock cap per lookup measurement (a pathological query stops early)

    @classmethod
    def for_run(cls, quick: bool) -> Sizes:
        if quick:
            return cls(True, 100_000, 2_000, 1.0, 50, 300, 3, 10.0)
        return cls(False, 1_000_000, 10_000, 3.0, 250, 1_000, 5, 200.0)


@dataclass
class Row:
    """One measured figure, its target and the peer baseline measured in the same run.

    ``better`` says which direction is good: "lower" for times (target is an upper bound),
    "higher" for rates (target is a lower bound). Rows without a target are informational.
    """

    section: str
    label: str
    ours: float | None
    unit: str  # "s", "ms", "/s", "MB/s", "s/GB" (CPU-seconds per gigabyte) or "MiB"
    target: float | None = None
    better: str = "lower"
    peer: float | None = None
    peer_key: str = ""  # a key into the peer legend
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.ours is None:
            return "ERROR"
        if self.target is None:
            return "info"
        ok = self.ours < self.target if self.better == "lower" else self.ours >= self.target
        return "PASS" if ok else "MISS"

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.peer:
            return None
        return self.ours / self.peer


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    peers: dict[str, str] = field(default_factory=dict)

    def extend(self, other: Results) -> None:
        self.rows += other.rows
        self.notes += other.notes
        self.peers.update(other.peers)

    def to_json(self) -> str:
        return json.dumps({"rows": [asdict(r) for r in self.rows], "notes": self.notes, "peers": self.peers})

    @classmethod
    def from_json(cls, text: str) -> Results:
        data = json.loads(text)
        return cls([Row(**r) for r in data["rows"]], list(data["notes"]), dict(data["peers"]))


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): the smallest value with q% of the sample at or below it."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A throw-away folder on the project's disk (not /tmp, which may be a RAM disk that makes
    fsync free and the durability figures meaningless); removed afterwards."""
    SCRATCH_ROOT.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=SCRATCH_ROOT))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def copy_data_dir(source: Path, target: Path) -> Path:
    """Copy a data folder (database and station key), then flush it to disk so the copy's
    write-back does not slow the fsyncs of the measurement that follows."""
    shutil.copytree(source, target)
    os.sync()
    return target


def copy_file(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    os.sync()
    return target


# --- printing ------------------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "/s":
        return f"{value:,.0f} /s"
    if unit in ("MB/s", "MiB"):
        return f"{value:,.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    if unit == "s/GB":
        return f"{value:.3f} {unit}" if value < 10 else f"{value:.1f} {unit}"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "keys":
        return f"{value:.0f} keys"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.3f} ms" if value < 1 else f"{value:.2f} ms"


def fmt_target(row: Row) -> str:
    if row.target is None:
        return "—"
    op = "<" if row.better == "lower" else "≥"
    return f"{op} {fmt(row.target, row.unit)}"


def print_table(results: Results, title: str, out: Callable[[str], None] = print) -> None:
    headers = ("#", "Benchmark", "Ours", "Target", "Peer (same run)", "Ours/peer", "Result")
    table: list[tuple[str, ...]] = []
    for number, row in enumerate(results.rows, 1):
        peer = fmt(row.peer, row.unit) + (f" [{row.peer_key}]" if row.peer_key and row.peer is not None else "")
        ratio = row.ratio
        verdict = row.verdict
        table.append((
            str(number), f"{row.section}: {row.label}", fmt(row.ours, row.unit), fmt_target(row),
            peer if row.peer is not None else "—", f"{ratio:.2f}×" if ratio is not None else "—",
            f"*** {verdict} ***" if verdict in ("MISS", "ERROR") else verdict,
        ))
    widths = [max(len(h), *(len(r[i]) for r in table)) if table else len(h) for i, h in enumerate(headers)]
    right = {2, 3, 4, 5}

    def line(cells: Sequence[str]) -> str:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(cells).rstrip()

    out("")
    out(title)
    out(line(headers))
    out("  ".join("-" * w for w in widths))
    for cells in table:
        out(line(cells))
    if results.peers:
        out("")
        out("Peers:")
        for key, text in sorted(results.peers.items()):
            out(f"  [{key}] {text}")
    noted = [(n, r) for n, r in enumerate(results.rows, 1) if r.note]
    if noted or results.notes:
        out("")
        out("Notes:")
        for number, row in noted:
            out(f"  #{number}: {row.note}")
        for note in results.notes:
            out(f"  - {note}")
    missed = [r for r in results.rows if r.verdict in ("MISS", "ERROR")]
    out("")
    if missed:
        out(f"{len(missed)} of {sum(r.target is not None for r in results.rows)} targets MISSED: "
            + "; ".join(f"{r.section}: {r.label} ({r.verdict})" for r in missed))
    else:
        out(f"All {sum(r.target is not None for r in results.rows)} targets met.")


def section_main(name: str, run: Callable[[Sizes], Results], argv: Sequence[str] | None = None) -> int:
    """Entry point shared by the bench_* modules: ``--quick``, and ``--out FILE`` for run_all
    (without it, the module prints its own table)."""
    parser = argparse.ArgumentParser(prog=f"python -m tests.bench.{name}")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--out", type=Path, help="write the results as JSON here (used by run_all)")
    args = parser.parse_args(argv)
    results = run(Sizes.for_run(args.quick))
    if args.out:
        args.out.write_text(results.to_json())
    else:
        print_table(results, f"{name} ({'quick' if args.quick else 'full'} run)")
    return 0


def peak_rss_mib(pid: int | str = "self") -> float:
    """The process's resident-set high-water mark (VmHWM) since it last exec'd, in MiB; 0 once it
    has exited. Not ru_maxrss: that one keeps the high-water mark of the image the process was
    forked from, so every child of a 30 MiB Python process would "use" 30 MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), "0")
    return int(found) / 1024


@dataclass(frozen=True)
class ProcessRun:
    """Processes run side by side: wall time until the last one ended, their CPU time (user +
    system, all threads, from wait4) and the largest peak resident set among them (VmHWM, sampled
    every 10 ms while they run)."""

    seconds: float
    cpu_s: float
    max_rss_mib: float
    returncodes: tuple[int, ...]
    timed_out: bool

    @property
    def ok(self) -> bool:
        return not self.timed_out and not any(self.returncodes)


def run_processes(commands: Sequence[Sequence[str]], timeout_s: float, log: Path) -> ProcessRun:
    """Starts every command at once, each in its own process group, stdin closed and output
    appended to ``log``; waits for all of them. At ``timeout_s`` each group still running is
    killed with SIGKILL (a tool that hangs cannot hold the bench, nor leave a child behind)."""
    reaped: set[int] = set()
    lock = threading.Lock()
    with log.open("ab") as out:
        started = time.perf_counter()
        procs = [subprocess.Popen(list(cmd), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                  start_new_session=True) for cmd in commands]
    timed_out, finished = threading.Event(), threading.Event()
    peaks = {proc.pid: 0.0 for proc in procs}

    def kill_all() -> None:
        timed_out.set()
        with lock:
            for proc in procs:
                if proc.pid not in reaped:  # not yet waited for: its group id cannot have been reused
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)

    def watch() -> None:  # memory high-water marks from the start, and the deadline
        while True:
            with lock:
                for pid in peaks:
                    if pid not in reaped:
                        peaks[pid] = max(peaks[pid], peak_rss_mib(pid))
            if time.perf_counter() - started > timeout_s and not timed_out.is_set():
                kill_all()
            if finished.wait(0.01):
                return

    watcher = threading.Thread(target=watch, name="bench-watch")
    watcher.start()
    cpu, codes = 0.0, []
    try:
        for proc in procs:
            _, status, usage = os.wait4(proc.pid, 0)
            with lock:
                reaped.add(proc.pid)
            proc.returncode = os.waitstatus_to_exitcode(status)
            codes.append(proc.returncode)
            cpu += usage.ru_utime + usage.ru_stime
        seconds = time.perf_counter() - started
    finally:
        finished.set()
        watcher.join()
        if len(reaped) < len(procs):  # interrupted while waiting: leave nothing running
            kill_all()
            for proc in procs:
                if proc.pid not in reaped:
                    proc.wait()
    return ProcessRun(seconds, cpu, max(peaks.values()), tuple(codes), timed_out.is_set())


def progress(text: str) -> None:
    """Progress lines go to stderr so they never mix with a table on stdout."""
    print(f"[bench] {text}", file=sys.stderr, flush=True)


# --- loop devices (as root) ----------------------------------------------------------------------


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def bench_drives(folder: Path, count: int, size: int) -> Iterator[list[str]]:
    """``count`` loop devices of ``size`` bytes over files in ``folder``, detached afterwards."""
    attached: list[str] = []
    try:
        for number in range(count):
            backing = folder / f"drive{number}.img"
            # Real blocks, not a sparse file: the first tool must not pay for the allocation.
            _run("dd", "if=/dev/zero", f"of={backing}", "bs=4M", f"count={size // (4 << 20)}", "conv=fsync",
                 "status=none")
            attached.append(_run("losetup", "--find", "--show", "--direct-io=on", str(backing)))
            dio = Path(f"/sys/block/{os.path.basename(attached[-1])}/loop/dio")
            if dio.exists() and dio.read_text().strip() != "1":
                progress(f"warning: {attached[-1]} runs without direct I/O; figures include the page cache")
        yield attached
    finally:
        for device in attached:
            subprocess.run(["losetup", "--detach", device], check=False)


def check_own_devices(devices: Sequence[str], attached: Sequence[str], folder: Path) -> None:
    """Refuses (raises) unless every device is one of this run's loop devices over a file in ``folder``."""
    if not devices:
        raise RuntimeError("refusing to run a wipe tool with no device named")
    for device in devices:
        name = os.path.basename(device)
        backing = Path(f"/sys/block/{name}/loop/backing_file")
        if (device not in attached or not re.fullmatch(r"/dev/loop\d+", device) or not backing.exists()
                or Path(backing.read_text().strip()).resolve().parent != folder.resolve()):
            raise RuntimeError(f"refusing to wipe {device}: not one of this benchmark's own loop devices")


def flush(devices: Sequence[str]) -> None:
    for device in devices:
        _run("blockdev", "--flushbufs", device)
