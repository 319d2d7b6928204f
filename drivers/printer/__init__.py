"""Label printers: raw ZPL (or PDF) to a network printer on TCP 9100, a USB printer's /dev/usb/lp*
node, or a CUPS queue; Zebra ~HS host status read before a network job is sent."""

from __future__ import annotations

from drivers.printer.send import PrinterError, PrinterNotReady, PrinterUnreachable, parse_printer_url, send
from drivers.printer.status import HostStatus

__all__ = ["HostStatus", "PrinterError", "PrinterNotReady", "PrinterUnreachable", "parse_printer_url", "send"]
