"""What stops a resale: Factory Reset Protection, device management, carrier lock, root signs.

Each is present, absent or unknown with the text it was judged on. Absent needs positive evidence
(a parsed answer that shows nothing); garbled output is unknown, never absent.
"""

from __future__ import annotations

import re

from drivers.android.models import Blocker, BlockerKind, BlockerReport, BlockerStatus
from drivers.android.parsing import parse_getprop
from drivers.android.tradein import Run, TradeInStatus

_ACCOUNT = re.compile(r"Account \{name=([^,]*), type=([^}]*)\}")
_ACCOUNT_COUNT = re.compile(r"^\s*Accounts: (\d+)\s*$", re.MULTILINE)
_OWNER_LINE = re.compile(r"admin=(\S+?),(DeviceOwner|ProfileOwner)")
_SU_PATHS = ("/system/bin/su", "/system/xbin/su", "/sbin/su", "/su/bin/su", "/system/sbin/su", "/vendor/bin/su")
_ROOT_PACKAGES = ("com.topjohnwu.magisk", "eu.chainfire.supersu", "com.koushikdutta.superuser",
                  "me.weishu.kernelsu")
_SIM_LOCKED = ("NETWORK_LOCKED", "PERSO_LOCKED", "SIM_NETWORK_LOCKED")


def read_blockers(run: Run, trade_in: TradeInStatus) -> BlockerReport:
    props = parse_getprop(run("getprop").stdout)
    return BlockerReport((_frp(run, trade_in), _mdm(run), _carrier_lock(props), _root(run, props)))


def _redact(email: str) -> str:
    """Keep enough of an account name to recognise it, not enough to spread someone's address."""
    user, at, domain = email.partition("@")
    return f"{user[:1]}***{at}{domain}" if at else f"{email[:1]}***"


def _frp(run: Run, trade_in: TradeInStatus) -> Blocker:
    locks = trade_in.section("locks")
    frp_flag = locks.get("factory_reset_protection")
    evidence: list[str] = []
    if frp_flag is True:
        return Blocker(BlockerKind.FRP, BlockerStatus.PRESENT, "trade-in status: factory_reset_protection=true")
    text = run("dumpsys account").stdout
    google = [name for name, kind in _ACCOUNT.findall(text) if kind.strip() == "com.google"]
    if google:
        names = ", ".join(_redact(n) for n in google)
        return Blocker(BlockerKind.FRP, BlockerStatus.PRESENT,
                       f"signed in to Google account {names}: FRP will demand it after a reset; sign out first")
    counts = _ACCOUNT_COUNT.findall(text)
    if frp_flag is False:
        evidence.append("trade-in status: factory_reset_protection=false")
    if counts:
        evidence.append(f"dumpsys account: {sum(int(c) for c in counts)} account(s), none of type com.google")
    if not evidence:
        return Blocker(BlockerKind.FRP, BlockerStatus.UNKNOWN,
                       f"dumpsys account output not understood: {text.strip()[:80]!r}")
    return Blocker(BlockerKind.FRP, BlockerStatus.ABSENT, "; ".join(evidence))


def _mdm(run: Run) -> Blocker:
    result = run("dpm list-owners")
    text = result.stdout.strip()
    owners = _OWNER_LINE.findall(text)
    if owners:
        listed = ", ".join(f"{admin} ({role})" for admin, role in owners)
        return Blocker(BlockerKind.MDM, BlockerStatus.PRESENT,
                       f"managed: {listed}; the owning organisation must release it")
    if result.ok and text == "no owners":
        return Blocker(BlockerKind.MDM, BlockerStatus.ABSENT, "dpm list-owners: no owners")
    policy = run("dumpsys device_policy").stdout
    match = re.search(r"Device Owner:\s*\n\s*admin=ComponentInfo\{([^}]+)\}", policy)
    if match:
        return Blocker(BlockerKind.MDM, BlockerStatus.PRESENT, f"dumpsys device_policy: device owner {match.group(1)}")
    return Blocker(BlockerKind.MDM, BlockerStatus.UNKNOWN,
                   f"dpm list-owners answered {text[:80]!r} (exit {result.exit_code}); device_policy shows no owner "
                   "section to confirm")


def _carrier_lock(props: dict[str, str]) -> Blocker:
    state = props.get("gsm.sim.state")
    if not state:
        return Blocker(BlockerKind.CARRIER_LOCK, BlockerStatus.UNKNOWN, "the phone reports no SIM state")
    slots = [s.strip() for s in state.split(",")]
    if any(s in _SIM_LOCKED for s in slots):
        return Blocker(BlockerKind.CARRIER_LOCK, BlockerStatus.PRESENT,
                       f"gsm.sim.state={state}: the inserted SIM is refused by a network lock")
    operator = props.get("gsm.operator.alpha", "").strip(", ")
    if any(s in ("READY", "LOADED") for s in slots):
        return Blocker(BlockerKind.CARRIER_LOCK, BlockerStatus.UNKNOWN,
                       f"gsm.sim.state={state}: the {operator or 'inserted'} SIM is accepted; only a foreign-carrier "
                       "SIM shows a lock")
    return Blocker(BlockerKind.CARRIER_LOCK, BlockerStatus.UNKNOWN,
                   f"gsm.sim.state={state}: no SIM inserted; test with a foreign-carrier SIM")


def _root(run: Run, props: dict[str, str]) -> Blocker:
    if not props:
        return Blocker(BlockerKind.ROOT, BlockerStatus.UNKNOWN, "getprop printed no properties")
    signs: list[str] = []
    if "test-keys" in props.get("ro.build.tags", ""):
        signs.append("build signed with test-keys")
    if props.get("ro.debuggable") == "1" and props.get("ro.build.type") == "user":
        signs.append("user build marked debuggable")
    boot_state = props.get("ro.boot.verifiedbootstate")
    if boot_state in ("orange", "yellow", "red"):
        signs.append(f"verified boot state {boot_state}")
    if props.get("ro.boot.flash.locked") == "0":
        signs.append("bootloader unlocked")
    found_su = run("ls " + " ".join(_SU_PATHS)).stdout.split()
    signs += [f"su binary at {path}" for path in found_su if path in _SU_PATHS]
    packages = run("pm list packages")
    if not packages.ok or "package:" not in packages.stdout:
        unchecked = "installed packages could not be listed"
    else:
        unchecked = ""
        installed = {line.removeprefix("package:").strip() for line in packages.stdout.splitlines()}
        signs += [f"root manager {p} installed" for p in _ROOT_PACKAGES if p in installed]
    if signs:
        return Blocker(BlockerKind.ROOT, BlockerStatus.PRESENT, "; ".join(signs))
    if unchecked:
        return Blocker(BlockerKind.ROOT, BlockerStatus.UNKNOWN, unchecked)
    return Blocker(BlockerKind.ROOT, BlockerStatus.ABSENT,
                   f"release-keys build, verified boot {boot_state or 'not reported'}, no su binary, no root manager")
