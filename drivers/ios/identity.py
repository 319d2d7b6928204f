"""Who the iPhone is, from lockdown's values.

Top-level values give the model (``ProductType`` → marketing name, ``ModelNumber`` + ``RegionInfo``
→ the part number on the box), serial, IMEIs, iOS version and activation state; the
``com.apple.disk_usage`` domain gives the capacity. Unpaired, lockdownd shows only public values:
the identity is then partial, with an unknown for each missing field, and marked ``paired=False``.
Encryption is always file-based on an iPhone (Data Protection: per-file keys wrapped by class keys
the erase destroys), so ``crypto_type`` is ``file``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.android.models import Imei, Unknown
from drivers.android.parsing import luhn_valid, nominal_capacity_bytes
from drivers.ios.models import MARKETING_NAMES, IPhoneIdentity

IMEI_KEYS = ("InternationalMobileEquipmentIdentity", "InternationalMobileEquipmentIdentity2")


def text_value(values: Mapping[str, Any], key: str) -> str | None:
    """A string value, stripped; anything else (missing, a number where text belongs) is None."""
    value = values.get(key)
    return value.strip() or None if isinstance(value, str) else None


def int_value(values: Mapping[str, Any], key: str) -> int | None:
    """An integer value; booleans (plist ``true``) and text are not integers."""
    value = values.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_identity(udid: str, values: Mapping[str, Any], disk_usage: Mapping[str, Any] | None,
                  paired: bool) -> IPhoneIdentity:
    unknowns: list[Unknown] = []
    product_type = text_value(values, "ProductType")
    model = MARKETING_NAMES.get(product_type or "", product_type)
    if product_type and product_type not in MARKETING_NAMES:
        unknowns.append(Unknown("model", f"{product_type} is not in the bench's list of iPhone names"))
    part = text_value(values, "ModelNumber")
    region = text_value(values, "RegionInfo")
    model_number = f"{part}{region}" if part and region else part
    serial = text_value(values, "SerialNumber")
    version, build = text_value(values, "ProductVersion"), text_value(values, "BuildVersion")
    os_version = f"iOS {version} ({build})" if version and build else (f"iOS {version}" if version else None)
    why_missing = "not among the phone's values" if paired else "lockdown shows it only once the phone trusts the bench"
    for name, value in (("model", model), ("model_number", model_number), ("serial", serial),
                        ("os_version", os_version)):
        if value is None:
            unknowns.append(Unknown(name, why_missing))
    colour = _colour(values, unknowns)
    imeis = _imeis(values, paired, unknowns)
    storage = _storage(disk_usage, paired, unknowns)
    fingerprint = f"{product_type}/{build}" if product_type and build else None
    return IPhoneIdentity(
        adb_serial=udid, make="Apple", model=model, model_number=model_number, serial=serial, imeis=imeis,
        os_version=os_version, sdk=None, build_fingerprint=fingerprint, storage_bytes=storage,
        storage_source="lockdown com.apple.disk_usage TotalDiskCapacity" if storage else None, colour=colour,
        crypto_type="file", unknowns=tuple(unknowns), udid=text_value(values, "UniqueDeviceID") or udid,
        product_type=product_type, hardware_model=text_value(values, "HardwareModel"), build_version=build,
        activation_state=text_value(values, "ActivationState"), paired=paired)


def _colour(values: Mapping[str, Any], unknowns: list[Unknown]) -> str | None:
    """Older iPhones report their enclosure colour as ``#rrggbb``; newer ones give only a code number
    whose meaning differs per model, which is not guessed."""
    code = text_value(values, "DeviceEnclosureColor") or text_value(values, "DeviceColor")
    if code and code.startswith("#") and len(code) == 7:
        return code.lower()
    reason = f"the phone gives only colour code {code!r}" if code else "the phone does not report a colour"
    unknowns.append(Unknown("colour", reason + "; take the colour from the unit or its label"))
    return None


def _imeis(values: Mapping[str, Any], paired: bool, unknowns: list[Unknown]) -> tuple[Imei, ...]:
    imeis: list[Imei] = []
    for slot, key in enumerate(IMEI_KEYS):
        value = values.get(key)
        if value is None:
            continue
        text = str(value).strip()
        imeis.append(Imei(text, slot, luhn_valid(text), f"lockdown {key}"))
        if not luhn_valid(text):
            unknowns.append(Unknown(f"imei{slot + 1}", f"{text!r} is not a valid IMEI (15 digits with a Luhn "
                                                       "check digit)"))
    if not imeis:
        telephony = values.get("TelephonyCapability")
        if not paired:
            unknowns.append(Unknown("imei", "lockdown shows IMEIs only once the phone trusts the bench"))
        elif telephony is False:
            unknowns.append(Unknown("imei", "the device has no cellular radio (TelephonyCapability false)"))
        else:
            unknowns.append(Unknown("imei", "the phone reported no IMEI; scan it from the label or *#06#"))
    return tuple(imeis)


def _storage(disk_usage: Mapping[str, Any] | None, paired: bool, unknowns: list[Unknown]) -> int | None:
    if disk_usage is None:
        unknowns.append(Unknown("storage", "disk usage is readable only once the phone trusts the bench"
                                if not paired else "the phone gave no disk usage"))
        return None
    total = int_value(disk_usage, "TotalDiskCapacity")
    if total is None or total <= 0:
        unknowns.append(Unknown("storage", f"TotalDiskCapacity {disk_usage.get('TotalDiskCapacity')!r} is not a size"))
        return None
    nominal = nominal_capacity_bytes(total)
    if nominal is None:
        unknowns.append(Unknown("storage", f"{total} bytes match no marketed capacity"))
    return nominal
