"""Compute a grade from inputs and a ruleset, with the reasons in plain words.

:func:`evaluate` is pure and deterministic: the same inputs and the same ruleset file (checked by
its digest) always give the same :class:`GradeResult`, which carries both, so a stored grade can be
recomputed by :func:`reevaluate` years later and a new ruleset version never rewrites an old grade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import OperatorError
from app.core.grading.inputs import (
    BatteryCondition,
    Chemistry,
    Cosmetic,
    DefectKind,
    GradingInputs,
    Outcome,
    Zone,
    for_record,
    from_record,
)
from app.core.grading.ruleset import GradeScale, Limit, Measure, RecRow, Ruleset


class IncompleteInputs(OperatorError):
    """A grade (or route) was asked for before everything it depends on was known."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__("Cannot grade yet: missing " + "; ".join(missing),
                         hint="Complete the inspection and the tests, then grade again")
        self.missing = tuple(missing)


@dataclass(frozen=True)
class ScaleGrade:
    """The grade on one scale (``None``: not eligible for it) and why."""

    scale: str
    title: str
    grade: str | None
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"scale": self.scale, "title": self.title, "grade": self.grade, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class FunctionalGrade:
    code: str
    title: str
    failed: tuple[str, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "failed": list(self.failed), "reasons": list(self.reasons)}


@dataclass(frozen=True)
class RecCategory:
    """R2 Equipment Categorization: functional F-code (``None`` in a controlled stream) and cosmetic C-code."""

    functional: str | None
    cosmetic: str | None
    controlled_stream: bool

    @property
    def text(self) -> str:
        parts = [p for p in (self.functional, self.cosmetic) if p]
        return "-".join(parts) + (" (controlled stream)" if self.controlled_stream else "")

    def to_dict(self) -> dict[str, Any]:
        return {"functional": self.functional, "cosmetic": self.cosmetic, "controlled_stream": self.controlled_stream}


@dataclass(frozen=True)
class GradeResult:
    """A complete grade: every dimension, the ruleset it came from and the inputs it was computed on."""

    ruleset_id: str
    ruleset_version: int
    ruleset_digest: str
    inputs: GradingInputs
    functional: FunctionalGrade
    cosmetic: ScaleGrade
    rec: RecCategory
    channels: tuple[ScaleGrade, ...]

    def channel(self, key: str) -> ScaleGrade | None:
        return next((c for c in self.channels if c.scale == key), None)

    @property
    def summary(self) -> str:
        """One line for a label or a list: ``B / 0 · R2 F5-C5``."""
        return f"{self.cosmetic.grade} / {self.functional.code} · R2 {self.rec.text}"

    def to_dict(self) -> dict[str, Any]:
        """The body of a grade event: enough to recompute it (:func:`reevaluate`) and to show why."""
        return {
            "ruleset": {"id": self.ruleset_id, "version": self.ruleset_version, "digest": self.ruleset_digest},
            "inputs": for_record(self.inputs.to_dict()),
            "functional": self.functional.to_dict(),
            "cosmetic": self.cosmetic.to_dict(),
            "r2": self.rec.to_dict(),
            "channels": [c.to_dict() for c in self.channels],
        }


def missing_inputs(inputs: GradingInputs, ruleset: Ruleset) -> tuple[str, ...]:
    """What still has to be entered before :func:`evaluate` can give a grade, in plain words."""
    missing: list[str] = []
    if inputs.cosmetic is None:
        missing.append("the cosmetic inspection")
    else:
        inspected = inputs.cosmetic.inspected
        missing.extend(f"the cosmetic inspection {zone.words}" for zone in Zone if zone not in inspected)
        missing.extend(_missing_lengths(inputs.cosmetic, ruleset))
    if inputs.functional is None:
        missing.append("the functional test results")
    else:
        missing.extend(f"the {test} test result" for test in ruleset.functional.tests
                       if inputs.outcome(test) in (None, Outcome.NOT_TESTED))
        # A check the ruleset does not name but a test plan ran and could not finish: never a silent pass.
        missing.extend(f"the {name} test result" for name, outcome in inputs.functional
                       if outcome is Outcome.NOT_TESTED and name not in ruleset.functional.tests)
    if inputs.battery is None:
        missing.append("the battery details")
    elif inputs.battery.chemistry is not Chemistry.NONE and inputs.battery.health_pct is None:
        missing.append("the battery health")
    if inputs.all_parts_genuine is None:
        missing.append("whether all parts are genuine")
    return tuple(missing)


