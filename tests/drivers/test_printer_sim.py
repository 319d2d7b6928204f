"""The network label printer simulator over real TCP: ZPL in, labels kept, ~HS status out, faults."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from app.reports.labels import to_zpl, unit_label
from drivers.sim.printer import HostStatus, PrinterSimulator, parse_zpl
from tests.reports.labels.support import SERIAL_ONLY, WITH_GTIN


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    with PrinterSimulator() as sim:
        yield sim


def _send(sim: PrinterSimulator, payload: bytes) -> None:
    with socket.create_connection((sim.host, sim.port), timeout=5) as conn:
        conn.sendall(payload)


def _status(sim: PrinterSimulator) -> HostStatus:
    with socket.create_connection((sim.host, sim.port), timeout=5) as conn:
        conn.sendall(b"~HS")
        reply = b""
        while reply.count(b"\x03") < 3:
            chunk = conn.recv(1024)
            assert chunk, "printer closed the connection before answering ~HS"
            reply += chunk
    return HostStatus.parse(reply)


def _wait_for(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_zpl_sent_over_tcp_is_printed_with_its_fields(printer: PrinterSimulator) -> None:
    job = (to_zpl(unit_label(WITH_GTIN), 203) + to_zpl(unit_label(SERIAL_ONLY), 203)).encode("utf-8")
    with socket.create_connection((printer.host, printer.port), timeout=5) as conn:
        conn.sendall(job[:100])  # a format split across TCP writes is put together again
        time.sleep(0.05)
        conn.sendall(job[100:])
    _wait_for(lambda: len(printer.printed) == 2)
    first, second = (parse_zpl(text)[0] for text in printer.printed)
    assert first.of_kind("code128")[0].data == "490154203237518"
    assert first.of_kind("datamatrix")[0].data == WITH_GTIN.gs1_elements
    assert "Grade B / 0 · R2 F5-C5" in first.texts()
    assert second.of_kind("qr")[0].data == "PF3K9Z2Q"


def test_status_of_a_ready_printer(printer: PrinterSimulator) -> None:
    status = _status(printer)
    assert status == HostStatus(media_out=False, paused=False, formats_in_buffer=0, head_open=False,
                                label_length_dots=406)


def test_out_of_media_holds_jobs_and_reports_it(printer: PrinterSimulator) -> None:
    printer.set_media_out(True)
    _send(printer, to_zpl(unit_label(WITH_GTIN), 203).encode())
    _wait_for(lambda: len(printer.held) == 1)
    status = _status(printer)
    assert status.media_out
    assert status.formats_in_buffer == 1
    assert printer.printed == []
    printer.set_media_out(False)  # labels loaded: the held format prints
    assert len(printer.printed) == 1
    assert _status(printer).formats_in_buffer == 0


def test_head_open_and_pause_are_reported(printer: PrinterSimulator) -> None:
    printer.set_head_open(True)
    assert _status(printer).head_open
    printer.set_head_open(False)
    printer.set_paused(True)
    status = _status(printer)
    assert (status.paused, status.head_open) == (True, False)


def test_offline_printer_refuses_connections_then_comes_back(printer: PrinterSimulator) -> None:
    port = printer.port
    printer.set_offline(True)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
    printer.set_offline(False)
    assert printer.port == port
    _send(printer, to_zpl(unit_label(SERIAL_ONLY), 300).encode())
    _wait_for(lambda: len(printer.printed) == 1)


def test_malformed_status_reply_is_refused() -> None:
    with pytest.raises(ValueError, match="three framed lines"):
        HostStatus.parse(b"\x02030,0,0\x03\r\n")
