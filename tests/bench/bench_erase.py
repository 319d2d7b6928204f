"""Erase throughput: the overwrite engine beside dd, shred and nwipe, on the same loop devices.

For 1, 2 and 4 drives at once, each tool erases the bench's own loop devices (the engine: one
job per drive on a thread pool, as the app runs them; the command-line tools: one process per
drive, nwipe one process for all the drives, as an operator runs it):

* zero pass: the engine's write pass (zeros, through the final fsync) vs
  ``dd if=/dev/zero oflag=direct conv=fsync bs=4M`` — the ceiling. Target ≥ 0.9× dd.
* random pass: the engine's AES-CTR keystream pass vs dd's zero pass (the same ceiling: a
  random pass that keeps up with zeros loses nothing to its generator). Target ≥ 0.8× dd.
  Beside it, for information: ``dd`` copying incompressible bytes (a file of random data held
  in the page cache) with the same flags, the ceiling for random data where the storage under
  the device compresses or skips zeros, as the CI machine's virtual disk sometimes does (dd
  wrote zeros 1.0× to 1.8× as fast as random bytes from one run to the next; the row's note
  gives this run's figure). And ``shred -n1`` (one random pass, O_DIRECT, 64 KiB writes).
* verify read: the engine's full verification (read back, regenerate, compare) vs
  ``dd iflag=direct of=/dev/null bs=4M``. Target ≥ 0.9× dd read.
* erase + verify vs nwipe (Debian package) with the same method and ``--verify=last``: the
  engine's whole run vs nwipe's. Target ≥ 5× nwipe.
* GUI event-loop stall: a QTimer ticking every 10 ms on a QCoreApplication's main thread while
  the window's erase controller runs 4 erasures (random, then zeros, full verification; each in a
  child process, as the window runs them): p99 of how late each tick came. Target < 50 ms. Peer:
  the same 4 engine jobs on a thread pool inside the timer's process, which share its interpreter
  lock (how the window used to run them); a second row sets that beside the idle timer. A third
  row measures the real main window (tests/bench/bench_erase_window.py): the bays page erasing 4
  drives with everything the window does around them (hotplug rescans, probes, progress,
  certificates), beside the idle timer.

Each figure is the median of several interleaved repetitions (``dd`` zero, ``dd`` read, engine
zeros, engine random, shred, in turn), so both sides of a ratio see the same disk weather: on
the shared virtual disk of a CI machine throughput drifts by 2× within a minute. nwipe runs once
per method and drive count (it is 20–50× slower than everything else). MB is 10**6 bytes.
CPU-seconds per GB and peak memory come from the kernel: wait4 of each tool's process (all its
threads), and for the engine, which runs in a worker process, getrusage around its jobs.

Choices, measured on the 2-core CI machine:

* Loop devices with ``losetup --direct-io=on`` over backing files on the project's disk (under
  .bench/tmp, written in full first so no tool pays for the filesystem allocating blocks):
  every byte then reaches the (virtual) disk, as it would reach a drive. Without direct I/O the
  loop device writes into the backing file's page cache and everything measures memcpy.
* Page cache: the engine, dd (oflag/iflag=direct) and shred (which sets O_DIRECT itself) bypass
  it; nwipe cannot be told to, so each device's cache is dropped (``blockdev --flushbufs``)
  before every run, and nwipe's verification may still be served partly from the cache it
  filled — in nwipe's favour.
* 256 MiB per drive (64 MiB with --quick): nwipe wipes about 50 MB/s per drive here, and its six
  runs dominate the section; the whole section stays under about 2 minutes.
* nwipe's time is taken from its own log (first "Starting pass" to last "Verified pass",
  whole seconds): its device scan at start and the two-second wait at exit are left out, again
  in nwipe's favour. The wall time is in the note.

nwipe safety: with ``--autonuke`` and no device named it wipes every disk it can see, and in
``--nogui`` mode it can hang after refusing a target. It is only ever given this bench's own
loop devices by name (each checked to be a /dev/loopN attached here over a file in this run's
scratch folder), its stdin closed, in its own process group, killed with SIGKILL at a timeout.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import median

from drivers.block.keystream import Keystream
from drivers.block.overwrite import OverwriteJob, OverwriteResult, Pattern, VerifyMode
from tests.bench.bench_erase_stall import measure_stall, measure_stall_as_the_window_runs_them
from tests.bench.bench_util import (
    ROOT,
    ProcessRun,
    Results,
    Row,
    Sizes,
    bench_drives,
    check_own_devices,
    flush,
    peak_rss_mib,
    percentile,
    progress,
    run_processes,
    scratch_dir,
    section_main,
)

SECTION = "Erase"
MiB = 1 << 20
MB = 1e6
DRIVE_COUNTS = (1, 2, 4)
TARGETS = {"zero": 0.9, "random": 0.8, "verify": 0.9, "nwipe": 5.0, "stall_ms": 50.0}
_NWIPE_STAMP = re.compile(r"^\[(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)\]\s+notice: (Starting pass|Verified pass)")


@dataclass(frozen=True)
class Plan:
    drive_bytes: int
    repeats: int

    @classmethod
    def for_sizes(cls, sizes: Sizes) -> Plan:
        return cls(64 * MiB, 1) if sizes.quick else cls(256 * MiB, 3)


def random_bytes_file(path: Path, size: int) -> Path:
    """``size`` incompressible bytes (a keystream of a seed of the bench's own), left in the page
    cache for dd to copy from."""
    stream = Keystream(bytes(range(32)))
    with path.open("wb") as out:
        for offset in range(0, size, 4 * MiB):
            out.write(stream.block(offset, min(4 * MiB, size - offset)))
    return path


@dataclass(frozen=True)
class EngineRun:
    write_s: float
    verify_s: float
    cpu_s: float
    max_rss_mib: float
    problem: str  # "" when every job wrote and verified its whole drive


# --- the tools -------------------------------------------------------------------------------------


def run_engine(devices: Sequence[str], pattern: Pattern, log: Path) -> EngineRun:
    spec = json.dumps({"devices": list(devices), "pattern": pattern.value})
    out = log.with_suffix(".json")
    cmd = [sys.executable, "-m", "tests.bench.bench_erase", "--worker", spec, str(out)]
    run = run_processes([cmd], 600, log)
    if not run.ok or not out.exists():
        return EngineRun(0, 0, 0, 0, f"worker failed (exit {run.returncodes}, see {log.name})")
    data = json.loads(out.read_text())
    out.unlink()
    return EngineRun(**data)


def worker(spec_json: str, out: Path) -> int:
    """In its own process: erase every device at once, one job per thread, zero or random pattern,
    full verification. All jobs finish writing before any starts verifying (a barrier at the first
    verify report), so both phases are timed cleanly."""
    spec = json.loads(spec_json)
    jobs = [OverwriteJob(device, pattern=Pattern(spec["pattern"]), verify=VerifyMode.FULL)
            for device in spec["devices"]]
    marks: list[float] = []
    barrier = threading.Barrier(len(jobs), action=lambda: marks.append(time.perf_counter()))

    def erase(job: OverwriteJob) -> OverwriteResult | None:
        waited = False
        for step in job.run(threading.Event()):
            if step.phase == "verify" and not waited:
                waited = True
                barrier.wait(timeout=600)
        if not waited:  # stopped before verifying: let the others go on
            barrier.wait(timeout=600)
        return job.result

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with ThreadPoolExecutor(len(jobs), thread_name_prefix="erase") as pool:
        results = list(pool.map(erase, jobs))
    ended = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_SELF)
    problems = [f"{job.path}: {r.error or 'not verified' if r else 'no result'}"
                for job, r in zip(jobs, results, strict=True) if r is None or r.verify_ok is not True]
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    out.write_text(json.dumps({"write_s": marks[0] - started, "verify_s": ended - marks[0], "cpu_s": cpu,
                               "max_rss_mib": peak_rss_mib(), "problem": "; ".join(problems)}))
    return 0


def dd_write(devices: Sequence[str], size: int, log: Path) -> ProcessRun:
    return run_processes([["dd", "if=/dev/zero", f"of={d}", "bs=4M", f"count={size // (4 * MiB)}", "oflag=direct",
                           "conv=fsync", "status=none"] for d in devices], 600, log)


def dd_copy(devices: Sequence[str], source: Path, size: int, log: Path) -> ProcessRun:
    return run_processes([["dd", f"if={source}", f"of={d}", "bs=4M", f"count={size // (4 * MiB)}", "oflag=direct",
                           "conv=fsync", "status=none"] for d in devices], 600, log)


def dd_read(devices: Sequence[str], size: int, log: Path) -> ProcessRun:
    return run_processes([["dd", f"if={d}", "of=/dev/null", "bs=4M", f"count={size // (4 * MiB)}", "iflag=direct",
                           "status=none"] for d in devices], 600, log)


def shred(devices: Sequence[str], log: Path) -> ProcessRun:
    return run_processes([["shred", "-n1", d] for d in devices], 600, log)


def nwipe_seconds(log: Path) -> tuple[float | None, int]:
    """nwipe's own wiping time from its log (first pass started to last verification done, whole
    seconds, at least 1) and how many drives it says it verified."""
    stamps: list[tuple[str, datetime]] = []
    for line in log.read_text(errors="replace").splitlines():
        found = _NWIPE_STAMP.match(line)
        if found:
            stamps.append((found.group(2), datetime.strptime(found.group(1), "%Y/%m/%d %H:%M:%S")))
    starts = [t for kind, t in stamps if kind == "Starting pass"]
    verified = [t for kind, t in stamps if kind == "Verified pass"]
    if not starts or not verified:
        return None, len(verified)
    return max(1.0, (max(verified) - min(starts)).total_seconds()), len(verified)


def nwipe(devices: Sequence[str], method: str, size: int, attached: Sequence[str], folder: Path,
          log: Path) -> tuple[ProcessRun, float | None, int]:
    check_own_devices(devices, attached, folder)
    nwipe_log = log.with_name(f"{log.stem}-nwipe-{method}-{len(devices)}.log")
    cmd = ["nwipe", "--autonuke", "--nogui", "--nowait", "--noblank", "--nousb", f"--method={method}",
           "--verify=last", "--rounds=1", f"--logfile={nwipe_log}", *devices]
    run = run_processes([cmd], 60 + len(devices) * size / (10 * MB), log)
    seconds, verified = nwipe_seconds(nwipe_log) if nwipe_log.exists() else (None, 0)
    return run, seconds, verified


def nwipe_version() -> str:
    done = subprocess.run(["nwipe", "--version"], capture_output=True, text=True, timeout=30, check=False)
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "nwipe (version unknown)"


def ensure_nwipe() -> str:
    """Installs nwipe the way the Makefile installs system packages (as root, with apt-get); returns
    "" when it is there, else why not."""
    if shutil.which("nwipe"):
        return ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "nwipe is not installed (Debian package nwipe; `make bench` installs it as root)"
    progress("installing nwipe (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nwipe"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=False)
        subprocess.run(install, env=env, capture_output=True, check=False)
    return "" if shutil.which("nwipe") else "nwipe could not be installed with apt-get"


# --- the run ---------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Every measurement for one drive count: lists of repetitions, and the single runs."""

    dd_write: list[ProcessRun]
    dd_random: list[ProcessRun]
    dd_read: list[ProcessRun]
    zeros: list[EngineRun]
    random: list[EngineRun]
    shred: list[ProcessRun]
    nwipe: dict[str, tuple[ProcessRun, float | None, int]]


