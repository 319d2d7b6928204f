"""Phones on the bench: read a phone, match it to its unit, hold it for blockers, record its plan.

Two halves, so the GUI keeps SQLite on its own thread: :func:`read_phone` and the automatic checks
are blocking reads of the phone for a job thread (no database), and :class:`PhoneService` records
what they found as events on the caller's thread. Every fact is an event with its evidence; a value
the phone did not give is recorded as unknown with the reason, never guessed.
"""

from __future__ import annotations

import base64
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from app.core import events as ev
from app.core import events_phones as pev
from app.core.errors import InvalidScan, OperatorError
from app.core.identifiers import IdentifierKind
from app.core.lifecycle import UnitState, can_transition, transition
from app.core.models import Identifier, Operator, Unit
from app.core.phones import (
    DRIVER_OUTCOMES,
    PhonePlan,
    PlanVerdict,
    StepOutcome,
    blocker_kind,
    hold_reason,
    is_blocker_hold,
)
from app.services.intake import IntakeService
from app.services.phone_source import AttachedPhone, PhoneDevice
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store
from drivers.android import (
    AndroidDriverError,
    BatteryReport,
    BlockerReport,
    BlockerStatus,
    CheckResult,
    PhoneIdentity,
    ShellTimeout,
)

log = logging.getLogger("app.phones")

PLAN_DIR = Path(__file__).resolve().parents[2] / "resources" / "testplans"
PLAN_FILE = PLAN_DIR / "phone-android.toml"
PLAN_FILES = {"android": PLAN_FILE, "ios": PLAN_DIR / "phone-ios.toml"}  # each platform's own plan


@dataclass(frozen=True)
class PhoneReading:
    """Everything read from a phone when it arrives (immutable: it crosses from the job thread)."""

    attached: AttachedPhone
    identity: PhoneIdentity
    battery: BatteryReport | None
    battery_error: str
    blockers: BlockerReport | None
    blockers_error: str
    seconds: float

    @property
    def holds(self) -> tuple[tuple[str, str], ...]:
        if self.blockers is None:
            return ()
        return tuple((blocker_kind(self.attached.platform, b.kind.value), b.evidence) for b in self.blockers.holds)


@runtime_checkable
class SessionDevice(Protocol):
    """A phone whose reads can share one connection (an iPhone: one lockdown TLS handshake, not a dozen)."""

    def session(self) -> AbstractContextManager[None]: ...


def read_phone(device: PhoneDevice, attached: AttachedPhone) -> PhoneReading:
    """Identity, battery and blockers. A phone that hangs on its battery or lock services is still
    identified (that part says why it is missing); one that goes away raises the driver's DeviceGone."""
    with device.session() if isinstance(device, SessionDevice) else nullcontext():
        return _read_phone(device, attached)


def _read_phone(device: PhoneDevice, attached: AttachedPhone) -> PhoneReading:
    started = time.monotonic()
    identity = device.identity()
    battery, battery_error = None, ""
    try:
        battery = device.battery()
    except ShellTimeout as exc:
        battery_error = f"could not check: {exc}"
    blockers, blockers_error = None, ""
    try:
        blockers = device.blockers()
    except ShellTimeout as exc:
        blockers_error = f"could not check: {exc}"
    return PhoneReading(attached, identity, battery, battery_error, blockers, blockers_error,
                        round(time.monotonic() - started, 3))


@dataclass(frozen=True)
class PlanProgress:
    """Where a unit is in its phone plan: the open run (if any) and the steps it has results for."""

    run_id: str | None
    done: Mapping[str, StepOutcome] = field(default_factory=dict)
    finished: bool = False


@dataclass(frozen=True)
class PhoneRecord:
    """What recording a reading did: the unit (as stored after it), and why it is held, if it is."""

    unit: Unit
    created: bool
    hold: str  # the on_hold reason, empty when nothing holds the unit
    released: bool  # a blocker hold from an earlier check was lifted
    progress: PlanProgress


