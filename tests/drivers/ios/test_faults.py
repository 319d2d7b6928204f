"""A pulled cable and a hung service, each within its time limit; the phone's errors are the Android ones."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from drivers.android.errors import DeviceGone as AndroidDeviceGone
from drivers.android.errors import ShellTimeout
from drivers.android.models import BlockerStatus, Outcome
from drivers.ios import JAILBREAK, DeviceGone, IPhone, LinkState, ServiceTimeout
from drivers.sim.ios import SimulatedIPhone, SimulatedLockdown

Plug = Callable[..., tuple[IPhone, SimulatedIPhone]]
Later = Callable[[float, Callable[[], None]], None]


def test_hung_diagnostics_time_out_within_the_command_limit(plug: Plug) -> None:
    phone, _ = plug("iphone13-hung")
    assert phone.identity().model == "iPhone 13"  # lockdown itself answers
    started = time.monotonic()
    with pytest.raises(ServiceTimeout) as raised:
        phone.battery()
    assert isinstance(raised.value, ShellTimeout)
    assert raised.value.command == "ioregistry:IOPMPowerSource"
    assert 0.9 < time.monotonic() - started < 2.0


def test_hung_profile_service_is_a_timeout_not_an_unknown(plug: Plug) -> None:
    phone, _ = plug("iphone13-hung")
    with pytest.raises(ServiceTimeout, match="mobile_config:GetProfileList"):
        phone.blockers()


def test_unplugged_mid_test_is_gone_then_back_on_replug(plug: Plug, lockdown: SimulatedLockdown) -> None:
    phone, simulated = plug("iphone13-unplug")
    phone.identity()  # pair, values, disk usage: three requests; the cable goes after the fourth
    with pytest.raises(DeviceGone) as raised:
        phone.battery()
    assert isinstance(raised.value, AndroidDeviceGone)
    assert phone.link is LinkState.GONE
    assert phone.udid not in {d.udid for d in lockdown.devices(1.0)}
    with pytest.raises(DeviceGone):
        phone.identity()

    simulated.replug()
    assert phone.identity().serial == "KX4HQ2V7YT"
    assert phone.link is LinkState.PAIRED


def test_cable_pulled_during_a_hang_ends_the_wait_at_once(plug: Plug, later: Later) -> None:
    phone, simulated = plug("iphone13-hung")
    phone.timeouts = type(phone.timeouts)(command=30.0)
    phone.pair(wait=0)
    later(0.3, simulated.unplug)
    started = time.monotonic()
    with pytest.raises(DeviceGone):
        phone.battery()
    assert time.monotonic() - started < 2.0


def test_garbled_answers_are_unknown_never_passed(plug: Plug) -> None:
    phone, _ = plug("iphone13-garbled")
    battery = phone.battery()
    assert (battery.capacity_pct, battery.cycle_count, battery.health) == (None, None, None)
    assert battery.level_pct == 82  # lockdown's battery domain still answered
    checks = {c.name: c for c in phone.automatic_checks()}
    assert checks["charging"].outcome is Outcome.UNKNOWN
    jailbreak = phone.blockers().get(JAILBREAK)
    assert jailbreak.status is BlockerStatus.UNKNOWN
    assert "not a property list" in jailbreak.evidence
