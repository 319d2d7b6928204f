"""Versioned carbon and e-waste factor tables (``resources/carbon/carbon-*.toml``): load, validate, select.

A table has a version (``2026.1``) and the date it takes effect; the table in force on a day is the
one with the latest ``effective_from`` not after it. Tables are never edited once used: a change is a
new file, so a report over last year picks last year's table and reproduces. Each table's SHA-256 is
kept beside its version so a figure can prove which bytes it was computed with.

Numbers are read as :class:`~decimal.Decimal` (not float) so that sums over a lot are exact and a
golden figure computed by hand matches to the last digit.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.core.errors import OperatorError

CARBON_DIR = Path(__file__).resolve().parents[2] / "resources" / "carbon"
TABLE_GLOB = "carbon-*.toml"


class DeviceClass(enum.StrEnum):
    SMARTPHONE = "smartphone"
    TABLET = "tablet"
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    MONITOR = "monitor"
    HDD = "hdd"
    SSD = "ssd"


class Co2eMethod(enum.StrEnum):
    """How a class's gross CO2e avoided per reused unit is obtained from its published figures."""

    SUBSTITUTION = "substitution"          # new_kg_co2e - refurb_kg_co2e (ADEME style)
    AVOIDED_PER_UNIT = "avoided_per_unit"  # a study's avoided figure per reused unit (TU Berlin)
    SAVING_FRACTION = "saving_fraction"    # new_kg_co2e x a published average saving fraction
    NONE = "none"                          # no published factor: no CO2e figure


