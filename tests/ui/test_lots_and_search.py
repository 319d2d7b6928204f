"""Receiving a lot against its manifest, and finding units again, with keys and scans only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.store import queries
from drivers.sim.scanner import Keystroke, SimulatedScanner, typist_keystrokes
from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui

MANIFEST = "IMEI,Model\n490154203237518,iPhone 12\n356938035643809,Galaxy S10\n"



def _tab() -> list[Keystroke]:
    return [Keystroke("\t", 80.0)]


def test_new_lot_dialog_takes_a_scanned_code_and_typed_fields(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    keys = (
        SimulatedScanner().keystrokes("LOT-2026-0100")  # the lot label scanned into the code field
        + _tab() + _tab()  # past the customer/supplier choice (customer)
        + typist_keystrokes("Acme Leasing", 60) + _tab()
        + typist_keystrokes("PO-9", 60) + _tab()
        + typist_keystrokes("2", 60, end="\r")
    )
    bench.player.play(keys)
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # returns when closed
    lot = queries.lot_by_code(bench.window.store.db, "LOT-2026-0100")
    assert lot is not None
    assert (lot.party, lot.party_kind, lot.po, lot.expected_count) == ("Acme Leasing", "customer", "PO-9", 2)
    assert bench.window.tabs.currentWidget() is bench.window.lots_page


def test_receiving_a_lot_against_its_manifest(make_bench: Callable[..., Bench], tmp_path: Path) -> None:
    bench = make_bench().login()
    window = bench.window
    lot = window.intake.create_lot("LOT-2026-0101", "customer", "Acme Leasing", "PO-10", 2)  # type: ignore[arg-type]
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(MANIFEST)
    window.import_manifest(lot, manifest)
    bench.qtbot.waitUntil(lambda: "Imported 2 manifest lines" in window.banner.text(), timeout=5000)

    bench.qtbot.keyClick(window, Qt.Key.Key_F4)
    assert window.tabs.currentWidget() is window.lots_page
    assert window.lots_page.missing.count() == 2
    bench.qtbot.keyClick(window.lots_page.table, Qt.Key.Key_Return)  # receive into the selected lot
    assert window.intake.active_lot is not None
    assert window.intake.active_lot.code == "LOT-2026-0101"
    assert "Receiving into LOT-2026-0101" in window.lot_label.text()

    bench.scan("490154203237518")
    bench.qtbot.waitUntil(lambda: "received into LOT-2026-0101" in window.banner.text())
    bench.scan("358240051111110")  # not on the manifest
    bench.qtbot.waitUntil(lambda: "not on its manifest" in window.banner.text())

    progress = queries.lot_progress(window.store.db, lot)
    assert (progress.expected, progress.received_expected, progress.unexpected, progress.outstanding) == (2, 1, 1, 1)
    bench.qtbot.keyClick(window, Qt.Key.Key_F4)
    assert "received 2 (1 on the manifest, 1 unexpected), outstanding 1" in window.lots_page.summary.text()
    assert window.lots_page.missing.count() == 1
    assert "356938035643809" in window.lots_page.missing.item(0).text()
    bench.screenshot("lots-receiving")


def test_a_bad_manifest_is_refused_whole_with_its_line_numbers(make_bench: Callable[..., Bench],
                                                               tmp_path: Path) -> None:
    bench = make_bench().login()
    window = bench.window
    lot = window.intake.create_lot("LOT-2026-0102", "supplier", "Phones4Less", "", 3)  # type: ignore[arg-type]
    events_before = bench.event_count()
    bad = tmp_path / "bad.csv"
    bad.write_text("IMEI,Model\n490154203237518,iPhone 12\n490154203237519,iPhone 12\n")
    window.import_manifest(lot, bad)
    bench.qtbot.waitUntil(lambda: window.banner.property("tone") == "error", timeout=5000)
    assert "line 3" in window.banner.text()
    assert bench.event_count() == events_before
    assert queries.manifest_size(window.store.db, lot.lot_id) == 0

    missing = tmp_path / "does-not-exist.csv"
    window.import_manifest(lot, missing)
    bench.qtbot.waitUntil(lambda: "Cannot read" in window.banner.text(), timeout=5000)


def test_search_by_identifier_prefix_then_open_with_enter(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    window = bench.window
    for code in ("490154203237518", "356938035643809", "C02XK1JHJG5J"):
        bench.scan(code)
        bench.qtbot.waitUntil(lambda code=code: window.unit_page.heading.text() == code)
    window.unit_page.heading.setText("")
    bench.qtbot.keyClick(window, Qt.Key.Key_F3)
    assert window.search_page.query_edit.hasFocus()
    bench.type_slowly("3569", end="\r", per_key_ms=60)
    bench.qtbot.waitUntil(lambda: window.unit_page.heading.text() == "356938035643809")
    assert window.tabs.currentWidget() is window.unit_page

    # by state, all three; Down moves into the results, Enter opens the highlighted one
    bench.qtbot.keyClick(window, Qt.Key.Key_F3)
    window.search_page.query_edit.clear()
    window.search_page.refresh()
    assert window.search_page.model.rowCount() == 3
    bench.screenshot("search")
    bench.qtbot.keyClick(window.search_page.query_edit, Qt.Key.Key_Down)
    assert window.search_page.results.hasFocus()
    first = window.search_page.model.row(0)
    bench.qtbot.keyClick(window.search_page.results, Qt.Key.Key_Return)
    bench.qtbot.waitUntil(lambda: window.unit_page.heading.text() == first.label)
