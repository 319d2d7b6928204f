"""An iPhone's USB port path, found by the serial number the kernel publishes for each USB device, so an
iPhone lands in the same bay as an Android phone in that port."""

from __future__ import annotations

from pathlib import Path

from drivers.ios.usb_ports import SYSFS_USB_DEVICES, usb_port_path, usb_serial_of


def sysfs_device(root: Path, name: str, serial: str | None) -> None:
    """One entry as the kernel lays it out: a folder named by port path, its serial number in ``serial``."""
    folder = root / name
    folder.mkdir(parents=True)
    if serial is not None:
        (folder / "serial").write_text(serial + "\n", encoding="ascii")


def test_the_port_of_the_usb_device_whose_serial_is_the_udid(tmp_path: Path) -> None:
    sysfs_device(tmp_path, "usb1", "0000:00:14.0")  # a root hub
    sysfs_device(tmp_path, "1-4", None)  # a hub without a serial number
    sysfs_device(tmp_path, "1-4:1.0", "00008110001A2C3E0A12801E")  # an interface, not a device
    sysfs_device(tmp_path, "1-4.2", "00008110001A2C3E0A12801E")
    sysfs_device(tmp_path, "1-4.3", "R5CW20ABCDE01")  # an Android phone in the next port
    sysfs_device(tmp_path, "2-1", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")  # an older iPhone: 40-hex UDID
    assert usb_serial_of("00008110-001A2C3E0A12801E") == "00008110001a2c3e0a12801e"
    assert usb_port_path("00008110-001A2C3E0A12801E", tmp_path) == "1-4.2"
    assert usb_port_path("A1B2C3D4E5F60718293A4B5C6D7E8F9012345678", tmp_path) == "2-1"
    assert usb_port_path("00008101-000A1C2E0E38001E", tmp_path) == ""  # not plugged in here
    assert usb_port_path("00008110-001A2C3E0A12801E", tmp_path / "missing") == ""


def test_this_machines_usb_devices_are_read_without_error() -> None:
    # The real sysfs: whatever is plugged in, a UDID no device has is in no port.
    assert usb_port_path("00008110-FFFFFFFFFFFFFFFF", SYSFS_USB_DEVICES) == ""
