"""Identity, battery and automatic checks of recorded iPhones, read by the real driver."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.android.models import BatteryHealth, ChargeStatus, Outcome, PhoneIdentity
from drivers.ios import IPhone, IPhoneIdentity, PairingState
from drivers.sim.ios import SimulatedIPhone, SimulatedLockdown, profile_names

Plug = Callable[..., tuple[IPhone, SimulatedIPhone]]


def unknown_fields(identity: PhoneIdentity) -> set[str]:
    return {u.field for u in identity.unknowns}


def test_paired_iphone_13_identity(plug: Plug) -> None:
    phone, _ = plug("iphone13-paired")
    identity = phone.identity()
    assert isinstance(identity, PhoneIdentity)
    assert (identity.make, identity.model, identity.model_number) == ("Apple", "iPhone 13", "MLPF3LL/A")
    assert identity.product_type == "iPhone14,5"
    assert identity.hardware_model == "D17AP"
    assert identity.serial == "KX4HQ2V7YT"
    assert identity.valid_imeis == ("354678112345678", "354678112345686")
    assert [i.source for i in identity.imeis] == ["lockdown InternationalMobileEquipmentIdentity",
                                                  "lockdown InternationalMobileEquipmentIdentity2"]
    assert identity.os_version == "iOS 17.5.1 (21F90)"
    assert identity.storage_bytes == 128_000_000_000
    assert identity.crypto_type == "file"
    assert identity.activation_state == "Activated"
    assert identity.adb_serial == identity.udid == "00008110-001A2C3E0A12801E"
    assert identity.colour is None
    assert unknown_fields(identity) == {"colour"}
    assert "colour code '5'" in identity.unknowns[0].reason


def test_paired_iphone_13_battery(plug: Plug) -> None:
    phone, _ = plug("iphone13-paired")
    battery = phone.battery()
    assert battery.level_pct == 82
    assert battery.capacity_pct == 91  # NominalChargeCapacity 2951 / DesignCapacity 3227
    assert battery.capacity_source is not None
    assert "NominalChargeCapacity" in battery.capacity_source
    assert battery.cycle_count == 412
    assert battery.health is BatteryHealth.GOOD
    assert battery.status is ChargeStatus.CHARGING
    assert battery.temperature_c == 29.5
    assert battery.voltage_mv == 4012
    assert battery.unknowns == ()


def test_automatic_checks_pass_only_what_the_phone_shows(plug: Plug) -> None:
    phone, _ = plug("iphone13-paired")
    results = {c.name: c for c in phone.automatic_checks()}
    assert set(results) == {"sensors", "cameras", "wifi", "bluetooth", "storage", "charging"}
    assert results["storage"].outcome is Outcome.PASS
    assert "61.5 GB free of 112.7 GB" in results["storage"].evidence
    assert results["charging"].outcome is Outcome.PASS
    assert "812 mA" in results["charging"].evidence
    assert results["wifi"].outcome is Outcome.PASS
    for guided in ("sensors", "cameras", "bluetooth"):
        assert results[guided].outcome is Outcome.UNKNOWN
        assert "guided steps" in results[guided].evidence


def test_jailbroken_iphone_8_with_hex_colour_and_worn_battery(plug: Plug) -> None:
    phone, _ = plug("iphone8-jailbroken")
    identity = phone.identity()
    assert (identity.model, identity.colour, identity.model_number) == ("iPhone 8", "#b9b7ba", "MQ6G2LL/A")
    assert identity.valid_imeis == ("358400739126043",)
    assert identity.storage_bytes == 64_000_000_000
    battery = phone.battery()
    assert (battery.capacity_pct, battery.cycle_count) == (80, 1184)


def test_every_profile_reads_through_the_driver(lockdown: SimulatedLockdown, plug: Plug) -> None:
    """Each recorded phone gives an identity that is Apple, names its transport, and never counts a bad
    IMEI as valid; fault profiles are read before their faults bite."""
    for name in profile_names():
        phone, simulated = plug(name)
        if phone.pair(wait=0) is not PairingState.PAIRED:
            simulated.unlock()
            phone.pair(wait=0)
            simulated.tap_trust()
        assert phone.pair(wait=0) is PairingState.PAIRED, name
        identity = phone.identity()
        assert identity.make == "Apple", name
        assert identity.udid == simulated.udid, name
        assert isinstance(identity, IPhoneIdentity)
        for imei in identity.imeis:
            assert imei.luhn_valid == (len(imei.value) == 15 and imei.value.isdigit() and imei.value in (
                "354678112345678", "354678112345686", "356889120455700", "356889120455718", "353187654321098",
                "353187654321106", "352819301174527", "352819301174535", "358400739126043")), (name, imei)


def test_eight_of_one_profile_are_eight_phones(lockdown: SimulatedLockdown, plug: Plug) -> None:
    phones = [plug("iphone15-erase")[0] for _ in range(8)]
    identities = [p.identity() for p in phones]
    assert len({i.udid for i in identities}) == 8
    assert len({i.serial for i in identities}) == 8
    assert len({i.valid_imeis for i in identities}) == 8
    assert all(len(i.valid_imeis) == 2 for i in identities)
    assert {a.udid for a in lockdown.devices(1.0)} == {i.udid for i in identities}


def test_malformed_answers_are_unknown_never_passed(plug: Plug) -> None:
    phone, _ = plug("iphone-se3-malformed")
    identity = phone.identity()
    assert identity.model == "iPhone SE (3rd generation)"
    assert identity.serial is None
    assert identity.valid_imeis == ()
    assert identity.imeis[0].luhn_valid is False
    assert {"serial", "imei1", "storage"} <= unknown_fields(identity)
    assert identity.storage_bytes is None

    battery = phone.battery()
    assert (battery.capacity_pct, battery.cycle_count, battery.health, battery.status) == (None, None, None, None)
    assert {"capacity_pct", "cycle_count", "health", "status"} <= {u.field for u in battery.unknowns}

    results = {c.name: c for c in phone.automatic_checks()}
    assert results["storage"].outcome is Outcome.UNKNOWN
    assert "do not add up" in results["storage"].evidence
    assert results["charging"].outcome is Outcome.UNKNOWN
    assert all(c.outcome is not Outcome.PASS for name, c in results.items() if name != "wifi")


@pytest.mark.parametrize("name", profile_names())
def test_profiles_load_with_lockdown_key_names(name: str, lockdown: SimulatedLockdown) -> None:
    simulated = lockdown.plug(name)
    assert simulated.lockdown["ProductType"].startswith("iPhone")
    assert simulated.lockdown["DeviceClass"] == "iPhone"
    assert "IOPMPowerSource" in simulated.ioregistry
    assert simulated.profile.description


def test_chosen_checks_arrive_one_by_one(plug: Plug) -> None:
    phone, _ = plug("iphone13-paired")
    heard: list[str] = []
    results = phone.automatic_checks(["storage", "charging"], on_result=lambda r: heard.append(r.name))
    assert [r.name for r in results] == heard == ["storage", "charging"]