def _missing_lengths(cosmetic: Cosmetic, ruleset: Ruleset) -> list[str]:
    needed: set[tuple[Zone, DefectKind]] = set()
    for scale in (ruleset.cosmetic, *ruleset.channels):
        for limit in scale.limits:
            if limit.measure is Measure.LENGTH_MM:
                needed.update((zone, limit.defect) for zone in limit.zones)
    return [f"the total length of the {d.kind.words(2)} {d.zone.words}" for d in cosmetic.defects
            if (d.zone, d.kind) in needed and d.length_mm is None]


def evaluate(inputs: GradingInputs, ruleset: Ruleset) -> GradeResult:
    """Grade ``inputs`` under ``ruleset``; raise :class:`IncompleteInputs` if anything is missing."""
    missing = missing_inputs(inputs, ruleset)
    if missing:
        raise IncompleteInputs(missing)
    functional = _functional(inputs, ruleset)
    cosmetic = _scale(ruleset.cosmetic, inputs, functional)
    by_function = _rec_row(ruleset.rec_functional, inputs, functional.code, cosmetic.grade)
    by_looks = _rec_row(ruleset.rec_cosmetic, inputs, functional.code, cosmetic.grade)
    rec = RecCategory(functional=by_function.rec, cosmetic=by_looks.rec,
                      controlled_stream=by_function.controlled_stream)
    channels = tuple(_scale(scale, inputs, functional) for scale in ruleset.channels)
    return GradeResult(ruleset_id=ruleset.id, ruleset_version=ruleset.version, ruleset_digest=ruleset.digest,
                       inputs=inputs, functional=functional, cosmetic=cosmetic, rec=rec, channels=channels)


def reevaluate(recorded: Mapping[str, Any], rulesets: Sequence[Ruleset]) -> GradeResult:
    """Recompute a grade from its recorded body (:meth:`GradeResult.to_dict`) with the ruleset it names."""
    wanted = recorded["ruleset"]
    ruleset = next((r for r in rulesets if r.id == wanted["id"] and r.version == wanted["version"]), None)
    if ruleset is None:
        raise OperatorError(f"Ruleset {wanted['id']}@{wanted['version']} is not installed",
                            hint="Install the ruleset version the grade was given with")
    if ruleset.digest != wanted["digest"]:
        raise OperatorError(f"Ruleset {ruleset.key} was edited after this grade was given ({ruleset.source})",
                            hint="Put back the published file; changes to rules need a new version number")
    return evaluate(GradingInputs.from_dict(from_record(recorded["inputs"])), ruleset)


def _battery_problem(inputs: GradingInputs, ruleset: Ruleset) -> str | None:
    battery = inputs.battery
    if battery is None or battery.chemistry is Chemistry.NONE:
        return None
    if battery.condition is not BatteryCondition.NORMAL:
        return f"battery {battery.condition.value}"
    if battery.fault is not None:
        return f"battery reported {battery.fault.words}"
    minimum = ruleset.functional.battery_min_pct
    if minimum is not None and battery.health_pct is not None and battery.health_pct < minimum:
        return f"battery health {battery.health_pct:g} %, below {minimum:g} %"
    return None


