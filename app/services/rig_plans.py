"""Running a declarative test plan (``app.core.testplans``) against connected serial rigs.

The plan model and the judgement of each outcome are pure and live in ``app.core.testplans``; this
module is the I/O half: it sends the commands through ``drivers.rig`` objects, waits, asks the
operator through an injected callback (the GUI answers it with a key press, the CLI from stdin,
tests with a function), and turns every outcome into a frozen ``StepResult``. A rig problem
(timeout, garbage, wrong baud rate, pulled cable, a command the instrument refused) ends the step
as RIG_ERROR with the driver's message of what to check; nothing passes unless it was measured
within limits or matched what the plan expects.

Blocking and single-threaded on purpose: the job manager runs it off the GUI thread and reads
``results()`` one step at a time for progress; ``cancelled`` is checked between steps.
"""

from __future__ import annotations

import enum
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from app.core.errors import OperatorError
from app.core.testplans import (
    PlanResult,
    PlanStep,
    StepKind,
    StepResult,
    TestPlan,
    Verdict,
    judge_identifier,
    judge_measurement,
    judge_prompt,
    parse_reading,
)
from drivers.rig.at import AtDevice
from drivers.rig.errors import RigCommandError, RigError
from drivers.rig.fixture import ExpectResult, LineFixture
from drivers.rig.identity import RigProtocol
from drivers.rig.scpi import ScpiInstrument
from drivers.rig.session import Rig, connect_rig

log = logging.getLogger("app.rig_plans")

_RIG_TYPES: dict[str, type] = {"scpi": ScpiInstrument, "at": AtDevice, "line": LineFixture}


@dataclass(frozen=True)
class OperatorPrompt:
    """A question for the person at the bench, answered with a single key."""

    step_name: str
    question: str
    pass_key: str
    fail_key: str


PromptCallback = Callable[[OperatorPrompt], str]


class PromptCancelled(Exception):
    """Raised by a prompt callback when the run was cancelled while the question was open: the step
    is skipped, not failed (nobody judged the unit)."""


class RunnerState(enum.Enum):
    READY = "ready"
    RUNNING = "running"
    STOPPED_EARLY = "stopped early"  # a step did not pass and the plan stops on failure
    CLEANING_UP = "cleaning up"
    DONE = "done"


class _Outcome(Exception):
    """Raised inside a step to end it with this verdict and message."""

    def __init__(self, verdict: Verdict, message: str) -> None:
        super().__init__(message)
        self.verdict = verdict
        self.message = message


def connect_plan_rigs(plan: TestPlan, ports: Mapping[str, str], timeout: float = 2.0) -> dict[str, Rig]:
    """Open and identify every rig the plan needs, from role -> port URL (the bay's by-id path).

    Raises OperatorError for a role with no port; RigError (ports already opened are closed) when a
    rig cannot be reached or identified.
    """
    missing = [spec.role for spec in plan.rigs if spec.role not in ports]
    if missing:
        raise OperatorError(f"Plan {plan.plan_id} needs a rig for {', '.join(missing)}",
                            hint="bind the rig's serial port to this bay")
    rigs: dict[str, Rig] = {}
    try:
        for spec in plan.rigs:
            rigs[spec.role] = connect_rig(RigProtocol(spec.protocol), ports[spec.role], baudrate=spec.baudrate,
                                          hello=spec.hello, name=f"{spec.role} ({ports[spec.role]})", timeout=timeout)
    except BaseException:
        close_rigs(rigs)
        raise
    return rigs


def close_rigs(rigs: Mapping[str, Rig]) -> None:
    for rig in rigs.values():
        rig.close()


