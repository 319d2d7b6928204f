"""A USB HID barcode scanner read straight from its Linux input device, grabbed exclusively.

A HID scanner is a keyboard: its keystrokes go to whichever window has the focus, so a scan can land
in a chat window or a terminal. With an exclusive grab (``EVIOCGRAB``) the kernel hands the scanner's
key events to this program only; we turn them back into text ourselves (US layout, as scanners are
configured) and the desktop never sees them. GS1's group separator arrives as Ctrl+] (the ASCII
control code of ``]``) and is kept as the GS character; a scan ends with Enter or Tab.

``EvdevScanner`` reads from any ``EventSource`` (a python-evdev ``InputDevice``, or raw
``struct input_event`` records on another descriptor), so the decoding runs the same everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import struct
import time
from collections import deque
from collections.abc import Iterable
from typing import Protocol

from evdev import InputDevice, InputEvent, ecodes

GS = "\x1d"
_SUFFIX_KEYS = {ecodes.KEY_ENTER, ecodes.KEY_KPENTER, ecodes.KEY_TAB}
_SHIFT_KEYS = {ecodes.KEY_LEFTSHIFT, ecodes.KEY_RIGHTSHIFT}
_CTRL_KEYS = {ecodes.KEY_LEFTCTRL, ecodes.KEY_RIGHTCTRL}
KEY_DOWN, KEY_UP, KEY_REPEAT = 1, 0, 2


def _layout() -> dict[int, tuple[str, str]]:
    """Key code -> (plain, shifted) character on a US keyboard."""
    table: dict[int, tuple[str, str]] = {}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        table[getattr(ecodes, f"KEY_{letter.upper()}")] = (letter, letter.upper())
    for digit, shifted in zip("1234567890", "!@#$%^&*()", strict=True):
        table[getattr(ecodes, f"KEY_{digit}")] = (digit, shifted)
    for name, plain, shifted in (("MINUS", "-", "_"), ("EQUAL", "=", "+"), ("LEFTBRACE", "[", "{"),
                                 ("RIGHTBRACE", "]", "}"), ("SEMICOLON", ";", ":"), ("APOSTROPHE", "'", '"'),
                                 ("GRAVE", "`", "~"), ("BACKSLASH", "\\", "|"), ("COMMA", ",", "<"),
                                 ("DOT", ".", ">"), ("SLASH", "/", "?"), ("SPACE", " ", " ")):
        table[getattr(ecodes, f"KEY_{name}")] = (plain, shifted)
    for digit in "0123456789":
        table[getattr(ecodes, f"KEY_KP{digit}")] = (digit, digit)
    for name, char in (("KPMINUS", "-"), ("KPPLUS", "+"), ("KPDOT", "."), ("KPSLASH", "/"), ("KPASTERISK", "*")):
        table[getattr(ecodes, f"KEY_{name}")] = (char, char)
    return table


_LAYOUT = _layout()
# Ctrl + key -> the ASCII control character (Ctrl+] is GS, the GS1 separator).
_CONTROL = {ecodes.KEY_RIGHTBRACE: GS, ecodes.KEY_LEFTBRACE: "\x1b", ecodes.KEY_BACKSLASH: "\x1c"}


class KeyDecoder:
    """Key events in, finished codes out. Only key-down events type; modifiers are tracked up and down."""

    def __init__(self, max_length: int = 4096) -> None:
        self.max_length = max_length
        self._text: list[str] = []
        self._shift = self._ctrl = False

    def feed(self, code: int, value: int) -> str | None:
        """One EV_KEY event; returns the code when its suffix key (Enter/Tab) goes down."""
        if code in _SHIFT_KEYS:
            self._shift = value != KEY_UP
            return None
        if code in _CTRL_KEYS:
            self._ctrl = value != KEY_UP
            return None
        if value != KEY_DOWN:
            return None  # key up, and auto-repeat (a scanner never holds a key)
        if code in _SUFFIX_KEYS:
            text, self._text = "".join(self._text), []
            return text or None
        char = _CONTROL.get(code) if self._ctrl else None
        if char is None and not self._ctrl:
            pair = _LAYOUT.get(code)
            char = (pair[1] if self._shift else pair[0]) if pair else None
        if char is not None and len(self._text) < self.max_length:
            self._text.append(char)
        return None

    @property
    def pending(self) -> str:
        return "".join(self._text)


class ScanIncomplete(Exception):
    """Key events were lost mid-scan (the kernel's queue for us overflowed): the code is not trusted."""


class ScannerDeviceError(Exception):
    """The scanner's input device cannot be used; ``check`` says what the technician should look at."""

    def __init__(self, message: str, check: str) -> None:
        super().__init__(f"{message} — check {check}")
        self.message, self.check = message, check


class EventSource(Protocol):
    def fileno(self) -> int: ...
    def read(self) -> Iterable[InputEvent]: ...
    def close(self) -> None: ...


_EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux: timeval, type, code, value


class RawEventReader:
    """``struct input_event`` records from any descriptor (a pipe, a recorded capture) as InputEvents."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""

    def fileno(self) -> int:
        return self._fd

    def read(self) -> list[InputEvent]:
        data = os.read(self._fd, _EVENT.size * 64)
        if not data:
            raise OSError(errno.ENODEV, "the input device went away")
        self._buffer += data
        whole = len(self._buffer) // _EVENT.size * _EVENT.size
        records, self._buffer = self._buffer[:whole], self._buffer[whole:]
        return [InputEvent(*_EVENT.unpack_from(records, offset)) for offset in range(0, whole, _EVENT.size)]

    def close(self) -> None:
        os.close(self._fd)


def open_grabbed(path: str) -> InputDevice[str]:
    """Open the scanner's event device and grab it for this program alone."""
    try:
        device = InputDevice(path)
    except FileNotFoundError as exc:
        raise ScannerDeviceError(f"No input device {path}", "that the scanner is plugged in and the path "
                                 "(/dev/input/by-id/...-event-kbd) is right") from exc
    except PermissionError as exc:
        raise ScannerDeviceError(f"Not allowed to read {path}", "that this user is in the 'input' group "
                                 "(or a udev rule gives it the scanner)") from exc
    except OSError as exc:
        raise ScannerDeviceError(f"{path} is not an input device ({exc.strerror or exc})",
                                 "the path: it must be the scanner's /dev/input/event* node") from exc
    try:
        device.grab()
    except OSError as exc:
        device.close()
        if exc.errno == errno.EBUSY:
            raise ScannerDeviceError(f"{path} is already grabbed by another program",
                                     "that no other bench program or tool is reading the scanner") from exc
        raise ScannerDeviceError(f"Cannot grab {path}: {exc.strerror or exc}", "the scanner's device node") from exc
    return device


class EvdevScanner:
    """Reads scans from an event source; ``read_code`` returns None when nothing was scanned in time."""

    def __init__(self, source: EventSource, name: str) -> None:
        self.source = source
        self.name = name
        self.decoder = KeyDecoder()
        self._queued: deque[InputEvent] = deque()
        self._skipping = False

    @classmethod
    def open(cls, path: str) -> EvdevScanner:
        return cls(open_grabbed(path), path)

    def read_code(self, timeout: float) -> str | None:
        """The next code, None when nothing was scanned in ``timeout`` seconds. ScanIncomplete when the
        kernel dropped events: the code being typed is thrown away up to its Enter, never half-read."""
        deadline = time.monotonic() + timeout
        while True:
            while self._queued:  # events read with an earlier code: the next scan may already be here
                event = self._queued.popleft()
                if event.type == ecodes.EV_SYN and event.code == ecodes.SYN_DROPPED:
                    self.decoder = KeyDecoder(self.decoder.max_length)
                    self._skipping = True
                    raise ScanIncomplete(f"{self.name} lost key events mid-scan")
                if event.type == ecodes.EV_KEY:
                    code = self.decoder.feed(event.code, event.value)
                    if code is not None and self._skipping:
                        self._skipping = False  # the rest of the damaged code, up to its Enter
                        continue
                    if code is not None:
                        return code
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.source.fileno()], [], [], remaining)
            if not ready:
                return None
            try:
                self._queued.extend(self.source.read())
            except OSError as exc:
                raise ScannerDeviceError(f"Lost the scanner {self.name}: {exc.strerror or exc}",
                                         "the scanner's USB cable, then plug it back in") from exc

    def close(self) -> None:
        if isinstance(self.source, InputDevice):
            with contextlib.suppress(OSError):  # a device that is gone has no grab left either
                self.source.ungrab()
        self.source.close()
