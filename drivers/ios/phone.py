"""One iPhone on the bench, through a :class:`LockdownService`.

The same calls as ``AndroidPhone`` (identity, battery, blockers, automatic checks, factory reset),
returning the same result types, plus pairing: an iPhone answers nothing private until it trusts
the bench, so :meth:`IPhone.pair` asks and, while "Trust This Computer?" waits on its screen, reports
that state (with :func:`hint_for` the words for the technician) and polls until the tap or its time
limit. Plain blocking calls for a job thread per phone; every service call has a time limit.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from drivers.android.models import BatteryReport, BlockerReport, CheckResult
from drivers.android.reset import ResetPhase, ResetReport
from drivers.ios import reset
from drivers.ios.battery import read_battery
from drivers.ios.blockers import BlockerSources, read_blockers
from drivers.ios.checks import run_automatic_checks
from drivers.ios.errors import DENIED_HINT, TRUST_HINT, UNLOCK_HINT, DeviceGone, NotTrusted, ServiceFailure
from drivers.ios.identity import read_identity
from drivers.ios.models import IPhoneIdentity
from drivers.ios.service import (
    CLOUD_CONFIGURATION,
    DOMAIN_BATTERY,
    DOMAIN_DISK_USAGE,
    DOMAIN_FIND_MY,
    DOMAIN_SUPERVISION,
    POWER_SOURCE_CLASS,
    PROFILE_LIST,
    WIFI_INTERFACE_NAME,
    AttachedIPhone,
    LockdownService,
    PairingState,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Timeouts:
    command: float = 8.0  # one lockdown request or service round trip
    trust_wait: float = 120.0  # how long pair() waits for the tap on "Trust"
    erase_request: float = 30.0  # from asking for the erase to the phone accepting it
    going_down: float = 60.0  # from accepting to dropping off USB
    reset_return: float = 900.0  # erasing and restarting to the setup screen takes minutes
    poll: float = 0.5


class LinkState(enum.Enum):
    ATTACHED = "attached"  # listed by usbmuxd, pairing not yet tried
    WAITING_FOR_TRUST = "waiting_for_trust"
    PASSCODE_LOCKED = "passcode_locked"
    DENIED = "denied"
    PAIRED = "paired"
    ERASING = "erasing"
    GONE = "gone"


_PAIRING_LINK = {PairingState.PAIRED: LinkState.PAIRED, PairingState.WAITING_FOR_TRUST: LinkState.WAITING_FOR_TRUST,
                 PairingState.PASSCODE_LOCKED: LinkState.PASSCODE_LOCKED, PairingState.DENIED: LinkState.DENIED}
_ASKING = {LinkState.WAITING_FOR_TRUST, LinkState.PASSCODE_LOCKED, LinkState.DENIED, LinkState.PAIRED}
_NEXT = {
    LinkState.ATTACHED: _ASKING | {LinkState.GONE},
    LinkState.WAITING_FOR_TRUST: _ASKING | {LinkState.GONE},
    LinkState.PASSCODE_LOCKED: _ASKING | {LinkState.GONE},
    LinkState.DENIED: _ASKING | {LinkState.GONE},
    LinkState.PAIRED: _ASKING | {LinkState.ERASING, LinkState.GONE, LinkState.ATTACHED},
    LinkState.ERASING: {LinkState.GONE, LinkState.ATTACHED, LinkState.PAIRED},
    LinkState.GONE: {LinkState.ATTACHED},
}
# The word the Android driver uses for the same situation (DeviceOffline.state).
_OFFLINE_WORD = {PairingState.WAITING_FOR_TRUST: "unauthorized", PairingState.PASSCODE_LOCKED: "passcode_locked",
                 PairingState.DENIED: "denied"}


def hint_for(state: PairingState) -> str | None:
    """What the technician should do for a phone in this pairing state; None once paired."""
    return {PairingState.WAITING_FOR_TRUST: TRUST_HINT, PairingState.PASSCODE_LOCKED: UNLOCK_HINT,
            PairingState.DENIED: DENIED_HINT}.get(state)


def attached_iphones(service: LockdownService, timeout: float = 5.0) -> tuple[AttachedIPhone, ...]:
    return service.devices(timeout)


class IPhone:
    def __init__(self, service: LockdownService, udid: str, timeouts: Timeouts | None = None) -> None:
        self.service = service
        self.udid = udid
        self.serial = udid  # the transport's name for the phone, as AndroidPhone.serial is the adb serial
        self.timeouts = timeouts or Timeouts()
        self.link = LinkState.ATTACHED

    def move(self, target: LinkState, why: str) -> None:
        """The one place the link state changes: checked against the allowed steps and logged."""
        if target is self.link:
            return
        if target not in _NEXT[self.link]:
            raise AssertionError(f"iPhone {self.udid}: {self.link.value} -> {target.value} is not a step")
        log.info("iPhone %s: %s -> %s (%s)", self.udid, self.link.value, target.value, why)
        self.link = target

    def call(self, request: Callable[..., T], *args: Any) -> T:
        """A service call with the command time limit, keeping the link state in step with what happened."""
        try:
            result = request(self.udid, *args, self.timeouts.command)
        except DeviceGone:
            if self.link is not LinkState.ERASING:
                self.move(LinkState.GONE, "dropped off during a request")
            raise
        except NotTrusted:
            if self.link is LinkState.PAIRED:  # erased or "Reset Location & Privacy" since: pair again
                self.move(LinkState.ATTACHED, "the phone no longer honours the pairing")
            raise
        if self.link is LinkState.GONE:
            self.move(LinkState.ATTACHED, "answering again")
        return result

    # -- pairing ---------------------------------------------------------------------------------------------

    def pair(self, wait: float | None = None, on_state: Callable[[PairingState], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> PairingState:
        """Pair, waiting up to ``wait`` seconds (default ``timeouts.trust_wait``; 0: one attempt) for the
        technician to unlock the phone and tap Trust. ``on_state`` hears every change of pairing state, so
        the bay can show :func:`hint_for` while the phone waits. Returns the last state seen."""
        end = time.monotonic() + (self.timeouts.trust_wait if wait is None else wait)
        last: PairingState | None = None
        while True:
            state = self.call(self.service.pair)
            self.move(_PAIRING_LINK[state], "pairing answered " + state.value)
            if state is not last and on_state is not None:
                on_state(state)
            last = state
            if state is PairingState.PAIRED or time.monotonic() >= end or (cancelled is not None and cancelled()):
                return state
            time.sleep(max(0.0, min(self.timeouts.poll, end - time.monotonic())))

    def require_pairing(self) -> None:
        """One pairing attempt; raises :class:`NotTrusted` with the hint when the phone does not trust the bench."""
        if self.link is LinkState.PAIRED:
            return
        state = self.pair(wait=0)
        if state is not PairingState.PAIRED:
            raise NotTrusted(f"iPhone {self.udid} does not trust this bench yet ({state.value})",
                             _OFFLINE_WORD[state], hint_for(state) or "")

    @contextmanager
    def session(self) -> Iterator[None]:
        """One connection to the phone for every read inside the block (on this thread): ``with
        phone.session(): phone.identity(); phone.battery(); phone.blockers()`` costs one handshake."""
        with self.service.session(self.udid):
            yield

    def values(self, domain: str | None) -> Mapping[str, Any]:
        return self.call(self.service.values, domain)

    def _answer(self, request: Callable[[], T]) -> T | ServiceFailure:
        try:
            return request()
        except ServiceFailure as exc:
            return exc

    # -- what the bench reads -----------------------------------------------------------------------------------

    def identity(self) -> IPhoneIdentity:
        with self.session():
            self.require_pairing()
            return read_identity(self.udid, self.values(None), self.values(DOMAIN_DISK_USAGE), paired=True)

    def public_identity(self) -> IPhoneIdentity:
        """What lockdown tells any host, before or without trust: model, iOS version, UDID, activation state."""
        return read_identity(self.udid, self.values(None), None, paired=self.link is LinkState.PAIRED)

    def battery(self) -> BatteryReport:
        with self.session():
            self.require_pairing()
            gauge = self._answer(lambda: self.call(self.service.ioregistry, POWER_SOURCE_CLASS, None))
            level = self._answer(lambda: self.values(DOMAIN_BATTERY))
        return read_battery(None if isinstance(gauge, ServiceFailure) else gauge,
                            None if isinstance(level, ServiceFailure) else level)

    def blockers(self) -> BlockerReport:
        with self.session():
            self.require_pairing()
            return read_blockers(BlockerSources(
                values=self.values(None),
                find_my=self._answer(lambda: self.values(DOMAIN_FIND_MY)),
                supervision=self._answer(lambda: self.values(DOMAIN_SUPERVISION)),
                cloud_configuration=self._answer(lambda: self.call(self.service.mobile_config,
                                                                   CLOUD_CONFIGURATION)),
                profiles=self._answer(lambda: self.call(self.service.mobile_config, PROFILE_LIST)),
                apps=self._answer(lambda: self.call(self.service.installed_apps))))

    def automatic_checks(self, names: Iterable[str] | None = None,
                         on_result: Callable[[CheckResult], None] | None = None) -> tuple[CheckResult, ...]:
        """The checks in ``names`` (default all, as ``AndroidPhone.automatic_checks``); each result also goes to
        ``on_result``."""
        with self.session():
            self.require_pairing()
            disk = self._answer(lambda: self.values(DOMAIN_DISK_USAGE))
            gauge = self._answer(lambda: self.call(self.service.ioregistry, POWER_SOURCE_CLASS, None))
            wifi = self._answer(lambda: self.call(self.service.ioregistry, None, WIFI_INTERFACE_NAME))
        results = run_automatic_checks(None if isinstance(disk, ServiceFailure) else disk,
                                       None if isinstance(gauge, ServiceFailure) else gauge,
                                       None if isinstance(wifi, ServiceFailure) else wifi)
        wanted = None if names is None else set(names)
        chosen = tuple(r for r in results if wanted is None or r.name in wanted)
        for result in chosen:
            if on_result is not None:
                on_result(result)
        return chosen

    def factory_reset(self, on_phase: Callable[[ResetPhase], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> ResetReport:
        """Erase all content and settings, wait for the phone at its setup screen, verify it."""
        return reset.erase_and_verify(self, on_phase, cancelled)

    def verify_reset(self, before: IPhoneIdentity, on_phase: Callable[[ResetPhase], None] | None = None
                     ) -> ResetReport:
        """Verify an erase whose wait was cut short (a cable pulled mid-erase, the bench restarted) once the
        phone is back."""
        return reset.verify_only(self, before, on_phase)
