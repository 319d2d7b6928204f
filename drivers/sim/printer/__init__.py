"""A network label printer simulator (raw TCP, ZPL) and a minimal ZPL reader for checking labels."""

from __future__ import annotations

from drivers.sim.printer.server import HostStatus, PrinterSimulator
from drivers.sim.printer.zpl import ZplField, ZplFormat, parse_zpl

__all__ = ["HostStatus", "PrinterSimulator", "ZplField", "ZplFormat", "parse_zpl"]
