"""The erase benchmark's event-loop stall: a 10 ms QTimer's lateness while 4 erasures run, as the
window runs them (each in a child process) and on threads of the timer's own process."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from drivers.block.overwrite import OverwriteJob, Pattern, VerifyMode

TICK_MS = 10.0


def tick_lateness(start_work: Callable[[], Callable[[], bool]], idle_s: float) -> list[float]:
    """Runs a QCoreApplication whose 10 ms QTimer records how late each tick came (ms), until the
    work that ``start_work`` started says it is done (or ``idle_s`` passes, for no work)."""
    from PySide6.QtCore import QCoreApplication, Qt, QTimer

    app = QCoreApplication.instance() or QCoreApplication([])
    late: list[float] = []
    began = last = time.perf_counter()
    done = start_work()

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        late.append(max(0.0, (now - last) * 1000 - TICK_MS))
        last = now
        if done() and now - began >= idle_s:
            app.quit()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    app.exec()
    timer.stop()
    return late


def measure_stall(devices: Sequence[str]) -> tuple[list[float], list[float], str]:
    """(tick lateness while 4 jobs run, the same with nothing running, any problem)."""
    idle = tick_lateness(lambda: lambda: True, 2.0)
    busy: list[float] = []
    problems: list[str] = []
    for pattern in (Pattern.RANDOM, Pattern.ZEROS):
        pool = ThreadPoolExecutor(len(devices), thread_name_prefix="erase")
        jobs = [OverwriteJob(d, pattern=pattern, verify=VerifyMode.FULL) for d in devices]

        def start(pool: ThreadPoolExecutor = pool, jobs: list[OverwriteJob] = jobs) -> Callable[[], bool]:
            futures = [pool.submit(lambda job: list(job.run(threading.Event())), job) for job in jobs]
            return lambda: all(f.done() for f in futures)

        busy += tick_lateness(start, 0.0)
        pool.shutdown(wait=True)
        problems += [f"{j.path}: not verified" for j in jobs if j.result is None or j.result.verify_ok is not True]
    return busy, idle, "; ".join(problems)


def measure_stall_as_the_window_runs_them(devices: Sequence[str], folder: Path) -> tuple[list[float], str]:
    """Tick lateness while the window's own erase controller runs 4 erasures (each in a child
    process, relayed by a job manager thread), random then zeros with full verification."""
    from app.services.drives import DriveService, KernelDevices
    from app.services.erasure import EraseRequest
    from app.services.erasure_process import ErasureReport
    from app.services.jobs import JobManager
    from app.store.store import Store
    from app.ui.erase_controller import EraseController

    busy: list[float] = []
    problems: list[str] = []
    with Store(folder / "stall-data") as store:
        for bay, device in enumerate(devices, start=1):
            DriveService(store).assign_bay(bay, f"virtual/{os.path.basename(device)}")
        jobs = JobManager()
        controller = EraseController(jobs, store, KernelDevices())
        ended: list[object] = []
        controller.finished.connect(lambda path, outcome: ended.append(outcome))
        for method in ("overwrite-random", "overwrite-zeros"):
            ended.clear()

            def start(method: str = method) -> Callable[[], bool]:
                # a unit per round: a sanitised unit is not erased a second time
                for i, device in enumerate(devices):
                    controller.start(EraseRequest(device, method, VerifyMode.FULL, allow_loop=True,
                                                  unit_identifier=f"BENCH-{method}-{i}"), None)
                return lambda: len(ended) == len(devices)

            busy += tick_lateness(start, 0.0)
            problems += [f"{method}: {o}" for o in ended
                         if not (isinstance(o, ErasureReport) and o.outcome == "passed")]
        jobs.wait()
    return busy, "; ".join(problems)
