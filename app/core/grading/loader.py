"""Load grading rulesets from TOML, refusing a bad one with its file, line and reason.

Syntax errors come from :mod:`tomllib` (which knows the line); schema errors (a misspelt key, a
grade that does not exist, a limit stricter for a worse grade, a code list without a catch-all)
are found here and located in the text by :mod:`app.core.grading.toml_lines`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from pathlib import Path

from app.core.errors import OperatorError
from app.core.grading.inputs import LENGTH_DEFECTS, DefectKind, Zone
from app.core.grading.ruleset import (
    FunctionalCode,
    FunctionalRules,
    GradeScale,
    Limit,
    Measure,
    RecRow,
    Requirements,
    Ruleset,
)
from app.core.grading.schema import Fields, SchemaProblem
from app.core.grading.toml_lines import line_of

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class RulesetError(OperatorError):
    """A ruleset or price table that cannot be used, with where and why."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}",
                         hint="Correct that line, or put back the published file; nothing was graded with it")
        self.file = file
        self.line = line
        self.reason = reason


def read_toml(path: Path) -> tuple[dict[str, object], str, str]:
    """Parse ``path``; return the data, its text and the SHA-256 of its bytes. Syntax errors carry the line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesetError(str(path), None, f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise RulesetError(str(path), None, "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        reason = getattr(exc, "msg", None) or re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise RulesetError(str(path), line, f"TOML syntax: {reason}") from None
    return data, text, hashlib.sha256(raw).hexdigest()


def _line_from_message(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None


def schema_error(path: Path, text: str, problem: SchemaProblem) -> RulesetError:
    return RulesetError(str(path), line_of(text, problem.path), str(problem))


def load_ruleset(path: Path) -> Ruleset:
    """Read one ruleset file; raise :class:`RulesetError` with file, line and reason when it is wrong."""
    data, text, digest = read_toml(path)
    try:
        return _read_ruleset(Fields(data), digest, str(path))
    except SchemaProblem as problem:
        raise schema_error(path, text, problem) from None


def load_rulesets(directory: Path) -> tuple[Ruleset, ...]:
    """Every ``*.toml`` ruleset in ``directory``, sorted by id and version; one bad file fails the lot."""
    rulesets = tuple(sorted((load_ruleset(p) for p in sorted(directory.glob("*.toml"))),
                            key=lambda r: (r.id, r.version)))
    seen: dict[str, str] = {}
    for ruleset in rulesets:
        if ruleset.key in seen:
            raise RulesetError(ruleset.source, None, f"{ruleset.key} is also defined in {seen[ruleset.key]}")
        seen[ruleset.key] = ruleset.source
    return rulesets


def latest(rulesets: tuple[Ruleset, ...], ruleset_id: str, version: int | None = None) -> Ruleset:
    """The ruleset ``ruleset_id`` at ``version`` (or its highest version)."""
    matching = [r for r in rulesets if r.id == ruleset_id and (version is None or r.version == version)]
    if not matching:
        known = ", ".join(r.key for r in rulesets) or "none"
        wanted = ruleset_id if version is None else f"{ruleset_id}@{version}"
        raise OperatorError(f"No grading ruleset {wanted}", hint=f"Rulesets installed: {known}")
    return max(matching, key=lambda r: r.version)


def _read_ruleset(top: Fields, digest: str, source: str) -> Ruleset:
    head = top.table("ruleset")
    assert head is not None
    ruleset_id = head.text("id")
    if not _ID.fullmatch(ruleset_id):
        raise SchemaProblem(head.at("id"), "use lower-case letters, digits and '-' only")
    version = int(head.number("version", minimum=1, whole=True))
    title = head.text("title")
    effective = head.raw("effective")
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise SchemaProblem(head.at("effective"), "expected a date such as 2026-11-01")
    head.done()

    functional_fields = top.table("functional")
    assert functional_fields is not None
    functional = _read_functional(functional_fields)
    codes = tuple(c.code for c in functional.codes)

    cosmetic_fields = top.table("cosmetic")
    assert cosmetic_fields is not None
    cosmetic = _read_scale("cosmetic", cosmetic_fields, codes, floor=True)

    r2 = top.table("r2")
    assert r2 is not None
    rec_functional = _read_rec_rows(r2, "functional", codes, cosmetic.grades)
    rec_cosmetic = _read_rec_rows(r2, "cosmetic", codes, cosmetic.grades)
    r2.done()

    channels_fields = top.table("channels", required=False)
    channels: list[GradeScale] = []
    if channels_fields is not None:
        for key in channels_fields.names():
            channel = channels_fields.table(key)
            assert channel is not None
            channels.append(_read_scale(key, channel, codes, floor=False))
        channels_fields.done()
    top.done()
    return Ruleset(id=ruleset_id, version=version, title=title, effective=effective.isoformat(), digest=digest,
                   source=source, functional=functional, cosmetic=cosmetic, rec_functional=rec_functional,
                   rec_cosmetic=rec_cosmetic, channels=tuple(channels))


def _read_functional(fields: Fields) -> FunctionalRules:
    tests = fields.text_list("tests", non_empty=True)
    key_tests = fields.text_list("key_tests", allowed=tests)
    battery_min = fields.optional_number("battery_min_pct", minimum=0, maximum=100)
    known = (*tests, "battery") if battery_min is not None else tests
    codes: list[FunctionalCode] = []
    for entry in fields.tables("code"):
        code = entry.text("code")
        if code in (c.code for c in codes):
            raise SchemaProblem(entry.at("code"), f"code {code!r} is defined twice")
        max_failed = entry.optional_number("max_failed", minimum=0, whole=True)
        max_key = entry.optional_number("max_key_failed", minimum=0, whole=True)
        codes.append(FunctionalCode(code=code, title=entry.text("title"),
                                    max_failed=None if max_failed is None else int(max_failed),
                                    max_key_failed=None if max_key is None else int(max_key),
                                    failed_any=entry.text_list("failed_any", allowed=known, default=())))
        entry.done()
    if not codes or not codes[-1].catch_all:
        raise SchemaProblem(fields.at("code"), "the last code must have no conditions, so every unit gets a code")
    for index, entry_code in enumerate(codes[:-1]):
        if entry_code.catch_all:
            raise SchemaProblem((*fields.at("code"), index), f"code {entry_code.code!r} has no conditions, "
                                "so the codes after it can never be given")
    fields.done()
    return FunctionalRules(tests=tests, key_tests=key_tests, battery_min_pct=battery_min, codes=tuple(codes))


def _read_requirements(fields: Fields, codes: tuple[str, ...]) -> Requirements:
    functional = fields.text_list("functional", allowed=codes, non_empty=True) if fields.has("functional") else None
    requirements = Requirements(
        functional_codes=functional,
        battery_min_pct=fields.optional_number("battery_min_pct", minimum=0, maximum=100),
        all_parts_genuine=fields.flag("all_parts_genuine", False),
        battery_genuine=fields.flag("battery_genuine", False),
    )
    fields.done()
    return requirements


def _merge(base: Requirements, extra: Requirements) -> Requirements:
    minimums = [m for m in (base.battery_min_pct, extra.battery_min_pct) if m is not None]
    codes = extra.functional_codes if extra.functional_codes is not None else base.functional_codes
    return Requirements(functional_codes=codes, battery_min_pct=max(minimums) if minimums else None,
                        all_parts_genuine=base.all_parts_genuine or extra.all_parts_genuine,
                        battery_genuine=base.battery_genuine or extra.battery_genuine)


def _read_scale(key: str, fields: Fields, codes: tuple[str, ...], *, floor: bool) -> GradeScale:
    title = fields.text("title")
    grades = fields.text_list("grades", non_empty=True)
    common_fields = fields.table("require", required=False)
    common = Requirements() if common_fields is None else _read_requirements(common_fields, codes)
    per_grade: dict[str, Requirements] = dict.fromkeys(grades, common)
    by_grade = fields.table("require_by_grade", required=False)
    if by_grade is not None:
        for grade in by_grade.names():
            if grade not in grades:
                raise SchemaProblem(by_grade.at(grade), f"no grade {grade!r} in this scale ({', '.join(grades)})")
            grade_fields = by_grade.table(grade)
            assert grade_fields is not None
            per_grade[grade] = _merge(common, _read_requirements(grade_fields, codes))
        by_grade.done()
    limits = tuple(_read_limit(entry, grades) for entry in fields.tables("limit", required=False))
    fields.done()
    if floor:
        worst = grades[-1]
        if per_grade[worst] != Requirements() or any(limit.maximum(worst) is not None for limit in limits):
            raise SchemaProblem(fields.at("grades"), f"the worst grade {worst!r} must take every unit: "
                                "give it no limits and no requirements")
    return GradeScale(key=key, title=title, grades=grades, limits=limits,
                      requirements=tuple(per_grade.items()), floor=floor)


def _read_limit(entry: Fields, grades: tuple[str, ...]) -> Limit:
    zone_names = [z.value for z in Zone]
    zones = entry.text_list("zones", allowed=zone_names, non_empty=True) if entry.has("zones") else zone_names
    defect = entry.choice("defect", DefectKind)
    measure = entry.choice("measure", Measure, Measure.COUNT)
    if measure is Measure.LENGTH_MM and defect not in LENGTH_DEFECTS:
        raise SchemaProblem(entry.at("measure"), "only scratches are measured by length")
    maxima: list[tuple[str, float]] = []
    for key in entry.names():
        if key in ("zones", "defect", "measure"):
            continue
        if key not in grades:
            raise SchemaProblem(entry.at(key), f"no grade {key!r} in this scale ({', '.join(grades)})")
        maxima.append((key, entry.number(key, minimum=0, whole=measure is Measure.COUNT)))
    if not maxima:
        raise SchemaProblem(entry.at("defect"), "this limit gives no maximum for any grade")
    # A worse grade may never be stricter than a better one, or a unit could fail B and pass A.
    listed = dict(maxima)
    previous: tuple[str, float | None] | None = None
    for grade in grades:
        current = listed.get(grade)
        if previous is not None and current is not None and (previous[1] is None or current < previous[1]):
            allowed = "no limit" if previous[1] is None else f"{previous[1]:g}"
            raise SchemaProblem(entry.at(grade), f"limit {current:g} for {grade} is stricter than {previous[0]}'s "
                                f"{allowed}; a worse grade must allow at least as much")
        previous = (grade, current)
    entry.done()
    return Limit(zones=tuple(Zone(z) for z in zones), defect=defect, measure=measure,
                 maxima=tuple(sorted(maxima, key=lambda m: grades.index(m[0]))))


def _read_rec_rows(r2: Fields, key: str, codes: tuple[str, ...], grades: tuple[str, ...]) -> tuple[RecRow, ...]:
    rows: list[RecRow] = []
    for entry in r2.tables(key):
        controlled = entry.flag("controlled_stream", False)
        rec = entry.optional_text("rec")
        if rec is None and not controlled:
            raise SchemaProblem(entry.at("rec"), "is missing (or set controlled_stream = true)")
        missing = entry.raw("missing_part", required=False)
        if missing is not None and not isinstance(missing, bool):
            raise SchemaProblem(entry.at("missing_part"), "expected true or false")
        rows.append(RecRow(
            rec=rec,
            functional=entry.text_list("functional", allowed=codes) if entry.has("functional") else None,
            cosmetic=entry.text_list("cosmetic", allowed=grades) if entry.has("cosmetic") else None,
            all_parts_genuine=entry.flag("all_parts_genuine", False),
            missing_part=missing,
            controlled_stream=controlled))
        entry.done()
    last = rows[-1] if rows else None
    if last is None or last.functional is not None or last.cosmetic is not None or last.all_parts_genuine \
            or last.missing_part is not None:
        raise SchemaProblem(r2.at(key), "the last row must have no conditions, so every unit gets a category")
    return tuple(rows)
