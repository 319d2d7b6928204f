"""Hung, unplugged, slow and garbled phones: bounded time, clear errors, never a false pass."""

from __future__ import annotations

import time

import pytest

from drivers.android import BlockerKind, BlockerStatus, DeviceGone, Outcome, ShellTimeout, Timeouts
from tests.drivers.android.conftest import Bench


def test_hung_service_times_out_and_the_phone_stays_usable(bench: Bench) -> None:
    phone = bench.plug("pixel8-hang", Timeouts(command=1.5))
    started = time.monotonic()
    with pytest.raises(ShellTimeout, match=r"did not answer 'dumpsys battery' within 1\.5 s"):
        phone.sh("dumpsys battery")
    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 2.5
    with pytest.raises(ShellTimeout):
        phone.battery()  # trade-in status hangs first
    assert phone.sh("getprop ro.product.model").stdout == "Pixel 8\n"


def test_unplugged_mid_test_raises_device_gone(bench: Bench) -> None:
    phone = bench.plug("galaxy-a54-unplug")
    other = bench.plug("galaxy-a54")
    started = time.monotonic()
    with pytest.raises(DeviceGone, match="went away during"):
        phone.automatic_checks()
    assert time.monotonic() - started < phone.timeouts.command
    assert bench.client.wait_for_state(phone.serial, "gone", timeout=3)
    assert other.identity().model == "SM-A546B"  # the other bay never stalls


def test_slow_phone_finishes_within_its_timeouts(bench: Bench) -> None:
    phone = bench.plug("pixel8-slow")
    started = time.monotonic()
    assert phone.identity().model == "Pixel 8"
    assert time.monotonic() - started >= 0.5


def test_malformed_output_is_unknown_never_a_pass(bench: Bench) -> None:
    phone = bench.plug("galaxy-a54-malformed")
    identity = phone.identity()
    reasons = {u.field: u.reason for u in identity.unknowns}
    assert "'352889156046113' is not a valid IMEI" in reasons["imei1"]
    assert "'35288915604629' is not a valid IMEI" in reasons["imei2"]
    assert identity.valid_imeis == ()
    assert identity.storage_bytes is None
    assert "storage" in reasons

    battery = phone.battery()
    assert (battery.level_pct, battery.health, battery.capacity_pct, battery.cycle_count) == (None, None, None, None)
    assert {u.field for u in battery.unknowns} >= {"level", "health", "capacity_pct", "cycle_count"}

    blockers = phone.blockers()
    assert blockers.get(BlockerKind.FRP).status is BlockerStatus.UNKNOWN
    assert blockers.get(BlockerKind.MDM).status is BlockerStatus.UNKNOWN
    assert "NullPointerException" in blockers.get(BlockerKind.MDM).evidence

    checks = {r.name: r.outcome for r in phone.automatic_checks()}
    assert checks == {"sensors": Outcome.UNKNOWN, "cameras": Outcome.UNKNOWN, "wifi": Outcome.PASS,
                      "bluetooth": Outcome.PASS, "storage": Outcome.UNKNOWN, "charging": Outcome.UNKNOWN}


def test_phone_without_shell_v2_still_gives_exit_codes(bench: Bench) -> None:
    phone = bench.plug("moto-shell-v1")
    assert "shell_v2" not in bench.client.features(phone.serial)
    result = phone.sh("getprop ro.product.model")
    assert (result.stdout, result.exit_code) == ("moto g power (2022)\n", 0)
    missing = phone.sh("nosuchtool")
    assert missing.exit_code == 127
    assert "nosuchtool: inaccessible or not found" in missing.stdout  # v1 merges stderr into stdout
    assert phone.identity().valid_imeis == ("353917110477815",)
