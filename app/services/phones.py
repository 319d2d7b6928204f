"""Phones on the bench: read a phone, match it to its unit, hold it for blockers, record its plan.

Two halves, so the GUI keeps SQLite on its own thread: :func:`read_phone` (in phone_reading.py) and
the automatic checks are blocking reads of the phone for a job thread (no database), and
:class:`PhoneService` records what they found as events on the caller's thread. Every fact is an
event with its evidence; a value the phone did not give is recorded as unknown with the reason, never
guessed.

The plan comes from the hub's reference data version in use (:mod:`app.services.phone_plans`; the
built-in plan where the hub publishes none), unless the caller fixes one. A run holds the version its
plan came from from ``start_plan`` to ``finish_plan``, so a version pulled meanwhile applies only to the
next phone, and ``phone.plan_started`` names that version. A phone unplugged mid-plan lets the version
go (nothing runs on it); when it comes back its run resumes with the plan it started with.
"""

from __future__ import annotations

import base64
import logging
import os
import uuid
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from app.core import events as ev
from app.core import events_phones as pev
from app.core.errors import InvalidScan, OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.identifiers import IdentifierKind
from app.core.lifecycle import UnitState, can_transition, transition
from app.core.models import Identifier, Operator, Unit
from app.core.phones import (
    DRIVER_OUTCOMES,
    PhonePlan,
    PlanVerdict,
    StepOutcome,
    hold_reason,
    is_blocker_hold,
)
from app.services.intake import IntakeService
from app.services.phone_plans import PhonePlans, built_in_plan
from app.services.phone_reading import (  # re-exported: the tab, the CLI and the tests read phones through here
    PhoneReading as PhoneReading,
)
from app.services.phone_reading import battery_record as battery_record
from app.services.phone_reading import blockers_record as blockers_record
from app.services.phone_reading import identity_record as identity_record
from app.services.phone_reading import read_phone as read_phone
from app.services.phone_reading import unknowns_record
from app.services.phone_source import AttachedPhone
from app.store import queries
from app.store.eventlog import unit_events
from app.store.store import Store
from drivers.android import (
    AndroidDriverError,
    CheckResult,
    PhoneIdentity,
    ShellTimeout,
)

log = logging.getLogger("app.phones")

PLAN_DIR = Path(__file__).resolve().parents[2] / "resources" / "testplans"
PLAN_FILE = PLAN_DIR / "phone-android.toml"
PLAN_FILES = {"android": PLAN_FILE, "ios": PLAN_DIR / "phone-ios.toml"}  # each platform's built-in plan


@dataclass(frozen=True)
class PlanProgress:
    """Where a unit is in its phone plan: the open run (if any) and the steps it has results for."""

    run_id: str | None
    done: Mapping[str, StepOutcome] = field(default_factory=dict)
    finished: bool = False
    plan: PhonePlan | None = None  # the run's own plan; None with no run, or its version is gone from the bench
    reference_version: int | None = None  # the reference data version the run's plan came from
    verdict: str = ""  # as recorded when the run finished


@dataclass(frozen=True)
class PhoneRecord:
    """What recording a reading did: the unit (as stored after it), and why it is held, if it is."""

    unit: Unit
    created: bool
    hold: str  # the on_hold reason, empty when nothing holds the unit
    released: bool  # a blocker hold from an earlier check was lifted
    progress: PlanProgress


