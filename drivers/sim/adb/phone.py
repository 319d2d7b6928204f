"""One emulated phone's mutable state and the commands its shell knows.

The state is a private copy of the profile data; a factory reset rewrites it the way a real reset
does (accounts, device owner and user files gone, setup wizard pending) and the phone re-enumerates.
Each instance of a profile gets its own serial and IMEIs (same TAC, different serial digits, valid
check digit) so a bench of eight identical models still shows eight phones.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from drivers.sim.adb import render
from drivers.sim.adb.profile import Profile, deep_merge


@dataclass(frozen=True)
class CommandResult:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    # Both streams in the order they were written, for shell v1 where a pty merges them.
    interleaved: str | None = None

    @property
    def merged(self) -> str:
        return self.stdout + self.stderr if self.interleaved is None else self.interleaved


NOT_FOUND = 127
SHELL = "/system/bin/sh"


def luhn_digit(first14: str) -> int:
    total = 0
    for index, char in enumerate(first14):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return (10 - total % 10) % 10


def imei_for_instance(imei: str, instance: int) -> str:
    """Instance 0 keeps the profile's IMEI exactly (malformed profiles rely on that)."""
    if instance == 0 or len(imei) != 15 or not imei.isdigit():
        return imei
    serial = (int(imei[8:14]) + instance * 7919) % 1_000_000
    first14 = f"{imei[:8]}{serial:06d}"
    return first14 + str(luhn_digit(first14))


class PhoneState:
    """What one phone knows and answers. Not thread-safe: it lives on the emulator's event loop."""

    def __init__(self, profile: Profile, instance: int = 0) -> None:
        self.profile = profile
        self.instance = instance
        self.data: dict[str, Any] = copy.deepcopy(dict(profile.data))
        props = self.data.setdefault("props", {})
        if instance:
            props["ro.serialno"] = f"{props.get('ro.serialno', 'EMU')}{instance:02d}"
            props["ro.boot.serialno"] = props["ro.serialno"]
        self.data["imeis"] = [imei_for_instance(i, instance) for i in self.data.get("imeis", [])]
        trade_in = self.data.get("tradeinmode")
        if isinstance(trade_in, dict):
            trade_in["imeis"] = list(self.data["imeis"])
            trade_in["serial"] = props.get("ro.serialno", "")
        self.files: dict[str, str | None] = dict(self.data.get("files", {}))
        self.commands_served = 0
        self.last_exit = 0
        self.reset_requested = False
        self.resets_done = 0

    @property
    def faults(self) -> Mapping[str, Any]:
        faults: Mapping[str, Any] = self.data.get("faults", {})
        return faults

    @property
    def serial(self) -> str:
        return str(self.data["props"].get("ro.serialno", ""))

    def banner_fields(self) -> tuple[str, str, str]:
        props = self.data["props"]
        return (props.get("ro.product.name", ""), props.get("ro.product.model", ""),
                props.get("ro.product.device", ""))

    def apply_factory_reset(self) -> None:
        """What a reset leaves behind, then the profile's own ``after_reset`` keys on top."""
        self.data["accounts"] = []
        self.data["device_owner"] = None
        self.data["profile_owners"] = []
        settings = self.data.setdefault("settings", {})
        settings.setdefault("secure", {})["user_setup_complete"] = "0"
        settings.setdefault("global", {})["device_provisioned"] = "0"
        self.files = {path: value for path, value in self.files.items() if not path.startswith("/data/")}
        self.data = deep_merge(self.data, self.data.get("after_reset", {}))
        self.resets_done += 1
        self.reset_requested = False

    def run(self, argv: list[str]) -> CommandResult:
        """Run one simple command (no operators: the shell module splits those)."""
        handler = _COMMANDS.get(argv[0])
        if handler is None:
            return CommandResult(stderr=f"{SHELL}: {argv[0]}: inaccessible or not found\n", exit_code=NOT_FOUND)
        return handler(self, argv[1:])


Handler = Callable[[PhoneState, list[str]], CommandResult]


