"""The Grade tab driven as a technician does: scan a phone, inspect it by keys (no mouse), the grade and
its reasons appear the moment the answers are complete, Enter records it and the label prints on the
network printer simulator; R reprints; an offline printer keeps the label queued and says so."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.core.lifecycle import UnitState
from app.settings import LabelSettings, Settings
from app.store import grading_queries as gq
from app.store import queries
from app.ui.grade_tab import GradeTab
from drivers.sim.printer import PrinterSimulator, parse_zpl
from tests.services.grading_support import imei
from tests.ui.conftest import Bench
from tests.ui.grading_flow import TYPICAL_KEYS, phone_after_checks

pytestmark = pytest.mark.gui
PERSON_MS = 200  # longer than the scanner filter's patience


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    with PrinterSimulator() as sim:
        yield sim


def _settings(printer: PrinterSimulator) -> Settings:
    return dataclasses.replace(Settings(), labels=LabelSettings(printer=f"tcp://127.0.0.1:{printer.port}",
                                                                lithium_phone="+44 20 7946 0000", retry_seconds=2))


def _grade_tab(bench: Bench) -> GradeTab:
    return bench.window.work_tab(GradeTab)


def press(qtbot: QtBot, widget: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
          ) -> None:
    """One key as a person presses it: the scanner filter holds keys a moment to tell typing from a scan,
    so wait a person's gap and until it has handed the key on (a loaded machine can stretch the hold)."""
    qtbot.keyClick(widget, key, modifiers)
    qtbot.wait(PERSON_MS)
    scanner = getattr(widget.window(), "scanner", None)
    if scanner is not None:
        qtbot.waitUntil(lambda: not scanner._detector.holding, timeout=5000)
        qtbot.wait(10)


def test_scan_inspect_grade_and_print_in_eleven_keys(make_bench, printer: PrinterSimulator, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    bench: Bench = make_bench(_settings(printer))
    bench.login()
    tab = _grade_tab(bench)
    unit_id = phone_after_checks(bench.window.store, bench.window.intake.operator, 1)  # type: ignore[arg-type]
    qtbot.keyClick(bench.window, Qt.Key.Key_F10)
    assert bench.window.tabs.currentWidget() is tab.page
    bench.scan(imei(1))
    assert tab.unit is not None
    assert tab.unit.unit_id == unit_id
    assert bench.window.tabs.currentWidget() is tab.page  # the scan stays on the Grade tab
    asked = [q.key for q in tab.questions]
    assert asked == ["zone.screen", "zone.back", "zone.frame", "zone.camera_lens", "zone.ports", "battery.condition",
                     "parts.all_genuine"]  # everything else came from the records
    keystrokes = 0
    for key, _meaning in TYPICAL_KEYS:
        press(qtbot, tab.page.table, key)
        keystrokes += 1
        if keystrokes == len(TYPICAL_KEYS) - 1:  # complete: the grade is shown before it is recorded
            assert tab.page.grade_label.text() == "A / 0 · R2 F6-C7"
            reasons = [tab.page.reasons.item(i).text() for i in range(tab.page.reasons.count())]
            assert "A: within every limit for A" in reasons
            assert "Back Market: Excellent — Excellent: 1 light scratch on the back, limit for Premium is 0" in reasons
            assert tab.page.preview.label is not None
    assert keystrokes <= 12
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=10_000)
    (label,) = parse_zpl(printer.printed[0])
    assert label.of_kind("code128")[0].data == imei(1)
    assert "Grade A / 0 · R2 F6-C7" in label.texts()
    assert "Resale · backmarket Excellent" in label.texts()
    assert "UN3481" in label.texts()
    qtbot.waitUntil(lambda: queries.get_unit(bench.window.store.db, unit_id).state is UnitState.LABELLED,  # type: ignore[union-attr]
                    timeout=5000)
    assert "label printed" in tab.page.route_label.text()
    bench.screenshot("grade")
    press(qtbot, tab.page.table, Qt.Key.Key_R)  # reprint: one key
    qtbot.waitUntil(lambda: len(printer.printed) == 2, timeout=10_000)
    assert printer.printed[1] == printer.printed[0]
    assert gq.label_count(bench.window.store.db, unit_id) == 2


