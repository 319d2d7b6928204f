"""Who the phone is: make, model, model number, serial, IMEIs, OS, storage and colour.

Sources in order of trust: Android 16's trade-in status (IMEIs, serial, capacity), the property
table, ``service call iphonesubinfo`` for IMEIs (the transaction numbers are the subscriber-info
interface's ``getDeviceIdForPhone`` = 3 per slot; many phones refuse it to the shell since Android 10,
which gives an unknown with the phone's own refusal text), ``dumpsys diskstats`` for capacity.
"""

from __future__ import annotations

import re

from drivers.android.models import Imei, PhoneIdentity, Unknown
from drivers.android.parsing import (
    ParcelError,
    luhn_valid,
    nominal_capacity_bytes,
    parse_diskstats,
    parse_getprop,
    parse_int,
    parse_parcel_string,
)
from drivers.android.tradein import Run, TradeInStatus, read_trade_in_status

# Manufacturer strings as phones report them → how a label should read.
_MAKES = {"samsung": "Samsung", "motorola": "Motorola", "lge": "LG", "google": "Google", "oneplus": "OnePlus",
          "xiaomi": "Xiaomi", "oppo": "OPPO", "hmd global": "Nokia", "sony": "Sony", "fairphone": "Fairphone"}
_MODEL_CODE = re.compile(r"^[A-Z]{1,4}-?[A-Z0-9]{3,}[A-Z0-9/-]*$")
MAX_IMEI_SLOTS = 2


def read_identity(run: Run, adb_serial: str) -> PhoneIdentity:
    unknowns: list[Unknown] = []
    props = parse_getprop(run("getprop").stdout)
    if not props:
        unknowns.append(Unknown("props", "getprop printed no properties"))
    sdk = parse_int(props.get("ro.build.version.sdk"))
    trade_in = read_trade_in_status(run, sdk)

    raw_make = props.get("ro.product.manufacturer") or props.get("ro.product.brand")
    make = _MAKES.get(raw_make.lower(), raw_make) if raw_make else None
    code = props.get("ro.product.model") or None
    model = props.get("ro.product.marketname") or props.get("ro.product.display") or code
    model_number = props.get("ro.boot.hardware.sku") or (code if code and _MODEL_CODE.match(code) else None)
    serial = str((trade_in.status or {}).get("serial") or "") or props.get("ro.serialno") or props.get(
        "ro.boot.serialno") or None
    release = props.get("ro.build.version.release")
    os_version = f"Android {release} (API {sdk})" if release and sdk else None
    colour = props.get("ro.boot.hardware.color") or props.get("ro.boot.color") or None
    for name, value in (("make", make), ("model", model), ("model_number", model_number), ("serial", serial),
                        ("os_version", os_version)):
        if value is None:
            unknowns.append(Unknown(name, "not among the phone's properties"))
    if colour is None:
        unknowns.append(Unknown("colour", "the phone does not expose its colour"))

    imeis = _read_imeis(run, trade_in, "android.hardware.telephony" in _features(run), unknowns)
    storage, storage_source = _read_storage(run, trade_in, unknowns)
    return PhoneIdentity(
        adb_serial=adb_serial, make=make, model=model, model_number=model_number, serial=serial,
        imeis=imeis, os_version=os_version, sdk=sdk, build_fingerprint=props.get("ro.build.fingerprint"),
        storage_bytes=storage, storage_source=storage_source, colour=colour,
        crypto_type=props.get("ro.crypto.type") or None, unknowns=tuple(unknowns))


def _features(run: Run) -> set[str]:
    result = run("pm list features")
    return {line.removeprefix("feature:").strip() for line in result.stdout.splitlines()
            if line.startswith("feature:")}


def _read_imeis(run: Run, trade_in: TradeInStatus, telephony: bool, unknowns: list[Unknown]) -> tuple[Imei, ...]:
    listed = (trade_in.status or {}).get("imeis")
    if isinstance(listed, list) and listed:
        imeis = tuple(Imei(str(v), slot, luhn_valid(str(v)), "tradeinmode") for slot, v in enumerate(listed))
    elif not telephony:
        unknowns.append(Unknown("imei", "the phone has no telephony feature (Wi-Fi only)"))
        return ()
    else:
        found: list[Imei] = []
        for slot in range(MAX_IMEI_SLOTS):
            result = run(f"service call iphonesubinfo 3 i32 {slot} s16 com.android.shell")
            try:
                value = parse_parcel_string(result.stdout)
            except ParcelError as exc:
                unknowns.append(Unknown(f"imei{slot + 1}", f"service call iphonesubinfo: {exc}; scan the IMEI "
                                                           "from the label or *#06#"))
                break
            if value is None or not value.strip():
                break
            found.append(Imei(value.strip(), slot, luhn_valid(value.strip()), "service call iphonesubinfo"))
        imeis = tuple(found)
    for imei in imeis:
        if not imei.luhn_valid:
            unknowns.append(Unknown(f"imei{imei.slot + 1}", f"{imei.value!r} is not a valid IMEI (15 digits with "
                                                            "a Luhn check digit)"))
    return imeis


def _read_storage(run: Run, trade_in: TradeInStatus, unknowns: list[Unknown]) -> tuple[int | None, str | None]:
    capacity = parse_int(str(trade_in.section("storage").get("capacity_bytes", "")))
    if capacity:
        return capacity, "tradeinmode"
    totals = parse_diskstats(run("dumpsys diskstats").stdout)
    if "Data" not in totals:
        unknowns.append(Unknown("storage", "dumpsys diskstats gave no data partition size"))
        return None, None
    partitions = (totals["Data"] + totals.get("System", 0)) * 1024
    nominal = nominal_capacity_bytes(partitions)
    if nominal is None:
        unknowns.append(Unknown("storage", f"{partitions} bytes of partitions match no marketed capacity"))
        return None, None
    return nominal, "dumpsys diskstats (partitions rounded up to the marketed size)"
