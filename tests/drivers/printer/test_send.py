"""Sending label jobs to real endpoints: the network printer simulator over TCP (status checked first),
a file or FIFO standing in for /dev/usb/lp0, and every refusal named in an operator's words."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.reports.labels import to_zpl, unit_label
from drivers.printer import PrinterError, PrinterNotReady, PrinterUnreachable, parse_printer_url, send
from drivers.sim.printer import PrinterSimulator, parse_zpl
from tests.reports.labels.support import WITH_GTIN

ZPL = to_zpl(unit_label(WITH_GTIN), 203).encode("utf-8")


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    with PrinterSimulator() as sim:
        yield sim


def _wait(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not (callable(condition) and condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_ready_network_printer_prints_the_label(printer: PrinterSimulator) -> None:
    send(f"tcp://127.0.0.1:{printer.port}", ZPL)
    _wait(lambda: len(printer.printed) == 1)
    (label,) = parse_zpl(printer.printed[0])
    assert label.of_kind("code128")[0].data == WITH_GTIN.imei


@pytest.mark.parametrize(("fault", "words"), [("set_media_out", "out of labels"), ("set_head_open", "print head open"),
                                              ("set_paused", "paused")])
def test_a_printer_that_cannot_print_gets_nothing(printer: PrinterSimulator, fault: str, words: str) -> None:
    getattr(printer, fault)(True)
    with pytest.raises(PrinterNotReady, match=words):
        send(f"tcp://127.0.0.1:{printer.port}", ZPL)
    assert not printer.held
    assert not printer.printed


def test_an_offline_printer_is_unreachable(printer: PrinterSimulator) -> None:
    port = printer.port
    printer.set_offline(True)
    with pytest.raises(PrinterUnreachable, match=f"no printer answers at 127.0.0.1:{port}"):
        send(f"tcp://127.0.0.1:{port}", ZPL, timeout=2)


def test_a_usb_node_gets_the_bytes(tmp_path: Path) -> None:
    node = tmp_path / "lp0"
    node.touch()
    send(f"file://{node}", ZPL)
    send(f"file://{node}", ZPL)
    assert node.read_bytes() == ZPL * 2


def test_a_node_nobody_serves_fails_at_once(tmp_path: Path) -> None:
    with pytest.raises(PrinterUnreachable, match="no printer there"):
        send(f"file://{tmp_path / 'missing'}", ZPL)
    fifo = tmp_path / "lp1"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(PrinterUnreachable, match="no printer there"):
        send(f"file://{fifo}", ZPL)  # a FIFO with no reader: like a printer node whose printer is off
    assert time.monotonic() - started < 1


def test_a_stalled_node_times_out_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "lp2"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # opened, never read: the printer stopped taking data
    try:
        started = time.monotonic()
        with pytest.raises(PrinterNotReady, match="stopped taking data"):
            send(f"file://{fifo}", b"x" * (1 << 20), timeout=0.5)
        assert time.monotonic() - started < 3
    finally:
        os.close(reader)


def test_a_fifo_read_by_a_printer_gets_everything(tmp_path: Path) -> None:
    fifo = tmp_path / "lp3"
    os.mkfifo(fifo)
    got = bytearray()

    def printer_reads() -> None:
        with open(fifo, "rb") as handle:
            got.extend(handle.read())

    thread = threading.Thread(target=printer_reads)
    thread.start()
    time.sleep(0.1)  # the printer has the node open
    payload = ZPL * 200  # more than a pipe holds at once
    send(f"file://{fifo}", payload)
    thread.join(5)
    assert bytes(got) == payload


@pytest.mark.parametrize(("url", "scheme"), [("tcp://10.0.0.5:9100", "tcp"), ("tcp://zebra", "tcp"),
                                             ("file:///dev/usb/lp0", "file"), ("cups://Zebra_GK420d", "cups"),
                                             ("cups://printserver:631/Zebra", "cups")])
def test_printer_urls(url: str, scheme: str) -> None:
    assert parse_printer_url(url).scheme == scheme


@pytest.mark.parametrize("url", ["http://zebra", "tcp://", "file://relative", "cups://", "tcp://h:port"])
def test_bad_printer_urls_say_what_a_good_one_is(url: str) -> None:
    with pytest.raises(ValueError, match=r"tcp://|file:///|cups://"):
        parse_printer_url(url)
    with pytest.raises(PrinterError):
        send(url, ZPL)


def test_pdf_is_not_sent_to_a_zpl_socket(printer: PrinterSimulator) -> None:
    with pytest.raises(PrinterError, match="takes ZPL"):
        send(f"tcp://127.0.0.1:{printer.port}", b"%PDF-1.4", fmt="pdf")
