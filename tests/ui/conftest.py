"""GUI fixtures: a real MainWindow on a real store, driven by keys and a simulated scanner."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.intake import IntakeService
from app.settings import Settings
from app.store.store import Store
from app.ui.i18n import install_translators
from app.ui.main_window import MainWindow
from app.ui.sim_player import KeystrokePlayer
from drivers.sim.scanner import ScannerFaults, SimulatedScanner, typist_keystrokes

ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


@pytest.fixture(autouse=True)
def english_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every GUI test runs as on an English machine: the app's normal start-up (open_window without
    --lang or a language setting) takes the system locale, and a French bench running the tests must
    not turn their English assertions French (texts, or numbers written 3,5). Tests that mean French
    say so: --lang fr, the setting, install_translators("fr"), or choose_language(..., system=...).
    What a test installed is taken out after it, so no language leaks into the next test."""
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(ENGLISH)))
    before = QLocale()
    if before.language() not in (QLocale.Language.C, QLocale.Language.English):
        before = QLocale(ENGLISH)
        QLocale.setDefault(before)
    yield
    if QCoreApplication.instance() is not None:
        install_translators("en")
    QLocale.setDefault(before)


class Bench:
    """A window plus the means to drive it as a technician does: scanner and keyboard."""

    def __init__(self, window: MainWindow, qtbot: QtBot) -> None:
        self.window, self.qtbot = window, qtbot
        self.player = KeystrokePlayer(fallback=window, parent=window)
        self.scanner = SimulatedScanner(ScannerFaults())

    def scan(self, code: str, faults: ScannerFaults | None = None) -> None:
        """Read ``code`` with the simulated wedge scanner and wait until every key is delivered."""
        scanner = SimulatedScanner(faults) if faults else self.scanner
        with self.qtbot.waitSignal(self.player.done, timeout=5000):
            self.player.play(scanner.keystrokes(code))

    def login(self, badge: str = "OP-0002") -> Bench:
        """Scan an operator badge (default: the technician) and wait until they are logged in."""
        self.scan(badge)
        self.qtbot.waitUntil(lambda: self.window.intake.operator is not None
                             and self.window.intake.operator.badge == badge)
        return self

    def type_slowly(self, text: str, end: str = "", per_key_ms: float = 120.0) -> None:
        """Type like a person: one key every ~120 ms."""
        with self.qtbot.waitSignal(self.player.done, timeout=10_000):
            self.player.play(typist_keystrokes(text, per_key_ms, end))

    def event_count(self) -> int:
        return int(self.window.store.db.execute("SELECT count(*) FROM events").fetchone()[0])

    def screenshot(self, name: str) -> Path | None:
        """Save the window to $REFURB_BENCH_SCREENSHOTS/NAME.png when that variable is set."""
        folder = os.environ.get("REFURB_BENCH_SCREENSHOTS")
        if not folder:
            return None
        path = Path(folder) / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        QApplication.processEvents()
        assert self.window.grab().save(str(path))
        return path


@pytest.fixture
def make_bench(qtbot: QtBot, store: Store, intake: IntakeService) -> Iterator[Callable[..., Bench]]:
    """Factory: a shown MainWindow over the ``intake`` fixture's store (operators OP-0001 admin
    PIN 1234 and OP-0002 technician PIN 2345)."""
    windows: list[MainWindow] = []

    def make(settings: Settings | None = None) -> Bench:
        window = MainWindow(store, settings or Settings())
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitActive(window):
            window.activateWindow()
        windows.append(window)
        return Bench(window, qtbot)

    yield make
    for window in windows:
        window.shutdown()
        assert window.jobs.wait(5000), "background jobs still running at the end of the test"
