"""Loading test plan files: TOML in, a checked ``TestPlan`` out, or the file's path, line and reason.

A bad file is refused whole (no step of it runs): unknown keys, a step kind that does not suit its
rig's protocol, a regular expression that does not compile, a measurement without limits. tomllib
reports no positions for valid TOML, so ``line_of`` finds the line of a key by walking the tables.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from app.core.errors import NotFound, OperatorError
from app.core.testplans import (
    IDENTIFIER_FIELDS,
    PROTOCOLS,
    UNITS,
    Limits,
    PlanStep,
    RigSpec,
    StepKind,
    TestPlan,
)

_PLAN_KEYS = {"id", "name", "version", "device_classes", "stop_on_fail", "grading_tests"}
_COMMON = {"kind", "name"}
_KEYS: dict[StepKind, tuple[set[str], set[str]]] = {  # required, optional
    StepKind.SET: ({"rig", "command"}, {"value", "settle"}),
    StepKind.WAIT: ({"seconds"}, set()),
    StepKind.MEASURE: ({"rig", "unit"}, {"query", "send", "pattern", "min", "max", "timeout"}),
    StepKind.EXPECT: ({"rig", "pattern"}, {"send", "fail_pattern", "timeout"}),
    StepKind.READ_ID: ({"rig", "field", "pattern"}, {"send", "timeout"}),
    StepKind.PROMPT: ({"question"}, {"pass_key", "fail_key"}),
}


class PlanFileError(OperatorError):
    """A plan file that cannot be used; ``path`` and ``line`` point at the problem."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}", hint="correct the test plan file; no step of it was run")
        self.path = path
        self.line = line
        self.reason = reason



