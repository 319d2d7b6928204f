"""Which USB port an iPhone is plugged into, so an iPhone lands in the same bay as an Android phone in
that port.

usbmuxd names a phone by its UDID; the kernel names a USB device by its port path (``1-4.2``: bus 1,
root port 4, hub port 2) and publishes the serial number the device gave in ``serial``. An iPhone's
USB serial number is its UDID without the dash (``00008110-001A2B3C4D5E801E`` is
``00008110001A2B3C4D5E801E``; older phones' 40-hex UDIDs are their serial as they are). adb names an
Android phone's port with the same path (``usb:1-4.2``).
"""

from __future__ import annotations

import re
from pathlib import Path

SYSFS_USB_DEVICES = Path("/sys/bus/usb/devices")
_PORT_PATH = re.compile(r"^\d+-\d+(\.\d+)*$")  # devices only: not root hubs (usb1) nor interfaces (1-4:1.0)


def usb_serial_of(udid: str) -> str:
    return udid.replace("-", "").lower()


def usb_port_path(udid: str, devices: Path = SYSFS_USB_DEVICES) -> str:
    """The port path of the USB device whose serial number is this UDID's, or "" when none is (a phone
    reached over the network, a simulated one, or no sysfs here)."""
    wanted = usb_serial_of(udid)
    try:
        entries = list(devices.iterdir())
    except OSError:
        return ""
    for entry in sorted(entries):
        if not _PORT_PATH.match(entry.name):
            continue
        try:
            serial = (entry / "serial").read_text(encoding="ascii", errors="replace").strip().lower()
        except OSError:
            continue  # a device without a serial number, or one unplugged while we looked
        if serial == wanted:
            return entry.name
    return ""
