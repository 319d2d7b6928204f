"""Running test plans from the window: one job per rig bay on the job manager's pool.

The job connects the bay's rigs, runs the plan and closes the rigs (all serial I/O off the GUI
thread). Each step's result comes back as an immutable progress payload and is recorded here, on
the GUI thread, the moment it arrives: a run cut short keeps every step it finished. An operator
prompt is a payload too; the job waits for the answer (or the cancel) on an event the GUI thread
sets when the technician presses the key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal, Slot

from app.core.errors import OperatorError
from app.core.models import Unit
from app.core.testplans import StepResult, TestPlan
from app.services.jobs import JobManager, JobProgress, JobResult, Report
from app.services.rig_plans import OperatorPrompt, PlanRunner, PromptCancelled, close_rigs, connect_plan_rigs
from app.services.rig_tests import RigTestService, RunOutcome, RunRecord
from drivers.rig.errors import RigError
from drivers.rig.identity import RigIdentity

log = logging.getLogger("app.ui")


@dataclass(frozen=True)
class RigsConnected:
    """Every rig of the plan answered: who they are (recorded with the run's start)."""

    identities: tuple[tuple[str, RigIdentity | None], ...]


@dataclass(frozen=True)
class PromptAsked:
    bay: int
    prompt: OperatorPrompt


@dataclass
class _Answer:
    """Where the GUI thread leaves the technician's key for the job waiting on it."""

    ready: threading.Event = field(default_factory=threading.Event)
    key: str = ""


@dataclass
class BayRun:
    """One bay's run as the GUI thread tracks it."""

    bay: int
    unit: Unit
    plan: TestPlan
    ports: dict[str, str]
    record: RunRecord | None = None
    results: list[StepResult] = field(default_factory=list)
    prompt: OperatorPrompt | None = None
    answer: _Answer = field(default_factory=_Answer)
    refused: bool = False


class RigRunController(QObject):
    """Signals:
        connected(int): the bay's rigs answered and the run was recorded as started.
        step(int, object): a StepResult of the bay's run (already recorded).
        prompt(int, object): the bay's run asks the technician an OperatorPrompt.
        finished(int, object): the bay's run ended: a RunOutcome, or an OperatorError/RigError before it began.
    """

    connected = Signal(int)
    step = Signal(int, object)
    prompt = Signal(int, object)
    finished = Signal(int, object)

    def __init__(self, jobs: JobManager, service: RigTestService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self.service = jobs, service
        self.runs: dict[int, BayRun] = {}
        jobs.progress.connect(self._on_progress)
        jobs.finished.connect(self._on_finished)

    @staticmethod
    def key(bay: int) -> str:
        return f"rig-bay:{bay}"

    def busy(self, bay: int) -> bool:
        return bay in self.runs

    def busy_ports(self) -> set[str]:
        return {port for run in self.runs.values() for port in run.ports.values()}

    def start(self, bay: int, unit: Unit, plan: TestPlan, ports: Mapping[str, str]) -> None:
        """Start the plan in the bay; OperatorError when the bay is busy or the unit cannot be tested."""
        if self.busy(bay):
            raise OperatorError(self.tr("Rig bay {bay} is still testing").format(bay=bay),
                                hint=self.tr("wait for its plan, or cancel it"))
        missing = [spec.role for spec in plan.rigs if spec.role not in ports]
        if missing:
            raise OperatorError(self.tr("Plan {plan} needs a {roles} rig in bay {bay}").format(
                plan=plan.plan_id, roles=", ".join(missing), bay=bay),
                hint=self.tr("bind the rig's port to this bay (Ctrl+Shift+P), or choose another plan"))
        self.service.check_can_test(unit)
        run = BayRun(bay, unit, plan, {role: ports[role] for role in (s.role for s in plan.rigs)})
        self.runs[bay] = run
        answer = run.answer

        def ask(question: OperatorPrompt, cancel: threading.Event, report: Report) -> str:
            answer.ready.clear()
            report(0, 0, f"bay {bay}: waiting for the technician", PromptAsked(bay, question))
            while not answer.ready.wait(0.05):
                if cancel.is_set():
                    raise PromptCancelled
            return answer.key

        def work(cancel: threading.Event, report: Report) -> None:
            rigs = connect_plan_rigs(plan, run.ports)
            try:
                report(0, len(plan.steps), f"bay {bay}: {plan.name}",
                       RigsConnected(tuple((role, rig.identity) for role, rig in rigs.items())))
                runner = PlanRunner(plan, rigs, lambda q: ask(q, cancel, report), cancelled=cancel.is_set)
                for done, result in enumerate(runner.results(), start=1):
                    report(min(done, len(plan.steps)), len(plan.steps), f"bay {bay}: {result.name}", result)
            finally:
                close_rigs(rigs)

        try:
            self._jobs.start(self.key(bay), work, label=f"the test in rig bay {bay}")
        except OperatorError:
            del self.runs[bay]
            raise

    def answer(self, bay: int, key: str) -> bool:
        """The technician's key for the bay's open question; False when none is open."""
        run = self.runs.get(bay)
        if run is None or run.prompt is None:
            return False
        run.prompt = None
        run.answer.key = key
        run.answer.ready.set()
        return True

    def cancel(self, bay: int) -> None:
        self._jobs.cancel(self.key(bay))

    @Slot(object)
    def _on_progress(self, p: JobProgress) -> None:
        run = self._run_of(p.key)
        if run is None or run.refused:
            return
        detail = p.detail
        if isinstance(detail, RigsConnected):
            try:
                run.record = self.service.begin(run.unit, run.plan, bay=run.bay, ports=run.ports,
                                                identities=dict(detail.identities))
            except OperatorError as exc:
                # The unit changed state meanwhile (another bench graded it): nothing of this run is kept.
                run.refused = True
                self._jobs.cancel(p.key)
                self.finished.emit(run.bay, exc)
                return
            self.connected.emit(run.bay)
        elif isinstance(detail, StepResult) and run.record is not None:
            self.service.record_step(run.record, detail)
            run.results.append(detail)
            self.step.emit(run.bay, detail)
        elif isinstance(detail, PromptAsked):
            run.prompt = detail.prompt
            self.prompt.emit(run.bay, detail.prompt)

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        run = self._run_of(result.key)
        if run is None:
            return
        del self.runs[run.bay]
        if run.refused:
            return
        if run.record is None:
            error = result.error
            if isinstance(error, RigError):
                outcome: object = OperatorError(
                    self.tr("Rig bay {bay}: {message}").format(bay=run.bay, message=error.message),
                    hint=self.tr("check {what}").format(what=error.check) if error.check else "")
            else:
                outcome = error or OperatorError(self.tr("Rig bay {bay}: the plan did not start").format(bay=run.bay),
                                                 hint=self.tr("try again"))
            self.finished.emit(run.bay, outcome)
            return
        error_text = "" if result.error is None else f"{type(result.error).__name__}: {result.error}"
        done: RunOutcome = self.service.finish(run.record, run.results, cancelled=result.cancelled, error=error_text)
        self.finished.emit(run.bay, done)

    def _run_of(self, key: str) -> BayRun | None:
        if not key.startswith("rig-bay:"):
            return None
        return self.runs.get(int(key.split(":", 1)[1]))
