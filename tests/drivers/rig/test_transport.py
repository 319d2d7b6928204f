"""Line framing over a real pty and pyserial: every broken conversation is a RigError saying what to check."""

from __future__ import annotations

import contextlib
import os
import time
import tty
from collections.abc import Iterator

import pytest
import serial

from drivers.rig.errors import RigDisconnected, RigGarbled, RigTimeout
from drivers.rig.transport import LinePort, open_line_port
from drivers.rig.wirelog import Direction, WireLog


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, LinePort]]:
    """The device side (master fd) and our LinePort on the slave through pyserial."""
    master, slave = os.openpty()
    tty.setraw(slave)
    port = open_line_port(os.ttyname(slave), baudrate=115200, name="test-port")
    yield master, port
    port.close()
    os.close(slave)
    with contextlib.suppress(OSError):  # the test may have unplugged it already
        os.close(master)


def test_lines_are_framed_across_partial_reads(pty_pair: tuple[int, LinePort]) -> None:
    master, port = pty_pair
    os.write(master, b"RBSIM,PSU")
    os.write(master, b"-3005,1,2\r\nsecond\n")
    assert port.read_line(1.0) == "RBSIM,PSU-3005,1,2"
    assert port.read_line(1.0) == "second"
    received = [e.data for e in port.wire_log.entries() if e.direction is Direction.RX]
    assert received == [b"RBSIM,PSU-3005,1,2\r\n", b"second\n"]


def test_silence_is_a_timeout_that_names_the_port(pty_pair: tuple[int, LinePort]) -> None:
    _, port = pty_pair
    with pytest.raises(RigTimeout, match=r"No answer from test-port within 0\.2 s") as caught:
        port.read_line(0.2, waiting_for="the answer to *IDN?")
    assert "powered" in caught.value.check


def test_a_partial_line_then_silence_is_a_timeout_not_a_reading(pty_pair: tuple[int, LinePort]) -> None:
    master, port = pty_pair
    os.write(master, b"1.98")
    with pytest.raises(RigTimeout, match=r"partial line '1\.98'") as caught:
        port.read_line(0.2)
    assert "cable" in caught.value.check


def test_garbage_bytes_point_at_the_baud_rate(pty_pair: tuple[int, LinePort]) -> None:
    master, port = pty_pair
    os.write(master, bytes([0xE6, 0x98, 0xFE, 0x0D, 0x0A]))
    with pytest.raises(RigGarbled) as caught:
        port.read_line(1.0)
    assert "115200 baud" in str(caught.value)
    assert "\\xe6" in port.wire_log.excerpt(0)


def test_a_pulled_cable_is_a_disconnect(pty_pair: tuple[int, LinePort]) -> None:
    master, port = pty_pair
    os.close(master)
    with pytest.raises(RigDisconnected, match="Lost the connection to test-port") as caught:
        port.read_line(1.0)
    assert "cable" in caught.value.check
    with pytest.raises(RigDisconnected, match="Lost the connection to test-port"):
        port.write_line("*IDN?")


def test_a_missing_port_cannot_be_opened() -> None:
    with pytest.raises(RigDisconnected, match="Cannot open /dev/serial/by-id/usb-nothing") as caught:
        open_line_port("/dev/serial/by-id/usb-nothing")
    assert "dialout" in caught.value.check


def test_an_injected_port_object_works_the_same() -> None:
    loop = serial.serial_for_url("loop://", timeout=0.02)
    port = LinePort(loop, "loopback")
    port.write_line("hello")
    assert port.read_line(1.0) == "hello"
    port.close()


def test_stale_bytes_are_discarded_and_logged(pty_pair: tuple[int, LinePort]) -> None:
    master, port = pty_pair
    os.write(master, b"late answer\n")
    time.sleep(0.05)  # the late answer reaches the port's input queue
    port.discard_input()
    with pytest.raises(RigTimeout):
        port.read_line(0.1)
    assert "discarded 12 stale bytes" in port.wire_log.excerpt(0)


def test_the_wire_log_is_bounded() -> None:
    log = WireLog("p", max_entries=5, max_bytes=8)
    for n in range(20):
        log.add(Direction.TX, f"command {n}".encode())
    entries = log.entries()
    assert len(entries) == 5
    assert entries[0].seq == 15
    assert entries[-1].data.startswith(b"command ")
    assert b"bytes)" in entries[-1].data
    assert log.excerpt(18).count("\n") == 1
