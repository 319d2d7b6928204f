"""Factory reset with the encryption check, the wait for re-enumeration and the verification.

A reset counts as a NIST SP 800-88 cryptographic erase only when the phone uses file-based
encryption (``ro.crypto.type=file``): the reset destroys the keys that every file's key is wrapped by.
On full-disk (``block``) or unencrypted phones the reset still runs but the report is flagged, so no
certificate claims more than happened.

The reset is started with ``cmd testharness enable`` (Android 10+), a framework-initiated reset that
keeps the bench's adb key, so the phone can be re-read when it comes back. The phone drops off, is
waited for (re-attached with ``adb connect`` when it is a TCP phone, since the server's own retries
stop after about a minute) and verified: same serial and IMEIs, no accounts, no device owner, setup
pending. A phone with FRP or a device owner is not reset: it would come back locked to someone else.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.android.adb_client import AdbClient, ShellResult
from drivers.android.errors import AndroidDriverError, ConnectFailed, DeviceGone, DeviceNotFound, DeviceOffline
from drivers.android.identity import read_identity
from drivers.android.models import BlockerKind, BlockerReport, PhoneIdentity

log = logging.getLogger(__name__)
RESET_MIN_SDK = 29


class ResetRefused(AndroidDriverError):
    """The phone must not or cannot be reset from the bench; the message says why and what to do."""


class ResetPhase(enum.Enum):
    CHECKING = "checking"
    REQUESTED = "requested"
    GOING_DOWN = "going_down"
    WAITING_RETURN = "waiting_return"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    FAILED = "failed"


_NEXT = {
    ResetPhase.CHECKING: {ResetPhase.REQUESTED, ResetPhase.FAILED},
    ResetPhase.REQUESTED: {ResetPhase.GOING_DOWN, ResetPhase.FAILED},
    ResetPhase.GOING_DOWN: {ResetPhase.WAITING_RETURN, ResetPhase.FAILED},
    ResetPhase.WAITING_RETURN: {ResetPhase.VERIFYING, ResetPhase.FAILED},
    ResetPhase.VERIFYING: {ResetPhase.VERIFIED, ResetPhase.FAILED},
    ResetPhase.VERIFIED: set(),
    ResetPhase.FAILED: set(),
}


@dataclass(frozen=True)
class PhaseMark:
    phase: ResetPhase
    at_seconds: float


@dataclass(frozen=True)
class ResetReport:
    adb_serial: str
    crypto_type: str | None
    crypto_erase: bool  # true only for file-based encryption
    method: str
    flags: tuple[str, ...]  # why this reset is not a full sanitisation, for the certificate
    identity_before: PhoneIdentity
    identity_after: PhoneIdentity | None
    verified: bool
    evidence: tuple[str, ...]
    phases: tuple[PhaseMark, ...]


class _Progress:
    """The reset's phase, changed only through ``move`` so every step is logged and timed."""

    def __init__(self, serial: str, on_phase: Callable[[ResetPhase], None] | None) -> None:
        self.serial = serial
        self.phase = ResetPhase.CHECKING
        self.started = time.monotonic()
        self.marks = [PhaseMark(self.phase, 0.0)]
        self.on_phase = on_phase

    def move(self, target: ResetPhase) -> None:
        if target not in _NEXT[self.phase]:
            raise AssertionError(f"reset of {self.serial}: {self.phase.value} -> {target.value} is not a step")
        log.info("reset of %s: %s -> %s", self.serial, self.phase.value, target.value)
        self.phase = target
        self.marks.append(PhaseMark(target, round(time.monotonic() - self.started, 3)))
        if self.on_phase is not None:
            self.on_phase(target)


