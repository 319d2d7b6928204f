"""Reading plain dicts (parsed TOML or JSON) into typed values, with the path of whatever is wrong.

Both the grading inputs (JSON from the inspection screen or a file) and the rulesets (TOML) are
plain nested dicts. :class:`Fields` reads one table of such a dict, remembers which keys were
read, and raises :class:`SchemaProblem` naming the exact path (``cosmetic.limit[3].B``) so the
caller can turn it into an operator message — with the file line, for rulesets.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

E = TypeVar("E", bound=enum.Enum)

PathPart = str | int
Path = tuple[PathPart, ...]


def path_text(path: Path) -> str:
    """``("cosmetic", "limit", 3, "B")`` -> ``cosmetic.limit[3].B``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


class SchemaProblem(Exception):
    """One value that is missing, of the wrong type or out of range, at ``path``."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path_text(path)}: {reason}")
        self.path = path
        self.reason = reason


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class Fields:
    """One table being read. Call :meth:`done` at the end to refuse keys nobody read (typos)."""

    def __init__(self, data: Any, path: Path = ()) -> None:
        if not isinstance(data, Mapping):
            raise SchemaProblem(path, f"expected a table, got {_type_name(data)}")
        self.data: Mapping[str, Any] = data
        self.path = path
        self._read: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.data

    def names(self) -> list[str]:
        return list(self.data)

    def at(self, key: str) -> Path:
        return (*self.path, key)

    def raw(self, key: str, default: Any = ..., *, required: bool = True) -> Any:
        self._read.add(key)
        if key in self.data:
            return self.data[key]
        if default is not ... or not required:
            return None if default is ... else default
        raise SchemaProblem(self.at(key), "is missing")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw(key, default if default is not None else ...)
        if not isinstance(value, str) or (not value.strip() and default is None):
            raise SchemaProblem(self.at(key), f"expected non-empty text, got {_type_name(value)}")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.raw(key, required=False)
        if value is None:
            return None
        if not isinstance(value, str):
            raise SchemaProblem(self.at(key), f"expected text, got {_type_name(value)}")
        return value.strip() or None

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self.raw(key, default if default is not None else ...)
        if not isinstance(value, bool):
            raise SchemaProblem(self.at(key), f"expected true or false, got {_type_name(value)}")
        return value

    def number(self, key: str, *, minimum: float | None = None, maximum: float | None = None,
               default: float | None = None, whole: bool = False) -> float:
        value = self.raw(key, default if default is not None else ...)
        return check_number(value, self.at(key), minimum=minimum, maximum=maximum, whole=whole)

    def optional_number(self, key: str, *, minimum: float | None = None, maximum: float | None = None,
                        whole: bool = False) -> float | None:
        value = self.raw(key, required=False)
        if value is None:
            return None
        return check_number(value, self.at(key), minimum=minimum, maximum=maximum, whole=whole)

    def choice(self, key: str, kind: type[E], default: E | None = None) -> E:
        value = self.raw(key, default.value if default is not None else ...)
        return check_choice(value, kind, self.at(key))

    def text_list(self, key: str, *, allowed: Sequence[str] | None = None, default: Sequence[str] | None = None,
                  non_empty: bool = False) -> tuple[str, ...]:
        value = self.raw(key, list(default) if default is not None else ...)
        if not isinstance(value, list):
            raise SchemaProblem(self.at(key), f"expected a list of text, got {_type_name(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise SchemaProblem((*self.at(key), index), f"expected text, got {_type_name(item)}")
            if allowed is not None and item not in allowed:
                raise SchemaProblem((*self.at(key), index), f"unknown value {item!r}; expected one of "
                                    + ", ".join(allowed))
        if non_empty and not value:
            raise SchemaProblem(self.at(key), "must not be empty")
        if len(set(value)) != len(value):
            raise SchemaProblem(self.at(key), "lists a value twice")
        return tuple(value)

    def table(self, key: str, *, required: bool = True) -> Fields | None:
        value = self.raw(key, required=required)
        return None if value is None else Fields(value, self.at(key))

    def tables(self, key: str, *, required: bool = True) -> Iterator[Fields]:
        """An array of tables (``[[key]]`` in TOML, a list of objects in JSON)."""
        value = self.raw(key, [] if not required else ...)
        if not isinstance(value, list):
            raise SchemaProblem(self.at(key), f"expected a list of tables, got {_type_name(value)}")
        for index, item in enumerate(value):
            yield Fields(item, (*self.at(key), index))

    def done(self) -> None:
        unknown = [k for k in self.data if k not in self._read]
        if unknown:
            raise SchemaProblem(self.at(unknown[0]), "unknown key (misspelt, or not allowed here)")


def check_number(value: Any, path: Path, *, minimum: float | None = None, maximum: float | None = None,
                 whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SchemaProblem(path, f"expected a number, got {_type_name(value)}")
    if whole and value != int(value):
        raise SchemaProblem(path, f"expected a whole number, got {value}")
    if minimum is not None and value < minimum:
        raise SchemaProblem(path, f"must be at least {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise SchemaProblem(path, f"must be at most {maximum:g}, got {value:g}")
    return float(value)


def check_choice(value: Any, kind: type[E], path: Path) -> E:
    for member in kind:
        if member.value == value:
            return member
    allowed = ", ".join(str(m.value) for m in kind)
    raise SchemaProblem(path, f"unknown value {value!r}; expected one of {allowed}")