def _getprop(phone: PhoneState, args: list[str]) -> CommandResult:
    props = phone.data["props"]
    if not args:
        return CommandResult(render.getprop_all(props))
    return CommandResult(f"{props.get(args[0], args[1] if len(args) > 1 else '')}\n")


def _dumpsys(phone: PhoneState, args: list[str]) -> CommandResult:
    d = phone.data
    service = args[0] if args else ""
    owners = (d.get("device_owner"), d.get("profile_owners", []))
    renderers: dict[str, Callable[[], str]] = {
        "battery": lambda: render.dumpsys_battery(d["battery"]),
        "batterystats": lambda: render.dumpsys_batterystats(d.get("batterystats", {})),
        "account": lambda: render.dumpsys_account(d.get("accounts", [])),
        "device_policy": lambda: render.dumpsys_device_policy(*owners),
        "sensorservice": lambda: render.dumpsys_sensorservice(d.get("sensors", [])),
        "media.camera": lambda: render.dumpsys_media_camera(d.get("cameras", [])),
        "diskstats": lambda: render.dumpsys_diskstats(d["diskstats"]),
        "bluetooth_manager": lambda: render.bluetooth_manager(
            _setting(phone, "global", "bluetooth_on") == "1", d.get("bluetooth_address", "00:00:00:00:00:00"),
            d["props"].get("ro.product.model", "")),
    }
    if service not in renderers:
        return CommandResult(stderr=f"Can't find service: {service}\n")
    return CommandResult(renderers[service]())


def _tradeinmode(phone: PhoneState, args: list[str]) -> CommandResult:
    status = phone.data.get("tradeinmode")
    if status is None:
        return CommandResult(stderr=f"{SHELL}: tradeinmode: inaccessible or not found\n", exit_code=NOT_FOUND)
    if args[:1] != ["getstatus"]:
        return CommandResult(stderr="Usage: tradeinmode [getstatus|evaluate]\n", exit_code=1)
    return CommandResult(render.tradeinmode_status(status))


def _cmd(phone: PhoneState, args: list[str]) -> CommandResult:
    service = args[0] if args else ""
    sdk = int(phone.data["props"].get("ro.build.version.sdk", "0"))
    if service == "tradeinmode" and phone.data.get("tradeinmode") is not None:
        return _tradeinmode(phone, args[1:])
    if service == "wifi" and args[1:2] == ["status"] and sdk >= 30:
        return CommandResult(render.wifi_status(_setting(phone, "global", "wifi_on") == "1"))
    if service == "testharness" and args[1:2] == ["enable"] and sdk >= 29:
        phone.reset_requested = True
        return CommandResult()
    return CommandResult(stderr=f"cmd: Can't find service: {service}\n", exit_code=20)


def _setting(phone: PhoneState, namespace: str, key: str) -> str:
    value = phone.data.get("settings", {}).get(namespace, {}).get(key)
    return "null" if value is None else str(value)


def _settings(phone: PhoneState, args: list[str]) -> CommandResult:
    if len(args) == 3 and args[0] == "get":
        return CommandResult(_setting(phone, args[1], args[2]) + "\n")
    if len(args) == 4 and args[0] == "put":
        phone.data.setdefault("settings", {}).setdefault(args[1], {})[args[2]] = args[3]
        return CommandResult()
    return CommandResult(stderr="usage:  settings [--user <USER_ID> | current] get namespace key\n", exit_code=255)


def _dpm(phone: PhoneState, args: list[str]) -> CommandResult:
    if args[:1] == ["list-owners"]:
        return CommandResult(render.dpm_list_owners(phone.data.get("device_owner"),
                                                    phone.data.get("profile_owners", [])))
    return CommandResult(stderr="Error: unknown command\n", exit_code=255)


def _pm(phone: PhoneState, args: list[str]) -> CommandResult:
    if args[:2] == ["list", "features"]:
        return CommandResult("".join(f"feature:{f}\n" for f in phone.data.get("pm_features", [])))
    if args[:2] == ["list", "packages"]:
        return CommandResult("".join(f"package:{p}\n" for p in phone.data.get("packages", [])))
    return CommandResult(stderr="Unknown command\n", exit_code=255)


