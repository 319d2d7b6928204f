"""Screenshots of the real window on a real X server (run under Xvfb: `make screenshots`).

Drives the demo scenario as a technician would — badge scan, lot receiving, unit scans, a
misread IMEI — and saves what the screen shows at each step to resources/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.services import simulation
from app.settings import Settings
from app.store import queries
from app.store.store import Store
from app.ui.main_window import MainWindow
from app.ui.operators_dialog import OperatorsDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.sim_player import KeystrokePlayer
from drivers.sim.scanner import SimulatedScanner
from drivers.sim.scenarios import SCENARIOS
from tests.drivers.loop_devices import loop_device

OUT = Path(__file__).resolve().parents[2] / "resources" / "screenshots"


def _wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    app = QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "data") as store:
        window = MainWindow(store, Settings(), allow_loop_devices=True)
        simulation.seed(window.intake, SCENARIOS["demo"])
        window.show()
        window.activateWindow()
        player = KeystrokePlayer(fallback=window, parent=window)
        scanner = SimulatedScanner()

        def scan(code: str) -> None:
            player.play(scanner.keystrokes(code))
            while player.busy:
                _wait(20)
            _wait(150)

        def shot(name: str) -> None:
            _wait(200)
            screen = app.primaryScreen()
            pixmap = screen.grabWindow(0) if app.platformName() == "xcb" else window.grab()
            pixmap.save(str(OUT / f"{name}.png"))
            print(OUT / f"{name}.png")

        _wait(300)
        shot("login")
        scan("OP-0002")
        scan("LOT-2026-0042")
        for code in ("490154203237518", "356938035643809", "358240051111110"):
            scan(code)
        shot("unit")
        scan("490154203237519")
        shot("invalid-imei")
        window.show_lots_page()
        shot("lots")
        window.show_search_page()
        window.search_page.query_edit.setText("35")
        window.search_page.refresh()
        shot("search")
        scan("OP-0003")  # a supervisor, who may change the station's settings
        dialog = SettingsDialog(window.settings, window)
        dialog.show()
        _wait(200)
        dialog.grab().save(str(OUT / "settings.png"))
        print(OUT / "settings.png")
        dialog.close()
        scan("OP-0001")  # the admin, who adds operators
        operators = OperatorsDialog(queries.list_operators(store.db), lambda *a: None, window)  # type: ignore[arg-type,return-value]
        operators.name_edit.setText("Jo Lambert")
        operators.badge_edit.setText("OP-0042")
        operators.show()
        _wait(200)
        operators.grab().save(str(OUT / "operators.png"))
        print(OUT / "operators.png")
        operators.close()
        if os.geteuid() == 0:
            _loop_bays(window, store, Path(tmp), shot)
        window.shutdown()
        window.close()
    _purge_bays(app)
    return 0


def _grabber(app: QApplication, window: QWidget) -> Callable[[str], None]:
    def shot(name: str) -> None:
        _wait(200)
        screen = app.primaryScreen()
        pixmap = screen.grabWindow(0) if app.platformName() == "xcb" else window.grab()
        pixmap.save(str(OUT / f"{name}.png"))
        print(OUT / f"{name}.png")

    return shot


def _loop_bays(window: MainWindow, store: Store, tmp: Path, shot: Callable[[str], None]) -> None:
    """Three loop-device drives erasing side by side, one outside the bay map; bay 3 stopped part-way."""
    with contextlib.ExitStack() as stack:
        drives = [stack.enter_context(loop_device(tmp / f"bay{i}.img", size))
                  for i, size in enumerate((3 * 2**30, 3 * 2**30, 3 * 2**30, 64 * 2**20))]
        from app.services.drives import DriveService

        for bay, path in enumerate(drives[:3], start=1):  # the last stays outside the bay map
            DriveService(store).assign_bay(bay, f"virtual/{os.path.basename(path)}")
        window.bays.ask_label = lambda d: f"WD-WX{d.device.name[-1]}1A2B3C"
        window.bays.confirm = lambda d, m: True
        window.show_bays_page()
        page = window.bays.page
        page.rescan()
        for row in range(3):
            page.table.selectRow(row)
            page._on_erase()
        while not all(window.bays.controller.running_erasure_ids() and
                      page.model.row(r).status.startswith(("Writing", "Verifying")) for r in range(3)):
            _wait(100)
        _wait(600)
        page.table.selectRow(3)
        shot("bays")
        page.cancel_requested.emit(drives[2])  # bay 3 stopped part-way: F7 resumes it later
        while any(window.bays.controller.busy(p) for p in drives):
            _wait(100)
        _wait(200)
        shot("bays-done")


def _purge_bays(app: QApplication) -> None:
    """The simulated drive bench (--simulate drives): the NVMe SSD sanitising itself (a Purge)."""
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "data") as store:
        window = MainWindow(store, Settings(), simulate="drives")
        simulation.seed(window.intake, SCENARIOS["drives"])
        window.resize(1280, 800)
        window.show()
        window.activateWindow()
        window.handle_input("OP-0002")  # the technician's badge
        window.bays.confirm = lambda d, m: True
        window.show_bays_page()
        page = window.bays.page
        page.rescan()
        while not all(page.firmware(d.device.path) for d in page.present()):
            _wait(100)
        page.table.selectRow(0)
        page._on_erase()  # the recommendation: NVMe Sanitize crypto erase
        waited = 0
        while not (page.model.row(0).status.startswith("The drive is sanitising itself")
                   and not page.model.row(0).status.endswith(" 0 %")) and waited < 10_000:
            _wait(50)
            waited += 50
        _grabber(app, window)("bays-purge")
        while window.bays.controller.busy(page.model.row(0).path):
            _wait(100)
        window.shutdown()
        window.close()


def bays_only() -> int:
    """Only the bays' screenshots (python -m tests.ui.take_screenshots bays)."""
    app = QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "data") as store:
        window = MainWindow(store, Settings(), allow_loop_devices=True)
        simulation.seed(window.intake, SCENARIOS["demo"])
        window.show()
        window.activateWindow()
        window.handle_input("OP-0002")  # the technician's badge
        if os.geteuid() == 0:
            _loop_bays(window, store, Path(tmp), _grabber(app, window))
        window.shutdown()
        window.close()
    _purge_bays(app)
    return 0


if __name__ == "__main__":
    sys.exit(bays_only() if sys.argv[1:] == ["bays"] else main())
