"""The Pack tab driven as a technician does: choose a box by keys, N opens it, scanned units go in (a unit
routed elsewhere or with a swollen battery for an air box is refused with the reason), Ctrl+Enter closes it,
the box label prints on the network printer simulator with the lithium mark, R reprints it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.lifecycle import UnitState
from app.services.grading import GradingService
from app.services.labels import LabelTarget, unit_print_job
from app.services.print_queue import PrintSpool
from app.settings import LabelSettings, Settings
from app.store import grading_queries as gq
from app.store import queries
from app.ui.pack_tab import PackTab
from drivers.sim.printer import PrinterSimulator, parse_zpl
from tests.services.grading_support import imei, inspection
from tests.ui.conftest import Bench
from tests.ui.grading_flow import phone_after_checks
from tests.ui.test_grade import press

pytestmark = pytest.mark.gui


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    with PrinterSimulator() as sim:
        yield sim


def _labelled(bench: Bench, n: int, printer: PrinterSimulator, **changes: object) -> str:
    store, operator = bench.window.store, bench.window.intake.operator
    assert operator is not None
    unit_id = phone_after_checks(store, operator, n)
    GradingService(store).grade(unit_id, inspection(**changes), operator)
    unit = queries.get_unit(store.db, unit_id)
    assert unit is not None
    target = LabelTarget(f"tcp://127.0.0.1:{printer.port}", "zpl", 203)
    assert PrintSpool(store).send_now(unit_print_job(store, unit, target, operator.operator_id)) == ""
    return unit_id


def test_pack_a_box_and_close_it(make_bench, printer: PrinterSimulator, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(Settings(), labels=LabelSettings(printer=f"tcp://127.0.0.1:{printer.port}",
                                                                    lithium_phone="+44 20 7946 0000"))
    bench: Bench = make_bench(settings)
    bench.login()
    sold = [_labelled(bench, n, printer) for n in (1, 2)]
    swollen = _labelled(bench, 3, printer, battery={"condition": "swollen"})
    tab = bench.window.work_tab(PackTab)
    qtbot.keyClick(bench.window, Qt.Key.Key_F11)
    assert bench.window.tabs.currentWidget() is tab.page
    page = tab.page
    page.ship_combo.setFocus()
    press(qtbot, page.ship_combo, Qt.Key.Key_Down)  # Road -> Air
    assert page.ship_combo.currentData() == "air"
    page.units.setFocus()
    press(qtbot, page.units, Qt.Key.Key_N)  # a resale box for Back Market, by air
    box_id = tab.box_id
    assert box_id is not None
    for unit_id in sold:
        bench.scan(queries.get_unit(bench.window.store.db, unit_id).label)  # type: ignore[union-attr]
    assert gq.get_box(bench.window.store.db, box_id).units == 2  # type: ignore[union-attr]
    bench.scan(imei(3))
    assert "cannot go into air box" in bench.window.banner.text() or "is routed to" in bench.window.banner.text()
    assert queries.get_unit(bench.window.store.db, swollen).state is UnitState.LABELLED  # type: ignore[union-attr]
    bench.screenshot("pack")
    press(qtbot, page.units, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: gq.get_box(bench.window.store.db, box_id).state == "closed", timeout=10_000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: len(printer.printed) == 4, timeout=10_000)  # three unit labels, then the box's
    (label,) = parse_zpl(printer.printed[-1])
    assert label.of_kind("code128")[0].data == box_id
    assert "UN3481" in label.texts()
    assert (bench.window.store.data_dir / "manifests" / f"{box_id}.csv").exists()
    assert all(queries.get_unit(bench.window.store.db, u).state is UnitState.PACKED for u in sold)  # type: ignore[union-attr]
    bench.screenshot("pack-closed")
    press(qtbot, page.units, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(printer.printed) == 5, timeout=10_000)


def test_a_swollen_battery_is_refused_from_an_air_box_with_the_reason(  # type: ignore[no-untyped-def]
        make_bench, printer: PrinterSimulator, qtbot: QtBot) -> None:
    bench: Bench = make_bench(Settings())
    bench.login()
    swollen = _labelled(bench, 4, printer, battery={"condition": "swollen"})
    routed = gq.current_route(bench.window.store.db, swollen)
    assert routed is not None
    tab = bench.window.work_tab(PackTab)
    qtbot.keyClick(bench.window, Qt.Key.Key_F11)
    page = tab.page
    page.route_combo.setCurrentIndex(page.route_combo.findData(routed.route))
    page.ship_combo.setCurrentIndex(page.ship_combo.findData("air"))
    page.units.setFocus()
    press(qtbot, page.units, Qt.Key.Key_N)
    bench.scan(imei(4))
    banner = bench.window.banner.text()
    assert "cannot go into air box" in banner
    assert "damaged or defective lithium batteries may not go by air" in banner
    assert "road or sea box" in banner
