"""The rig bay map and what answers on each port: real ptys, real kernel uevents, a real store."""

from __future__ import annotations

import select
from pathlib import Path

import pytest

from app.core.errors import OperatorError
from app.services.rig_bays import RigBayService, RigState, check_binding, probe_port
from app.store.rig_queries import RigBinding
from app.store.store import Store
from drivers.rig.identity import RigProtocol
from drivers.rig.ports import KernelTtyReader, list_serial_ports, parse_tty_uevent
from drivers.sim.rigs.faults import RigFaults
from drivers.sim.rigs.profiles import start_bench


def test_binding_moves_a_port_and_replaces_a_role(store: Store) -> None:
    bays = RigBayService(store)
    bays.bind(1, "load", "/dev/serial/by-id/usb-A", "scpi")
    bays.bind(1, "dmm", "/dev/serial/by-id/usb-B", "scpi")
    bays.bind(2, "load", "/dev/serial/by-id/usb-A", "scpi")  # the same adapter moved to bay 2
    bays.bind(1, "dmm", "/dev/serial/by-id/usb-C", "scpi")  # bay 1's meter replaced
    assert [(b.bay, b.role, b.port) for b in bays.bindings()] == [
        (1, "dmm", "/dev/serial/by-id/usb-C"), (2, "load", "/dev/serial/by-id/usb-A")]
    assert bays.ports_of(2) == {"load": "/dev/serial/by-id/usb-A"}
    bays.unbind(2, "load")
    with pytest.raises(OperatorError, match="Rig bay 2 has no rigs bound"):
        bays.ports_of(2)
    with pytest.raises(OperatorError, match="has no 'load' rig"):
        bays.unbind(2, "load")


@pytest.mark.parametrize(("bay", "role", "port", "protocol", "message"), [
    (0, "load", "/dev/x", "scpi", "out of range"),
    (1, "Load Bank", "/dev/x", "scpi", "is not a rig role"),
    (1, "load", " ", "scpi", "No port given"),
    (1, "load", "/dev/x", "gpib", "is not a rig protocol"),
])
def test_a_bad_binding_is_refused(store: Store, bay: int, role: str, port: str, protocol: str, message: str) -> None:
    with pytest.raises(OperatorError, match=message):
        RigBayService(store).bind(bay, role, port, protocol)


def test_each_rig_says_who_it_is_or_what_is_wrong() -> None:
    with start_bench("stb-bench") as stb, start_bench("modem") as modem, \
            start_bench("psu", {"psu": RigFaults(wrong_baud=True)}) as garbled:
        ready = check_binding(RigBinding(1, "modem", modem.ports["modem"], "at", ""))
        assert (ready.state, ready.summary) == (RigState.READY, "RBSIM LTE-400, firmware LTE400R02A07M4G")
        silent = check_binding(RigBinding(3, "console", stb.ports["console"], "line", ""), timeout=0.3)
        assert silent.state is RigState.SILENT  # an unpowered set-top box prints nothing
        assert "powered" in silent.message
        noisy = check_binding(RigBinding(4, "psu", garbled.ports["psu"], "scpi", ""))
        assert noisy.state is RigState.GARBLED
        assert "baud rate" in noisy.message
        wrong = check_binding(RigBinding(5, "psu", modem.ports["modem"], "scpi", ""), timeout=0.5)
        assert wrong.state is RigState.ERROR  # a modem is no SCPI instrument
        assert probe_port(stb.ports["psu"]).protocol is RigProtocol.SCPI
        assert probe_port(modem.ports["modem"]).protocol is RigProtocol.AT
    absent = check_binding(RigBinding(6, "load", "/dev/serial/by-id/usb-gone-if00", "scpi", ""))
    assert absent.state is RigState.ABSENT
    with pytest.raises(OperatorError, match="No rig identified on /dev/serial/by-id/usb-gone-if00"):
        probe_port("/dev/serial/by-id/usb-gone-if00")


def test_ports_are_listed_by_their_stable_names(tmp_path: Path) -> None:
    dev = tmp_path / "dev"
    (dev / "serial" / "by-id").mkdir(parents=True)
    (dev / "serial" / "by-path").mkdir(parents=True)
    for name in ("ttyUSB0", "ttyUSB1", "ttyACM0", "ttyS0"):
        (dev / name).touch()
    (dev / "serial" / "by-id" / "usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0").symlink_to(dev / "ttyUSB0")
    (dev / "serial" / "by-path" / "pci-0000:00:14.0-usb-0:2:1.0-port0").symlink_to(dev / "ttyUSB0")
    (dev / "serial" / "by-path" / "pci-0000:00:14.0-usb-0:3:1.0-port0").symlink_to(dev / "ttyUSB1")
    (dev / "serial" / "by-id" / "usb-gone-if00").symlink_to(dev / "ttyUSB9")  # dangling: skipped
    ports = list_serial_ports(dev)
    assert [(Path(p.path).name, Path(p.device).name, p.stable) for p in ports] == [
        ("usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0", "ttyUSB0", True),
        ("pci-0000:00:14.0-usb-0:3:1.0-port0", "ttyUSB1", True),
        ("ttyACM0", "ttyACM0", False),
    ]
    assert ports[0].description == "FTDI FT232R USB UART A50285BI"
    assert "may change" in ports[2].description


def test_the_kernel_reports_serial_ports_coming_and_going() -> None:
    reader = KernelTtyReader()
    try:
        Path("/sys/class/tty/ttyS0/uevent").write_text("change")  # as root: the kernel sends a real uevent
        select.select([reader.fileno()], [], [], 2.0)
        events = reader.read()
    finally:
        reader.close()
    assert any(e.action == "change" and e.devname == "ttyS0" and e.subsystem == "tty" for e in events)
    assert parse_tty_uevent(b"add@/devices/virtual/block/loop3\0ACTION=add\0SUBSYSTEM=block\0") is None
    assert parse_tty_uevent(b"garbage") is None
    usb = parse_tty_uevent(b"add@/devices/pci0000:00/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0\0ACTION=add\0"
                           b"SUBSYSTEM=tty\0DEVNAME=ttyUSB0\0")
    assert usb is not None
    assert (usb.action, usb.devname) == ("add", "ttyUSB0")