def _service(phone: PhoneState, args: list[str]) -> CommandResult:
    """``service call iphonesubinfo CODE [i32 SLOT] s16 PKG``: code 1 is the default phone's device id,
    code 3 the device id of slot SLOT. Phones that refuse shell access answer a SecurityException."""
    if args[:2] != ["call", "iphonesubinfo"] or len(args) < 3:
        return CommandResult(stderr="service: Unknown command\n", exit_code=255)
    if phone.data.get("imei_access", "allowed") != "allowed":
        return CommandResult(render.parcel_exception(-1, "getDeviceId: The user 2000 does not meet the "
                                                         "requirements to access device identifiers."))
    imeis: list[str] = phone.data.get("imeis", [])
    slot = int(args[4]) if args[2] == "3" and len(args) > 4 and args[3] == "i32" else 0
    if args[2] not in ("1", "3"):
        return CommandResult(render.parcel_string(None))
    return CommandResult(render.parcel_string(imeis[slot] if slot < len(imeis) else None))


def _cat(phone: PhoneState, args: list[str]) -> CommandResult:
    out, err, code = [], [], 0
    for path in args:
        if path not in phone.files:
            err.append(f"cat: {path}: No such file or directory\n")
            code = 1
        elif phone.files[path] is None:
            err.append(f"cat: {path}: Permission denied\n")
            code = 1
        else:
            out.append(str(phone.files[path]))
    return CommandResult("".join(out), "".join(err), code)


def _ls(phone: PhoneState, args: list[str]) -> CommandResult:
    out, err, code = [], [], 0
    for path in [a for a in args if not a.startswith("-")]:
        children = sorted({p[len(path):].lstrip("/").split("/")[0] for p in phone.files
                           if p.startswith(path.rstrip("/") + "/")})
        if path in phone.files:
            out.append(path + "\n")
        elif children:
            out.extend(c + "\n" for c in children)
        else:
            err.append(f"ls: {path}: No such file or directory\n")
            code = 1
    return CommandResult("".join(out), "".join(err), code)


def _which(phone: PhoneState, args: list[str]) -> CommandResult:
    found = [p for name in args for p in (f"/system/bin/{name}", f"/system/xbin/{name}", f"/sbin/{name}")
             if p in phone.files]
    return CommandResult("".join(f + "\n" for f in found), "", 0 if found else 1)


def _rm(phone: PhoneState, args: list[str]) -> CommandResult:
    for path in [a for a in args if not a.startswith("-")]:
        phone.files.pop(path, None)
    return CommandResult()


def _svc(phone: PhoneState, args: list[str]) -> CommandResult:
    keys = {"wifi": "wifi_on", "bluetooth": "bluetooth_on"}
    if len(args) == 2 and args[0] in keys and args[1] in ("enable", "disable"):
        phone.data.setdefault("settings", {}).setdefault("global", {})[keys[args[0]]] = (
            "1" if args[1] == "enable" else "0")
        return CommandResult()
    return CommandResult(stderr="svc: unknown command\n", exit_code=1)


_COMMANDS: dict[str, Handler] = {
    "getprop": _getprop,
    "dumpsys": _dumpsys,
    "tradeinmode": _tradeinmode,
    "cmd": _cmd,
    "settings": _settings,
    "dpm": _dpm,
    "pm": _pm,
    "service": _service,
    "cat": _cat,
    "ls": _ls,
    "which": _which,
    "rm": _rm,
    "svc": _svc,
    "echo": lambda _phone, args: CommandResult(" ".join(args) + "\n"),
    "true": lambda _phone, _args: CommandResult(),
    "false": lambda _phone, _args: CommandResult(exit_code=1),
    "id": lambda _phone, _args: CommandResult("uid=2000(shell) gid=2000(shell) groups=2000(shell) "
                                              "context=u:r:shell:s0\n"),
}
