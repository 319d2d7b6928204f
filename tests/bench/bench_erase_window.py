"""The erase benchmark's whole-window stall: a 10 ms QTimer's lateness in the real main window while
a technician starts 4 erasures from the bays page (its Erase button on each) and the hotplug watcher,
the firmware probes, the progress relay, the checkpoints and the certificates all do their part.

Runs in a process of its own (a QApplication, where the other stall rows use a QCoreApplication):

    .venv/bin/python -m tests.bench.bench_erase_window OUT.json FOLDER /dev/loopA /dev/loopB ...

OUT.json gets {"late_ms": [...], "beyond_wait_ms": [...], "problem": "..."}; ``beyond_wait_ms`` is
each tick's lateness less the time the GUI thread spent runnable but waiting for a CPU (the
kernel's run-queue wait), i.e. the part the app itself is answerable for on a loaded machine.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

TICK_MS = 10.0
METHODS = ("overwrite-random", "overwrite-zeros")
TIMEOUT_S = 300


def _run_queue_wait_ms() -> float:
    """Milliseconds this thread has waited runnable for a CPU (schedstat's second field)."""
    return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e6


def _status(page: object, device: str) -> str | None:
    row = page.row_of(device)  # type: ignore[attr-defined]
    return None if row is None else str(page.model.row(row).status)  # type: ignore[attr-defined]


def measure(devices: Sequence[str], folder: Path) -> dict[str, object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.models import Role
    from app.services.drives import BayDrive, DriveService
    from app.services.erasure_process import ErasureReport
    from app.services.intake import IntakeService
    from app.settings import Settings
    from app.store.store import Store
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    late: list[float] = []
    beyond: list[float] = []
    problems: list[str] = []
    with Store(folder / "window-data") as store:
        intake = IntakeService(store)
        admin = intake.add_operator("Bench Admin", "OP-0001", Role.ADMIN, "1234")
        intake.add_operator("Bench Technician", "OP-0002", Role.TECHNICIAN, "2345", by=admin)
        for bay, device in enumerate(devices, start=1):
            DriveService(store).assign_bay(bay, f"virtual/{os.path.basename(device)}")
        window = MainWindow(store, Settings(), allow_loop_devices=True)
        window.show()
        window.activateWindow()
        window.intake.login_badge("OP-0002")
        window._show_work()
        window.show_bays_page()
        bays, page = window.bays, window.bays.page
        deadline = time.monotonic() + 30
        while not all(_status(page, d) == "Ready to erase" for d in devices):
            if time.monotonic() > deadline:
                raise SystemExit(f"the drives never showed ready: {[_status(page, d) for d in devices]}")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        page.verify_combo.setCurrentIndex(page.verify_combo.findData("full"))
        bays.confirm = lambda drive, method: True
        ended: list[object] = []
        bays.controller.finished.connect(lambda path, outcome: ended.append(outcome))
        loop = QEventLoop()
        try:
            for method in METHODS:
                def label(drive: BayDrive, method: str = method) -> str:
                    return f"BENCH-W-{method}-{drive.device.name}"  # a new unit per round: none is erased twice

                bays.ask_label = label
                ended.clear()
                page.method_combo.setCurrentIndex(page.method_combo.findData(method))
                last, waited = time.perf_counter(), _run_queue_wait_ms()

                def tick() -> None:
                    nonlocal last, waited
                    now, wait = time.perf_counter(), _run_queue_wait_ms()
                    lateness = max(0.0, (now - last) * 1000 - TICK_MS)
                    late.append(lateness)
                    beyond.append(max(0.0, lateness - (wait - waited)))
                    last, waited = now, wait
                    if len(ended) == len(devices):
                        loop.quit()

                timer = QTimer()
                timer.setTimerType(Qt.TimerType.PreciseTimer)
                timer.setInterval(int(TICK_MS))
                timer.timeout.connect(tick)
                timer.start()
                for device in devices:
                    page.table.selectRow(page.row_of(device) or 0)
                    page.erase_button.click()  # the button Ctrl+Shift+E stands for
                QTimer.singleShot(TIMEOUT_S * 1000, loop.quit)
                loop.exec()
                timer.stop()
                if len(ended) < len(devices):
                    problems.append(f"{method}: {len(devices) - len(ended)} erasure(s) had not ended after "
                                    f"{TIMEOUT_S} s: {[_status(page, d) for d in devices]}")
                problems += [f"{method}: {o}" for o in ended
                             if not (isinstance(o, ErasureReport) and o.outcome == "passed")]
        finally:
            window.shutdown()
            window.jobs.wait(20_000)
            window.close()
            app.processEvents()
    return {"late_ms": late, "beyond_wait_ms": beyond, "problem": "; ".join(problems)}


def main(argv: Sequence[str]) -> int:
    out, folder, *devices = argv
    Path(out).write_text(json.dumps(measure(devices, Path(folder))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