class _Bad(Exception):
    """A schema problem at ``path`` (keys and array indexes into the TOML document)."""

    def __init__(self, path: tuple[str | int, ...], reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")


def line_of(text: str, path: tuple[str | int, ...]) -> int:
    """The 1-based line of the key at ``path`` (tomllib reports no positions for valid TOML).

    Walks the table headers: ``("steps", 2, "min")`` is the ``min`` key under the third
    ``[[steps]]``; ``("rigs", "load", "protocol")`` is under ``[rigs.load]``. Falls back to the
    table's header line, then to line 1.
    """
    lines = text.splitlines()
    sections: list[tuple[str, int]] = [("", 0)]  # (table name + occurrence index for arrays, line index)
    counts: dict[str, int] = {}
    for number, line in enumerate(lines):
        match = _HEADER.match(line)
        if match:
            name = match.group(2).replace('"', "").replace(" ", "")
            if match.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                name = f"{name}#{counts[name]}"
            sections.append((name, number))
    keys = [str(p) if isinstance(p, str) else f"#{p}" for p in path]
    for cut in range(len(keys) - 1, -1, -1):
        table = ".".join(keys[:cut]).replace(".#", "#")
        key = keys[cut] if cut < len(keys) else ""
        for position, (name, start) in enumerate(sections):
            if name != table:
                continue
            end = sections[position + 1][1] if position + 1 < len(sections) else len(lines)
            for number in range(start, end):
                if re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", lines[number]):
                    return number + 1
            if cut > 0:
                return start + 1
    return 1


def _text(table: Mapping[str, Any], key: str, path: tuple[str | int, ...], required: bool = True) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise _Bad(path, f"missing {key!r}")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Bad((*path, key), f"{key!r} must be a non-empty string")
    return value


def _number(table: Mapping[str, Any], key: str, path: tuple[str | int, ...], default: float | None = None,
            low: float = 0.0, high: float = 3600.0) -> float | None:
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad((*path, key), f"{key!r} must be a number")
    if not low <= value <= high:
        raise _Bad((*path, key), f"{key!r} must be between {low:g} and {high:g}, not {value}")
    return float(value)


def _regex(table: Mapping[str, Any], key: str, path: tuple[str | int, ...], required: bool,
           groups: int | None = None) -> str | None:
    pattern = _text(table, key, path, required)
    if pattern is None:
        return None
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise _Bad((*path, key), f"{key!r} is not a valid regular expression: {exc}") from None
    if groups is not None and compiled.groups < groups:
        raise _Bad((*path, key), f"{key!r} needs a (group) around the part to read")
    return pattern


def _parse_rigs(document: Mapping[str, Any]) -> tuple[RigSpec, ...]:
    rigs = document.get("rigs")
    if not isinstance(rigs, dict) or not rigs:
        raise _Bad(("rigs",), "a plan needs a [rigs.ROLE] table for each rig it uses")
    specs = []
    for role, table in rigs.items():
        path: tuple[str | int, ...] = ("rigs", role)
        if not isinstance(table, dict):
            raise _Bad(path, f"rig {role!r} must be a table with a protocol")
        unknown = set(table) - {"protocol", "hello", "baudrate"}
        if unknown:
            raise _Bad((*path, sorted(unknown)[0]), f"unknown key {sorted(unknown)[0]!r} for a rig")
        protocol = _text(table, "protocol", path)
        if protocol not in PROTOCOLS:
            raise _Bad((*path, "protocol"), f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
        baud = _number(table, "baudrate", path, 115200, 300, 4_000_000)
        specs.append(RigSpec(role, protocol, _regex(table, "hello", path, False), int(baud or 115200)))
    return tuple(specs)


def _parse_step(table: Any, index: int, array: str, rigs: Mapping[str, RigSpec], text: str) -> PlanStep:
    path: tuple[str | int, ...] = (array, index)
    if not isinstance(table, dict):
        raise _Bad(path, "a step must be a table")
    kind_text = _text(table, "kind", path) or ""
    try:
        kind = StepKind(kind_text)
    except ValueError:
        raise _Bad((*path, "kind"), f"unknown step kind {kind_text!r} (one of {', '.join(StepKind)})") from None
    required, optional = _KEYS[kind]
    unknown = sorted(set(table) - required - optional - _COMMON)
    if unknown:
        raise _Bad((*path, unknown[0]), f"unknown key {unknown[0]!r} for a {kind} step")
    missing = sorted(required - set(table))
    if missing:
        raise _Bad((*path, "kind"), f"a {kind} step needs {missing[0]!r}")
    name = _text(table, "name", path) or ""
    fields: dict[str, Any] = {"index": index, "kind": kind, "name": name, "line": line_of(text, (*path, "kind"))}
    rig = _text(table, "rig", path, required=False)
    if rig is not None and rig not in rigs:
        raise _Bad((*path, "rig"), f"rig {rig!r} is not declared under [rigs]")
    protocol = rigs[rig].protocol if rig else None
    fields["rig"] = rig
    if kind is StepKind.SET:
        if protocol != "scpi":
            raise _Bad((*path, "rig"), "a set step drives a SCPI instrument")
        fields["command"] = _text(table, "command", path)
        value = table.get("value")
        if isinstance(value, bool):
            value = "ON" if value else "OFF"
        fields["value"] = None if value is None else str(value)
        fields["seconds"] = _number(table, "settle", path, 0.0) or 0.0
    elif kind is StepKind.WAIT:
        fields["seconds"] = _number(table, "seconds", path, None, 0.001)
    elif kind is StepKind.MEASURE:
        fields.update(_measure_fields(table, path, protocol))
    elif kind in (StepKind.EXPECT, StepKind.READ_ID):
        if protocol == "scpi":
            raise _Bad((*path, "rig"), f"a {kind} step reads a line device (protocol at or line)")
        fields["send"] = _text(table, "send", path, required=False)
        fields["pattern"] = _regex(table, "pattern", path, True, 1 if kind is StepKind.READ_ID else None)
        fields["fail_pattern"] = _regex(table, "fail_pattern", path, False)
        fields["timeout"] = _number(table, "timeout", path, 5.0, 0.01)
        if kind is StepKind.READ_ID:
            if table["field"] not in IDENTIFIER_FIELDS:
                raise _Bad((*path, "field"), f"field must be one of {', '.join(IDENTIFIER_FIELDS)}")
            fields["field"] = table["field"]
    else:
        fields["question"] = _text(table, "question", path)
        for key, default in (("pass_key", "y"), ("fail_key", "n")):
            key_text = table.get(key, default)
            if not isinstance(key_text, str) or len(key_text) != 1:
                raise _Bad((*path, key), f"{key!r} must be a single key")
            fields[key] = key_text.lower()
        if fields["pass_key"] == fields["fail_key"]:
            raise _Bad((*path, "fail_key"), "pass_key and fail_key must differ")
    return PlanStep(**fields)


def _measure_fields(table: Mapping[str, Any], path: tuple[str | int, ...], protocol: str | None) -> dict[str, Any]:
    unit = table["unit"]
    if unit not in UNITS:
        raise _Bad((*path, "unit"), f"unit must be one of {', '.join(repr(u) for u in UNITS)}")
    low = _number(table, "min", path, None, -1e9, 1e9)
    high = _number(table, "max", path, None, -1e9, 1e9)
    if low is None and high is None:
        raise _Bad((*path, "unit"), "a measurement needs a min or a max: nothing passes unchecked")
    if low is not None and high is not None and low > high:
        raise _Bad((*path, "min"), f"min {low:g} is above max {high:g}")
    fields: dict[str, Any] = {"limits": Limits(low, high, UNITS[unit]),
                              "timeout": _number(table, "timeout", path, 2.0, 0.01)}
    if protocol == "scpi":
        fields["query"] = _text(table, "query", path)
        if not fields["query"].endswith("?"):
            raise _Bad((*path, "query"), "a SCPI query ends with '?'")
    else:
        fields["send"] = _text(table, "send", path)
        fields["pattern"] = _regex(table, "pattern", path, True, 1)
    return fields


def _parse(document: Mapping[str, Any], text: str, source: str) -> TestPlan:
    plan = document.get("plan")
    if not isinstance(plan, dict):
        raise _Bad(("plan",), "missing the [plan] table")
    unknown = sorted(set(document) - {"plan", "rigs", "steps", "cleanup"})
    if unknown:
        raise _Bad((unknown[0],), f"unknown table {unknown[0]!r}")
    unknown = sorted(set(plan) - _PLAN_KEYS)
    if unknown:
        raise _Bad(("plan", unknown[0]), f"unknown key {unknown[0]!r} in [plan]")
    version = plan.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _Bad(("plan", "version"), "version must be a whole number from 1")
    classes = plan.get("device_classes")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) and c for c in classes):
        raise _Bad(("plan", "device_classes"), "device_classes must be a non-empty list of names")
    grading = plan.get("grading_tests", [])
    if not isinstance(grading, list) or not all(isinstance(g, str) and re.fullmatch(r"[a-z0-9_]+", g)
                                                for g in grading):
        raise _Bad(("plan", "grading_tests"), "grading_tests must be a list of test names like \"charging\"")
    stop = plan.get("stop_on_fail", True)
    if not isinstance(stop, bool):
        raise _Bad(("plan", "stop_on_fail"), "stop_on_fail must be true or false")
    rigs = {spec.role: spec for spec in _parse_rigs(document)}
    arrays: dict[str, tuple[PlanStep, ...]] = {}
    for array in ("steps", "cleanup"):
        raw = document.get(array, [])
        if not isinstance(raw, list):
            raise _Bad((array,), f"{array} must be written as [[{array}]] tables")
        arrays[array] = tuple(_parse_step(t, i, array, rigs, text) for i, t in enumerate(raw))
    if not arrays["steps"]:
        raise _Bad(("plan",), "a plan needs at least one [[steps]] table")
    if any(s.kind is not StepKind.SET for s in arrays["cleanup"]):
        raise _Bad(("cleanup", 0), "cleanup steps may only set outputs (switching things off)")
    return TestPlan(_text(plan, "id", ("plan",)) or "", _text(plan, "name", ("plan",)) or "", version,
                    tuple(classes), tuple(rigs.values()), arrays["steps"], arrays["cleanup"], stop, source,
                    tuple(grading))


