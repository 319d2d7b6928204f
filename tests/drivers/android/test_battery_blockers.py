"""Battery wear from each platform source, and the blockers that hold a unit."""

from __future__ import annotations

from drivers.android import BatteryHealth, BlockerKind, BlockerStatus, ChargeStatus
from tests.drivers.android.conftest import Bench


def test_battery_sources_per_model(bench: Bench) -> None:
    pixel = bench.plug("pixel8-a16").battery()
    assert (pixel.level_pct, pixel.health, pixel.status) == (81, BatteryHealth.GOOD, ChargeStatus.CHARGING)
    assert (pixel.capacity_pct, pixel.capacity_source) == (94, "tradeinmode")
    assert (pixel.cycle_count, pixel.cycle_source) == (143, "tradeinmode")
    assert (pixel.temperature_c, pixel.voltage_mv) == (28.4, 4168)

    samsung = bench.plug("galaxy-a54").battery()
    assert (samsung.cycle_count, samsung.cycle_source) == (312, "/sys/class/power_supply/battery/battery_cycle")
    assert (samsung.capacity_pct, samsung.capacity_source) == (88, "batterystats learned ÷ estimated capacity")

    moto = bench.plug("moto-g-power-2022").battery()
    assert (moto.cycle_count, moto.capacity_pct) == (418, 84)
    assert moto.capacity_source is not None
    assert moto.capacity_source.endswith("charge_full ÷ charge_full_design")

    lg = bench.plug("lg-g7-a10-fde").battery()
    assert (lg.level_pct, lg.capacity_pct, lg.cycle_count) == (66, None, None)
    assert {u.field for u in lg.unknowns} == {"capacity_pct", "cycle_count"}


def test_low_worn_battery(bench: Bench) -> None:
    report = bench.plug("moto-low-battery").battery()
    assert (report.level_pct, report.status) == (4, ChargeStatus.DISCHARGING)
    assert (report.cycle_count, report.capacity_pct) == (812, 71)


def test_clean_phone_has_no_holds(bench: Bench) -> None:
    report = bench.plug("pixel8-a16").blockers()
    assert report.holds == ()
    assert report.get(BlockerKind.FRP).status is BlockerStatus.ABSENT
    assert "factory_reset_protection=false" in report.get(BlockerKind.FRP).evidence
    assert report.get(BlockerKind.MDM).evidence == "dpm list-owners: no owners"
    assert report.get(BlockerKind.ROOT).status is BlockerStatus.ABSENT
    carrier = report.get(BlockerKind.CARRIER_LOCK)
    assert carrier.status is BlockerStatus.UNKNOWN
    assert "no SIM inserted" in carrier.evidence


def test_frp_holds_with_the_account_redacted(bench: Bench) -> None:
    report = bench.plug("pixel8-frp").blockers()
    frp = report.get(BlockerKind.FRP)
    assert frp.status is BlockerStatus.PRESENT
    assert report.holds == (frp,)
    assert frp.evidence == "trade-in status: factory_reset_protection=true"
    # Without trade-in mode the account list gives it away, and the address is not spread around.
    samsung = bench.plug("galaxy-a54-frp").blockers().get(BlockerKind.FRP)
    assert samsung.status is BlockerStatus.PRESENT
    assert samsung.evidence.startswith("signed in to Google account j***@gmail.com: FRP will demand it")
    assert "jane" not in samsung.evidence
    clean = bench.plug("galaxy-a54").blockers().get(BlockerKind.FRP)
    assert (clean.status, clean.evidence) == (BlockerStatus.ABSENT,
                                              "dumpsys account: 0 account(s), none of type com.google")


def test_mdm_device_owner_holds(bench: Bench) -> None:
    mdm = bench.plug("galaxy-a54-mdm").blockers().get(BlockerKind.MDM)
    assert mdm.status is BlockerStatus.PRESENT
    assert "com.airwatch.androidagent/com.airwatch.agent.DeviceAdministratorReceiver (DeviceOwner)" in mdm.evidence


def test_root_signs(bench: Bench) -> None:
    root = bench.plug("moto-rooted").blockers().get(BlockerKind.ROOT)
    assert root.status is BlockerStatus.PRESENT
    for sign in ("verified boot state orange", "bootloader unlocked", "su binary at /system/bin/su",
                 "root manager com.topjohnwu.magisk installed"):
        assert sign in root.evidence


def test_accepted_sim_does_not_prove_unlocked(bench: Bench) -> None:
    carrier = bench.plug("galaxy-a54").blockers().get(BlockerKind.CARRIER_LOCK)
    assert carrier.status is BlockerStatus.UNKNOWN
    assert "Vodafone.de SIM is accepted" in carrier.evidence