class FactorTableError(OperatorError):
    """A factor table that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str
    year: int | None = None

    def cite(self) -> str:
        year = f" ({self.year})" if self.year else ""
        return f"{self.title}{year}, {self.url}"


@dataclass(frozen=True)
class ClassFactors:
    """Everything one table says about one device class; ``None`` where nothing is published."""

    device_class: DeviceClass
    method: Co2eMethod
    new_kg_co2e: Decimal | None = None
    refurb_kg_co2e: Decimal | None = None
    avoided_kg_co2e: Decimal | None = None
    saving_fraction: Decimal | None = None
    co2e_sources: tuple[Source, ...] = ()
    first_life_years: Decimal | None = None
    second_life_years: Decimal | None = None
    life_source: Source | None = None
    typical_mass_kg: Decimal | None = None
    note: str = ""

    @property
    def gross_avoided_kg(self) -> Decimal | None:
        """CO2e avoided per reused unit before the substitution rate and replaced parts."""
        if self.method is Co2eMethod.SUBSTITUTION:
            assert self.new_kg_co2e is not None  # the loader refuses the method without them
            assert self.refurb_kg_co2e is not None
            return self.new_kg_co2e - self.refurb_kg_co2e
        if self.method is Co2eMethod.AVOIDED_PER_UNIT:
            return self.avoided_kg_co2e
        if self.method is Co2eMethod.SAVING_FRACTION:
            assert self.new_kg_co2e is not None
            assert self.saving_fraction is not None
            return self.new_kg_co2e * self.saving_fraction
        return None


@dataclass(frozen=True)
class PartFactor:
    part: str
    kg_co2e: Decimal
    source: Source


@dataclass(frozen=True)
class FactorTable:
    version: str
    effective_from: dt.date
    substitution_rate: Decimal
    classes: Mapping[DeviceClass, ClassFactors]
    parts: Mapping[str, PartFactor]
    sources: Mapping[str, Source]
    digest: str
    source_name: str
    notes: str = ""

    def factors(self, device_class: DeviceClass) -> ClassFactors | None:
        return self.classes.get(device_class)


_ALLOWED_CLASS_KEYS = {
    "method", "new_kg_co2e", "refurb_kg_co2e", "avoided_kg_co2e", "saving_fraction", "co2e_source",
    "saving_source", "first_life_years", "second_life_years", "life_source", "typical_mass_kg", "note",
}
_NEEDS = {
    Co2eMethod.SUBSTITUTION: ("new_kg_co2e", "refurb_kg_co2e", "co2e_source"),
    Co2eMethod.AVOIDED_PER_UNIT: ("avoided_kg_co2e", "co2e_source"),
    Co2eMethod.SAVING_FRACTION: ("new_kg_co2e", "saving_fraction", "co2e_source", "saving_source"),
    Co2eMethod.NONE: ("note",),
}


class _Reader:
    """Typed access to one TOML table that names the file and the full key in every error."""

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        self.name, self.data, self.path = name, data, path

    def fail(self, key: str, problem: str) -> FactorTableError:
        where = f"{self.path}.{key}" if self.path else key
        return FactorTableError(f"Carbon factor table {self.name}: {where}: {problem}",
                                hint="Correct the file (or restore the packaged copy) and start again")

    def table(self, key: str) -> _Reader:
        value = self.data.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, "missing table" if value is None else "must be a table")
        return _Reader(self.name, value, f"{self.path}.{key}" if self.path else key)

    def text(self, key: str, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "missing" if value is None else f"must be non-empty text, not {value!r}")
        return value.strip()

    def number(self, key: str, maximum: Decimal | None = None) -> Decimal | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise self.fail(key, f"must be a number, not {value!r}")
        number = Decimal(value)
        if number < 0 or (maximum is not None and number > maximum):
            bound = f"between 0 and {maximum}" if maximum is not None else "0 or more"
            raise self.fail(key, f"must be {bound}, not {number}")
        return number

    def source(self, key: str, sources: Mapping[str, Source]) -> Source | None:
        name = self.text(key, required=False)
        if not name:
            return None
        if name not in sources:
            raise self.fail(key, f"names source {name!r}, which no [source.{name}] table defines")
        return sources[name]


def parse_factor_table(text: str, name: str) -> FactorTable:
    """Parse and validate one table; ``name`` (usually the file name) is quoted in every error."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise FactorTableError(f"Carbon factor table {name}: not valid TOML: {exc}",
                               hint="Correct the file (or restore the packaged copy) and start again") from exc
    top = _Reader(name, data, "")
    head = top.table("table")
    version = head.text("version")
    effective = head.data.get("effective_from")
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise head.fail("effective_from", "must be a date such as 2026-01-01")
    rate = head.number("substitution_rate", maximum=Decimal(1))
    if rate is None:
        raise head.fail("substitution_rate", "missing (the share of reuse that displaces a new purchase)")
    sources = _sources(top)
    classes = _classes(top, sources)
    parts = _parts(top, sources)
    return FactorTable(version=version, effective_from=effective, substitution_rate=rate, classes=classes,
                       parts=parts, sources=sources, digest=hashlib.sha256(text.encode()).hexdigest(),
                       source_name=name, notes=head.text("notes", required=False))


def _sources(top: _Reader) -> dict[str, Source]:
    raw = top.data.get("source", {})
    if not isinstance(raw, dict):
        raise top.fail("source", "must be a table of [source.NAME] tables")
    sources: dict[str, Source] = {}
    for key in raw:
        entry = top.table("source").table(key)
        year = entry.data.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 < year < 2200):
            raise entry.fail("year", f"must be a year such as 2022, not {year!r}")
        url = entry.text("url")
        if not url.startswith(("https://", "http://")):
            raise entry.fail("url", f"must be a web address, not {url!r}")
        sources[key] = Source(key, entry.text("title"), url, year)
    return sources


