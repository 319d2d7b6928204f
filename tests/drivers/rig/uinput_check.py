"""Run inside a kernel that has uinput (``test_evdev_uinput.py`` boots one): a virtual keyboard types
scans, the bench grabs it exclusively and reads them back. Prints one JSON line with what it saw.

    python -m tests.drivers.rig.uinput_check      # as root, with /dev/uinput
"""

from __future__ import annotations

import json
import select
import sys
import threading
import time

from evdev import InputDevice, UInput, ecodes

from drivers.scanner.evdev_grab import GS, EvdevScanner, ScanIncomplete, ScannerDeviceError, open_grabbed

CODE = f"]C1010950110153000321SN-77821{GS}10B1234"


def _type(ui: UInput, text: str, pace: float = 0.0) -> None:
    """Type ``text`` and Enter as a US-layout HID scanner does (Ctrl+] for GS)."""
    def tap(code: int, *mods: int) -> None:
        for mod in mods:
            ui.write(ecodes.EV_KEY, mod, 1)
        ui.write(ecodes.EV_KEY, code, 1)
        ui.syn()
        ui.write(ecodes.EV_KEY, code, 0)
        for mod in mods:
            ui.write(ecodes.EV_KEY, mod, 0)
        ui.syn()
        if pace:
            time.sleep(pace)

    for char in text:
        if char == GS:
            tap(ecodes.KEY_RIGHTBRACE, ecodes.KEY_LEFTCTRL)
        elif char == "]":
            tap(ecodes.KEY_RIGHTBRACE)
        elif char == "-":
            tap(ecodes.KEY_MINUS)
        elif char.isdigit():
            tap(getattr(ecodes, f"KEY_{char}"))
        elif char.isupper():
            tap(getattr(ecodes, f"KEY_{char}"), ecodes.KEY_LEFTSHIFT)
        else:
            tap(getattr(ecodes, f"KEY_{char.upper()}"))
    tap(ecodes.KEY_ENTER)


def main() -> int:
    keys = [v for k, v in vars(ecodes).items() if k.startswith("KEY_") and isinstance(v, int) and v < 0x100]
    report: dict[str, object] = {}
    with UInput({ecodes.EV_KEY: keys}, name="Refurb Bench test scanner") as ui:
        time.sleep(0.5)  # devtmpfs has the event node at once; give the input core a moment
        path = ui.device.path if ui.device is not None else ""
        report["device"] = path
        bystander = InputDevice(path)  # another program reading the same keyboard (the desktop)
        scanner = EvdevScanner.open(path)
        try:
            try:
                open_grabbed(path)
            except ScannerDeviceError as exc:
                report["second_grab"] = exc.message
            codes: list[str | None] = []
            reader = threading.Thread(target=lambda: codes.extend(scanner.read_code(5.0) for _ in range(2)))
            reader.start()  # read while the scanner types, as the bench's job does
            _type(ui, CODE, pace=0.001)
            _type(ui, "490154203237518", pace=0.001)
            reader.join(10)
            report["codes"] = codes
            ready, _, _ = select.select([bystander.fd], [], [], 0.5)
            report["bystander_saw_keys"] = bool(ready and any(e.type == ecodes.EV_KEY for e in bystander.read()))
            # Nobody reads while a long burst is typed: the kernel's queue for us overflows.
            for _ in range(4):
                _type(ui, CODE)
            outcomes = []
            for _ in range(5):
                try:
                    outcomes.append(scanner.read_code(1.0))
                except ScanIncomplete as exc:
                    outcomes.append(f"incomplete: {exc}")
            report["after_overflow"] = outcomes
        finally:
            scanner.close()
        _type(ui, "A")  # grab released: the bystander gets keys again
        ready, _, _ = select.select([bystander.fd], [], [], 2.0)
        report["bystander_after_release"] = bool(ready and any(e.type == ecodes.EV_KEY for e in bystander.read()))
        bystander.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
