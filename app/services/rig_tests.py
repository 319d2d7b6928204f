"""Test-plan runs on a unit, recorded as they happen: started, each step, completed.

The GUI and the CLI share this: ``begin`` records the start (and moves the unit to testing) once
the rigs are connected and identified, ``record_step`` stores each step the moment its result is
known, ``finish`` stores the plan's verdict, the identifiers read into the unit's record, and moves
the unit to tested when the unit was judged (pass or fail). A rig error or a cancelled run leaves the
unit in testing, ready for a retest: nothing about the unit was decided. The database is written
from the caller's thread only (the GUI thread, or the CLI's one thread); ``run`` does everything in
one thread for the CLI and tests.

Plans come from the hub's reference data version in use (the packaged ones until the hub publishes
plans). A run holds the version its plan came from from ``begin`` (``run``: before the rigs are
connected) to ``finish``, so a version pulled meanwhile waits for it, and its events name that version.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import events as ev
from app.core import events_rigs as rev
from app.core.errors import NotFound, OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.lifecycle import UnitState, can_transition, transition
from app.core.models import Operator, Unit
from app.core.testplans import PlanResult, StepResult, TestPlan, Verdict
from app.core.testplans_loader import load_plans, plan_for_class
from app.services import reference_data
from app.services.rig_plans import PlanRunner, PromptCallback, close_rigs, connect_plan_rigs
from app.store import queries, rig_queries
from app.store.store import Store
from drivers.rig.identity import RigIdentity
from drivers.rig.session import Rig

log = logging.getLogger("app.rig_tests")

RIG_PLAN_DIR = Path(__file__).resolve().parents[2] / "resources" / "testplans" / "rigs"
# Where a version of the hub's reference data keeps the rig plans (as the packaged resources/ does).
RIG_PLAN_FOLDER = Path("testplans") / "rigs"
_KEEP_LOADED = 4  # plan sets kept in memory: a run may have chosen its plan just before a newer set came
# Read identifiers that belong to the unit for life; a SIM's ICCID or a firmware version does not.
UNIT_IDENTIFIER_KINDS = ("imei", "mac", "serial")
CANCELLED = "cancelled"


@dataclass(frozen=True)
class RunRecord:
    """A run that has begun: what ``record_step`` and ``finish`` need (immutable: crosses threads)."""

    run_id: str
    unit_id: str
    plan: TestPlan
    bay: int | None
    device_class: str
    reference_version: int | None = None  # the reference data version the plan came from; None: a fixed folder


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended, for the operator: verdict, one line, and any warning about identifiers."""

    run_id: str
    verdict: str
    summary: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunReport:
    """A run done start to end in one thread: its record, how it ended, and every step's result."""

    run: RunRecord
    outcome: RunOutcome
    results: tuple[StepResult, ...]


def identity_json(identity: RigIdentity | None, port: str) -> dict[str, str]:
    if identity is None:
        return {"port": port}
    return {"port": port, "protocol": str(identity.protocol), "manufacturer": identity.manufacturer,
            "model": identity.model, "serial": identity.serial, "firmware": identity.firmware}


