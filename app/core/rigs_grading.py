"""A unit's rig test results in the shape grading reads: functional test name -> pass / fail / not tested.

A plan names the functional tests of a ruleset its result answers (``grading_tests``; a plan naming
none answers a test named after itself). Only a plan that ran to a verdict about the unit counts: a
rig error or a cancelled run says nothing about the unit, so its tests stay "not tested" and can
never pass. When two plans answer the same test, a failure in either fails it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.grading.inputs import Outcome

_OUTCOME = {"pass": Outcome.PASS, "fail": Outcome.FAIL}


@dataclass(frozen=True)
class StepValue:
    """One recorded step of a run: what was measured or read, its limits and verdict."""

    index: int
    name: str
    kind: str
    verdict: str
    message: str
    value: str | None = None  # a measurement as decimal text, or the text read
    unit: str = ""
    low: str | None = None
    high: str | None = None
    cleanup: bool = False

    @property
    def number(self) -> float | None:
        """The measured value as a number (None for a step that measured nothing)."""
        if self.kind != "measure" or self.value is None:
            return None
        try:
            return float(self.value)
        except ValueError:
            return None


@dataclass(frozen=True)
class PlanRunResult:
    """The latest finished run of one plan on the unit."""

    run_id: str
    plan_id: str
    plan_version: int
    verdict: str          # pass, fail, rig error, cancelled
    summary: str
    finished_at: str
    grading_tests: tuple[str, ...]
    steps: tuple[StepValue, ...]

    @property
    def tests(self) -> tuple[str, ...]:
        return self.grading_tests or (self.plan_id,)

    @property
    def outcome(self) -> Outcome:
        return _OUTCOME.get(self.verdict, Outcome.NOT_TESTED)


@dataclass(frozen=True)
class FunctionalTestResults:
    """Every plan's latest finished run on one unit."""

    unit_id: str
    runs: tuple[PlanRunResult, ...]

    def functional(self) -> dict[str, str]:
        """For ``GradingInputs`` (its ``functional`` section): test name -> "pass", "fail" or "not_tested"."""
        out: dict[str, Outcome] = {}
        for run in self.runs:
            for test in run.tests:
                before = out.get(test)
                if before is Outcome.FAIL or (before is Outcome.PASS and run.outcome is Outcome.NOT_TESTED):
                    continue
                out[test] = run.outcome
        return {test: str(outcome) for test, outcome in sorted(out.items())}