def measure(devices: Sequence[str], attached: Sequence[str], plan: Plan, folder: Path, nwipe_ok: bool) -> Figures:
    size, log = plan.drive_bytes, folder / "tools.log"
    figures = Figures([], [], [], [], [], [], {})
    for _ in range(plan.repeats):  # in turn, each run on devices whose cache was just dropped
        flush(devices)
        figures.dd_write.append(dd_write(devices, size, log))
        flush(devices)
        figures.dd_random.append(dd_copy(devices, folder / "random.bin", size, log))
        flush(devices)
        figures.dd_read.append(dd_read(devices, size, log))
        flush(devices)
        figures.zeros.append(run_engine(devices, Pattern.ZEROS, log))
        flush(devices)
        figures.random.append(run_engine(devices, Pattern.RANDOM, log))
        flush(devices)
        figures.shred.append(shred(devices, log))
    for method in ("zero", "random") if nwipe_ok else ():
        flush(devices)
        figures.nwipe[method] = nwipe(devices, method, size, attached, folder, log)
    return figures


def rate(total: int, seconds: Sequence[float]) -> float | None:
    good = [s for s in seconds if s > 0]
    return total / median(good) / MB if good else None


def per_gb(cpu: Sequence[float], total: int) -> float:
    return median(cpu) / (total / 1e9)


