"""A grading ruleset as immutable data: grade scales with their limits, functional codes, R2 REC rows.

A ruleset is written in TOML under ``resources/grading/rulesets/`` (see the README there) and read
by :mod:`app.core.grading.loader`. Its ``id`` and ``version`` go on every grade; a published
version is never edited, a change is a new version, so an old grade can always be recomputed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.core.grading.inputs import DefectKind, Zone


class Measure(enum.StrEnum):
    """How a limit measures a defect: how many there are, or their total length."""

    COUNT = "count"
    LENGTH_MM = "length_mm"


@dataclass(frozen=True)
class Limit:
    """The most of one defect each grade allows, measured in each listed zone separately.

    ``maxima`` holds (grade, most allowed) pairs; a grade not listed has no limit for this defect.
    """

    zones: tuple[Zone, ...]
    defect: DefectKind
    measure: Measure
    maxima: tuple[tuple[str, float], ...]

    def maximum(self, grade: str) -> float | None:
        return dict(self.maxima).get(grade)


@dataclass(frozen=True)
class Requirements:
    """What a grade needs besides its cosmetic limits. ``None`` / ``False`` means no requirement."""

    functional_codes: tuple[str, ...] | None = None
    battery_min_pct: float | None = None
    all_parts_genuine: bool = False
    battery_genuine: bool = False


@dataclass(frozen=True)
class GradeScale:
    """An ordered set of grades, best first, such as CTIA A–D or a marketplace's Premium…Fair.

    When ``floor`` is true the worst grade takes every unit (CTIA D); otherwise a unit that misses
    the worst grade is not eligible for the scale (a marketplace refuses it).
    """

    key: str
    title: str
    grades: tuple[str, ...]
    limits: tuple[Limit, ...]
    requirements: tuple[tuple[str, Requirements], ...]
    floor: bool

    def requirements_for(self, grade: str) -> Requirements:
        return dict(self.requirements).get(grade, Requirements())


@dataclass(frozen=True)
class FunctionalCode:
    """One functional code; the first code (in file order) whose conditions all hold is given."""

    code: str
    title: str
    max_failed: int | None = None
    max_key_failed: int | None = None
    failed_any: tuple[str, ...] = ()

    @property
    def catch_all(self) -> bool:
        return self.max_failed is None and self.max_key_failed is None and not self.failed_any


@dataclass(frozen=True)
class FunctionalRules:
    """Which tests must have a result, which are key functions, and the codes.

    A battery below ``battery_min_pct`` of its design capacity, or not in normal condition, counts
    as the failed test ``battery``.
    """

    tests: tuple[str, ...]
    key_tests: tuple[str, ...]
    battery_min_pct: float | None
    codes: tuple[FunctionalCode, ...]


@dataclass(frozen=True)
class RecRow:
    """One row of the R2 REC cross-reference; the first row whose conditions hold gives the category.

    ``rec`` is ``None`` for a controlled stream (no REC functional equivalent: CTIA 3–9).
    """

    rec: str | None
    functional: tuple[str, ...] | None = None
    cosmetic: tuple[str, ...] | None = None
    all_parts_genuine: bool = False
    missing_part: bool | None = None
    controlled_stream: bool = False


@dataclass(frozen=True)
class Ruleset:
    """One versioned ruleset. ``digest`` is the SHA-256 of its file, recorded with every grade."""

    id: str
    version: int
    title: str
    effective: str
    digest: str
    source: str
    functional: FunctionalRules
    cosmetic: GradeScale
    rec_functional: tuple[RecRow, ...]
    rec_cosmetic: tuple[RecRow, ...]
    channels: tuple[GradeScale, ...]

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def channel(self, key: str) -> GradeScale | None:
        return next((c for c in self.channels if c.key == key), None)
