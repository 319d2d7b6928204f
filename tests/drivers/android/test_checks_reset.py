"""Automatic checks and the verified factory reset."""

from __future__ import annotations

import pytest

from drivers.android import Outcome, ResetPhase, ResetRefused
from tests.drivers.android.conftest import Bench


def test_automatic_checks_pass_on_a_healthy_phone(bench: Bench) -> None:
    results = {r.name: r for r in bench.plug("pixel8-a16").automatic_checks()}
    assert list(results) == ["sensors", "cameras", "wifi", "bluetooth", "storage", "charging"]
    assert {r.outcome for r in results.values()} == {Outcome.PASS}
    assert "6 sensor types" in results["sensors"].evidence
    assert results["cameras"].evidence == "3 camera(s): back, front, back"
    assert results["charging"].evidence == "charging on usb at 1210 mA"


def test_radios_off_are_switched_on_and_pass(bench: Bench) -> None:
    phone = bench.plug("lg-g7-a10-fde")  # Wi-Fi off, API 29: no `cmd wifi status`
    assert phone.sh("settings get global wifi_on").stdout.strip() == "0"
    results = {r.name: r for r in phone.automatic_checks()}
    assert results["wifi"].outcome is Outcome.PASS
    assert phone.sh("settings get global wifi_on").stdout.strip() == "1"
    samsung = {r.name: r for r in bench.plug("galaxy-a54").automatic_checks()}  # Bluetooth off
    assert samsung["bluetooth"].outcome is Outcome.PASS
    assert samsung["charging"].evidence == "charging on usb at 1480 mA"  # Samsung reports mA


def test_flat_phone_without_power_fails_charging(bench: Bench) -> None:
    results = {r.name: r for r in bench.plug("moto-low-battery").automatic_checks()}
    assert results["charging"].outcome is Outcome.FAIL
    assert results["charging"].evidence == "no external power detected on the bench cable"
    assert results["sensors"].outcome is Outcome.PASS  # no gyroscope declared, none expected


def test_reset_re_enumerates_and_verifies(bench: Bench) -> None:
    phone = bench.plug("pixel8-a16")
    phone.sh("echo personal > /data/local/tmp/photo.jpg")
    phases: list[ResetPhase] = []
    report = phone.factory_reset(on_phase=phases.append)
    assert report.verified, report.evidence
    assert report.crypto_erase
    assert report.flags == ()
    assert phases == [ResetPhase.REQUESTED, ResetPhase.GOING_DOWN, ResetPhase.WAITING_RETURN,
                      ResetPhase.VERIFYING, ResetPhase.VERIFIED]
    assert report.identity_after is not None
    assert report.identity_after.valid_imeis == report.identity_before.valid_imeis
    assert "ok: setup wizard pending (user_setup_complete=0)" in report.evidence
    assert phone.sh("cat /data/local/tmp/photo.jpg").exit_code == 1
    print(f"\nreset phases: {[(m.phase.value, m.at_seconds) for m in report.phases]}")


def test_reset_without_file_based_encryption_is_flagged(bench: Bench) -> None:
    report = bench.plug("lg-g7-a10-fde").factory_reset()
    assert report.verified
    assert not report.crypto_erase
    assert report.flags == ("not a cryptographic erase: ro.crypto.type=block (no file-based encryption); "
                            "record as factory reset only",)


@pytest.mark.parametrize(("profile", "reason"), [("pixel8-frp", "factory_reset_protection=true"),
                                                 ("galaxy-a54-mdm", "DeviceOwner")])
def test_locked_phones_are_not_reset(bench: Bench, profile: str, reason: str) -> None:
    phone = bench.plug(profile)
    with pytest.raises(ResetRefused, match=reason):
        phone.factory_reset()
    assert bench.client.state(phone.serial) == "device"  # still here, untouched