def test_damage_by_keys_gives_the_reasons(make_bench, printer: PrinterSimulator, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    bench: Bench = make_bench(_settings(printer))
    bench.login()
    tab = _grade_tab(bench)
    phone_after_checks(bench.window.store, bench.window.intake.operator, 2)  # type: ignore[arg-type]
    qtbot.keyClick(bench.window, Qt.Key.Key_F10)
    bench.scan(imei(2))
    table = tab.page.table
    press(qtbot, table, Qt.Key.Key_Return)  # screen clean
    for _ in range(3):
        press(qtbot, table, Qt.Key.Key_D)  # three deep scratches on the back
    press(qtbot, table, Qt.Key.Key_U)  # a scuff
    press(qtbot, table, Qt.Key.Key_Backspace)  # no: it was dirt, Backspace takes it back
    for _ in range(4):
        press(qtbot, table, Qt.Key.Key_Return)
    press(qtbot, table, Qt.Key.Key_S)  # the battery is swollen
    press(qtbot, table, Qt.Key.Key_Y)
    reasons = [tab.page.reasons.item(i).text() for i in range(tab.page.reasons.count())]
    assert tab.page.grade_label.text().startswith("C / "), (reasons, tab.inspection())
    assert "C: 3 deep scratches on the back, limit for B is 1" in reasons
    assert any("battery swollen" in r for r in reasons)
    assert any(r.startswith("Shipping: battery swollen") for r in reasons)
    bench.screenshot("grade-reasons")


def test_offline_printer_keeps_the_label_queued_and_says_so(  # type: ignore[no-untyped-def]
        make_bench, printer: PrinterSimulator, qtbot: QtBot) -> None:
    bench: Bench = make_bench(_settings(printer))
    bench.login()
    tab = _grade_tab(bench)
    unit_id = phone_after_checks(bench.window.store, bench.window.intake.operator, 3)  # type: ignore[arg-type]
    printer.set_offline(True)
    qtbot.keyClick(bench.window, Qt.Key.Key_F10)
    bench.scan(imei(3))
    for key, _ in TYPICAL_KEYS:
        press(qtbot, tab.page.table, key)
    qtbot.waitUntil(lambda: "queued, not printed" in bench.window.banner.text(), timeout=10_000)
    assert "nothing is lost" in bench.window.banner.text()
    assert queries.get_unit(bench.window.store.db, unit_id).state is UnitState.ROUTED  # type: ignore[union-attr]
    printer.set_offline(False)
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=15_000)  # the queue retries on its own
    qtbot.waitUntil(lambda: queries.get_unit(bench.window.store.db, unit_id).state is UnitState.LABELLED,  # type: ignore[union-attr]
                    timeout=5000)


