"""Erase an iPhone from the bench and prove it came back erased.

An iPhone's erase is a cryptographic erase: Data Protection wraps every file's key in class keys
rooted in the Secure Enclave, and "Erase All Content and Settings" destroys them (NIST SP 800-88
Purge on hardware-encrypted devices). It is asked for through mobilebackup2's ``EraseDevice``, the
path pymobiledevice3's ``backup2 erase-device`` takes; the phone accepts, drops off USB, erases,
restarts and comes back at its setup screen.

A phone with Activation Lock or management is not erased: it would come back demanding someone
else's Apple Account or re-enrolling. After the return the phone is verified: same UDID, serial,
IMEIs and model, ``ActivationState`` ``Unactivated`` (the setup screen), Find My off. Any check that
cannot be made fails the verification; a phone that does not come back fails with what to do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from drivers.android.models import BlockerKind
from drivers.android.reset import PhaseMark, ResetPhase, ResetReport
from drivers.ios.errors import DeviceGone, EraseRefused, NotTrusted, ServiceFailure, ServiceTimeout
from drivers.ios.models import ACTIVATION_LOCK, IPhoneIdentity
from drivers.ios.service import DOMAIN_FIND_MY, PairingState

if TYPE_CHECKING:
    from drivers.ios.phone import IPhone

log = logging.getLogger(__name__)
METHOD = "erase all content and settings (mobilebackup2 EraseDevice)"

_NEXT = {
    ResetPhase.CHECKING: {ResetPhase.REQUESTED, ResetPhase.VERIFYING, ResetPhase.FAILED},
    ResetPhase.REQUESTED: {ResetPhase.GOING_DOWN, ResetPhase.FAILED},
    ResetPhase.GOING_DOWN: {ResetPhase.WAITING_RETURN, ResetPhase.FAILED},
    ResetPhase.WAITING_RETURN: {ResetPhase.VERIFYING, ResetPhase.FAILED},
    ResetPhase.VERIFYING: {ResetPhase.VERIFIED, ResetPhase.FAILED},
    ResetPhase.VERIFIED: set(),
    ResetPhase.FAILED: set(),
}


class _Progress:
    """The erase's phase, changed only through ``move`` so every step is logged and timed."""

    def __init__(self, udid: str, on_phase: Callable[[ResetPhase], None] | None) -> None:
        self.udid = udid
        self.phase = ResetPhase.CHECKING
        self.started = time.monotonic()
        self.marks = [PhaseMark(self.phase, 0.0)]
        self.on_phase = on_phase

    def move(self, target: ResetPhase) -> None:
        if target not in _NEXT[self.phase]:
            raise AssertionError(f"erase of {self.udid}: {self.phase.value} -> {target.value} is not a step")
        log.info("erase of iPhone %s: %s -> %s", self.udid, self.phase.value, target.value)
        self.phase = target
        self.marks.append(PhaseMark(target, round(time.monotonic() - self.started, 3)))
        if self.on_phase is not None:
            self.on_phase(target)

    def fail(self, message: str) -> EraseRefused:
        self.move(ResetPhase.FAILED)
        return EraseRefused(message)


