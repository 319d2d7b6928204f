"""Phones on the bench, without I/O: a bay's states, the phone test plan and how its steps are judged.

A phone's bay moves through :class:`BayState` only by :func:`move`, which logs each step. The test plan
(``resources/testplans/phone-*.toml``) names the automatic checks the phone runs on itself and the
guided steps a technician judges at the bench, answered with one key each (P pass, F fail, S skip).
A check the phone could not run, or answered with something unreadable, is "could not check" — it
never counts as a pass.
"""

from __future__ import annotations

import enum
import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import IllegalTransition, OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger("app.phones")


class BayState(enum.StrEnum):
    """What a phone bay is doing; the Phones tab shows one line per bay in one of these."""

    ATTACHED = "attached"  # the adb server has it; not read yet
    NOT_READY = "not_ready"  # offline, or waiting for "Allow USB debugging" / "Trust This Computer?" on the phone
    IDENTIFYING = "identifying"
    ON_HOLD = "on_hold"  # a blocker (FRP, MDM, carrier lock, root) holds the unit
    READY = "ready"  # identified, nothing holds it
    CHECKING = "checking"  # automatic checks running
    GUIDED = "guided"  # waiting for the technician's answer to a guided step
    TESTED = "tested"  # every step of the plan has a result
    RESETTING = "resetting"
    SANITISED = "sanitised"
    UNPLUGGED = "unplugged"
    ERROR = "error"  # hung or unreadable: re-check or re-plug


S = BayState
_NEXT: dict[BayState, frozenset[BayState]] = {
    S.ATTACHED: frozenset({S.NOT_READY, S.IDENTIFYING, S.UNPLUGGED}),
    S.NOT_READY: frozenset({S.IDENTIFYING, S.UNPLUGGED, S.ERROR}),  # error: pairing an iPhone hung or failed
    S.IDENTIFYING: frozenset({S.ON_HOLD, S.READY, S.ERROR, S.UNPLUGGED, S.NOT_READY}),
    S.ON_HOLD: frozenset({S.IDENTIFYING, S.UNPLUGGED}),
    S.READY: frozenset({S.CHECKING, S.GUIDED, S.TESTED, S.RESETTING, S.IDENTIFYING, S.UNPLUGGED}),
    S.CHECKING: frozenset({S.GUIDED, S.TESTED, S.ERROR, S.UNPLUGGED}),
    S.GUIDED: frozenset({S.TESTED, S.UNPLUGGED, S.IDENTIFYING}),
    S.TESTED: frozenset({S.CHECKING, S.RESETTING, S.IDENTIFYING, S.UNPLUGGED}),
    # A phone that is resetting drops off the bus on purpose: that is not an unplug.
    S.RESETTING: frozenset({S.SANITISED, S.ON_HOLD, S.ERROR}),
    S.SANITISED: frozenset({S.IDENTIFYING, S.CHECKING, S.UNPLUGGED}),
    S.UNPLUGGED: frozenset({S.ATTACHED}),
    S.ERROR: frozenset({S.IDENTIFYING, S.CHECKING, S.UNPLUGGED, S.NOT_READY}),
}
BUSY_STATES = frozenset({S.IDENTIFYING, S.CHECKING, S.RESETTING})


def can_move(current: BayState, target: BayState) -> bool:
    return target in _NEXT[current]


def move(bay: str, current: BayState, target: BayState, why: str = "") -> BayState:
    """The one place a phone bay changes state: checked against the allowed steps and logged."""
    if target not in _NEXT[current]:
        raise IllegalTransition(
            QT_TRANSLATE_NOOP("OperatorError", "Phone bay {bay} cannot go from {current} to {target}"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "Wait for what it is doing to finish"),
            values={"bay": bay, "current": current, "target": target},
        )
    log.info("phones, %s: %s -> %s%s", bay, current, target, f" ({why})" if why else "")
    return target


# --- the plan ----------------------------------------------------------------------------------------------

class StepOutcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"  # the technician chose not to judge it (no headphones at this bench…)
    UNKNOWN = "could_not_check"  # the phone gave no answer that can be judged: never a pass


class PlanVerdict(enum.StrEnum):
    PASSED = "passed"  # every step passed
    FAILED = "failed"  # at least one step failed
    INCOMPLETE = "incomplete"  # nothing failed, but a step was skipped or could not be checked


ANSWER_KEYS: dict[str, StepOutcome] = {"p": StepOutcome.PASS, "f": StepOutcome.FAIL, "s": StepOutcome.SKIPPED}
DRIVER_OUTCOMES = {"pass": StepOutcome.PASS, "fail": StepOutcome.FAIL, "unknown": StepOutcome.UNKNOWN}
AUTOMATIC_CHECKS = ("sensors", "cameras", "wifi", "bluetooth", "storage", "charging")


@dataclass(frozen=True)
class GuidedStep:
    id: str
    name: str
    instruction: str


