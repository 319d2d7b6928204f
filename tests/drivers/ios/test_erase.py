"""Erase through mobilebackup2 EraseDevice, the wait for the setup screen, and the verification."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from drivers.android.reset import ResetPhase, ResetRefused
from drivers.ios import EraseRefused, IPhone, LinkState, ServiceTimeout
from drivers.ios.models import IPhoneIdentity
from drivers.sim.ios import Lifecycle, SimulatedIPhone, SimulatedLockdown
from tests.drivers.ios.conftest import TEST_TIMEOUTS

Plug = Callable[..., tuple[IPhone, SimulatedIPhone]]


def test_erase_is_verified_at_the_setup_screen(plug: Plug, lockdown: SimulatedLockdown) -> None:
    phone, simulated = plug("iphone15-erase")
    phases: list[ResetPhase] = []
    report = phone.factory_reset(on_phase=phases.append)
    assert report.verified, report.evidence
    assert phases == [ResetPhase.REQUESTED, ResetPhase.GOING_DOWN, ResetPhase.WAITING_RETURN,
                      ResetPhase.VERIFYING, ResetPhase.VERIFIED]
    assert simulated.erased
    assert report.crypto_erase
    assert report.crypto_type == "file"
    assert report.flags == ()
    assert report.method == "erase all content and settings (mobilebackup2 EraseDevice)"
    before, after = report.identity_before, report.identity_after
    assert isinstance(before, IPhoneIdentity)
    assert isinstance(after, IPhoneIdentity)
    assert (before.activation_state, after.activation_state) == ("Activated", "Unactivated")
    assert after.serial == before.serial == "W3RX9PQ2LK"
    assert after.valid_imeis == before.valid_imeis
    assert all(line.startswith("ok: ") for line in report.evidence)
    assert "ok: at the setup screen (ActivationState Unactivated)" in report.evidence
    assert [m.phase for m in report.phases][-1] is ResetPhase.VERIFIED
    assert phone.link is LinkState.PAIRED
    assert lockdown.record_path(phone.udid).is_file()  # paired again at the setup screen


def test_activation_locked_phone_is_not_erased(plug: Plug) -> None:
    phone, simulated = plug("iphone12-activation-lock")
    with pytest.raises(EraseRefused) as raised:
        phone.factory_reset()
    assert isinstance(raised.value, ResetRefused)
    assert "Activation Lock is on" in str(raised.value)
    assert not simulated.erased
    assert simulated.lifecycle is Lifecycle.ATTACHED


def test_managed_phone_is_not_erased(plug: Plug) -> None:
    phone, simulated = plug("iphone14-mdm")
    with pytest.raises(EraseRefused, match="Northwind Logistics"):
        phone.factory_reset()
    assert not simulated.erased


def test_unplugged_mid_erase_fails_in_time_then_verifies_when_replugged(plug: Plug) -> None:
    phone, simulated = plug("iphone13-unplug-erase", replace(TEST_TIMEOUTS, reset_return=2.0))
    before = phone.identity()
    phases: list[ResetPhase] = []
    started = time.monotonic()
    with pytest.raises(EraseRefused, match="did not come back within 2 s"):
        phone.factory_reset(on_phase=phases.append)
    assert time.monotonic() - started < 2.0 + 2.0
    assert phases[-2:] == [ResetPhase.WAITING_RETURN, ResetPhase.FAILED]
    assert simulated.lifecycle is Lifecycle.UNPLUGGED

    simulated.replug()
    report = phone.verify_reset(before)
    assert report.verified, report.evidence
    assert [m.phase for m in report.phases] == [ResetPhase.CHECKING, ResetPhase.VERIFYING, ResetPhase.VERIFIED]


def test_erase_that_never_committed_is_not_passed(plug: Plug) -> None:
    phone, simulated = plug("iphone13-erase-interrupted")
    report = phone.factory_reset()
    assert not report.verified
    assert not simulated.erased
    assert "FAILED: at the setup screen (ActivationState Activated)" in report.evidence
    assert [m.phase for m in report.phases][-1] is ResetPhase.FAILED


def test_hung_erase_request_times_out(plug: Plug) -> None:
    phone, simulated = plug("iphone15-erase")
    simulated.faults["hang_on"] = ["erase"]
    started = time.monotonic()
    with pytest.raises(ServiceTimeout) as raised:
        phone.factory_reset()
    assert raised.value.service == "erase"
    assert raised.value.timeout == 2.0
    assert 1.9 < time.monotonic() - started < 3.5
    assert not simulated.erased


def test_phone_that_does_not_trust_after_erase_is_not_verified(plug: Plug) -> None:
    phone, simulated = plug("iphone15-erase")
    simulated.erase_plan["pairing_after"] = "ask"
    report = phone.factory_reset()
    assert not report.verified
    assert report.identity_after is not None
    assert report.identity_after.paired is False
    assert "FAILED: Find My state not readable: the phone did not trust the bench after its erase" in report.evidence
    assert any(line.startswith("FAILED: serial None") for line in report.evidence)
