"""One lockdown connection per read: calls inside ``IPhone.session()`` share one TLS session with the phone
(the real pymobiledevice3 client against the simulated usbmuxd), each call still bounded by its time limit,
and a session broken by a pulled cable or a hung service raises as a lone call would and starts clean after."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.android.models import BlockerStatus
from drivers.ios import ACTIVATION_LOCK, DeviceGone, IPhone, ServiceTimeout, Timeouts
from drivers.ios.usbmux_service import UsbmuxLockdown
from drivers.sim.ios import SimulatedLockdown
from drivers.sim.ios.usbmuxd import UsbmuxdSimulator

WIRE_TIMEOUTS = Timeouts(command=5.0, trust_wait=5.0, poll=0.1)
Later = Callable[[float, Callable[[], None]], None]


@pytest.fixture
def service(lockdown: SimulatedLockdown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[UsbmuxLockdown]:
    folder = Path(tempfile.mkdtemp(prefix="mux-"))  # a Unix socket's path must stay under 108 bytes
    try:
        with UsbmuxdSimulator(lockdown, folder / "usbmuxd") as mux:
            monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", str(mux.path))
            yield UsbmuxLockdown(tmp_path / "pair-records", usbmux_address=str(mux.path))
    finally:
        shutil.rmtree(folder)


def test_a_whole_read_is_one_handshake(lockdown: SimulatedLockdown, service: UsbmuxLockdown) -> None:
    phone = IPhone(service, lockdown.plug("iphone12-activation-lock").udid, WIRE_TIMEOUTS)
    phone.pair(wait=0)
    before = service.handshakes
    with phone.session():
        identity = phone.identity()
        battery = phone.battery()
        blockers = phone.blockers()
    assert service.handshakes - before == 1
    assert identity.serial
    assert identity.udid == phone.udid
    assert battery.capacity_pct is not None
    assert blockers.get(ACTIVATION_LOCK).status is BlockerStatus.PRESENT

    before = service.handshakes
    phone.identity(), phone.battery(), phone.blockers()  # each its own session
    assert service.handshakes - before == 3
    before = service.handshakes
    phone.values(None), phone.values(None)  # no session: a connection a call
    assert service.handshakes - before == 2


def test_a_cable_pulled_mid_session_is_gone_and_the_next_session_starts_clean(
        lockdown: SimulatedLockdown, service: UsbmuxLockdown) -> None:
    simulated = lockdown.plug("iphone13-paired")
    phone = IPhone(service, simulated.udid, WIRE_TIMEOUTS)
    phone.pair(wait=0)
    with phone.session():
        first = phone.identity()
        simulated.unplug()
        with pytest.raises(DeviceGone):
            phone.battery()
        with pytest.raises(DeviceGone):  # the broken connection is not reused for a stale answer
            phone.values(None)
    simulated.replug()
    before = service.handshakes
    with phone.session():
        assert phone.identity() == first
    assert service.handshakes - before == 1


def test_a_hung_service_in_a_session_times_out_and_the_session_goes_on(
        lockdown: SimulatedLockdown, service: UsbmuxLockdown) -> None:
    phone = IPhone(service, lockdown.plug("iphone13-hung").udid, Timeouts(command=1.5))
    phone.pair(wait=0)
    before = service.handshakes
    with phone.session():
        phone.identity()
        started = time.monotonic()
        with pytest.raises(ServiceTimeout, match="ioregistry:IOPMPowerSource"):
            phone.battery()
        assert 1.4 < time.monotonic() - started < 3.0
        assert phone.values(None)["SerialNumber"]  # on a new connection: the cut-off one is closed
    assert service.handshakes - before == 2
