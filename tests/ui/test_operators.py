"""An admin adds an operator at the bench: types the name, scans the new badge, sets a PIN."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer

from app.core.models import Role
from app.store import queries
from drivers.sim.scanner import SimulatedScanner
from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui


def test_admin_adds_an_operator_with_a_scanned_badge(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench()
    window = bench.window
    bench.scan("OP-0001")  # the admin
    bench.qtbot.waitUntil(lambda: window.intake.operator is not None)
    seen: dict[str, str] = {}

    def in_dialog() -> None:
        dialog = window._operators_dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, in_dialog)
            return
        if "started" not in seen:
            seen["started"] = "yes"
            seen["listed"] = str(dialog.model.rowCount())
            dialog.name_edit.setText("Priya Nair")
            dialog.badge_edit.setFocus()
            bench.player.play(SimulatedScanner().keystrokes("OP-0042"))  # the new badge, scanned
        if bench.player.busy:
            QTimer.singleShot(20, in_dialog)
            return
        seen["badge"] = dialog.badge_edit.text()
        dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(Role.SUPERVISOR))
        dialog.pin_edit.setText("4321")
        dialog.pin_again_edit.setText("4322")
        dialog._on_add()  # the PINs differ: refused, nothing stored
        seen["mismatch"] = dialog.error_label.text()
        dialog.pin_edit.setText("4321")
        dialog.pin_again_edit.setText("4321")
        dialog._on_add()

    QTimer.singleShot(0, in_dialog)
    window.open_operators()
    assert seen["listed"] == "2"
    assert seen["badge"] == "OP-0042"
    assert "differ" in seen["mismatch"]
    added = queries.operator_by_badge(window.store.db, "OP-0042")
    assert added is not None
    assert (added.name, added.role) == ("Priya Nair", Role.SUPERVISOR)
    assert "Priya Nair added as supervisor" in window.banner.text()
    # the new badge logs in at once
    bench.scan("OP-0042")
    bench.qtbot.waitUntil(lambda: window.intake.operator is not None and window.intake.operator.name == "Priya Nair")


def test_operators_are_for_admins(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench()
    bench.scan("OP-0002")  # a technician
    bench.qtbot.waitUntil(lambda: bench.window.intake.operator is not None)
    bench.window.open_operators()
    assert "for admins" in bench.window.banner.text()
    assert bench.window._operators_dialog is None