def erase_and_verify(phone: IPhone, on_phase: Callable[[ResetPhase], None] | None,
                     cancelled: Callable[[], bool] | None) -> ResetReport:
    from drivers.ios.phone import LinkState  # the phone module imports this one

    progress = _Progress(phone.udid, on_phase)
    before = phone.identity()
    locking = [b for b in phone.blockers().holds if b.kind in (ACTIVATION_LOCK, BlockerKind.MDM)]
    if locking:
        raise progress.fail(f"iPhone {phone.udid} is not erased: " + "; ".join(b.evidence for b in locking))

    progress.move(ResetPhase.REQUESTED)
    phone.move(LinkState.ERASING, "erase requested")
    try:
        phone.service.erase(phone.udid, phone.timeouts.erase_request)
    except DeviceGone:
        log.info("iPhone %s dropped the link as its erase began", phone.udid)
    except (ServiceFailure, NotTrusted) as exc:
        phone.move(LinkState.PAIRED, "erase refused")
        raise progress.fail(f"iPhone {phone.udid} refused the erase: {exc}") from exc
    except ServiceTimeout:
        progress.move(ResetPhase.FAILED)
        raise

    progress.move(ResetPhase.GOING_DOWN)
    if not _wait_listed(phone, False, phone.timeouts.going_down, cancelled):
        if not _at_setup_screen(phone):
            raise progress.fail(f"iPhone {phone.udid} accepted the erase but never went down")
        # Off USB and back between two looks (a busy bench, a quick erase): the setup screen says it went.
        log.info("iPhone %s was not seen off USB, but is back at its setup screen", phone.udid)
        progress.move(ResetPhase.WAITING_RETURN)
    else:
        phone.move(LinkState.GONE, "erasing off USB")
        progress.move(ResetPhase.WAITING_RETURN)
        if not _wait_listed(phone, True, phone.timeouts.reset_return, cancelled):
            raise progress.fail(f"iPhone {phone.udid} did not come back within {phone.timeouts.reset_return:g} s "
                                "of its erase; if its cable was pulled, replug it and verify the erase again")
    phone.move(LinkState.ATTACHED, "back from its erase")
    return _verify(phone, before, progress)


def _at_setup_screen(phone: IPhone) -> bool:
    """Whether the phone, still listed, now says what only an erased phone says: ActivationState Unactivated."""
    try:
        values = phone.service.values(phone.udid, None, phone.timeouts.command)
    except (DeviceGone, ServiceTimeout, ServiceFailure, NotTrusted):
        return False
    return values.get("ActivationState") == "Unactivated"


def verify_only(phone: IPhone, before: IPhoneIdentity, on_phase: Callable[[ResetPhase], None] | None
                ) -> ResetReport:
    return _verify(phone, before, _Progress(phone.udid, on_phase))


def _wait_listed(phone: IPhone, wanted: bool, timeout: float, cancelled: Callable[[], bool] | None) -> bool:
    end = time.monotonic() + timeout
    while True:
        listed = any(d.udid == phone.udid for d in phone.service.devices(phone.timeouts.command))
        if listed == wanted:
            return True
        if time.monotonic() >= end or (cancelled is not None and cancelled()):
            return False
        time.sleep(max(0.0, min(phone.timeouts.poll, end - time.monotonic())))


def _verify(phone: IPhone, before: IPhoneIdentity, progress: _Progress) -> ResetReport:
    progress.move(ResetPhase.VERIFYING)
    try:
        paired = phone.pair(wait=0) is PairingState.PAIRED
        after = phone.identity() if paired else phone.public_identity()
        find_my = phone.values(DOMAIN_FIND_MY) if paired else None
    except (DeviceGone, ServiceTimeout):
        progress.move(ResetPhase.FAILED)
        raise
    evidence: list[str] = []
    ok = True

    def check(passed: bool, text: str) -> None:
        nonlocal ok
        ok = ok and passed
        evidence.append(("ok: " if passed else "FAILED: ") + text)

    check(after.udid == before.udid, f"UDID {after.udid} (was {before.udid})")
    check(bool(before.serial) and after.serial == before.serial, f"serial {after.serial} (was {before.serial})")
    check(after.valid_imeis == before.valid_imeis,
          f"IMEIs {', '.join(after.valid_imeis) or 'none readable'} (were {', '.join(before.valid_imeis) or 'none'})")
    check(after.product_type == before.product_type, f"model {after.product_type}")
    check(after.activation_state == "Unactivated",
          f"at the setup screen (ActivationState {after.activation_state or 'not reported'})")
    if find_my is None:
        check(False, "Find My state not readable: the phone did not trust the bench after its erase")
    else:
        check(find_my.get("IsAssociated") is False, f"Find My off (IsAssociated={find_my.get('IsAssociated')!r})")
    progress.move(ResetPhase.VERIFIED if ok else ResetPhase.FAILED)
    return ResetReport(adb_serial=phone.udid, crypto_type="file", crypto_erase=True, method=METHOD, flags=(),
                       identity_before=before, identity_after=after, verified=ok, evidence=tuple(evidence),
                       phases=tuple(progress.marks))
