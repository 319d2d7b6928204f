"""The real pymobiledevice3 client, through the bench's UsbmuxLockdown, against the simulated usbmuxd:
usbmux plist protocol, lockdownd pairing and TLS sessions, diagnostics relay, MCInstall, installation
proxy and mobilebackup2 EraseDevice all cross a Unix socket. Nothing below the driver is stubbed."""

from __future__ import annotations

import plistlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.android.models import BlockerKind, BlockerStatus, Outcome
from drivers.android.reset import ResetPhase
from drivers.ios import (
    ACTIVATION_LOCK,
    JAILBREAK,
    DeviceGone,
    IPhone,
    NotTrusted,
    PairingState,
    ServiceTimeout,
    Timeouts,
)
from drivers.ios.usbmux_service import UsbmuxLockdown
from drivers.sim.ios import SimulatedLockdown
from drivers.sim.ios.usbmuxd import UsbmuxdSimulator

WIRE_TIMEOUTS = Timeouts(command=5.0, trust_wait=5.0, erase_request=5.0, going_down=5.0, reset_return=10.0, poll=0.1)
Later = Callable[[float, Callable[[], None]], None]


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """Unix socket paths must stay under 108 bytes, so the socket lives in a short folder of its own."""
    path = Path(tempfile.mkdtemp(prefix="mux-"))
    yield path
    shutil.rmtree(path)


@pytest.fixture
def wire(lockdown: SimulatedLockdown, short_dir: Path, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[UsbmuxLockdown, UsbmuxdSimulator]]:
    with UsbmuxdSimulator(lockdown, short_dir / "usbmuxd") as mux:
        # pymobiledevice3 hands new pair records to usbmuxd at the default address unless this names another
        monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", str(mux.path))
        yield UsbmuxLockdown(tmp_path / "bench-data" / "pair-records", usbmux_address=str(mux.path)), mux


def test_usbmux_lists_the_plugged_phones(lockdown: SimulatedLockdown,
                                         wire: tuple[UsbmuxLockdown, UsbmuxdSimulator]) -> None:
    service, _ = wire
    assert service.devices(5.0) == ()
    first, second = lockdown.plug("iphone13-paired"), lockdown.plug("iphone15-erase")
    assert {(d.udid, d.connection) for d in service.devices(5.0)} == {(first.udid, "USB"), (second.udid, "USB")}
    lockdown.unplug(first.udid)
    assert [d.udid for d in service.devices(5.0)] == [second.udid]


def test_trust_over_the_wire_then_everything_reads(lockdown: SimulatedLockdown, later: Later,
                                                    wire: tuple[UsbmuxLockdown, UsbmuxdSimulator]) -> None:
    service, mux = wire
    simulated = lockdown.plug("iphone13-trust")
    phone = IPhone(service, simulated.udid, WIRE_TIMEOUTS)
    with pytest.raises(NotTrusted):
        phone.identity()
    assert phone.public_identity().model == "iPhone 13"

    seen: list[PairingState] = []

    def technician(state: PairingState) -> None:  # reads the hint, then taps Trust on the phone
        seen.append(state)
        if state is PairingState.WAITING_FOR_TRUST:
            later(0.3, simulated.tap_trust)

    assert phone.pair(wait=5.0, on_state=technician) is PairingState.PAIRED
    assert seen == [PairingState.WAITING_FOR_TRUST, PairingState.PAIRED]
    record = plistlib.loads((service.records_dir / f"{simulated.udid}.plist").read_bytes())
    assert {"HostID", "HostCertificate", "HostPrivateKey", "DeviceCertificate", "EscrowBag"} <= set(record)
    assert simulated.udid in mux.records  # usbmuxd keeps its copy, as it does for every host tool
    assert not (Path.home() / ".pymobiledevice3" / f"{simulated.udid}.plist").exists()

    identity = phone.identity()
    assert (identity.model, identity.serial, identity.storage_bytes) == ("iPhone 13", "KX4HQ2V7YT", 128_000_000_000)
    assert identity.valid_imeis == ("354678112345678", "354678112345686")
    battery = phone.battery()
    assert (battery.capacity_pct, battery.cycle_count, battery.level_pct) == (91, 412, 82)
    assert phone.blockers().holds == ()
    checks = {c.name: c.outcome for c in phone.automatic_checks()}
    assert checks["storage"] is Outcome.PASS
    assert checks["charging"] is Outcome.PASS


def test_locks_over_the_wire(lockdown: SimulatedLockdown, wire: tuple[UsbmuxLockdown, UsbmuxdSimulator]) -> None:
    service, _ = wire
    locked = IPhone(service, lockdown.plug("iphone12-activation-lock").udid, WIRE_TIMEOUTS)
    assert locked.blockers().get(ACTIVATION_LOCK).status is BlockerStatus.PRESENT
    managed = IPhone(service, lockdown.plug("iphone14-mdm").udid, WIRE_TIMEOUTS).blockers().get(BlockerKind.MDM)
    assert managed.status is BlockerStatus.PRESENT
    assert "Northwind Device Management" in managed.evidence


def test_erase_over_mobilebackup2_is_verified(lockdown: SimulatedLockdown,
                                               wire: tuple[UsbmuxLockdown, UsbmuxdSimulator]) -> None:
    service, _ = wire
    simulated = lockdown.plug("iphone15-erase")
    report = IPhone(service, simulated.udid, WIRE_TIMEOUTS).factory_reset()
    assert report.verified, report.evidence
    assert simulated.erased
    assert report.identity_after is not None
    assert report.identity_after.activation_state == "Unactivated"
    assert [m.phase for m in report.phases][-1] is ResetPhase.VERIFIED


def test_hung_diagnostics_relay_times_out(lockdown: SimulatedLockdown,
                                          wire: tuple[UsbmuxLockdown, UsbmuxdSimulator]) -> None:
    service, _ = wire
    phone = IPhone(service, lockdown.plug("iphone13-hung").udid, Timeouts(command=1.5))
    phone.pair(wait=0)
    started = time.monotonic()
    with pytest.raises(ServiceTimeout, match="ioregistry:IOPMPowerSource"):
        phone.battery()
    assert 1.4 < time.monotonic() - started < 3.0


def test_cable_pulled_during_a_request_is_gone(lockdown: SimulatedLockdown, later: Later,
                                               wire: tuple[UsbmuxLockdown, UsbmuxdSimulator]) -> None:
    service, _ = wire
    simulated = lockdown.plug("iphone13-hung")
    phone = IPhone(service, simulated.udid, Timeouts(command=20.0))
    phone.pair(wait=0)
    later(0.5, simulated.unplug)
    started = time.monotonic()
    with pytest.raises(DeviceGone):
        phone.battery()
    assert time.monotonic() - started < 3.0
    with pytest.raises(DeviceGone):
        phone.identity()


def test_garbled_frames_are_unknown_never_passed(lockdown: SimulatedLockdown,
                                                 wire: tuple[UsbmuxLockdown, UsbmuxdSimulator]) -> None:
    service, _ = wire
    phone = IPhone(service, lockdown.plug("iphone13-garbled").udid, WIRE_TIMEOUTS)
    battery = phone.battery()
    assert (battery.capacity_pct, battery.cycle_count, battery.health) == (None, None, None)
    jailbreak = phone.blockers().get(JAILBREAK)
    assert jailbreak.status is BlockerStatus.UNKNOWN
    assert "installed_apps failed" in jailbreak.evidence
