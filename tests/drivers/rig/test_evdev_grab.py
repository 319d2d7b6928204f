"""The HID scanner grab's decoding and errors: key events from the kernel's input layer become codes,
GS1 separators (Ctrl+]) included. Real ``struct input_event`` records go through a pipe here; the grab
on a real uinput keyboard runs in a guest kernel (test_evdev_uinput.py), because this machine's kernel
has no uinput (none in /proc/misc, no module to load, no /dev/input)."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator

import pytest
from evdev import ecodes

from drivers.scanner.evdev_grab import (
    EvdevScanner,
    KeyDecoder,
    RawEventReader,
    ScanIncomplete,
    ScannerDeviceError,
    open_grabbed,
)

GS = "\x1d"
_EVENT = struct.Struct("llHHi")


def _keys(text: str) -> list[tuple[int, int, int]]:
    """(type, code, value) events a US-layout HID scanner sends for ``text``, with SYN reports."""
    shifted = {"_": "MINUS", ")": "0", "(": "9"}
    events: list[tuple[int, int, int]] = []

    def tap(code: int, shift: bool = False, ctrl: bool = False) -> None:
        mods = [ecodes.KEY_LEFTSHIFT] * shift + [ecodes.KEY_LEFTCTRL] * ctrl
        events.extend((ecodes.EV_KEY, m, 1) for m in mods)
        events.extend([(ecodes.EV_MSC, ecodes.MSC_SCAN, 0x7001E), (ecodes.EV_KEY, code, 1), (ecodes.EV_SYN, 0, 0),
                       (ecodes.EV_KEY, code, 0), (ecodes.EV_SYN, 0, 0)])
        events.extend((ecodes.EV_KEY, m, 0) for m in mods)

    for char in text:
        if char == GS:
            tap(ecodes.KEY_RIGHTBRACE, ctrl=True)
        elif char in shifted:
            tap(getattr(ecodes, f"KEY_{shifted[char]}"), shift=True)
        elif char.isalpha():
            tap(getattr(ecodes, f"KEY_{char.upper()}"), shift=char.isupper())
        elif char == "]":
            tap(ecodes.KEY_RIGHTBRACE)
        elif char == "-":
            tap(ecodes.KEY_MINUS)
        else:
            tap(getattr(ecodes, f"KEY_{char}"))
    tap(ecodes.KEY_ENTER)
    return events


def test_the_decoder_keeps_case_and_the_gs1_separator() -> None:
    decoder = KeyDecoder()
    code = f"]C1010950110153000321SN-77821{GS}10B1234"
    out = [c for t, k, v in _keys(code) if t == ecodes.EV_KEY and (c := decoder.feed(k, v)) is not None]
    assert out == [code]
    assert decoder.pending == ""


def test_key_repeat_and_unknown_keys_type_nothing() -> None:
    decoder = KeyDecoder()
    decoder.feed(ecodes.KEY_A, 1)
    decoder.feed(ecodes.KEY_A, 2)  # auto-repeat
    decoder.feed(ecodes.KEY_F5, 1)
    assert decoder.feed(ecodes.KEY_TAB, 1) == "a"
    assert decoder.feed(ecodes.KEY_ENTER, 1) is None  # an empty code is no scan


@pytest.fixture
def pipe() -> Iterator[tuple[int, EvdevScanner]]:
    read_end, write_end = os.pipe()
    scanner = EvdevScanner(RawEventReader(read_end), "pipe")
    yield write_end, scanner
    scanner.close()
    os.close(write_end)


def test_scans_are_read_from_input_event_records(pipe: tuple[int, EvdevScanner]) -> None:
    write_end, scanner = pipe
    assert scanner.read_code(0.05) is None  # an idle scanner is no error
    records = b"".join(_EVENT.pack(1, n, *event) for n, event in
                       enumerate(_keys("490154203237518") + _keys(f"01095011015300032{GS}21AB")))
    os.write(write_end, records[:100])  # the kernel may hand over part of a record: the rest follows
    os.write(write_end, records[100:])
    assert scanner.read_code(1.0) == "490154203237518"
    assert scanner.read_code(1.0) == f"01095011015300032{GS}21AB"  # read in the same batch, not lost


def test_events_the_kernel_dropped_throw_the_damaged_code_away(pipe: tuple[int, EvdevScanner]) -> None:
    write_end, scanner = pipe
    damaged = _keys("490154203237518")
    events = [*damaged[:20], (ecodes.EV_SYN, ecodes.SYN_DROPPED, 0), *damaged[60:], *_keys("12345678")]
    os.write(write_end, b"".join(_EVENT.pack(1, n, *event) for n, event in enumerate(events)))
    with pytest.raises(ScanIncomplete, match="lost key events mid-scan"):
        scanner.read_code(1.0)
    assert scanner.read_code(1.0) == "12345678"  # the damaged code's tail was skipped up to its Enter


def test_a_scanner_that_goes_away_says_so() -> None:
    read_end, write_end = os.pipe()
    scanner = EvdevScanner(RawEventReader(read_end), "pipe")
    os.close(write_end)  # the device node is gone: reads end
    try:
        with pytest.raises(ScannerDeviceError, match="Lost the scanner pipe") as caught:
            scanner.read_code(1.0)
        assert "USB cable" in caught.value.check
    finally:
        scanner.close()


def test_grabbing_something_that_is_not_an_input_device_is_refused() -> None:
    master, slave = os.openpty()
    try:
        with pytest.raises(ScannerDeviceError, match="is not an input device") as caught:
            open_grabbed(os.ttyname(slave))
        assert "/dev/input/event" in caught.value.check
    finally:
        os.close(master)
        os.close(slave)
    with pytest.raises(ScannerDeviceError, match="No input device /dev/input/by-id/usb-nothing-event-kbd"):
        open_grabbed("/dev/input/by-id/usb-nothing-event-kbd")
