"""Automatic functional checks: what the phone can prove about itself without a technician.

Sensors and cameras are judged against what the phone declares (``pm list features``): a declared
sensor or camera that the system service does not list fails. Radios must answer with a state (they
are switched on if off). Storage must show its partitions and read back a file just written. Charging
needs external power, a charging status and a current of at least ``MIN_CHARGING_MA``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable

from drivers.android.battery import read_sysfs_int
from drivers.android.models import CheckResult, Outcome
from drivers.android.parsing import parse_diskstats, parse_int, parse_key_values
from drivers.android.tradein import Run

MIN_CHARGING_MA = 100
# Feature → the sensor type the sensor service must list for it.
_SENSOR_FEATURES = {
    "android.hardware.sensor.accelerometer": "android.sensor.accelerometer",
    "android.hardware.sensor.gyroscope": "android.sensor.gyroscope",
    "android.hardware.sensor.compass": "android.sensor.magnetic_field",
    "android.hardware.sensor.light": "android.sensor.light",
    "android.hardware.sensor.proximity": "android.sensor.proximity",
    "android.hardware.sensor.barometer": "android.sensor.pressure",
}
_SENSOR_TYPE = re.compile(r"\| type: (android\.sensor\.[a-z_]+)\(\d+\)")
_CAMERA_COUNT = re.compile(r"^Number of camera devices: (\d+)", re.MULTILINE)
_CAMERA_FACING = re.compile(r"^\s*Facing: (\w+)", re.MULTILINE)
_PROBE = "/data/local/tmp/.refurb-bench-probe"


CHECK_NAMES = ("sensors", "cameras", "wifi", "bluetooth", "storage", "charging")
_NEEDS_FEATURES = frozenset({"sensors", "cameras", "wifi", "bluetooth"})


def run_automatic_checks(run: Run, names: Iterable[str] | None = None,
                         on_result: Callable[[CheckResult], None] | None = None) -> tuple[CheckResult, ...]:
    """Run the checks in ``names`` (default: all, in CHECK_NAMES order), handing each result to
    ``on_result`` as soon as it is known, so a phone pulled halfway keeps the results it gave."""
    chosen = set(CHECK_NAMES if names is None else names)
    wanted = [n for n in CHECK_NAMES if n in chosen]
    features: set[str] = set()
    if _NEEDS_FEATURES & set(wanted):
        features = {line.removeprefix("feature:").strip() for line in run("pm list features").stdout.splitlines()
                    if line.startswith("feature:")}
    checks: dict[str, Callable[[], CheckResult]] = {
        "sensors": lambda: _sensors(run, features), "cameras": lambda: _cameras(run, features),
        "wifi": lambda: _wifi(run, features), "bluetooth": lambda: _bluetooth(run, features),
        "storage": lambda: _storage(run), "charging": lambda: _charging(run),
    }
    unknown = "pm list features printed nothing, so what the phone should have is not known"
    results = []
    for name in wanted:
        result = CheckResult(name, Outcome.UNKNOWN, unknown) if name in _NEEDS_FEATURES and not features \
            else checks[name]()
        results.append(result)
        if on_result is not None:
            on_result(result)
    return tuple(results)


def _sensors(run: Run, features: set[str]) -> CheckResult:
    listed = set(_SENSOR_TYPE.findall(run("dumpsys sensorservice").stdout))
    if not listed:
        return CheckResult("sensors", Outcome.UNKNOWN, "the sensor service listed no sensors")
    expected = {sensor for feature, sensor in _SENSOR_FEATURES.items() if feature in features}
    missing = sorted(expected - listed)
    short = ", ".join(sorted(s.removeprefix("android.sensor.") for s in listed))
    if missing:
        return CheckResult("sensors", Outcome.FAIL, f"declared but not listed: {', '.join(missing)}; listed: {short}")
    return CheckResult("sensors", Outcome.PASS, f"{len(listed)} sensor types listed, every declared one: {short}")


def _cameras(run: Run, features: set[str]) -> CheckResult:
    text = run("dumpsys media.camera").stdout
    count = _CAMERA_COUNT.search(text)
    if count is None:
        return CheckResult("cameras", Outcome.UNKNOWN, "the camera service did not say how many cameras it has")
    facings = [f.lower() for f in _CAMERA_FACING.findall(text)]
    problems = []
    if "android.hardware.camera" in features and "back" not in facings:
        problems.append("no back camera enumerated")
    if "android.hardware.camera.front" in features and "front" not in facings:
        problems.append("no front camera enumerated")
    summary = f"{count.group(1)} camera(s): {', '.join(facings) or 'none'}"
    if problems or int(count.group(1)) == 0:
        return CheckResult("cameras", Outcome.FAIL, f"{'; '.join(problems) or 'no cameras'} ({summary})")
    return CheckResult("cameras", Outcome.PASS, summary)


def _wifi(run: Run, features: set[str]) -> CheckResult:
    if "android.hardware.wifi" not in features:
        return CheckResult("wifi", Outcome.FAIL, "the phone does not declare Wi-Fi")
    state = _wifi_state(run)
    if state == "disabled":
        run("svc wifi enable")
        state = _wifi_state(run)
    if state == "enabled":
        return CheckResult("wifi", Outcome.PASS, "Wi-Fi radio on and answering")
    if state == "disabled":
        return CheckResult("wifi", Outcome.FAIL, "Wi-Fi stays off after being switched on")
    return CheckResult("wifi", Outcome.UNKNOWN, "the Wi-Fi service gave no state")


def _wifi_state(run: Run) -> str | None:
    result = run("cmd wifi status")
    if result.ok and "Wifi is enabled" in result.stdout:
        return "enabled"
    if result.ok and "Wifi is disabled" in result.stdout:
        return "disabled"
    setting = run("settings get global wifi_on").stdout.strip()  # before Android 11
    return {"1": "enabled", "0": "disabled"}.get(setting)


def _bluetooth(run: Run, features: set[str]) -> CheckResult:
    if "android.hardware.bluetooth" not in features:
        return CheckResult("bluetooth", Outcome.FAIL, "the phone does not declare Bluetooth")
    values = parse_key_values(run("dumpsys bluetooth_manager").stdout)
    if values.get("state") == "OFF":
        run("svc bluetooth enable")
        values = parse_key_values(run("dumpsys bluetooth_manager").stdout)
    state, address = values.get("state"), values.get("address", "")
    if state == "ON":
        return CheckResult("bluetooth", Outcome.PASS, f"Bluetooth radio on, address {address or 'hidden'}")
    if state == "OFF":
        return CheckResult("bluetooth", Outcome.FAIL, "Bluetooth stays off after being switched on")
    return CheckResult("bluetooth", Outcome.UNKNOWN, "the Bluetooth service gave no state")


def _storage(run: Run) -> CheckResult:
    totals = parse_diskstats(run("dumpsys diskstats").stdout)
    if not totals.get("Data"):
        return CheckResult("storage", Outcome.UNKNOWN, "dumpsys diskstats gave no data partition size")
    token = secrets.token_hex(8)
    echoed = run(f"echo {token} > {_PROBE} && cat {_PROBE}; rm -f {_PROBE}").stdout.strip()
    size = f"data partition {totals['Data'] // 1024 // 1024} GiB"
    if echoed != token:
        return CheckResult("storage", Outcome.FAIL, f"{size}; a file written to /data read back as {echoed[:40]!r}")
    return CheckResult("storage", Outcome.PASS, f"{size}; a file written to /data read back intact")


def _charging(run: Run) -> CheckResult:
    values = parse_key_values(run("dumpsys battery").stdout)
    powered = [src for src in ("ac", "usb", "wireless") if values.get(f"{src} powered") == "true"]
    status = parse_int(values.get("status"))
    if status is None or not any(f"{s} powered" in values for s in ("ac", "usb")):
        return CheckResult("charging", Outcome.UNKNOWN, "dumpsys battery gave no power source or status")
    if not powered:
        return CheckResult("charging", Outcome.FAIL, "no external power detected on the bench cable")
    if status not in (2, 5):  # charging, full
        return CheckResult("charging", Outcome.FAIL, f"{'/'.join(powered)} power present but status is {status}, "
                                                     "not charging")
    current = read_sysfs_int(run, "current_now")
    if current is None:
        return CheckResult("charging", Outcome.UNKNOWN, f"charging on {'/'.join(powered)}; current not readable")
    # Most phones report µA, some (Samsung) mA; the sign convention differs by vendor too.
    milliamps = abs(current) // 1000 if abs(current) > 20_000 else abs(current)
    if status == 2 and milliamps < MIN_CHARGING_MA:
        return CheckResult("charging", Outcome.FAIL, f"charging on {'/'.join(powered)} at only {milliamps} mA")
    return CheckResult("charging", Outcome.PASS, f"charging on {'/'.join(powered)} at {milliamps} mA")