class PlanRunner:
    """Runs ``plan`` on ``rigs`` (role -> connected rig). ``sleep`` is injectable for tests of timing."""

    def __init__(self, plan: TestPlan, rigs: Mapping[str, Rig], prompt: PromptCallback, *,
                 sleep: Callable[[float], None] = time.sleep, cancelled: Callable[[], bool] = lambda: False) -> None:
        for spec in plan.rigs:
            rig = rigs.get(spec.role)
            if not isinstance(rig, _RIG_TYPES[spec.protocol]):
                raise OperatorError(f"Plan {plan.plan_id} needs a {spec.protocol} rig as {spec.role!r}",
                                    hint="connect the rig the plan names to this bay")
        self.plan = plan
        self.rigs = dict(rigs)
        self.prompt = prompt
        self.sleep = sleep
        self.cancelled = cancelled
        self.state = RunnerState.READY

    def _move_to(self, state: RunnerState) -> None:
        log.info("plan %s v%d: %s -> %s", self.plan.plan_id, self.plan.version, self.state.value, state.value)
        self.state = state

    def run(self) -> PlanResult:
        results = tuple(self.results())
        identifiers = tuple((r.field, str(r.value)) for r in results
                            if r.field and r.verdict is Verdict.PASS and r.value is not None)
        return PlanResult(self.plan.plan_id, self.plan.version, results, identifiers)

    def results(self) -> Iterator[StepResult]:
        """Each step's result as soon as it is known; cleanup steps always run, last."""
        self._move_to(RunnerState.RUNNING)
        for step in self.plan.steps:
            if self.state is RunnerState.STOPPED_EARLY or self.cancelled():
                reason = "cancelled" if self.state is RunnerState.RUNNING else "an earlier step did not pass"
                yield StepResult(step.index, step.name, step.kind, Verdict.SKIPPED, f"not run: {reason}")
                continue
            result = self._run(step)
            yield result
            if result.verdict is not Verdict.PASS and self.plan.stop_on_fail:
                self._move_to(RunnerState.STOPPED_EARLY)
        self._move_to(RunnerState.CLEANING_UP)
        for step in self.plan.cleanup:
            yield self._run(step, cleanup=True)
        self._move_to(RunnerState.DONE)

    def _run(self, step: PlanStep, cleanup: bool = False) -> StepResult:
        rig = self.rigs.get(step.rig) if step.rig else None
        mark = rig.port.wire_log.mark() if rig else 0
        started = time.monotonic()
        value: float | str | None = None
        try:
            verdict, message, value = self._execute(step, rig)
        except _Outcome as outcome:
            verdict, message = outcome.verdict, outcome.message
        except PromptCancelled:
            verdict, message = Verdict.SKIPPED, "not answered: the run was cancelled"
        except RigCommandError as exc:
            # An AT device refusing (+CME ERROR: SIM not inserted) is the unit failing the check; an
            # instrument refusing a command is a plan or rig problem.
            verdict = Verdict.FAIL if isinstance(rig, AtDevice) else Verdict.RIG_ERROR
            message = str(exc)
        except RigError as exc:
            verdict, message = Verdict.RIG_ERROR, str(exc)
        excerpt = rig.port.wire_log.excerpt(mark) if rig else ""
        result = StepResult(step.index, step.name, step.kind, verdict, message, value,
                            step.limits.unit if step.limits else "", step.limits, step.field, excerpt,
                            time.monotonic() - started, cleanup)
        log.info("plan %s step %d %r: %s — %s", self.plan.plan_id, step.index + 1, step.name, verdict.value, message)
        return result

    def _execute(self, step: PlanStep, rig: Rig | None) -> tuple[Verdict, str, float | str | None]:
        if step.kind is StepKind.WAIT:
            self.sleep(step.seconds)
            return Verdict.PASS, f"waited {step.seconds:g} s", None
        if step.kind is StepKind.PROMPT:
            key = self.prompt(OperatorPrompt(step.name, step.question or "", step.pass_key, step.fail_key))
            verdict, message = judge_prompt(step, key)
            return verdict, message, key
        assert rig is not None  # the loader requires a rig for every other kind
        if step.kind is StepKind.SET:
            assert isinstance(rig, ScpiInstrument)
            assert step.command
            command = f"{step.command} {step.value}" if step.value is not None else step.command
            rig.write(command)
            if step.seconds:
                self.sleep(step.seconds)
            return Verdict.PASS, f"sent {command}" + (f", settled {step.seconds:g} s" if step.seconds else ""), None
        if step.kind is StepKind.MEASURE:
            value = self._measure(step, rig)
            verdict, message = judge_measurement(step, value)
            return verdict, message, value
        found = self._read_line(step, rig)
        if step.kind is StepKind.READ_ID:
            assert step.field is not None
            text = found.first_group.strip()
            verdict, message = judge_identifier(step.field, text) if found.matched else (
                Verdict.FAIL, f"the unit reported {found.line!r}")
            return verdict, message, text
        if not found.matched:
            return Verdict.FAIL, f"the unit reported {found.line!r}", found.line
        return Verdict.PASS, f"saw {found.line!r}", found.line

    def _measure(self, step: PlanStep, rig: Rig) -> float:
        if isinstance(rig, ScpiInstrument):
            assert step.query is not None
            return rig.query_float(step.query, step.timeout)
        found = self._read_line(step, rig)
        reading = parse_reading(found.first_group) if found.matched else None
        if reading is None:
            raise _Outcome(Verdict.FAIL if not found.matched else Verdict.RIG_ERROR,
                           f"{found.line!r} has no number where /{step.pattern}/ expects one — check that the plan "
                           "suits this device's firmware")
        return reading

    def _read_line(self, step: PlanStep, rig: Rig) -> ExpectResult:
        """The answer line a send/expect, read or line measurement looks at."""
        assert step.pattern is not None
        if isinstance(rig, AtDevice):
            assert step.send is not None
            response = rig.command(step.send, step.timeout)
            lines = (*response.lines, response.final)
            if step.fail_pattern:
                bad = next((ln for ln in lines if re.search(step.fail_pattern, ln)), None)
                if bad is not None:
                    return ExpectResult(False, bad, (), ())
            for line in lines:
                match = re.search(step.pattern, line)
                if match:
                    return ExpectResult(True, line, tuple(g or "" for g in match.groups()), ())
            raise _Outcome(Verdict.FAIL, f"the answer to {step.send} ({' | '.join(lines)}) does not match "
                                         f"/{step.pattern}/")
        assert isinstance(rig, LineFixture)
        if step.send is not None:
            return rig.transact(step.send, step.pattern, step.timeout, step.fail_pattern)
        return rig.expect(step.pattern, step.timeout, step.fail_pattern)