def number_text(value: float) -> str:
    """The shortest text that reads back as ``value`` ("19.951", "21"): event bodies hold no floats."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def step_body(run_id: str, result: StepResult) -> dict[str, Any]:
    """A step result as the body of its event (empty optional fields left out)."""
    body: dict[str, Any] = {"run_id": run_id, "index": result.index, "name": result.name, "kind": str(result.kind),
                            "verdict": str(result.verdict), "message": result.message,
                            "millis": round(result.seconds * 1000), "cleanup": result.cleanup}
    if result.value is not None:
        body["value"] = number_text(result.value) if isinstance(result.value, float) else str(result.value)
    if result.unit:
        body["unit"] = result.unit
    if result.limits is not None:
        if result.limits.low is not None:
            body["low"] = number_text(result.limits.low)
        if result.limits.high is not None:
            body["high"] = number_text(result.limits.high)
    if result.field:
        body["field"] = result.field
    if result.wire_log:
        body["wire_log"] = result.wire_log
    return body


def summarise(results: Iterable[StepResult], verdict: str) -> tuple[str, dict[str, int]]:
    """'9 of 11 steps passed; first problem: …' and the count of each step verdict."""
    main = [r for r in results if not r.cleanup]
    counts = Counter(str(r.verdict) for r in main)
    passed = counts.get(str(Verdict.PASS), 0)
    text = f"{passed} of {len(main)} steps passed"
    problem = next((r for r in main if r.verdict in (Verdict.FAIL, Verdict.RIG_ERROR)), None)
    if problem is not None:
        text += f"; {problem.name}: {problem.verdict} — {problem.message}"
    elif verdict == CANCELLED:
        text += "; cancelled by the technician"
    return text, dict(counts)


class RigTestService:
    """Plans, and the record of every run. ``operator`` is who is logged in (recorded with each event)."""

    def __init__(self, store: Store, operator: Operator | None = None, plan_dir: Path | None = None) -> None:
        self.store = store
        self.operator = operator
        self.plan_dir = plan_dir  # None: the plans of the reference data in use (the packaged ones until the hub's)
        self._plans: tuple[TestPlan, ...] | None = None
        self._loaded: dict[int, tuple[TestPlan, ...]] = {}  # reference data version -> its plans
        self._held: dict[str, ExitStack] = {}  # run id -> the reference data version it holds until it ends

    # --- plans -------------------------------------------------------------------------------------------

    def plans(self) -> tuple[TestPlan, ...]:
        """The plans in use: those of ``plan_dir`` when one was given (read once), else those of the reference
        data version now current, re-read when the hub's newer version has become current (a broken file
        raises PlanFileError naming it)."""
        if self.plan_dir is not None:
            if self._plans is None:
                self._plans = load_plans(self.plan_dir)
            return self._plans
        data = reference_data.for_folder(self.store.data_dir)
        if data.current_version() not in self._loaded:
            with data.snapshot() as snapshot:  # read whole while the version cannot be switched
                published = snapshot.folder / RIG_PLAN_FOLDER
                plans = load_plans(published if snapshot.version and published.is_dir() else RIG_PLAN_DIR)
                self._loaded[snapshot.version] = plans
            for old in sorted(self._loaded)[:-_KEEP_LOADED]:
                del self._loaded[old]
            if snapshot.version == data.current_version():
                log.info("rig test plans of reference data version %d: %s", snapshot.version,
                         ", ".join(f"{p.plan_id} v{p.version}" for p in plans))
        return self._loaded.get(data.current_version()) or max(self._loaded.items())[1]

    def _version_of(self, plan: TestPlan) -> int | None:
        """The reference data version ``plan`` was read from (by identity); None for a plan of a fixed folder."""
        return next((version for version, plans in self._loaded.items() if any(p is plan for p in plans)), None)

    def plan(self, plan_id: str) -> TestPlan:
        for plan in self.plans():
            if plan.plan_id == plan_id:
                return plan
        raise NotFound(
            QT_TRANSLATE_NOOP("OperatorError", "No test plan '{plan}'"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "the plans are {plans}"),
            values={"plan": plan_id, "plans": ", ".join(p.plan_id for p in self.plans())},
        )

    def plan_for_class(self, device_class: str) -> TestPlan:
        return plan_for_class(self.plans(), device_class)

    def offer_plan(self, unit_id: str | None, roles: Iterable[str], bay: int | None) -> TestPlan | None:
        """The plan to offer: the unit's device class from an earlier run, else the plan last run in
        this bay, else the first plan whose rigs the bay has. None when no plan fits the bay."""
        have = set(roles)
        fitting = [p for p in self.plans() if {r.role for r in p.rigs} <= have]
        if unit_id is not None:
            device_class = rig_queries.last_device_class(self.store.db, unit_id)
            if device_class is not None:
                matching = [p for p in fitting if device_class in p.device_classes]
                if matching:
                    return max(matching, key=lambda p: p.version)
        if bay is not None:
            last = rig_queries.last_plan_in_bay(self.store.db, bay)
            chosen = next((p for p in fitting if p.plan_id == last), None)
            if chosen is not None:
                return chosen
        return fitting[0] if fitting else None

    # --- recording -----------------------------------------------------------------------------------------

    def _operator_id(self) -> str | None:
        return self.operator.operator_id if self.operator else None

    def check_can_test(self, unit: Unit) -> None:
        """Refuse before any rig is touched when the lifecycle does not allow a test now."""
        current = queries.get_unit(self.store.db, unit.unit_id)
        if current is None:
            raise NotFound(
                QT_TRANSLATE_NOOP("OperatorError", "Unit {unit} not found"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "scan the unit's label again"),
                values={"unit": unit.unit_id},
            )
        # Already testing: a run that ended in a rig error (or was cut short) is simply run again.
        if current.state is UnitState.TESTING or can_transition(current.state, UnitState.TESTING):
            return
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "Unit {unit} is {state}: it cannot be tested now"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "only units before grading (or back from repair) go on a test rig"),
            values={"unit": current.label, "state": current.state},
        )

    def begin(self, unit: Unit, plan: TestPlan, *, bay: int | None, ports: Mapping[str, str],
              identities: Mapping[str, RigIdentity | None], device_class: str | None = None) -> RunRecord:
        """Record the start and move the unit to testing, in one transaction."""
        self.check_can_test(unit)
        device_class = device_class or plan.device_classes[0]
        version = self._version_of(plan)
        run = RunRecord(f"R-{uuid.uuid4().hex[:12].upper()}", unit.unit_id, plan, bay, device_class, version)
        body: dict[str, Any] = {
            "run_id": run.run_id, "plan_id": plan.plan_id, "plan_version": plan.version, "plan_name": plan.name,
            "device_class": device_class,
            "rigs": {role: identity_json(identities.get(role), port) for role, port in sorted(ports.items())},
            "grading_tests": list(plan.grading_tests),
        }
        if bay is not None:
            body["bay"] = bay
        if version is not None:
            body["reference_version"] = version
        # Held from the recorded start to the recorded end (``finish``): no newer version is applied meanwhile.
        held = ExitStack()
        held.enter_context(reference_data.for_folder(self.store.data_dir).snapshot(version))
        try:
            with self.store.transaction():
                self._advance(unit.unit_id, UnitState.TESTING, f"test plan {plan.plan_id}")
                self.store.record(rev.RIG_TEST_STARTED, body, unit_id=unit.unit_id, operator_id=self._operator_id())
        except BaseException:
            held.close()
            raise
        self._held[run.run_id] = held
        log.info("run %s of plan %s on unit %s started (bay %s)", run.run_id, plan.plan_id, unit.unit_id, bay)
        return run

    def record_step(self, run: RunRecord, result: StepResult) -> None:
        self.store.record(rev.RIG_STEP_RECORDED, step_body(run.run_id, result), unit_id=run.unit_id,
                          operator_id=self._operator_id())

    def finish(self, run: RunRecord, results: Iterable[StepResult], *, cancelled: bool = False,
               error: str = "") -> RunOutcome:
        """Record the end. ``results`` are the steps recorded; ``error`` ends a run whose job died."""
        results = tuple(results)
        if error:
            verdict = str(Verdict.RIG_ERROR)
        elif cancelled:
            verdict = CANCELLED
        else:
            verdict = str(PlanResult(run.plan.plan_id, run.plan.version, results, ()).verdict)
        summary, counts = summarise(results, verdict)
        if error:
            summary = f"{summary}; the run stopped: {error}"
        read = {r.field: str(r.value) for r in results if r.field and r.verdict is Verdict.PASS and r.value is not None}
        warnings: list[str] = []
        body = {"run_id": run.run_id, "plan_id": run.plan.plan_id, "plan_version": run.plan.version,
                "verdict": verdict, "summary": summary, "counts": counts, "identifiers": read,
                "grading_tests": list(run.plan.grading_tests)}
        if run.reference_version is not None:
            body["reference_version"] = run.reference_version
        try:
            with self.store.transaction():
                warnings = self._add_identifiers(run.unit_id, read)
                self.store.record(rev.RIG_TEST_COMPLETED, body, unit_id=run.unit_id, operator_id=self._operator_id())
                if verdict in (str(Verdict.PASS), str(Verdict.FAIL)):
                    self._advance(run.unit_id, UnitState.TESTED, f"test plan {run.plan.plan_id}: {verdict}")
        finally:
            held = self._held.pop(run.run_id, None)
            if held is not None:
                held.close()  # the run is over: a version pulled meanwhile may now apply
        log.info("run %s ended: %s (%s)", run.run_id, verdict, summary)
        return RunOutcome(run.run_id, verdict, summary, tuple(warnings))

    def _add_identifiers(self, unit_id: str, read: Mapping[str, str]) -> list[str]:
        """Add the unit's own identifiers the plan read; a value that contradicts the record is a warning,
        never written over it (the wrong unit may be on the rig)."""
        unit = queries.get_unit(self.store.db, unit_id)
        assert unit is not None
        warnings = []
        for kind in UNIT_IDENTIFIER_KINDS:
            value = read.get(kind)
            if not value:
                continue
            value = value.upper() if kind == "mac" else value
            recorded = unit.identifier(kind)
            if recorded == value:
                continue
            if recorded is not None:
                warnings.append(f"the unit's record has {kind.upper()} {recorded}, the device reports {value} — "
                                "check that the right unit is on the rig")
                continue
            other = queries.find_unit(self.store.db, value)
            if other is not None and other.unit_id != unit_id:
                warnings.append(f"{kind.upper()} {value} already belongs to unit {other.label} — check which "
                                "unit is on the rig")
                continue
            self.store.record(ev.UNIT_IDENTIFIER_ADDED, {"kind": kind, "value": value}, unit_id=unit_id,
                              operator_id=self._operator_id())
        return warnings

    def _advance(self, unit_id: str, target: UnitState, reason: str) -> None:
        unit = queries.get_unit(self.store.db, unit_id)
        assert unit is not None
        if unit.state is target:
            return
        transition(unit_id, unit.state, target, reason)
        self.store.record(ev.UNIT_STATE_CHANGED, {"from": str(unit.state), "to": str(target), "reason": reason},
                          unit_id=unit_id, operator_id=self._operator_id())

    # --- one thread, start to end (CLI and tests) ----------------------------------------------------------

    def run(self, unit: Unit, plan: TestPlan, ports: Mapping[str, str], prompt: PromptCallback, *,
            bay: int | None = None, device_class: str | None = None, connect_timeout: float = 2.0,
            on_step: Callable[[StepResult], None] | None = None) -> RunReport:
        """Connect the plan's rigs, run it, record everything; the rigs are closed at the end.

        A rig that cannot be connected raises its RigError before anything is recorded on the unit.
        """
        self.check_can_test(unit)
        # The job holds its plan's reference data version from before the rigs are connected to its end.
        with reference_data.for_folder(self.store.data_dir).snapshot(self._version_of(plan)):
            return self._run(unit, plan, ports, prompt, bay=bay, device_class=device_class,
                             connect_timeout=connect_timeout, on_step=on_step)

    def _run(self, unit: Unit, plan: TestPlan, ports: Mapping[str, str], prompt: PromptCallback, *,
             bay: int | None, device_class: str | None, connect_timeout: float,
             on_step: Callable[[StepResult], None] | None) -> RunReport:
        rigs: dict[str, Rig] = connect_plan_rigs(plan, ports, timeout=connect_timeout)
        results: list[StepResult] = []
        run: RunRecord | None = None
        try:
            run = self.begin(unit, plan, bay=bay, ports=ports,
                             identities={role: rig.identity for role, rig in rigs.items()}, device_class=device_class)
            for result in PlanRunner(plan, rigs, prompt).results():
                self.record_step(run, result)
                results.append(result)
                if on_step is not None:
                    on_step(result)
        except Exception as exc:
            if run is not None:  # what was recorded stays; the run says how it ended
                self.finish(run, results, error=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            close_rigs(rigs)
        return RunReport(run, self.finish(run, results), tuple(results))