def factory_reset(client: AdbClient, serial: str, run: Callable[[str], ShellResult], blockers: BlockerReport,
                  *, return_timeout: float = 180.0, on_phase: Callable[[ResetPhase], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> ResetReport:
    progress = _Progress(serial, on_phase)
    before = read_identity(run, serial)
    holds = blockers.holds
    locking = [b for b in holds if b.kind in (BlockerKind.FRP, BlockerKind.MDM)]
    if locking:
        progress.move(ResetPhase.FAILED)
        raise ResetRefused(f"phone {serial} is not reset: " + "; ".join(b.evidence for b in locking))
    if before.sdk is None or before.sdk < RESET_MIN_SDK:
        progress.move(ResetPhase.FAILED)
        raise ResetRefused(f"phone {serial} runs API {before.sdk}; a bench reset needs Android 10 or later — "
                           "reset it from Settings and re-check")
    crypto_erase = before.crypto_type == "file"
    flags = () if crypto_erase else (
        f"not a cryptographic erase: ro.crypto.type={before.crypto_type or 'none'} (no file-based encryption); "
        "record as factory reset only",)

    progress.move(ResetPhase.REQUESTED)
    try:
        result = run("cmd testharness enable")
        if not result.ok:
            progress.move(ResetPhase.FAILED)
            raise ResetRefused(f"phone {serial} refused the reset: {(result.stderr or result.stdout).strip()[:160]}")
    except DeviceGone:
        pass  # the phone went down before its answer got out: that is the reset starting
    progress.move(ResetPhase.GOING_DOWN)
    client.forget(serial)
    if not client.wait_for_state(serial, "gone", timeout=30):
        progress.move(ResetPhase.FAILED)
        raise ResetRefused(f"phone {serial} accepted the reset but never went down")

    progress.move(ResetPhase.WAITING_RETURN)
    _wait_for_return(client, serial, return_timeout, progress, cancelled)

    progress.move(ResetPhase.VERIFYING)
    after = read_identity(run, serial)
    evidence, ok = _verify(run, before, after)
    progress.move(ResetPhase.VERIFIED if ok else ResetPhase.FAILED)
    return ResetReport(adb_serial=serial, crypto_type=before.crypto_type, crypto_erase=crypto_erase,
                       method="factory reset (cmd testharness enable)", flags=flags, identity_before=before,
                       identity_after=after, verified=ok, evidence=tuple(evidence), phases=tuple(progress.marks))


def _wait_for_return(client: AdbClient, serial: str, timeout: float, progress: _Progress,
                     cancelled: Callable[[], bool] | None = None) -> None:
    end = time.monotonic() + timeout
    tcp = ":" in serial
    if tcp:
        client.disconnect(serial)  # drop the stale offline transport; a fresh connect attaches the new boot
    while True:
        try:
            if tcp:
                client.connect(serial, timeout=min(12.0, max(1.0, end - time.monotonic())))
            if client.state(serial) == "device":
                return
        except (ConnectFailed, DeviceNotFound, DeviceOffline):
            pass
        if time.monotonic() >= end:
            progress.move(ResetPhase.FAILED)
            raise ResetRefused(f"phone {serial} did not come back within {timeout:g} s of its reset")
        if cancelled is not None and cancelled():  # the bench is closing: the reset goes on, unverified
            progress.move(ResetPhase.FAILED)
            raise ResetRefused(f"the bench stopped waiting for phone {serial} to come back from its reset; "
                               "re-check it and reset it again to verify it")
        time.sleep(0.5)


def _verify(run: Callable[[str], ShellResult], before: PhoneIdentity, after: PhoneIdentity) -> tuple[list[str], bool]:
    evidence: list[str] = []
    ok = True

    def check(passed: bool, text: str) -> None:
        nonlocal ok
        ok = ok and passed
        evidence.append(("ok: " if passed else "FAILED: ") + text)

    check(bool(before.serial) and before.serial == after.serial, f"serial {after.serial} (was {before.serial})")
    check(before.valid_imeis == after.valid_imeis, f"IMEIs {', '.join(after.valid_imeis) or 'none readable'}")
    check(before.model == after.model, f"model {after.model}")
    accounts = run("dumpsys account").stdout
    check("Accounts: 0" in accounts and "Account {" not in accounts, "no accounts left on the phone")
    owners = run("dpm list-owners").stdout.strip()
    check(owners == "no owners", f"device owners: {owners[:60]}")
    setup = run("settings get secure user_setup_complete").stdout.strip()
    check(setup == "0", f"setup wizard pending (user_setup_complete={setup})")
    return evidence, ok
