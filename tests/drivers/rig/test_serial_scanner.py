"""A serial barcode scanner on a pty: GS1 codes arrive with their GS (0x1D) separators intact."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.core.identifiers import IdentifierKind, classify
from drivers.rig.errors import RigTimeout
from drivers.rig.scanner import SerialScanner
from drivers.sim.rigs.profiles import SimBench
from drivers.sim.rigs.scanner import SerialScannerSim

GS = "\x1d"


def test_a_gs1_code_keeps_its_separators(sim_bench: Callable[..., SimBench]) -> None:
    bench = sim_bench("scanner")
    device = bench.devices["scanner"]
    assert isinstance(device, SerialScannerSim)
    scanner = SerialScanner.open(bench.ports["scanner"])
    try:
        assert scanner.read_code(0.1) is None  # idle scanner: nothing, and no error
        code = f"]C101095011015300031721123110SN-4471{GS}21RB000123"
        device.scan(code)
        received = scanner.read_code(2.0)
        assert received == code
        scan = classify(received or "")
        assert scan.kind is IdentifierKind.GS1
        assert scan.gs1_value("10") == "SN-4471"
        assert scan.gs1_value("21") == "RB000123"
        device.scan("490154203237518")
        assert scanner.read_code(2.0) == "490154203237518"
    finally:
        scanner.close()


def test_a_scan_cut_short_is_an_error_not_a_code(sim_bench: Callable[..., SimBench]) -> None:
    bench = sim_bench("scanner")
    device = bench.devices["scanner"]
    assert isinstance(device, SerialScannerSim)
    device.suffix = ""
    scanner = SerialScanner.open(bench.ports["scanner"])
    try:
        device.scan("49015420")
        with pytest.raises(RigTimeout, match="partial line '49015420'"):
            scanner.read_code(0.3)
    finally:
        scanner.close()