def test_a_technician_cannot_override(make_bench, printer: PrinterSimulator, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    bench: Bench = make_bench(_settings(printer))
    bench.login()
    tab = _grade_tab(bench)
    phone_after_checks(bench.window.store, bench.window.intake.operator, 4)  # type: ignore[arg-type]
    qtbot.keyClick(bench.window, Qt.Key.Key_F10)
    bench.scan(imei(4))
    press(qtbot, tab.page.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert "Only a supervisor" in bench.window.banner.text()


def test_label_printer_settings(qtbot: QtBot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.settings import load_settings, save_settings
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    row = dialog.labels_row
    row.printer_edit.setText("http://zebra")
    with pytest.raises(ValueError, match="tcp://HOST:9100"):
        dialog.chosen()
    row.printer_edit.setText("tcp://10.0.0.5:9100")
    row.dpi_combo.setCurrentIndex(row.dpi_combo.findData(300))
    row.phone_edit.setText("+44 20 7946 0000")
    chosen = dialog.chosen()
    assert (chosen.labels.printer, chosen.labels.dpi, chosen.labels.lithium_phone) == (
        "tcp://10.0.0.5:9100", 300, "+44 20 7946 0000")
    save_settings(tmp_path, chosen)
    assert load_settings(tmp_path).labels == chosen.labels


def test_a_simulated_bench_prints_to_its_simulated_printer(store, intake, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget as Window

    from app.services.grading import GradingService
    from app.services.jobs import JobManager
    from app.ui.label_printing import LabelPrinter
    from app.ui.work_tabs import BenchContext
    from tests.services.grading_support import inspection, login, scan_unit

    tech = login(intake)
    unit = scan_unit(intake, 7)
    GradingService(store).grade(unit.unit_id, inspection(), tech)
    window = Window()
    qtbot.addWidget(window)
    jobs = JobManager(parent=window)
    said: list[tuple[str, str]] = []
    ctx = BenchContext(store, jobs, lambda text, tone: said.append((text, tone)), lambda: tech, Settings,
                       lambda unit_id: None, window, simulate="demo")
    printer = LabelPrinter(ctx)
    assert printer.simulated_printer is not None
    printer.start()
    try:
        assert printer.target().printer == f"tcp://127.0.0.1:{printer.simulated_printer.port}"
        with qtbot.waitSignal(printer.printed, timeout=10_000):
            printer.print_unit(queries.get_unit(store.db, unit.unit_id))  # type: ignore[arg-type]
        (label,) = parse_zpl(printer.simulated_printer.printed[0])
        assert label.of_kind("code128")[0].data == imei(7)
    finally:
        printer.stop()
        assert jobs.wait(5000)


def test_photos_and_a_supervisors_override_are_recorded(  # type: ignore[no-untyped-def]
        make_bench, printer: PrinterSimulator, qtbot: QtBot, tmp_path) -> None:
    from app.core import events_grading as gev
    from app.store.eventlog import unit_events

    bench: Bench = make_bench(_settings(printer))
    bench.login("OP-0001")  # the admin, who may override
    tab = _grade_tab(bench)
    unit_id = phone_after_checks(bench.window.store, bench.window.intake.operator, 5)  # type: ignore[arg-type]
    qtbot.keyClick(bench.window, Qt.Key.Key_F10)
    bench.scan(imei(5))
    camera = tmp_path / "DCIM"
    camera.mkdir()
    (camera / "front.jpg").write_bytes(b"\xff\xd8 front of the phone")
    (camera / "back.jpg").write_bytes(b"\xff\xd8 back of the phone")
    tab.import_photos(camera)  # what Ctrl+I does once the folder is chosen
    qtbot.waitUntil(lambda: len(tab.draft.photos) == 2, timeout=5000)
    for key, _ in TYPICAL_KEYS:
        press(qtbot, tab.page.table, key)
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=10_000)
    (graded,) = [e.body for e in unit_events(bench.window.store.db, unit_id) if e.type == gev.GRADE_ASSIGNED]
    assert sorted(p["name"] for p in graded["photos"]) == ["back.jpg", "front.jpg"]
    tab.apply_override("cosmetic B", "hairline crack under the case")  # what Ctrl+O does after its two questions
    row = gq.current_grade(bench.window.store.db, unit_id)
    assert row is not None
    assert row.cosmetic == "B"
    assert "hairline crack under the case" in row.overridden


def test_a_unit_nothing_was_recorded_for_asks_everything_by_keys(  # type: ignore[no-untyped-def]
        make_bench, printer: PrinterSimulator, qtbot: QtBot) -> None:
    bench: Bench = make_bench(_settings(printer))
    bench.login()
    tab = _grade_tab(bench)
    qtbot.keyClick(bench.window, Qt.Key.Key_F10)
    bench.scan(imei(6))  # a new unit: no model, no checks, no erasure
    asked = [q.key for q in tab.questions]
    assert asked[0] == "device.model"
    assert "battery.health_pct" in asked
    assert "locks.none" in asked
    assert "sanitisation.status" in asked
    table = tab.page.table
    press(qtbot, table, Qt.Key.Key_1)  # the first model in the price table
    assert tab.draft.answers["device.model"] == "iPhone 13"
    for _ in range(5):
        press(qtbot, table, Qt.Key.Key_Return)  # five clean zones
    for key in (Qt.Key.Key_Y, Qt.Key.Key_Y, Qt.Key.Key_8, Qt.Key.Key_5, Qt.Key.Key_Return):
        press(qtbot, table, key)  # battery normal, parts genuine, 85 % health
    press(qtbot, table, Qt.Key.Key_T)  # every test passed, checked by hand
    press(qtbot, table, Qt.Key.Key_Y)  # no locks
    press(qtbot, table, Qt.Key.Key_N)  # not erased yet
    assert tab.page.grade_label.text() == "A / 0 · R2 F6-C7"
    reasons = [tab.page.reasons.item(i).text() for i in range(tab.page.reasons.count())]
    assert "resale blocked: data sanitisation not done" in reasons