def add_rows(results: Results, n: int, f: Figures, plan: Plan) -> None:
    total = n * plan.drive_bytes
    drives = f"{n} drive{'s' if n > 1 else ''}"
    failed = [r.problem for r in f.zeros + f.random if r.problem]
    tools_failed = [name for name, runs in (("dd", f.dd_write + f.dd_random + f.dd_read), ("shred", f.shred))
                    if any(not r.ok for r in runs)]
    dd_w = rate(total, [r.seconds for r in f.dd_write if r.ok])
    dd_r = rate(total, [r.seconds for r in f.dd_read if r.ok])
    dd_random = rate(total, [r.seconds for r in f.dd_random if r.ok])
    zero_w = rate(total, [r.write_s for r in f.zeros if not r.problem])
    rand_w = rate(total, [r.write_s for r in f.random if not r.problem])
    zero_v = rate(total, [r.verify_s for r in f.zeros if not r.problem])
    rand_v = rate(total, [r.verify_s for r in f.random if not r.problem])
    shred_w = rate(total, [r.seconds for r in f.shred if r.ok])
    runs = f"median of {len(f.zeros)}" + (f"; FAILED: {'; '.join(failed)}" if failed else "") + (
        f"; {', '.join(tools_failed)} failed (see tools.log)" if tools_failed else "")

    def cpu_mem(engine: list[EngineRun], peers: list[tuple[str, list[ProcessRun]]]) -> str:
        ours = (f"ours {per_gb([r.cpu_s for r in engine], total):.3f} CPU-s/GB, "
                f"peak {max(r.max_rss_mib for r in engine):.0f} MiB")
        others = [f"{name} {per_gb([r.cpu_s for r in rs], total):.3f} CPU-s/GB, "
                  f"{max(r.max_rss_mib for r in rs):.0f} MiB" for name, rs in peers if rs]
        return "; ".join([ours, *others])

    def target(peer: float | None, factor: float) -> float | None:
        return peer * factor if peer else None

    rows = results.rows
    rows.append(Row(SECTION, f"zero pass, {drives}", zero_w, "MB/s", target(dd_w, TARGETS["zero"]), "higher", dd_w,
                    "D", f"{runs}; target 0.9× dd; {cpu_mem(f.zeros, [('dd', f.dd_write)])} (ours: pass + verify)"))
    rows.append(Row(SECTION, f"random pass, {drives}", rand_w, "MB/s", target(dd_w, TARGETS["random"]), "higher",
                    dd_w, "D", f"{runs}; target 0.8× dd's zero pass"))
    rows.append(Row(SECTION, f"random pass vs dd of random bytes, {drives}", rand_w, "MB/s", None, "higher",
                    dd_random, "DR", f"dd writes zeros {dd_w / dd_random:.2f}× as fast as random bytes here"
                    if dd_w and dd_random else ""))
    rows.append(Row(SECTION, f"random pass vs shred -n1, {drives}", rand_w, "MB/s", None, "higher", shred_w, "S",
                    cpu_mem(f.random, [("shred", f.shred)]) + " (ours: pass + verify; shred: pass only)"))
    rows.append(Row(SECTION, f"verify read after zeros, {drives}", zero_v, "MB/s", target(dd_r, TARGETS["verify"]),
                    "higher", dd_r, "R", f"target 0.9× dd read; {cpu_mem(f.zeros, [('dd read', f.dd_read)])}"))
    rows.append(Row(SECTION, f"verify read after random, {drives}", rand_v, "MB/s", target(dd_r, TARGETS["verify"]),
                    "higher", dd_r, "R", "target 0.9× dd read (regenerating the keystream to compare)"))
    for method, engine in (("zero", f.zeros), ("random", f.random)):
        ours = rate(total, [r.write_s + r.verify_s for r in engine if not r.problem])
        if method not in f.nwipe:
            rows.append(Row(SECTION, f"{method} erase + verify vs nwipe, {drives}", ours, "MB/s", None, "higher",
                            note="nwipe did not run (see the notes)"))
            continue
        run, seconds, verified = f.nwipe[method]
        peer = total / seconds / MB if seconds and run.ok and verified == n else None
        note = (f"target 5× nwipe; nwipe {run.seconds:.1f} s wall, {seconds or 0:.0f} s by its log, "
                f"{verified}/{n} verified, exit {run.returncodes}{', TIMED OUT' if run.timed_out else ''}; "
                + cpu_mem(engine, [("nwipe", [run])]))
        rows.append(Row(SECTION, f"{method} erase + verify vs nwipe, {drives}", ours, "MB/s",
                        target(peer, TARGETS["nwipe"]), "higher", peer, "N" + method[0], note))
    if n == max(DRIVE_COUNTS):
        rows.append(Row(SECTION, f"CPU per GB, zero erase + verify, {drives}",
                        per_gb([r.cpu_s for r in f.zeros], total), "s/GB", None, "lower",
                        per_gb([w.cpu_s + r.cpu_s for w, r in zip(f.dd_write, f.dd_read, strict=True)], total),
                        "D+R", "dd: its zero pass plus its read"))
        if "random" in f.nwipe:
            rows.append(Row(SECTION, f"peak memory, random erase + verify, {drives}",
                            max(r.max_rss_mib for r in f.random), "MiB", None, "lower",
                            f.nwipe["random"][0].max_rss_mib, "Nr",
                            "ours: the whole worker process (Python, cryptography, 4 × 4 MiB buffers per drive); "
                            "nwipe: its one process for all drives"))