def _classes(top: _Reader, sources: Mapping[str, Source]) -> dict[DeviceClass, ClassFactors]:
    raw = top.data.get("class")
    if not isinstance(raw, dict) or not raw:
        raise top.fail("class", "missing: at least one [class.NAME] table is needed")
    classes: dict[DeviceClass, ClassFactors] = {}
    for key in raw:
        entry = top.table("class").table(key)
        try:
            device_class = DeviceClass(key)
        except ValueError:
            known = ", ".join(c.value for c in DeviceClass)
            raise top.fail(f"class.{key}", f"unknown device class (known: {known})") from None
        unknown_keys = sorted(set(entry.data) - _ALLOWED_CLASS_KEYS)
        if unknown_keys:
            raise entry.fail(unknown_keys[0], "unknown key (a typo would silently drop a factor)")
        try:
            method = Co2eMethod(entry.text("method"))
        except ValueError:
            raise entry.fail("method", "must be one of " + ", ".join(m.value for m in Co2eMethod)) from None
        for needed in _NEEDS[method]:
            if entry.data.get(needed) is None:
                raise entry.fail(needed, f"missing (method {method.value} needs it)")
        co2e_sources = tuple(s for s in (entry.source("co2e_source", sources), entry.source("saving_source", sources))
                             if s is not None)
        first, second = entry.number("first_life_years"), entry.number("second_life_years")
        life_source = entry.source("life_source", sources)
        if second is not None and life_source is None:
            raise entry.fail("life_source", "missing: a second-life length needs its source")
        classes[device_class] = ClassFactors(
            device_class=device_class, method=method, new_kg_co2e=entry.number("new_kg_co2e"),
            refurb_kg_co2e=entry.number("refurb_kg_co2e"), avoided_kg_co2e=entry.number("avoided_kg_co2e"),
            saving_fraction=entry.number("saving_fraction", maximum=Decimal(1)), co2e_sources=co2e_sources,
            first_life_years=first, second_life_years=second, life_source=life_source,
            typical_mass_kg=entry.number("typical_mass_kg"), note=entry.text("note", required=False))
        gross = classes[device_class].gross_avoided_kg
        if gross is not None and gross < 0:
            raise entry.fail("refurb_kg_co2e", "is larger than new_kg_co2e: nothing would be avoided")
    return classes


def _parts(top: _Reader, sources: Mapping[str, Source]) -> dict[str, PartFactor]:
    raw = top.data.get("part", {})
    if not isinstance(raw, dict):
        raise top.fail("part", "must be a table of [part.NAME] tables")
    parts: dict[str, PartFactor] = {}
    for key in raw:
        entry = top.table("part").table(key)
        kg = entry.number("kg_co2e")
        source = entry.source("source", sources)
        if kg is None:
            raise entry.fail("kg_co2e", "missing")
        if source is None:
            raise entry.fail("source", "missing: a part factor needs its source")
        parts[key] = PartFactor(key, kg, source)
    return parts


def load_factor_table(path: Path) -> FactorTable:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FactorTableError(f"Carbon factor table {path} cannot be read: {exc.strerror}",
                               hint="Reinstall the application's resources") from exc
    return parse_factor_table(text, path.name)


def load_factor_tables(directory: Path = CARBON_DIR) -> tuple[FactorTable, ...]:
    """Every table in ``directory``, oldest first; two tables with one version or one date are refused."""
    tables = sorted((load_factor_table(p) for p in sorted(directory.glob(TABLE_GLOB))),
                    key=lambda t: t.effective_from)
    if not tables:
        raise FactorTableError(f"No carbon factor table ({TABLE_GLOB}) in {directory}",
                               hint="Reinstall the application's resources")
    check_history(tables)
    return tuple(tables)


def check_history(tables: Sequence[FactorTable]) -> None:
    """Refuse two tables with one version or one effective date: which one applies would be ambiguous."""
    by_version: dict[str, str] = {}
    by_date: dict[dt.date, str] = {}
    for t in tables:
        clash = by_version.get(t.version) or by_date.get(t.effective_from)
        if clash is not None:
            raise FactorTableError(
                f"Carbon factor tables {clash} and {t.source_name} share a version or an effective_from date",
                hint="Give every table its own version and effective_from date")
        by_version[t.version] = by_date[t.effective_from] = t.source_name


def table_in_force(tables: Iterable[FactorTable], on: dt.date) -> FactorTable | None:
    """The table with the latest ``effective_from`` not after ``on``; ``None`` before the first."""
    current: FactorTable | None = None
    for t in tables:
        if t.effective_from <= on and (current is None or t.effective_from > current.effective_from):
            current = t
    return current


def table_by_version(tables: Iterable[FactorTable], version: str) -> FactorTable | None:
    return next((t for t in tables if t.version == version), None)
