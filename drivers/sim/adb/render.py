"""Text the emulated phone prints, in the layouts real Android builds use.

Each function takes profile data and returns what the matching command writes to stdout, so the
driver's parsers meet the same shapes as on a phone on the bench.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from typing import Any


def getprop_all(props: Mapping[str, str]) -> str:
    return "".join(f"[{key}]: [{props[key]}]\n" for key in sorted(props))


def dumpsys_battery(b: Mapping[str, Any]) -> str:
    def flag(value: Any) -> str:
        return "true" if value else "false"

    lines = [
        "Current Battery Service state:",
        f"  AC powered: {flag(b.get('ac'))}",
        f"  USB powered: {flag(b.get('usb'))}",
        f"  Wireless powered: {flag(b.get('wireless'))}",
        f"  Dock powered: {flag(b.get('dock'))}",
        f"  Max charging current: {b.get('max_charging_current', 0)}",
        f"  Max charging voltage: {b.get('max_charging_voltage', 0)}",
        f"  Charge counter: {b.get('charge_counter', 0)}",
        f"  status: {b.get('status', 1)}",
        f"  health: {b.get('health', 1)}",
        f"  present: {flag(b.get('present', True))}",
        f"  level: {b.get('level', 0)}",
        f"  scale: {b.get('scale', 100)}",
        f"  voltage: {b.get('voltage', 0)}",
        f"  temperature: {b.get('temperature', 0)}",
        f"  technology: {b.get('technology', 'Li-ion')}",
    ]
    return "\n".join(lines) + "\n"


def dumpsys_batterystats(s: Mapping[str, Any]) -> str:
    lines = [
        "Battery History (0% used, 2300 used of 4096KB, 38 strings using 2882):",
        "                    0 (15) RESET:TIME: 2026-01-10-09-12-44",
        "",
        "Per-PID Stats:",
        "",
        "Statistics since last charge:",
        "  System starts: 0, currently on battery: false",
        f"  Estimated battery capacity: {s['estimated_mah']} mAh" if "estimated_mah" in s else "",
        f"  Last learned battery capacity: {s['last_learned_mah']} mAh" if "last_learned_mah" in s else "",
        f"  Min learned battery capacity: {s['min_learned_mah']} mAh" if "min_learned_mah" in s else "",
        f"  Max learned battery capacity: {s['max_learned_mah']} mAh" if "max_learned_mah" in s else "",
        "  Time on battery: 0ms (0.0%) realtime, 0ms (0.0%) uptime",
        "  Total run time: 3h 12m 4s 551ms realtime, 3h 12m 4s 551ms uptime",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def tradeinmode_status(status: Mapping[str, Any]) -> str:
    return json.dumps(status, indent=2) + "\n"


def dumpsys_account(accounts: Sequence[Mapping[str, str]]) -> str:
    lines = ["User UserInfo{0:Owner:c13}:", f"  Accounts: {len(accounts)}"]
    lines += [f"    Account {{name={a['name']}, type={a['type']}}}" for a in accounts]
    lines += ["", "  Active Sessions: 0", "", "  RegisteredServicesCache: 4 services"]
    return "\n".join(lines) + "\n"


def dpm_list_owners(device_owner: str | None, profile_owners: Sequence[str]) -> str:
    owners = [f"User  0: admin={device_owner},DeviceOwner"] if device_owner else []
    owners += [f"User 10: admin={p},ProfileOwner" for p in profile_owners]
    if not owners:
        return "no owners\n"
    noun = "owner" if len(owners) == 1 else "owners"
    return f"{len(owners)} {noun}:\n" + "\n".join(owners) + "\n"


def dumpsys_device_policy(device_owner: str | None, profile_owners: Sequence[str]) -> str:
    lines = ["Current Device Policy Manager state:"]
    if device_owner:
        package = device_owner.split("/")[0]
        lines += ["  Device Owner: ", f"    admin=ComponentInfo{{{device_owner}}}", "    name=",
                  f"    package={package}", "    isOrganizationOwnedDevice=true", "    User ID: 0", ""]
    for owner in profile_owners:
        lines += ["  Profile Owner (User 10): ", f"    admin=ComponentInfo{{{owner}}}", ""]
    lines += ["  Enabled Device Admins (User 0, provisioningState: 3):"]
    if device_owner:
        lines += [f"    {device_owner}:", "      uid=10245", "      testOnlyAdmin=false"]
    return "\n".join(lines) + "\n"


def dumpsys_sensorservice(sensors: Sequence[Mapping[str, Any]]) -> str:
    lines = [f"Sensor Device:\nTotal {len(sensors)} h/w sensors, 0 running 0 disabled clients:", "Sensor List:"]
    for index, s in enumerate(sensors, start=1):
        lines.append(f"0x{index:08x}) {s['name']:<32}| {s['vendor']:<16}| ver: 1 | type: {s['type']}"
                     f"({s['type_id']}) | perm: n/a | flags: 0x00000000")
        lines.append("\tcontinuous | minRate=1.00Hz | maxRate=200.00Hz | non-wakeUp | ")
    lines += ["Fusion States:", "9-axis fusion disabled (0 clients), gyro-rate= 200.00Hz"]
    return "\n".join(lines) + "\n"


def dumpsys_media_camera(cameras: Sequence[Mapping[str, str]]) -> str:
    lines = ["== Service global info: ==", "", f"Number of camera devices: {len(cameras)}",
             f"Number of normal camera devices: {len(cameras)}"]
    lines += [f"Device {i} maps to \"{c['id']}\"" for i, c in enumerate(cameras)]
    lines += ["Active Camera Clients:", "[]", ""]
    for c in cameras:
        lines += [f"== Camera device {c['id']} dynamic info: ==", f"  Device {c['id']} is closed, no client instance",
                  f"== Camera HAL device device@3.7/internal/{c['id']} (v3.7) static information: ==",
                  "  Resource cost: 50", "  Conflicting devices: None", "  API1 info:",
                  f"    Has a flash unit: {'true' if c.get('facing') == 'BACK' else 'false'}",
                  f"    Facing: {c['facing'].capitalize()}", ""]
    return "\n".join(lines) + "\n"


def dumpsys_diskstats(d: Mapping[str, Any]) -> str:
    def line(label: str, free: int, total: int) -> str:
        pct = 0 if total == 0 else free * 100 // total
        return f"{label}-Free: {free}K / {total}K total = {pct}% free"

    lines = ["Latency: 2ms [512B Data Write]", "Recent Disk Write Speed (kB/s) = 64233",
             line("Data", d["data_free_k"], d["data_total_k"]),
             line("Cache", d["data_free_k"], d["data_total_k"]),
             line("System", 0, d["system_total_k"])]
    if d.get("fbe"):
        lines.append("File-based Encryption: true")
    lines += ["App Size: 4184219648", "App Data Size: 1322573824", "App Cache Size: 212992000"]
    return "\n".join(lines) + "\n"


def bluetooth_manager(enabled: bool, address: str, name: str) -> str:
    state = "ON" if enabled else "OFF"
    return (f"Bluetooth Status\n  enabled: {'true' if enabled else 'false'}\n  state: {state}\n"
            f"  address: {address}\n  name: {name}\n  time since enabled: 00:41:07.113\n")


def wifi_status(enabled: bool) -> str:
    if not enabled:
        return "Wifi is disabled\nWifi scanning is only available when wifi is enabled\n"
    return ("Wifi is enabled\nWifi scanning is always available\n==== Primary ClientModeManager instance ====\n"
            "Wifi is not connected\n")


def parcel_string(text: str | None) -> str:
    """``service call`` output for a reply that carries one String16 (or null)."""
    words = [0]  # no exception
    if text is None:
        words.append(0xFFFFFFFF)
    else:
        words += [len(text), *_utf16_words(text)]
    return _parcel(words)


def parcel_exception(code: int, message: str) -> str:
    """``service call`` output for a reply whose first word is an exception (e.g. -1, SecurityException)."""
    return _parcel([code & 0xFFFFFFFF, len(message), *_utf16_words(message)])


def _utf16_words(text: str) -> list[int]:
    data = (text + "\0").encode("utf-16-le")
    if len(data) % 4:
        data += b"\0" * (4 - len(data) % 4)
    return [struct.unpack_from("<I", data, i)[0] for i in range(0, len(data), 4)]


def _parcel(words: list[int]) -> str:
    lines = ["Result: Parcel("]
    for offset in range(0, len(words), 4):
        chunk = words[offset:offset + 4]
        raw = b"".join(struct.pack("<I", w) for w in chunk)
        ascii_part = "".join(chr(b) if 32 <= b < 127 else "." for b in raw).ljust(16)
        hex_part = " ".join(f"{w:08x}" for w in chunk).ljust(35)
        lines.append(f"  0x{offset * 4:08x}: {hex_part} '{ascii_part}'")
    return "\n".join(lines) + ")\n"