def run(sizes: Sizes) -> Results:
    plan = Plan.for_sizes(sizes)
    results = Results(peers={
        "D": "dd if=/dev/zero oflag=direct conv=fsync bs=4M, one process per drive",
        "DR": "dd if=FILE oflag=direct conv=fsync bs=4M, FILE incompressible bytes in the page cache, "
              "one process per drive",
        "R": "dd iflag=direct of=/dev/null bs=4M, one process per drive",
        "S": "shred -n1 (one random pass; O_DIRECT, 64 KiB writes), one process per drive",
        "Nz": "nwipe --method=zero --verify=last --noblank, one process for all drives",
        "Nr": "nwipe --method=random (Isaac64 PRNG) --verify=last --noblank, one process for all drives",
        "I": "the same 10 ms QTimer with no erasure running",
        "T": "the same 4 erasures on a thread pool inside the timer's process (one interpreter lock)",
    })
    if os.geteuid() != 0 or not shutil.which("losetup"):
        results.rows.append(Row(SECTION, "erase benchmarks", None, "MB/s", note="need root and losetup (loop devices)"))
        return results
    missing = ensure_nwipe()
    if missing:
        results.notes.append(f"Erase: {missing}: the nwipe rows are empty")
    else:
        for key in ("Nz", "Nr"):
            results.peers[key] = results.peers[key].replace("nwipe", nwipe_version(), 1)
    with scratch_dir("erase-") as folder, bench_drives(folder, max(DRIVE_COUNTS), plan.drive_bytes) as attached:
        random_bytes_file(folder / "random.bin", plan.drive_bytes)
        for n in DRIVE_COUNTS:
            progress(f"erase: {n} drive(s) of {plan.drive_bytes // MiB} MiB, {plan.repeats} repetition(s)")
            add_rows(results, n, measure(attached[:n], attached, plan, folder, not missing), plan)
        progress("erase: event-loop stall while 4 erasures run")
        flush(attached)
        threads, idle, problem = measure_stall(attached)
        flush(attached)
        busy, window_problem = measure_stall_as_the_window_runs_them(attached, folder)
        results.rows.append(Row(
            SECTION, "event-loop stall p99, 4 erasures running", percentile(busy, 99), "ms", TARGETS["stall_ms"],
            "lower", percentile(threads, 99), "T",
            f"{len(busy)} ticks of a 10 ms QTimer while the window's erase controller runs random then zero "
            f"erase + verify of 4 drives (each in a child process): max {max(busy):.1f} ms, p50 "
            f"{percentile(busy, 50):.2f} ms; nothing running: p99 {percentile(idle, 99):.2f} ms, max "
            f"{max(idle):.1f} ms" + (f"; FAILED: {window_problem}" if window_problem else "")))
        flush(attached)
        whole, whole_beyond, whole_problem = measure_stall_in_the_window(attached, folder)
        results.rows.append(Row(
            SECTION, "event-loop stall p99, 4 erasures from the window", percentile(whole, 99) if whole else None,
            "ms", TARGETS["stall_ms"], "lower", percentile(idle, 99), "I",
            f"{len(whole)} ticks of a 10 ms QTimer in the real main window while the bays page erases 4 drives "
            f"(random then zeros, full verification) with its hotplug watcher, probes, progress and certificates: "
            + (f"max {max(whole):.1f} ms, p99 less the GUI thread's run-queue wait "
               f"{percentile(whole_beyond, 99):.1f} ms" if whole else "no ticks")
            + (f"; FAILED: {whole_problem}" if whole_problem else "")))
        results.rows.append(Row(
            SECTION, "event-loop stall p99, 4 erasures on threads", percentile(threads, 99), "ms", None,
            "lower", percentile(idle, 99), "I",
            f"{len(threads)} ticks: the same 4 erasures on threads of the timer's own process (how the window ran "
            f"them before): max {max(threads):.1f} ms, p50 {percentile(threads, 50):.2f} ms"
            + (f"; FAILED: {problem}" if problem else "")))
    results.notes.append(f"Erase: {max(DRIVE_COUNTS)} loop devices (losetup --direct-io=on) of "
                         f"{plan.drive_bytes // MiB} MiB over files in {os.path.relpath(folder, ROOT)}; "
                         f"MB = 10^6 bytes; rates are all drives together")
    return results


def measure_stall_in_the_window(devices: Sequence[str], folder: Path) -> tuple[list[float], list[float], str]:
    """The whole window's tick lateness (tests/bench/bench_erase_window.py, a process of its own)."""
    out = folder / "window-stall.json"
    cmd = [sys.executable, "-m", "tests.bench.bench_erase_window", str(out), str(folder), *devices]
    run = run_processes([cmd], 900, folder / "window-stall.log")
    if not run.ok or not out.exists():
        return [], [], f"the window run failed (exit {run.returncodes}, see window-stall.log)"
    data = json.loads(out.read_text())
    return list(data["late_ms"]), list(data["beyond_wait_ms"]), str(data["problem"])


def main() -> int:
    if sys.argv[1:2] == ["--worker"]:
        return worker(sys.argv[2], Path(sys.argv[3]))
    return section_main("bench_erase", run)


if __name__ == "__main__":
    raise SystemExit(main())