def _json(value: Any) -> Any:
    """A driver record as event-body JSON: enums as their values, no None (the schema refuses null)."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):
        return value.value
    return value


def identity_record(identity: PhoneIdentity) -> dict[str, Any]:
    data = _json(asdict(identity))
    data.pop("unknowns", None)
    return dict(data)


def battery_record(battery: BatteryReport) -> dict[str, Any]:
    data = dict(_json(asdict(battery)))
    data.pop("unknowns", None)
    celsius = data.pop("temperature_c", None)
    if celsius is not None:  # event bodies hold no floats (canonical JSON): tenths of a degree
        data["temperature_decicelsius"] = round(celsius * 10)
    return data


def unknowns_record(unknowns: Any) -> list[dict[str, str]]:
    return [{"field": u.field, "reason": u.reason} for u in unknowns]


def blockers_record(reading: PhoneReading) -> list[dict[str, str]]:
    if reading.blockers is None:
        return [{"kind": "all", "status": BlockerStatus.UNKNOWN.value, "evidence": reading.blockers_error}]
    platform = reading.attached.platform
    return [{"kind": blocker_kind(platform, b.kind.value), "status": b.status.value, "evidence": b.evidence}
            for b in reading.blockers.blockers]


class PhoneService:
    """Records what phones said about themselves, against their units. One per store and thread."""

    def __init__(self, store: Store, plan: PhonePlan, intake: IntakeService | None = None,
                 operator: Operator | None = None) -> None:
        self.store = store
        self.plan = plan
        self.intake = intake or IntakeService(store)
        self.operator = operator

    def current_operator(self) -> Operator | None:
        return self.operator or self.intake.operator

    def operator_id(self) -> str | None:
        who = self.current_operator()
        return who.operator_id if who else None

    # --- arrival -------------------------------------------------------------------------------------------

    def record_reading(self, reading: PhoneReading, bay: int | None, scanned: Unit | None = None) -> PhoneRecord:
        """Match the phone to its unit (by IMEI or serial, else the unit just scanned, else a new one),
        record its identity, battery and blockers, and hold or release the unit for its blockers."""
        identity = reading.identity
        with self.store.transaction():
            unit, created = self._unit_for(identity, scanned)
            body: dict[str, Any] = {
                "platform": reading.attached.platform, "transport_serial": reading.attached.serial,
                "bay_key": reading.attached.bay_key, "identity": identity_record(identity),
                "unknowns": unknowns_record(identity.unknowns),
            }
            if bay is not None:
                body["bay"] = bay
            self.store.record(pev.PHONE_IDENTIFIED, body, unit_id=unit.unit_id, operator_id=self.operator_id())
            if reading.battery is not None:
                battery = battery_record(reading.battery)
                self.store.record(pev.PHONE_BATTERY_READ, {
                    "battery": battery, "unknowns": unknowns_record(reading.battery.unknowns)},
                    unit_id=unit.unit_id, operator_id=self.operator_id())
            else:
                self.store.record(pev.PHONE_BATTERY_READ, {
                    "battery": {}, "unknowns": [{"field": "battery", "reason": reading.battery_error}]},
                    unit_id=unit.unit_id, operator_id=self.operator_id())
            blockers = blockers_record(reading)
            holds = reading.holds
            self.store.record(pev.PHONE_BLOCKERS_CHECKED, {"blockers": blockers, "holds": [k for k, _ in holds]},
                              unit_id=unit.unit_id, operator_id=self.operator_id())
            self.advance(unit.unit_id, UnitState.IDENTIFIED, "phone identified")
            hold, released = "", False
            if holds:
                hold = hold_reason(holds)
                self._hold(unit.unit_id, hold)
            elif reading.blockers is not None:
                released = self._release(unit.unit_id)
        stored = queries.get_unit(self.store.db, unit.unit_id)
        assert stored is not None
        if stored.state is UnitState.ON_HOLD and not hold:
            hold = self._current_hold_reason(stored.unit_id)
        log.info("phone %s is unit %s (%s)%s", reading.attached.serial, stored.unit_id,
                 "new" if created else "known", f", on hold: {hold}" if hold else "")
        return PhoneRecord(stored, created, hold, released, self.progress(stored.unit_id))

    def _unit_for(self, identity: PhoneIdentity, scanned: Unit | None) -> tuple[Unit, bool]:
        identifiers = [Identifier("imei", v) for v in identity.valid_imeis]
        if identity.serial:
            identifiers.append(Identifier("serial", identity.serial.strip().upper()))
        if not identifiers:
            raise OperatorError(f"Phone {identity.adb_serial} gives neither a valid IMEI nor a serial number",
                                hint="Scan the IMEI from the label or *#06#, then re-check the phone")
        owners = {u.unit_id: u for i in identifiers if (u := queries.find_unit(self.store.db, i.value))}
        if len(owners) > 1:
            raise OperatorError(f"This phone's identifiers belong to different units: {', '.join(sorted(owners))}",
                                hint="Set the phone aside and call a supervisor: two records claim it")
        unit = next(iter(owners.values()), None)
        created = False
        if unit is None and scanned is not None:
            unit = queries.get_unit(self.store.db, scanned.unit_id)
        if unit is None:
            unit = self._create(identifiers, identity)
            created = True
        have = {(i.kind, i.value) for i in unit.identifiers}
        for ident in identifiers:
            if (ident.kind, ident.value) not in have and queries.find_unit(self.store.db, ident.value) is None:
                self.store.record(ev.UNIT_IDENTIFIER_ADDED, {"kind": ident.kind, "value": ident.value},
                                  unit_id=unit.unit_id, operator_id=self.operator_id())
        fresh = queries.get_unit(self.store.db, unit.unit_id)
        assert fresh is not None
        return fresh, created

    def _create(self, identifiers: list[Identifier], identity: PhoneIdentity) -> Unit:
        model = " ".join(p for p in (identity.make, identity.model) if p)
        first = identifiers[0]
        kind = IdentifierKind.IMEI if first.kind == "imei" else IdentifierKind.SERIAL
        try:
            unit, _ = self.intake.add_unit(kind, first.value, model=model, source="device")
        except InvalidScan:
            # A serial our scan rules would refuse from a label (too long, odd characters) is still what
            # the phone calls itself: record it as the phone gave it.
            unit_id = "U-" + base64.b32encode(os.urandom(10)).decode()[:12]
            self.store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": first.kind, "value": first.value}],
                                                "source": "device", **({"model": model} if model else {})},
                              unit_id=unit_id, operator_id=self.operator_id())
            found = queries.get_unit(self.store.db, unit_id)
            assert found is not None
            unit = found
        return unit

    # --- lifecycle -----------------------------------------------------------------------------------------

    def state_of(self, unit_id: str) -> UnitState:
        unit = queries.get_unit(self.store.db, unit_id)
        assert unit is not None
        return unit.state

    def _step(self, unit_id: str, target: UnitState, reason: str) -> None:
        state = self.state_of(unit_id)
        transition(unit_id, state, target, reason)
        self.store.record(ev.UNIT_STATE_CHANGED, {"from": str(state), "to": str(target), "reason": reason},
                          unit_id=unit_id, operator_id=self.operator_id())

    def advance(self, unit_id: str, target: UnitState, reason: str) -> bool:
        """Move the unit on to ``target`` where the lifecycle allows it (via identified from received);
        a unit already further along, or held, stays where it is. True if it is at ``target`` now."""
        state = self.state_of(unit_id)
        if state is target:
            return True
        if state in (UnitState.ON_HOLD, UnitState.QUARANTINED) and target is not UnitState.ON_HOLD:
            return False  # only the hold's own release (or a supervisor) moves a held unit on
        if state is UnitState.RECEIVED and target is not UnitState.IDENTIFIED and not can_transition(state, target):
            self._step(unit_id, UnitState.IDENTIFIED, reason)
            state = UnitState.IDENTIFIED
        if not can_transition(state, target):
            return False
        self._step(unit_id, target, reason)
        return True

    def _hold(self, unit_id: str, reason: str) -> None:
        state = self.state_of(unit_id)
        # Already held (for these blockers or by someone): the new findings are in their own event.
        if state is not UnitState.ON_HOLD and can_transition(state, UnitState.ON_HOLD):
            self._step(unit_id, UnitState.ON_HOLD, reason)

    def _current_hold_reason(self, unit_id: str) -> str:
        for event in reversed(unit_events(self.store.db, unit_id)):
            if event.type == ev.UNIT_STATE_CHANGED and event.body.get("to") == str(UnitState.ON_HOLD):
                return str(event.body.get("reason", ""))
        return ""

    def _release(self, unit_id: str) -> bool:
        """Lift a hold that a blocker check put, back to where the unit was before it."""
        if self.state_of(unit_id) is not UnitState.ON_HOLD:
            return False
        held_from = None
        for event in reversed(unit_events(self.store.db, unit_id)):
            if event.type == ev.UNIT_STATE_CHANGED and event.body.get("to") == str(UnitState.ON_HOLD):
                if not is_blocker_hold(str(event.body.get("reason", ""))):
                    return False  # someone else's hold: only they lift it
                held_from = UnitState(str(event.body["from"]))
                break
        back = held_from if held_from and can_transition(UnitState.ON_HOLD, held_from) else UnitState.IDENTIFIED
        if back is UnitState.TESTED and not self.progress(unit_id).finished:
            back = UnitState.IDENTIFIED  # held mid-test: the test resumes from identified
        self._step(unit_id, back, "phone re-checked: no blockers left")
        return True

    # --- the plan ------------------------------------------------------------------------------------------

    def progress(self, unit_id: str) -> PlanProgress:
        """The unit's newest run of this plan: its results so far and whether it finished."""
        run_id: str | None = None
        done: dict[str, StepOutcome] = {}
        finished = False
        for event in unit_events(self.store.db, unit_id):
            body = event.body
            if event.type == pev.PHONE_PLAN_STARTED and body["plan_id"] == self.plan.id:
                run_id, done, finished = str(body["run_id"]), {}, False
            elif event.type == pev.PHONE_CHECK_RECORDED and body["run_id"] == run_id:
                done[str(body["step"])] = StepOutcome(body["outcome"])
            elif event.type == pev.PHONE_PLAN_FINISHED and body["run_id"] == run_id:
                finished = True
        return PlanProgress(run_id, done, finished)

    def start_plan(self, unit_id: str, *, again: bool = False) -> PlanProgress:
        """The open run of the plan (resumed as it was), or a new run; the unit goes to testing."""
        if self.state_of(unit_id) is UnitState.ON_HOLD:
            raise OperatorError("This phone is on hold for a blocker; it is not tested until that is cleared",
                                hint="Clear the blocker on the phone, then re-check it (Ctrl+R)")
        progress = self.progress(unit_id)
        with self.store.transaction():
            if progress.run_id is None or progress.finished or again:
                run_id = "T-" + uuid.uuid4().hex[:16]
                self.store.record(pev.PHONE_PLAN_STARTED, {
                    "run_id": run_id, "plan_id": self.plan.id, "plan_version": self.plan.version,
                    "steps": list(self.plan.step_ids)}, unit_id=unit_id, operator_id=self.operator_id())
                progress = PlanProgress(run_id)
            if not self.advance(unit_id, UnitState.TESTING, "phone test plan started"):
                raise OperatorError(f"Unit {unit_id} is {self.state_of(unit_id)}; its phone plan cannot start now",
                                    hint="Open the unit to see where it is in its lifecycle")
        return progress

    def record_check(self, unit_id: str, run_id: str, step: str, outcome: StepOutcome, evidence: str, *,
                     kind: str = "guided") -> None:
        if step not in self.plan.step_ids:
            raise ValueError(f"step {step!r} is not in plan {self.plan.id}")
        self.store.record(pev.PHONE_CHECK_RECORDED, {
            "run_id": run_id, "step": step, "kind": kind, "outcome": str(outcome), "evidence": evidence},
            unit_id=unit_id, operator_id=self.operator_id())

    def record_automatic(self, unit_id: str, run_id: str, result: CheckResult) -> StepOutcome:
        outcome = DRIVER_OUTCOMES[result.outcome.value]
        self.record_check(unit_id, run_id, result.name, outcome, result.evidence, kind="automatic")
        return outcome

    def finish_plan(self, unit_id: str, run_id: str) -> PlanVerdict:
        progress = self.progress(unit_id)
        if progress.run_id != run_id or not self.plan.complete(progress.done):
            raise OperatorError("The phone plan still has steps without a result",
                                hint="Answer every guided step (P pass, F fail, S skip)")
        verdict = self.plan.verdict(progress.done)
        counts: dict[str, int] = {}
        for outcome in progress.done.values():
            counts[str(outcome)] = counts.get(str(outcome), 0) + 1
        with self.store.transaction():
            self.store.record(pev.PHONE_PLAN_FINISHED, {
                "run_id": run_id, "plan_id": self.plan.id, "verdict": str(verdict), "counts": counts},
                unit_id=unit_id, operator_id=self.operator_id())
            self.advance(unit_id, UnitState.TESTED, f"phone test plan {verdict}")
        return verdict

    def record_disconnect(self, unit_id: str, attached: AttachedPhone, during: str, detail: str) -> None:
        self.store.record(pev.PHONE_DISCONNECTED, {
            "transport_serial": attached.serial, "bay_key": attached.bay_key, "during": during, "detail": detail},
            unit_id=unit_id, operator_id=self.operator_id())


class PhoneUnavailable(OperatorError):
    """A phone could not be read or driven: unplugged, offline, hung. ``cause`` is the driver's error."""

    def __init__(self, cause: AndroidDriverError) -> None:
        hint = "Ctrl+R re-checks it" if isinstance(cause, ShellTimeout) else "Plug it back in; its plan resumes"
        super().__init__(str(cause), hint=hint)
        self.cause = cause


T = TypeVar("T")


def on_phone(work: Callable[[], T]) -> T:
    """Run ``work`` against a phone in a job: what a phone can do to us (go away, hang, go offline) is the
    operator's to fix and comes back as PhoneUnavailable; anything else stays the bug it is."""
    try:
        return work()
    except AndroidDriverError as exc:
        raise PhoneUnavailable(exc) from exc


def driver_error_text(exc: BaseException) -> str:
    """A driver error in the words the bay shows."""
    if isinstance(exc, PhoneUnavailable):
        return str(exc.cause)
    if isinstance(exc, AndroidDriverError | OperatorError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
