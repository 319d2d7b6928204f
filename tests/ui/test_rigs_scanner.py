"""A serial barcode scanner on a pty feeds the same scan path as the keyboard-wedge one: it logs a
technician in and creates units the same way, GS1 group separators intact from the scanner to the
record; a pulled scanner cable is said and retried. The HID grab's failures are said in words."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core import events as ev
from app.settings import ScannerPortSettings, Settings
from app.store.eventlog import unit_events
from app.store.store import Store
from app.ui.rigs_scanner import ScannerPortsPart
from drivers.sim.rigs.profiles import SimBench, start_bench
from drivers.sim.rigs.scanner import SerialScannerSim
from tests.ui.conftest import Bench

GS = "\x1d"
SERIAL_GS1 = f"]C1010950110153000321SN-77821{GS}10B1234"
WEDGE_GS1 = f"]C1010950110153000321SN-77822{GS}10B1235"


@pytest.fixture
def serial_scanner() -> Iterator[tuple[SimBench, SerialScannerSim]]:
    bench = start_bench("scanner")
    device = bench.devices["scanner"]
    assert isinstance(device, SerialScannerSim)
    yield bench, device
    bench.stop()


def _part(bench: Bench) -> ScannerPortsPart:
    return next(p for p in bench.window.status_parts if isinstance(p, ScannerPortsPart))


def _created(store: Store, unit_id: str) -> dict[str, object]:
    event = next(e for e in unit_events(store.db, unit_id) if e.type == ev.UNIT_CREATED)
    return dict(event.body)


@pytest.mark.gui
def test_a_serial_scanner_logs_in_and_creates_units_like_the_wedge(
        serial_scanner: tuple[SimBench, SerialScannerSim], make_bench: Callable[..., Bench], qtbot: QtBot,
        store: Store) -> None:
    sim, device = serial_scanner
    settings = dataclasses.replace(Settings(), scanner_ports=ScannerPortSettings(serial_port=sim.ports["scanner"]))
    bench = make_bench(settings)
    part = _part(bench)
    qtbot.waitUntil(lambda: "Serial scanner: ready" in part.label.text(), timeout=5000)
    device.scan("OP-0002")
    qtbot.waitUntil(lambda: bench.window.intake.operator is not None, timeout=5000)
    device.scan(SERIAL_GS1)
    qtbot.waitUntil(lambda: bench.window.unit_page.isVisible() and "SN-77821" in bench.window.banner.text(),
                    timeout=5000)
    by_serial = bench.window.intake.store.db.execute(
        "SELECT unit_id FROM unit_identifiers WHERE value = 'SN-77821'").fetchone()[0]
    bench.scan(WEDGE_GS1)  # the keyboard-wedge scanner, for comparison
    qtbot.waitUntil(lambda: "SN-77822" in bench.window.banner.text(), timeout=5000)
    by_wedge = store.db.execute("SELECT unit_id FROM unit_identifiers WHERE value = 'SN-77822'").fetchone()[0]
    serial_body, wedge_body = _created(store, by_serial), _created(store, by_wedge)
    assert serial_body["raw_scan"] == SERIAL_GS1  # the GS came through the serial line into the record
    assert wedge_body["raw_scan"] == WEDGE_GS1
    assert serial_body["source"] == wedge_body["source"] == "scan"
    kinds = [i["kind"] for i in serial_body["identifiers"]]  # type: ignore[attr-defined]
    assert kinds == [i["kind"] for i in wedge_body["identifiers"]]  # type: ignore[attr-defined]
    assert serial_body["gtin"] == wedge_body["gtin"] == "09501101530003"


@pytest.mark.gui
def test_a_missing_scanner_is_said_and_opened_once_it_is_there(
        serial_scanner: tuple[SimBench, SerialScannerSim], make_bench: Callable[..., Bench], qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import app.ui.rigs_scanner as part_module

    monkeypatch.setattr(part_module, "CHECK_MS", 200)  # the settings are looked at again sooner
    sim, device = serial_scanner
    missing = "/dev/serial/by-id/usb-Scanner_not_plugged_in-if00"
    settings = dataclasses.replace(Settings(), scanner_ports=ScannerPortSettings(serial_port=missing))
    bench = make_bench(settings)
    part = _part(bench)
    qtbot.waitUntil(lambda: "not connected" in part.label.text(), timeout=5000)
    assert f"Cannot open {missing}" in part.label.text()
    # A supervisor corrects the port in the settings: the next check opens it.
    bench.window.settings = dataclasses.replace(settings, scanner_ports=ScannerPortSettings(
        serial_port=sim.ports["scanner"]))
    qtbot.waitUntil(lambda: "Serial scanner: ready" in part.label.text(), timeout=5000)
    device.scan("OP-0002")
    qtbot.waitUntil(lambda: bench.window.intake.operator is not None, timeout=5000)


@pytest.mark.gui
def test_a_scan_cut_short_is_refused_and_the_next_one_is_read(
        serial_scanner: tuple[SimBench, SerialScannerSim], make_bench: Callable[..., Bench], qtbot: QtBot) -> None:
    sim, device = serial_scanner
    settings = dataclasses.replace(Settings(), scanner_ports=ScannerPortSettings(serial_port=sim.ports["scanner"]))
    bench = make_bench(settings)
    part = _part(bench)
    qtbot.waitUntil(lambda: "Serial scanner: ready" in part.label.text(), timeout=5000)
    device.suffix = ""
    device.scan("OP-00")  # the scanner's cable cut the code short: no suffix ever comes
    qtbot.waitUntil(lambda: "sent a bad scan" in bench.window.banner.text(), timeout=5000)
    assert "partial line 'OP-00'" in bench.window.banner.text()
    assert bench.window.intake.operator is None
    device.suffix = "\r"
    device.scan("OP-0002")
    qtbot.waitUntil(lambda: bench.window.intake.operator is not None, timeout=5000)


@pytest.mark.gui
def test_a_hid_grab_of_a_device_that_is_not_an_input_device_says_so(
        serial_scanner: tuple[SimBench, SerialScannerSim], make_bench: Callable[..., Bench], qtbot: QtBot) -> None:
    sim, _ = serial_scanner
    settings = dataclasses.replace(Settings(), scanner_ports=ScannerPortSettings(hid_grab=sim.ports["scanner"]))
    bench = make_bench(settings)
    part = _part(bench)
    qtbot.waitUntil(lambda: "not connected" in part.label.text(), timeout=5000)
    assert f"{sim.ports['scanner']} is not an input device" in part.label.text()
    assert "/dev/input/event" in part.label.text()
