"""Identity of phones through the real adb server: eight at once, each model's fields."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from drivers.android import AndroidPhone, PhoneIdentity
from tests.drivers.android.conftest import Bench

MODELS = ("pixel8-a16", "galaxy-a54", "lg-g7-a10-fde", "moto-g-power-2022")


def _connect_and_identify(bench: Bench, profiles: list[str]) -> tuple[list[PhoneIdentity], float]:
    emulated = [bench.start(p) for p in profiles]
    started = time.monotonic()

    def one(index: int) -> PhoneIdentity:
        return bench.attach(emulated[index]).identity()

    with ThreadPoolExecutor(max_workers=len(profiles)) as pool:
        identities = list(pool.map(one, range(len(profiles))))
    return identities, time.monotonic() - started


def test_eight_phones_identified_at_once(bench: Bench) -> None:
    single, one_seconds = _connect_and_identify(bench, ["pixel8-a16"])
    eight, eight_seconds = _connect_and_identify(bench, [m for m in MODELS for _ in range(2)])
    print(f"\nconnect -> identified: 1 phone {one_seconds * 1000:.0f} ms, 8 phones {eight_seconds * 1000:.0f} ms")

    everyone = single + eight
    assert len({i.serial for i in everyone}) == 9
    assert len({i.adb_serial for i in everyone}) == 9
    for identity in everyone:
        assert None not in (identity.make, identity.model, identity.os_version, identity.serial)
        assert all(imei.luhn_valid for imei in identity.imeis)
    assert [i.make for i in eight] == ["Google", "Google", "Samsung", "Samsung", "LG", "LG", "Motorola", "Motorola"]
    imeis = [v for i in everyone for v in i.valid_imeis]
    assert len(imeis) == len(set(imeis)) == 2 + 2 * 2 + 2 * 2 + 0 + 2 * 1


def test_pixel_identity_from_trade_in_mode(bench: Bench) -> None:
    identity = bench.plug("pixel8-a16").identity()
    assert (identity.make, identity.model, identity.model_number) == ("Google", "Pixel 8", "GKWS6")
    assert identity.os_version == "Android 16 (API 36)"
    assert identity.serial == "3A121FDH2003C8"
    assert [(i.value, i.source) for i in identity.imeis] == [("356904211835270", "tradeinmode"),
                                                              ("356904211835353", "tradeinmode")]
    assert identity.storage_bytes == 128_000_000_000
    assert identity.storage_source == "tradeinmode"
    assert identity.colour == "Hazel"
    assert identity.crypto_type == "file"
    assert identity.unknowns == ()


def test_samsung_identity_from_properties_and_subscriber_info(bench: Bench) -> None:
    identity = bench.plug("galaxy-a54").identity()
    assert (identity.make, identity.model, identity.model_number) == ("Samsung", "SM-A546B", "SM-A546B")
    assert [(i.value, i.slot, i.source) for i in identity.imeis] == [
        ("352889156046112", 0, "service call iphonesubinfo"), ("352889156046294", 1, "service call iphonesubinfo")]
    # 221 GiB data + 9 GiB system partitions: sold as 256 GB
    assert identity.storage_bytes == 256_000_000_000
    assert [u.field for u in identity.unknowns] == ["colour"]


def test_motorola_marketing_name_and_sku(bench: Bench) -> None:
    identity = bench.plug("moto-g-power-2022").identity()
    assert (identity.make, identity.model, identity.model_number) == ("Motorola", "moto g power (2022)", "XT2165-5")
    assert identity.valid_imeis == ("353917110477815",)
    assert identity.storage_bytes == 64_000_000_000


def test_refused_imei_is_unknown_with_the_phones_reason(bench: Bench) -> None:
    identity = bench.plug("lg-g7-a10-fde").identity()
    assert identity.imeis == ()
    reasons = {u.field: u.reason for u in identity.unknowns}
    assert "does not meet the requirements to access device identifiers" in reasons["imei1"]
    assert "scan the IMEI" in reasons["imei1"]
    assert identity.crypto_type == "block"


def test_phone_asking_for_authentication_is_admitted(bench: Bench) -> None:
    phone: AndroidPhone = bench.plug("pixel8-auth")
    assert bench.client.state(phone.serial) == "device"
    assert phone.identity().model == "Pixel 8"