@dataclass(frozen=True)
class PhonePlan:
    id: str
    name: str
    version: int
    automatic: tuple[str, ...]
    guided: tuple[GuidedStep, ...]

    @property
    def step_ids(self) -> tuple[str, ...]:
        return (*self.automatic, *(g.id for g in self.guided))

    def guided_step(self, step_id: str) -> GuidedStep | None:
        return next((g for g in self.guided if g.id == step_id), None)

    def remaining_automatic(self, done: Mapping[str, StepOutcome]) -> tuple[str, ...]:
        return tuple(name for name in self.automatic if name not in done)

    def next_guided(self, done: Mapping[str, StepOutcome]) -> GuidedStep | None:
        return next((g for g in self.guided if g.id not in done), None)

    def complete(self, done: Mapping[str, StepOutcome]) -> bool:
        return all(step in done for step in self.step_ids)

    def verdict(self, done: Mapping[str, StepOutcome]) -> PlanVerdict:
        outcomes = [done[s] for s in self.step_ids if s in done]
        if StepOutcome.FAIL in outcomes:
            return PlanVerdict.FAILED
        if len(outcomes) < len(self.step_ids) or any(o is not StepOutcome.PASS for o in outcomes):
            return PlanVerdict.INCOMPLETE
        return PlanVerdict.PASSED


def answer_for_key(text: str) -> StepOutcome | None:
    """The outcome a key press means on a guided step (P, F or S, either case); None for any other key."""
    return ANSWER_KEYS.get(text.strip().lower()) if len(text.strip()) == 1 else None


class PhonePlanError(OperatorError):
    """A phone plan file that cannot be used; the message names the file and what is wrong."""


def parse_phone_plan(text: str, source: str = "<plan>") -> PhonePlan:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PhonePlanError(f"{source}: not valid TOML ({exc})", hint="Fix the file or restore it") from None
    try:
        return _parse(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise PhonePlanError(f"{source}: {exc}", hint="Fix the plan file; see resources/testplans/") from None


def _parse(document: Mapping[str, Any]) -> PhonePlan:
    head = document.get("plan")
    if not isinstance(head, Mapping):
        raise ValueError("missing the [plan] table")
    plan_id, name, version = head.get("id"), head.get("name"), head.get("version")
    if not isinstance(plan_id, str) or not isinstance(name, str) or not isinstance(version, int):
        raise ValueError("[plan] needs id and name (text) and version (a number)")
    automatic = head.get("automatic", [])
    if not isinstance(automatic, list) or any(a not in AUTOMATIC_CHECKS for a in automatic):
        raise ValueError(f"[plan] automatic must list checks among {', '.join(AUTOMATIC_CHECKS)}")
    guided: list[GuidedStep] = []
    for index, table in enumerate(document.get("guided", [])):
        values = [table.get(k) if isinstance(table, Mapping) else None for k in ("id", "name", "instruction")]
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise ValueError(f"guided step #{index + 1} needs id, name and instruction")
        guided.append(GuidedStep(*(str(v).strip() for v in values)))
    ids = [*automatic, *(g.id for g in guided)]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"step id {duplicated[0]!r} is used twice")
    if not ids:
        raise ValueError("the plan has no steps")
    return PhonePlan(plan_id, name, version, tuple(automatic), tuple(guided))


def load_phone_plan(path: Path) -> PhonePlan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PhonePlanError(f"Cannot read the phone plan {path}: {exc.strerror}",
                             hint="Reinstall the application's resources") from exc
    return parse_phone_plan(text, str(path))


# --- blockers ------------------------------------------------------------------------------------------------

HOLD_PREFIX = "phone blocker: "  # a hold this prefix starts was put by a blocker check, so a re-check may lift it
BLOCKER_NAMES = {"frp": "Google FRP", "mdm": "device management", "carrier_lock": "carrier lock",
                 "root": "root", "activation_lock": "Activation Lock", "jailbreak": "jailbreak"}
# The phone drivers share one set of blocker slots; on an iPhone the account lock is Activation Lock and
# root is a jailbreak, and records and messages name them so (grading reads "activation_lock").
_PLATFORM_KINDS = {"ios": {"frp": "activation_lock", "root": "jailbreak"}}


def blocker_kind(platform: str, kind: str) -> str:
    """The name a blocker slot has on this platform: ``blocker_kind("ios", "frp")`` is ``activation_lock``."""
    return _PLATFORM_KINDS.get(platform, {}).get(kind, kind)


def hold_reason(holds: Iterable[tuple[str, str]]) -> str:
    """The on_hold reason for blockers found present: ``(kind, evidence)`` pairs."""
    parts = [f"{BLOCKER_NAMES.get(kind, kind)} ({evidence})" for kind, evidence in holds]
    return HOLD_PREFIX + "; ".join(parts)


def is_blocker_hold(reason: str) -> bool:
    return reason.startswith(HOLD_PREFIX)