def parse_plan(text: str, source: str = "<plan>") -> TestPlan:
    """Parse plan TOML; PlanFileError names ``source``, the line and the reason."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match.group(1)) if match else 1
        raise PlanFileError(source, line, f"not valid TOML: {str(exc).split(' (at line')[0]}") from None
    try:
        return _parse(document, text, source)
    except _Bad as bad:
        raise PlanFileError(source, line_of(text, bad.path), bad.reason) from None


def load_plan(path: Path) -> TestPlan:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(str(path), 1, f"cannot be read: {exc}") from None
    return parse_plan(text, str(path))


def load_plans(directory: Path) -> tuple[TestPlan, ...]:
    """Every ``*.toml`` plan in ``directory``; one bad file refuses the lot (a bench runs known plans)."""
    plans = tuple(load_plan(p) for p in sorted(directory.glob("*.toml")))
    seen: dict[str, str] = {}
    for plan in plans:
        if plan.plan_id in seen:
            raise PlanFileError(plan.source, line_of(Path(plan.source).read_text(encoding="utf-8"), ("plan", "id")),
                                f"plan id {plan.plan_id!r} is also used by {seen[plan.plan_id]}")
        seen[plan.plan_id] = plan.source
    return plans


def plan_for_class(plans: Iterable[TestPlan], device_class: str) -> TestPlan:
    """The plan for a device class (the highest version when several name it)."""
    matching = [p for p in plans if device_class in p.device_classes]
    if not matching:
        raise NotFound(f"No test plan for device class {device_class!r}",
                       hint="add a plan naming it in device_classes under resources/testplans/")
    return max(matching, key=lambda p: p.version)
