"""A technician at the bench: badge scan, unit scans, typos, typing that is not a scan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt

from app.store import queries
from drivers.sim.scanner import ScannerFaults
from tests.ui.conftest import Bench

pytestmark = pytest.mark.gui



def test_badge_scan_logs_in_and_shows_the_work_area(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench()
    assert bench.window.stack.currentWidget() is bench.window.login_page
    bench.scan("OP-0002")
    bench.qtbot.waitUntil(lambda: bench.window.stack.currentIndex() == 1)
    assert bench.window.intake.operator is not None
    assert bench.window.intake.operator.name == "Sam Okafor"
    assert "Sam Okafor" in bench.window.operator_label.text()
    bench.screenshot("after-login")


def test_keystroke_burst_creates_the_unit_and_shows_it(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    before = queries.count_units(bench.window.store.db)
    bench.scan("490154203237518")
    bench.qtbot.waitUntil(lambda: bench.window.unit_page.heading.text() == "490154203237518")
    assert queries.count_units(bench.window.store.db) == before + 1
    assert bench.window.tabs.currentWidget() is bench.window.unit_page
    assert "New unit 490154203237518" in bench.window.banner.text()
    # the timeline lists the creation, with who did it
    model = bench.window.unit_page.timeline_model
    texts = [model.data(model.index(r, 2)) for r in range(model.rowCount())]
    assert any("Unit created from scan" in t for t in texts)
    assert model.data(model.index(0, 1)) == "Sam Okafor"
    bench.screenshot("unit-created")
    # scanning it again opens the same unit rather than creating another
    bench.scan("490154203237518")
    bench.qtbot.waitUntil(lambda: "Opened 490154203237518" in bench.window.banner.text())
    assert queries.count_units(bench.window.store.db) == before + 1


def test_scan_while_a_text_field_has_focus_does_not_type_into_it(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    bench.window.show_search_page()
    assert bench.window.search_page.query_edit.hasFocus()
    bench.scan("356938035643809")
    bench.qtbot.waitUntil(lambda: bench.window.unit_page.heading.text() == "356938035643809")
    assert bench.window.search_page.query_edit.text() == ""


def test_slow_typing_is_not_a_scan(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    bench.window.focus_manual_entry()
    events_before = bench.event_count()
    bench.type_slowly("C02XK1JHJG5J")
    bench.qtbot.waitUntil(lambda: bench.window.manual_edit.text() == "C02XK1JHJG5J")
    # no scan happened: nothing recorded, the text sits in the field the person typed into
    assert bench.event_count() == events_before
    assert queries.find_unit(bench.window.store.db, "C02XK1JHJG5J") is None
    # Enter submits the typed identifier through the same rules as a scan
    bench.qtbot.keyClick(bench.window.manual_edit, Qt.Key.Key_Return)
    bench.qtbot.waitUntil(lambda: bench.window.unit_page.heading.text() == "C02XK1JHJG5J")


def test_invalid_imei_shows_the_check_digit_message_and_stores_nothing(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    events_before = bench.event_count()
    bench.scan("490154203237519")
    bench.qtbot.waitUntil(lambda: "check digit" in bench.window.banner.text())
    text = bench.window.banner.text()
    assert "490154203237519" in text
    assert "should be 8" in text
    assert bench.window.banner.property("tone") == "error"
    assert bench.event_count() == events_before
    bench.screenshot("invalid-imei")


def test_operator_switch_by_one_badge_scan(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    bench.scan("OP-0001")
    bench.qtbot.waitUntil(lambda: bench.window.intake.operator is not None
                          and bench.window.intake.operator.name == "Alex Martin")
    types = [r[0] for r in bench.window.store.db.execute("SELECT type FROM events ORDER BY seq DESC LIMIT 2")]
    assert types == ["operator.logged_in", "operator.logged_out"]
    assert "Alex Martin" in bench.window.operator_label.text()


def test_scan_before_login_asks_for_a_badge(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench()
    events_before = bench.event_count()
    bench.scan("490154203237518")
    bench.qtbot.waitUntil(lambda: "Scan your operator badge" in bench.window.banner.text())
    assert bench.event_count() == events_before


def test_gs1_scan_with_group_separators_keeps_the_serial(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    bench.scan("]C1010950110153000321SN-77821\x1d10B1234")
    bench.qtbot.waitUntil(lambda: bench.window.unit_page.heading.text() == "SN-77821")
    unit = queries.find_unit(bench.window.store.db, "SN-77821")
    assert unit is not None


def test_garbled_scan_is_refused_with_a_message(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench().login()
    events_before = bench.event_count()
    # every character replaced by junk: what arrives is not any identifier we accept
    bench.scan("490154203237518", ScannerFaults(garbage_rate=1.0, seed=3))
    bench.qtbot.waitUntil(lambda: bench.window.banner.property("tone") == "error")
    assert bench.event_count() == events_before


def test_pin_login_with_the_keyboard(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench()
    page = bench.window.login_page
    assert page.name_edit.hasFocus()
    bench.type_slowly("Sam Okafor", end="\r", per_key_ms=90)
    bench.qtbot.waitUntil(page.pin_edit.hasFocus)
    bench.type_slowly("9999", end="\r", per_key_ms=90)
    bench.qtbot.waitUntil(lambda: "not recognised" in page.error_label.text())
    assert bench.window.intake.operator is None
    bench.type_slowly("2345", end="\r", per_key_ms=90)
    bench.qtbot.waitUntil(lambda: bench.window.intake.operator is not None)
    assert bench.window.stack.currentIndex() == 1