def _functional(inputs: GradingInputs, ruleset: Ruleset) -> FunctionalGrade:
    rules = ruleset.functional
    failed = [name for name, outcome in inputs.functional or () if outcome is Outcome.FAIL]
    battery = _battery_problem(inputs, ruleset)
    if battery and "battery" not in failed:
        failed.append("battery")
    failed.sort()
    key_failed = [t for t in failed if t in rules.key_tests]
    for code in rules.codes:
        if code.max_failed is not None and len(failed) > code.max_failed:
            continue
        if code.max_key_failed is not None and len(key_failed) > code.max_key_failed:
            continue
        if code.failed_any and not any(t in failed for t in code.failed_any):
            continue
        break
    if failed:
        reasons = [f"{code.code}: {code.title}; failed: {', '.join(failed)}"]
        if key_failed:
            reasons.append(f"{code.code}: key function failed: {', '.join(key_failed)}")
    else:
        reasons = [f"{code.code}: {code.title}; all {len(rules.tests)} tests passed"]
    if battery:
        reasons.append(f"{code.code}: {battery}")
    return FunctionalGrade(code=code.code, title=code.title, failed=tuple(failed), reasons=tuple(reasons))


def _measured(cosmetic: Cosmetic, zone: Zone, limit: Limit) -> float:
    found = cosmetic.in_zone(zone, limit.defect)
    if limit.measure is Measure.LENGTH_MM:
        return sum(d.length_mm or 0.0 for d in found)
    return float(sum(d.count for d in found))


def _limit_failures(limit: Limit, cosmetic: Cosmetic, grade: str) -> list[str]:
    maximum = limit.maximum(grade)
    if maximum is None:
        return []
    failures = []
    for zone in limit.zones:
        value = _measured(cosmetic, zone, limit)
        if value <= maximum:
            continue
        if limit.measure is Measure.LENGTH_MM:
            failures.append(f"{limit.defect.words(2)} {zone.words} {value:g} mm long in total, "
                            f"limit for {grade} is {maximum:g} mm")
        else:
            failures.append(f"{value:g} {limit.defect.words(value)} {zone.words}, limit for {grade} is {maximum:g}")
    return failures


def _grade_failures(scale: GradeScale, grade: str, inputs: GradingInputs, functional: FunctionalGrade) -> list[str]:
    assert inputs.cosmetic is not None
    failures = [f for limit in scale.limits for f in _limit_failures(limit, inputs.cosmetic, grade)]
    needs = scale.requirements_for(grade)
    if needs.functional_codes is not None and functional.code not in needs.functional_codes:
        failures.append(f"functional code {functional.code} ({functional.title}), "
                        f"{grade} needs {' or '.join(needs.functional_codes)}")
    battery = inputs.battery
    has_battery = battery is not None and battery.chemistry is not Chemistry.NONE
    if needs.battery_min_pct is not None and has_battery and battery is not None and battery.health_pct is not None \
            and battery.health_pct < needs.battery_min_pct:
        failures.append(f"battery health {battery.health_pct:g} %, {grade} needs at least {needs.battery_min_pct:g} %")
    if needs.all_parts_genuine and not inputs.all_parts_genuine:
        failures.append(f"non-genuine parts fitted, {grade} needs all parts genuine")
    if needs.battery_genuine and has_battery and battery is not None and not battery.genuine:
        failures.append(f"non-genuine battery, {grade} needs a genuine battery")
    return failures


def _scale(scale: GradeScale, inputs: GradingInputs, functional: FunctionalGrade) -> ScaleGrade:
    previous: list[str] = []
    for index, grade in enumerate(scale.grades):
        failures = _grade_failures(scale, grade, inputs, functional)
        if not failures:
            if index == 0:
                reasons: tuple[str, ...] = (f"{grade}: within every limit for {grade}",)
            else:
                reasons = tuple(f"{grade}: {failure}" for failure in previous)
            return ScaleGrade(scale.key, scale.title, grade, reasons)
        previous = failures
    return ScaleGrade(scale.key, scale.title, None, tuple(f"not eligible: {failure}" for failure in previous))


def _rec_row(rows: tuple[RecRow, ...], inputs: GradingInputs, code: str, grade: str | None) -> RecRow:
    assert inputs.cosmetic is not None
    for row in rows:
        if row.functional is not None and code not in row.functional:
            continue
        if row.cosmetic is not None and grade not in row.cosmetic:
            continue
        if row.all_parts_genuine and not inputs.all_parts_genuine:
            continue
        if row.missing_part is not None and inputs.cosmetic.has(DefectKind.MISSING_PART) != row.missing_part:
            continue
        return row
    raise AssertionError("the loader guarantees a last row without conditions")

