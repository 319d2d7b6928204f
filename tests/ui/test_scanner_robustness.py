"""The wedge filter against what real keyboards and busy machines do: delivery stalls, auto-repeat,
letters without a key code, keys that open dialogs, scans behind a dialog."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.store import queries
from app.ui.scanner_filter import key_event_for
from drivers.sim.scanner import Keystroke, SimulatedScanner
from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui



def _press(char: str, stamp: int, *, repeat: bool = False) -> None:
    target = QApplication.focusWidget()
    assert target is not None
    if repeat:
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key(ord(char)), Qt.KeyboardModifier.NoModifier, char, True)
    else:
        event = key_event_for(char)
    event.setTimestamp(stamp)
    QApplication.sendEvent(target, event)


def test_a_stall_in_delivery_does_not_split_a_scan(make_bench: Callable[..., Bench]) -> None:
    """Keys 5 ms apart by their own clock, but the GUI thread stalls 90 ms after the fourth."""
    bench = make_bench().login()
    bench.window.show_search_page()
    code, stamp = "356938035643809", 5_000_000
    for index, char in enumerate(code):
        _press(char, stamp)
        stamp += 5
        if index == 3:
            bench.qtbot.wait(90)
    _press("\r", stamp)
    bench.qtbot.waitUntil(lambda: bench.window.unit_page.heading.text() == code)
    assert bench.window.search_page.query_edit.text() == ""


def test_letters_without_a_single_key_code_are_typed_not_lost(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    bench.window.focus_manual_entry()
    bench.type_slowly("Straße ŉ")
    bench.qtbot.waitUntil(lambda: bench.window.manual_edit.text() == "Straße ŉ")


def test_a_held_key_repeating_is_typing_not_a_scan(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    bench.window.show_search_page()
    events = bench.event_count()
    stamp = 7_000_000
    _press("0", stamp)
    for _ in range(10):
        stamp += 30
        _press("0", stamp, repeat=True)
    _press("\r", stamp + 30)  # as fast as a scanner's Enter, but after a held key
    bench.qtbot.waitUntil(lambda: bench.window.search_page.query_edit.text() == "0" * 11, timeout=2000)
    assert bench.event_count() == events
    assert queries.find_unit(bench.window.store.db, "0" * 11) is None


def test_a_scan_is_never_used_behind_an_open_dialog(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    window = bench.window
    seen: dict[str, object] = {}

    def in_dialog() -> None:
        dialog = window._new_lot_dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, in_dialog)
            return
        if "played" not in seen:
            dialog.expected_spin.setFocus()  # not a text field: the scan has nowhere to go
            seen["played"] = True
            bench.player.play(SimulatedScanner().keystrokes("OP-0001"))
        if bench.player.busy:
            QTimer.singleShot(20, in_dialog)
            return
        seen["operator"] = window.intake.operator.name if window.intake.operator else None
        seen["banner"] = window.banner.text()
        dialog.reject()

    QTimer.singleShot(0, in_dialog)
    window.new_lot()  # modal: returns when the dialog is closed
    assert seen["operator"] == "Sam Okafor"  # the badge behind the dialog did not switch operator
    assert "dialog is open" in str(seen["banner"])


def test_space_on_a_button_opens_its_dialog_and_scans_still_fill_it(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    window = bench.window
    window.show_lots_page()
    window.lots_page.new_button.setFocus()
    seen: dict[str, str] = {}

    def in_dialog() -> None:
        dialog = window._new_lot_dialog
        if dialog is None or not dialog.isVisible() or bench.player.busy:
            QTimer.singleShot(20, in_dialog)
            return
        seen["code"] = dialog.code_edit.text()
        seen["error"] = dialog.error_label.text()  # set if the scan's Enter had reached the dialog
        dialog.reject()

    # Space is printable, so the filter holds it and replays it; the button opens its dialog from
    # inside that replay. The scan that follows must still be recognised as a scan.
    scan = SimulatedScanner().keystrokes("LOT-2026-0200")
    scan[0] = Keystroke(scan[0].char, 400.0)  # the person presses Space, then scans a moment later
    bench.player.play([Keystroke(" ", 0.0), *scan])
    QTimer.singleShot(0, in_dialog)
    bench.qtbot.waitUntil(lambda: "code" in seen, timeout=5000)
    assert seen["code"] == "LOT-2026-0200"
    assert seen["error"] == ""
    assert queries.lot_by_code(window.store.db, "LOT-2026-0200") is None
