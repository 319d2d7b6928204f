"""Declarative test plans for serial rigs: the data model and the pure judgement of each step.

Where things live, and why: the plan model, the loader (``app.core.testplans_loader``) and the pure
judgement of a step's outcome (is this value within limits, is this IMEI valid, which key was
pressed) are in ``app.core``, free of I/O and of drivers, so they are tested without hardware and
shared by the GUI, the CLI and grading. Executing a plan against rig objects is
``app.services.rig_plans``, which may import both ``app.core`` and ``drivers.rig``. The opposite
choice — plan types defined in ``drivers`` — would force a second, mirrored set of types because
``app.core`` may not import ``drivers``; one set of types in one place is simpler.

A plan file is TOML (see ``resources/testplans/``): a ``[plan]`` table (id, name, version,
device_classes, optionally the grading tests it answers), ``[rigs.ROLE]`` tables (protocol ``scpi``
/ ``at`` / ``line``, optional ``hello`` and ``baudrate``), then ``[[steps]]`` in order and optional
``[[cleanup]]`` steps that always run (switch outputs off).
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass

from app.core.identifiers import is_valid_imei

PROTOCOLS = ("scpi", "at", "line")
UNITS = {"V": "V", "A": "A", "W": "W", "Ω": "Ω", "ohm": "Ω", "dBm": "dBm", "%": "%", "s": "s", "": ""}
IDENTIFIER_FIELDS = ("imei", "mac", "firmware", "serial", "iccid")
_MAC = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")


class StepKind(enum.StrEnum):
    SET = "set"
    WAIT = "wait"
    MEASURE = "measure"
    EXPECT = "expect"
    READ_ID = "read_id"
    PROMPT = "prompt"


class Verdict(enum.StrEnum):
    """A step's outcome. Only PASS is a pass; RIG_ERROR means the rig, not the unit, let us down."""

    PASS = "pass"
    FAIL = "fail"
    RIG_ERROR = "rig error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class RigSpec:
    """A rig a plan needs, by role (``load``, ``dmm``, ``modem``, ``console``)."""

    role: str
    protocol: str
    hello: str | None = None
    baudrate: int = 115200


@dataclass(frozen=True)
class Limits:
    """Inclusive bounds in ``unit``; a missing bound is unchecked, but at least one is set."""

    low: float | None
    high: float | None
    unit: str

    def contains(self, value: float) -> bool:
        if math.isnan(value):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        u = f" {self.unit}" if self.unit else ""
        if self.low is not None and self.high is not None:
            return f"{self.low:g}–{self.high:g}{u}"
        return f"≥ {self.low:g}{u}" if self.low is not None else f"≤ {self.high:g}{u}"


@dataclass(frozen=True)
class PlanStep:
    """One step; which fields matter depends on ``kind`` (see the module docstring and the plans)."""

    index: int
    kind: StepKind
    name: str
    line: int
    rig: str | None = None
    command: str | None = None
    value: str | None = None
    seconds: float = 0.0
    query: str | None = None
    send: str | None = None
    pattern: str | None = None
    fail_pattern: str | None = None
    timeout: float = 5.0
    limits: Limits | None = None
    field: str | None = None
    question: str | None = None
    pass_key: str = "y"
    fail_key: str = "n"


@dataclass(frozen=True)
class TestPlan:
    plan_id: str
    name: str
    version: int
    device_classes: tuple[str, ...]
    rigs: tuple[RigSpec, ...]
    steps: tuple[PlanStep, ...]
    cleanup: tuple[PlanStep, ...]
    stop_on_fail: bool
    source: str
    # The functional tests of a grading ruleset this plan's result answers ("charging", "cellular").
    grading_tests: tuple[str, ...] = ()

    def rig(self, role: str) -> RigSpec:
        return next(r for r in self.rigs if r.role == role)

    def programmed_wait(self) -> float:
        """Seconds the plan waits on purpose (waits and settle times): the floor of its run time."""
        return sum(s.seconds for s in (*self.steps, *self.cleanup))


@dataclass(frozen=True)
class StepResult:
    """What one step did. ``value`` is the measured number or the text read; ``wire_log`` is the
    excerpt of the rig's wire log for this step (what went over the cable)."""

    index: int
    name: str
    kind: StepKind
    verdict: Verdict
    message: str
    value: float | str | None = None
    unit: str = ""
    limits: Limits | None = None
    field: str | None = None
    wire_log: str = ""
    seconds: float = 0.0
    cleanup: bool = False


@dataclass(frozen=True)
class PlanResult:
    plan_id: str
    plan_version: int
    results: tuple[StepResult, ...]
    identifiers: tuple[tuple[str, str], ...]

    @property
    def verdict(self) -> Verdict:
        """PASS only when every step passed; else the first step's verdict that was not a pass."""
        main = [r for r in self.results if not r.cleanup]
        for result in main:
            if result.verdict is not Verdict.PASS:
                return Verdict.FAIL if result.verdict is Verdict.SKIPPED else result.verdict
        return Verdict.PASS if main else Verdict.FAIL

    def first_problem(self) -> StepResult | None:
        return next((r for r in self.results if r.verdict not in (Verdict.PASS, Verdict.SKIPPED)), None)


# -- judging outcomes (pure) -------------------------------------------------------------------


def judge_measurement(step: PlanStep, value: float) -> tuple[Verdict, str]:
    assert step.limits is not None
    shown = f"{value:.4g} {step.limits.unit}".rstrip()
    if step.limits.contains(value):
        return Verdict.PASS, f"{shown} within {step.limits.describe()}"
    return Verdict.FAIL, f"{shown} outside {step.limits.describe()}"


def parse_reading(text: str) -> float | None:
    """A number read from a line (``21``, ``-7.5E+00``); None when it is not one."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return None if math.isnan(value) or math.isinf(value) else value


def judge_identifier(field: str, text: str) -> tuple[Verdict, str]:
    value = text.strip()
    if field == "imei":
        if is_valid_imei(value):
            return Verdict.PASS, f"IMEI {value}"
        return Verdict.FAIL, f"IMEI {value!r} is not 15 digits with a valid check digit (Luhn)"
    if field == "mac":
        if _MAC.match(value.upper()) and value.upper() not in ("00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF"):
            return Verdict.PASS, f"MAC {value.upper()}"
        return Verdict.FAIL, f"MAC {value!r} is not a usable hardware address"
    if not value:
        return Verdict.FAIL, f"the {field} read was empty"
    return Verdict.PASS, f"{field} {value}"


def judge_prompt(step: PlanStep, key: str) -> tuple[Verdict, str]:
    pressed = key.strip().lower()
    if pressed == step.pass_key:
        return Verdict.PASS, f"operator answered {pressed!r}: pass"
    if pressed == step.fail_key:
        return Verdict.FAIL, f"operator answered {pressed!r}: fail"
    return Verdict.FAIL, f"operator answered {pressed!r}, which is neither {step.pass_key!r} nor {step.fail_key!r}"