class PhoneService:
    """Records what phones said about themselves, against their units. One per store and thread."""

    def __init__(self, store: Store, plan: PhonePlan | None = None, intake: IntakeService | None = None,
                 operator: Operator | None = None, *, platform: str = "android") -> None:
        self.store = store
        self.fixed_plan = plan  # None: the plan of the reference data in use (the built-in one until the hub's)
        self.platform = platform
        self.plans = PhonePlans(store.data_dir, platform)
        self.intake = intake or IntakeService(store)
        self.operator = operator
        self._held: dict[str, tuple[str, ExitStack]] = {}  # run id -> (unit id, the version it holds)
        self._built_in: PhonePlan | None = None

    @property
    def plan(self) -> PhonePlan:
        """The plan a new run takes now: the fixed one, else the reference data's in use (PhonePlanError
        when the hub's is broken)."""
        if self.fixed_plan is not None:
            return self.fixed_plan
        return self.plans.of_version(self.plans.current_version()).plan

    @property
    def built_in(self) -> PhonePlan:
        """The fixed plan, else the built-in one: what a bay with no run shows its steps against."""
        if self.fixed_plan is not None:
            return self.fixed_plan
        if self._built_in is None:
            self._built_in = built_in_plan(self.platform)
        return self._built_in

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
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Phone {phone} gives neither a valid IMEI nor a serial number"),
                hint=QT_TRANSLATE_NOOP(
                    "OperatorError", "Scan the IMEI from the label or *#06#, then re-check the phone"),
                values={"phone": identity.adb_serial},
            )
        owners = {u.unit_id: u for i in identifiers if (u := queries.find_unit(self.store.db, i.value))}
        if len(owners) > 1:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "This phone's identifiers belong to different units: {units}"),
                hint=QT_TRANSLATE_NOOP(
                    "OperatorError", "Set the phone aside and call a supervisor: two records claim it"),
                values={"units": ", ".join(sorted(owners))},
            )
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
        """The unit's newest phone plan run: its plan, its results so far and whether it finished. (Any
        plan id: the hub may publish the platform's plan under a new one, and a unit is one phone.)"""
        started: Mapping[str, Any] | None = None
        done: dict[str, StepOutcome] = {}
        verdict = ""
        for event in unit_events(self.store.db, unit_id):
            body = event.body
            if event.type == pev.PHONE_PLAN_STARTED:
                started, done, verdict = body, {}, ""
            elif started is not None and body.get("run_id") == started["run_id"]:
                if event.type == pev.PHONE_CHECK_RECORDED:
                    done[str(body["step"])] = StepOutcome(body["outcome"])
                elif event.type == pev.PHONE_PLAN_FINISHED:
                    verdict = str(body["verdict"])
        if started is None:
            return PlanProgress(None)
        version = started.get("reference_version")
        return PlanProgress(str(started["run_id"]), done, bool(verdict), self._run_plan(started),
                            version if isinstance(version, int) else None, verdict)

    def _run_plan(self, started: Mapping[str, Any]) -> PhonePlan | None:
        """The plan a recorded run started with: the fixed plan, that of its reference data version, or
        the built-in one for a run recorded before benches took reference data. None when its version
        is gone from the bench, or its plan is not the one it recorded (then it starts over)."""
        version = started.get("reference_version")
        plan: PhonePlan | None
        if self.fixed_plan is not None or not isinstance(version, int):
            plan = self.built_in
        else:
            try:
                plan = self.plans.of_version(version).plan
            except OperatorError as exc:
                log.info("run %s: its plan cannot be had (%s); it starts over", started["run_id"], exc)
                return None
        if plan.id != started["plan_id"] or plan.version != started["plan_version"]:
            return None
        return plan

    def start_plan(self, unit_id: str, *, again: bool = False) -> PlanProgress:
        """The open run of the plan (resumed as it was, with its own plan), or a new run with the plan in
        use now; the unit goes to testing. The run holds its plan's reference data version until
        ``finish_plan`` (or the phone is unplugged). A broken plan from the hub raises PhonePlanError."""
        if self.state_of(unit_id) is UnitState.ON_HOLD:
            raise OperatorError(
                QT_TRANSLATE_NOOP(
                    "OperatorError", "This phone is on hold for a blocker; it is not tested until that is cleared"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Clear the blocker on the phone, then re-check it (Ctrl+R)"),
            )
        progress = self.progress(unit_id)
        new = progress.run_id is None or progress.finished or again or progress.plan is None
        if progress.run_id is not None and (new or progress.run_id not in self._held):
            self.release(progress.run_id)
        held = ExitStack()
        try:
            if self.fixed_plan is not None:
                version: int | None = None
                plan = self.fixed_plan if new else progress.plan
            elif new:
                snapshot = held.enter_context(self.plans.data.snapshot())  # the version in use, held from here
                version, plan = snapshot.version, self.plans.of_version(snapshot.version).plan
            else:  # resumed: the run's own version, held again while it runs
                version, plan = progress.reference_version, progress.plan
                held.enter_context(self.plans.data.snapshot(version))
            assert plan is not None
            with self.store.transaction():
                if new:
                    run_id = "T-" + uuid.uuid4().hex[:16]
                    body: dict[str, Any] = {"run_id": run_id, "plan_id": plan.id, "plan_version": plan.version,
                                            "steps": list(plan.step_ids)}
                    if version is not None:
                        body["reference_version"] = version
                    self.store.record(pev.PHONE_PLAN_STARTED, body, unit_id=unit_id, operator_id=self.operator_id())
                    progress = PlanProgress(run_id, plan=plan, reference_version=version)
                if not self.advance(unit_id, UnitState.TESTING, "phone test plan started"):
                    raise OperatorError(
                        QT_TRANSLATE_NOOP("OperatorError", "Unit {unit} is {state}; its phone plan cannot start now"),
                        hint=QT_TRANSLATE_NOOP("OperatorError", "Open the unit to see where it is in its lifecycle"),
                        values={"unit": unit_id, "state": self.state_of(unit_id)},
                    )
        except BaseException:
            held.close()
            raise
        assert progress.run_id is not None
        self._held[progress.run_id] = (unit_id, held)
        return progress

    def release(self, run_id: str) -> None:
        """Let go of the version a run holds (its end, or its phone gone): a version pulled meanwhile applies."""
        entry = self._held.pop(run_id, None)
        if entry is not None:
            entry[1].close()

    def release_all(self) -> None:
        """Let go of every version held (the tab or the command is closing)."""
        for run_id in list(self._held):
            self.release(run_id)

    def record_check(self, unit_id: str, run_id: str, step: str, outcome: StepOutcome, evidence: str, *,
                     kind: str = "guided") -> None:
        plan = self._plan_of_run(unit_id, run_id)
        if step not in plan.step_ids:
            raise ValueError(f"step {step!r} is not in plan {plan.id}")
        self.store.record(pev.PHONE_CHECK_RECORDED, {
            "run_id": run_id, "step": step, "kind": kind, "outcome": str(outcome), "evidence": evidence},
            unit_id=unit_id, operator_id=self.operator_id())

    def record_automatic(self, unit_id: str, run_id: str, result: CheckResult) -> StepOutcome:
        outcome = DRIVER_OUTCOMES[result.outcome.value]
        self.record_check(unit_id, run_id, result.name, outcome, result.evidence, kind="automatic")
        return outcome

    def _plan_of_run(self, unit_id: str, run_id: str) -> PhonePlan:
        progress = self.progress(unit_id)
        if progress.run_id != run_id or progress.plan is None:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Run {run} is not the phone's open plan run"),
                hint=QT_TRANSLATE_NOOP(
                    "OperatorError", "Re-check the phone (Ctrl+R): its plan resumes or starts again"),
                values={"run": run_id},
            )
        return progress.plan

    def finish_plan(self, unit_id: str, run_id: str) -> PlanVerdict:
        progress = self.progress(unit_id)
        plan = progress.plan
        if progress.run_id != run_id or plan is None or not plan.complete(progress.done):
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "The phone plan still has steps without a result"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Answer every guided step (P pass, F fail, S skip)"),
            )
        verdict = plan.verdict(progress.done)
        counts: dict[str, int] = {}
        for outcome in progress.done.values():
            counts[str(outcome)] = counts.get(str(outcome), 0) + 1
        try:
            with self.store.transaction():
                self.store.record(pev.PHONE_PLAN_FINISHED, {
                    "run_id": run_id, "plan_id": plan.id, "verdict": str(verdict), "counts": counts},
                    unit_id=unit_id, operator_id=self.operator_id())
                self.advance(unit_id, UnitState.TESTED, f"phone test plan {verdict}")
        finally:
            self.release(run_id)  # the run is over: a version pulled meanwhile may now apply
        return verdict

    def record_disconnect(self, unit_id: str, attached: AttachedPhone, during: str, detail: str) -> None:
        """Record the phone gone mid-work; its open run lets its version go until it is plugged back in."""
        self.store.record(pev.PHONE_DISCONNECTED, {
            "transport_serial": attached.serial, "bay_key": attached.bay_key, "during": during, "detail": detail},
            unit_id=unit_id, operator_id=self.operator_id())
        for run_id, (held_unit, _) in list(self._held.items()):
            if held_unit == unit_id:
                self.release(run_id)


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
