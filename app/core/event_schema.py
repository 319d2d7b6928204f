"""The shape of an event body: field specs and the schema of one (type, version).

Every domain module with events of its own (app/core/events_*.py) builds its schemas from these;
app/core/events.py gathers them all into one registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldSpec:
    """One body field: its name, JSON type and whether it must be present."""

    name: str
    kind: type | tuple[type, ...]
    required: bool = True
    choices: frozenset[str] | None = None


@dataclass(frozen=True)
class EventSchema:
    """The body shape of one event type at one version."""

    type: str
    version: int
    fields: tuple[FieldSpec, ...]
    needs_unit: bool = False
    needs_operator: bool = False

    def validate(self, body: Mapping[str, Any], unit_id: str | None, operator_id: str | None) -> None:
        """Raise ValueError naming the first field that does not fit."""
        if self.needs_unit and not unit_id:
            raise ValueError(f"{self.type} needs a unit")
        if self.needs_operator and not operator_id:
            raise ValueError(f"{self.type} needs an operator")
        known = {f.name for f in self.fields}
        extra = set(body) - known
        if extra:
            raise ValueError(f"{self.type} v{self.version}: unknown fields {sorted(extra)}")
        for spec in self.fields:
            if spec.name not in body:
                if spec.required:
                    raise ValueError(f"{self.type} v{self.version}: missing field {spec.name!r}")
                continue
            value = body[spec.name]
            if value is None:
                raise ValueError(f"{self.type}: field {spec.name!r} is null; leave it out or give a value")
            # bool is an int in Python; a flag must not pass for a count or the other way round
            if isinstance(value, bool) and bool not in _as_tuple(spec.kind):
                raise ValueError(f"{self.type}: field {spec.name!r} must be {spec.kind}, got bool")
            if not isinstance(value, spec.kind):
                raise ValueError(f"{self.type}: field {spec.name!r} must be {spec.kind}, got {type(value)}")
            if spec.choices is not None and value not in spec.choices:
                raise ValueError(f"{self.type}: field {spec.name!r} must be one of {sorted(spec.choices)}")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def field(name: str, kind: type | tuple[type, ...], required: bool = True,
          choices: set[str] | None = None) -> FieldSpec:
    """A FieldSpec, written short: field(\"imei\", str), field(\"outcome\", str, choices={...})."""
    return FieldSpec(name, kind, required, frozenset(choices) if choices is not None else None)
