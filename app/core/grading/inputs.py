"""Everything a grade is computed from, as immutable values built from a plain dict.

The dict is what the inspection screen, a JSON file (``grade --inspection FILE.json``) or a stored
grade event holds; :meth:`GradingInputs.from_dict` checks it and :meth:`GradingInputs.to_dict`
gives it back in one canonical shape, so a grade event can store its inputs and be re-evaluated
later to the same result.

Sections may be absent while an inspection is in progress: :func:`app.core.grading.missing_inputs`
says what is still needed before a grade can be given. A cosmetic zone that is present with an
empty list was inspected and is clean; a zone that is absent was not inspected yet.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.errors import OperatorError
from app.core.grading.schema import Fields, SchemaProblem, check_choice


class Zone(enum.StrEnum):
    """Where on the unit a cosmetic defect is."""

    SCREEN = "screen"
    BACK = "back"
    FRAME = "frame"
    CAMERA_LENS = "camera_lens"
    PORTS = "ports"

    @property
    def words(self) -> str:
        return {"screen": "on the screen", "back": "on the back", "frame": "on the frame",
                "camera_lens": "on the camera lens", "ports": "at the ports"}[self.value]


class DefectKind(enum.StrEnum):
    """What the technician saw."""

    SCRATCH_LIGHT = "scratch_light"
    SCRATCH_DEEP = "scratch_deep"
    SCUFF = "scuff"
    DENT = "dent"
    CRACK = "crack"
    CHIP = "chip"
    DISCOLOURATION = "discolouration"
    BURN_IN = "burn_in"
    MISSING_PART = "missing_part"

    def words(self, count: float) -> str:
        one, many = _DEFECT_WORDS[self]
        return one if count == 1 else many


_DEFECT_WORDS = {
    DefectKind.SCRATCH_LIGHT: ("light scratch", "light scratches"),
    DefectKind.SCRATCH_DEEP: ("deep scratch", "deep scratches"),
    DefectKind.SCUFF: ("scuff", "scuffs"),
    DefectKind.DENT: ("dent", "dents"),
    DefectKind.CRACK: ("crack", "cracks"),
    DefectKind.CHIP: ("chip", "chips"),
    DefectKind.DISCOLOURATION: ("discoloured area", "discoloured areas"),
    DefectKind.BURN_IN: ("burn-in area", "burn-in areas"),
    DefectKind.MISSING_PART: ("missing part", "missing parts"),
}

# Only scratches are measured by length; a dent or a crack is counted.
LENGTH_DEFECTS = frozenset({DefectKind.SCRATCH_LIGHT, DefectKind.SCRATCH_DEEP})


class Outcome(enum.StrEnum):
    """The result of one functional test."""

    PASS = "pass"
    FAIL = "fail"
    NOT_TESTED = "not_tested"


class BatteryCondition(enum.StrEnum):
    """What the battery looks like; anything but normal keeps the unit off aircraft (domain.md 8.3)."""

    NORMAL = "normal"
    SWOLLEN = "swollen"
    DAMAGED = "damaged"
    LEAKING = "leaking"


class BatteryFault(enum.StrEnum):
    """A failure the battery's own gauge or the phone's OS reported; like a bad look, it keeps the unit off
    aircraft (domain.md 8.5: "failed diagnostics") and fails the battery."""

    OVERHEAT = "overheat"
    DEAD = "dead"
    OVER_VOLTAGE = "over_voltage"
    FAILURE = "failure"  # a permanent or unspecified failure flag

    @property
    def words(self) -> str:
        return {"overheat": "overheating", "dead": "dead", "over_voltage": "over voltage",
                "failure": "failed"}[self.value]


class Chemistry(enum.StrEnum):
    LI_ION = "li-ion"
    LI_METAL = "li-metal"
    NONE = "none"


class SanitisationStatus(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_DONE = "not_done"
    # A unit with no user-data storage at all (a charger, a dock).
    NOT_APPLICABLE = "not_applicable"


class GradingInputError(OperatorError):
    """The inspection data cannot be read: a field is missing, misspelt or out of range."""

    def __init__(self, problem: SchemaProblem) -> None:
        super().__init__(f"Inspection data: {problem}",
                         hint="Correct that field of the inspection and grade again")
        self.path = problem.path
        self.reason = problem.reason


@dataclass(frozen=True)
class Defect:
    """One kind of defect in one zone: how many, and (for scratches) how long in total."""

    zone: Zone
    kind: DefectKind
    count: int = 1
    length_mm: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"defect": self.kind.value, "count": self.count}
        if self.length_mm is not None:
            out["length_mm"] = self.length_mm
        return out


@dataclass(frozen=True)
class Cosmetic:
    """The cosmetic inspection: which zones were looked at, and what was found in each."""

    inspected: tuple[Zone, ...]
    defects: tuple[Defect, ...] = ()

    def in_zone(self, zone: Zone, kind: DefectKind) -> tuple[Defect, ...]:
        return tuple(d for d in self.defects if d.zone is zone and d.kind is kind)

    def has(self, kind: DefectKind) -> bool:
        return any(d.kind is kind for d in self.defects)

    def to_dict(self) -> dict[str, Any]:
        return {zone.value: [d.to_dict() for d in self.defects if d.zone is zone] for zone in self.inspected}


@dataclass(frozen=True)
class Battery:
    """Battery health and what is known for shipping it."""

    chemistry: Chemistry
    health_pct: float | None = None
    cycles: int | None = None
    genuine: bool = True
    condition: BatteryCondition = BatteryCondition.NORMAL
    watt_hours: float | None = None
    fault: BatteryFault | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"chemistry": self.chemistry.value, "genuine": self.genuine,
                               "condition": self.condition.value}
        if self.fault is not None:
            out["fault"] = self.fault.value
        for key, value in (("health_pct", self.health_pct), ("cycles", self.cycles), ("watt_hours", self.watt_hours)):
            if value is not None:
                out[key] = value
        return out


_BLOCKING_LOCKS = (("activation", "activation lock"), ("frp", "factory reset protection"),
                   ("mdm", "MDM enrolment"), ("blocklisted", "IMEI on a blocklist"))


@dataclass(frozen=True)
class Locks:
    """Anything that stops the next owner using the device (domain.md 3). ``None``: not known (a phone's
    check could not see that lock); one lock known present blocks resale whatever the others are."""

    activation: bool | None
    frp: bool | None
    mdm: bool | None
    blocklisted: bool | None
    carrier: bool | None = False

    def blocking(self) -> tuple[str, ...]:
        """Plain words for each lock that blocks resale. A carrier lock does not: locked units sell as such."""
        return tuple(words for key, words in _BLOCKING_LOCKS if getattr(self, key) is True)

    def unknown(self) -> tuple[str, ...]:
        """Plain words for each lock that would block resale and is not known either way."""
        return tuple(words for key, words in _BLOCKING_LOCKS if getattr(self, key) is None)

    def to_dict(self) -> dict[str, Any]:
        values = {"activation": self.activation, "frp": self.frp, "mdm": self.mdm,
                  "blocklisted": self.blocklisted, "carrier": self.carrier}
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class Sanitisation:
    status: SanitisationStatus
    certificate_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value}
        if self.certificate_id:
            out["certificate_id"] = self.certificate_id
        return out


@dataclass(frozen=True)
class Device:
    """What the price and repair tables are looked up by, and the recycle weight."""

    model: str
    storage: str = ""
    colour: str = ""
    weight_g: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "storage": self.storage, "colour": self.colour}
        if self.weight_g is not None:
            out["weight_g"] = self.weight_g
        return out


@dataclass(frozen=True)
class GradingInputs:
    """All the facts one grade is computed from. Absent sections are ``None`` (not yet known)."""

    device: Device
    cosmetic: Cosmetic | None = None
    functional: tuple[tuple[str, Outcome], ...] | None = None
    battery: Battery | None = None
    all_parts_genuine: bool | None = None
    locks: Locks | None = None
    sanitisation: Sanitisation | None = None

    def outcome(self, test: str) -> Outcome | None:
        return dict(self.functional or ()).get(test)

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> GradingInputs:
        """Check and build the inputs; raise :class:`GradingInputError` naming the first bad field."""
        try:
            return _read_inputs(Fields(data))
        except SchemaProblem as problem:
            raise GradingInputError(problem) from None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"device": self.device.to_dict()}
        if self.cosmetic is not None:
            out["cosmetic"] = self.cosmetic.to_dict()
        if self.functional is not None:
            out["functional"] = {name: outcome.value for name, outcome in self.functional}
        if self.battery is not None:
            out["battery"] = self.battery.to_dict()
        if self.all_parts_genuine is not None:
            out["parts"] = {"all_genuine": self.all_parts_genuine}
        if self.locks is not None:
            out["locks"] = self.locks.to_dict()
        if self.sanitisation is not None:
            out["sanitisation"] = self.sanitisation.to_dict()
        return out


# Event bodies hold no floats (app/core/canonical.py): a measurement is an int when it is whole and a
# decimal string otherwise, and these fields are read back to numbers before a recorded grade is redone.
_NUMERIC_FIELDS = frozenset({"health_pct", "cycles", "watt_hours", "length_mm", "count", "weight_g"})


def for_record(value: Any) -> Any:
    """``value`` with every float made an int (when whole) or a decimal string, for an event body."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else repr(value)
    if isinstance(value, dict):
        return {k: for_record(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [for_record(v) for v in value]
    return value


def from_record(value: Any, key: str = "") -> Any:
    """Inverse of :func:`for_record` for the numeric fields of grading inputs."""
    if isinstance(value, str) and key in _NUMERIC_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value  # left for the schema check to name
    if isinstance(value, dict):
        return {k: from_record(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [from_record(v, key) for v in value]
    return value


def _read_inputs(top: Fields) -> GradingInputs:
    device_fields = top.table("device")
    assert device_fields is not None
    device = Device(model=device_fields.text("model"), storage=device_fields.text("storage", ""),
                    colour=device_fields.text("colour", ""),
                    weight_g=device_fields.optional_number("weight_g", minimum=0))
    device_fields.done()
    cosmetic_fields = top.table("cosmetic", required=False)
    functional_fields = top.table("functional", required=False)
    battery_fields = top.table("battery", required=False)
    parts_fields = top.table("parts", required=False)
    locks_fields = top.table("locks", required=False)
    sanitisation_fields = top.table("sanitisation", required=False)
    top.done()
    all_genuine = None
    if parts_fields is not None:
        all_genuine = parts_fields.flag("all_genuine")
        parts_fields.done()
    return GradingInputs(
        device=device,
        cosmetic=None if cosmetic_fields is None else _read_cosmetic(cosmetic_fields),
        functional=None if functional_fields is None else _read_functional(functional_fields),
        battery=None if battery_fields is None else _read_battery(battery_fields),
        all_parts_genuine=all_genuine,
        locks=None if locks_fields is None else _read_locks(locks_fields),
        sanitisation=None if sanitisation_fields is None else _read_sanitisation(sanitisation_fields),
    )


def _read_cosmetic(fields: Fields) -> Cosmetic:
    inspected: list[Zone] = []
    defects: list[Defect] = []
    for key in fields.names():
        zone = check_choice(key, Zone, fields.at(key))
        inspected.append(zone)
        found = fields.raw(key)
        if not isinstance(found, list):
            raise SchemaProblem(fields.at(key), "expected a list of defects (an empty list when the zone is clean)")
        seen: set[DefectKind] = set()
        for index, item in enumerate(found):
            entry = Fields(item, (*fields.at(key), index))
            kind = entry.choice("defect", DefectKind)
            if kind in seen:
                raise SchemaProblem(entry.at("defect"), f"{kind.value} is listed twice in this zone; give one count")
            seen.add(kind)
            count = int(entry.number("count", minimum=1, whole=True, default=1))
            length = entry.optional_number("length_mm", minimum=0)
            if length is not None and kind not in LENGTH_DEFECTS:
                raise SchemaProblem(entry.at("length_mm"), "only scratches are measured by length")
            entry.done()
            defects.append(Defect(zone, kind, count, length))
    order = list(Zone)
    inspected.sort(key=order.index)
    defects.sort(key=lambda d: (order.index(d.zone), list(DefectKind).index(d.kind)))
    return Cosmetic(tuple(inspected), tuple(defects))


def _read_functional(fields: Fields) -> tuple[tuple[str, Outcome], ...]:
    results = []
    for name in sorted(fields.names()):
        results.append((name, check_choice(fields.raw(name), Outcome, fields.at(name))))
    return tuple(results)


def _read_battery(fields: Fields) -> Battery:
    battery = Battery(
        chemistry=fields.choice("chemistry", Chemistry),
        health_pct=fields.optional_number("health_pct", minimum=0, maximum=150),
        cycles=None if (c := fields.optional_number("cycles", minimum=0, whole=True)) is None else int(c),
        genuine=fields.flag("genuine", True),
        condition=fields.choice("condition", BatteryCondition, BatteryCondition.NORMAL),
        watt_hours=fields.optional_number("watt_hours", minimum=0),
        fault=fields.choice("fault", BatteryFault) if fields.has("fault") else None,
    )
    fields.done()
    return battery


def _read_locks(fields: Fields) -> Locks:
    """A lock left out is not known (a check that could not see it); at least one must be given."""
    if not fields.names():
        raise SchemaProblem(fields.path, "give at least one lock as true or false")

    def known(key: str) -> bool | None:
        return fields.flag(key) if fields.has(key) else None

    locks = Locks(activation=known("activation"), frp=known("frp"), mdm=known("mdm"),
                  blocklisted=known("blocklisted"), carrier=known("carrier"))
    fields.done()
    return locks


def _read_sanitisation(fields: Fields) -> Sanitisation:
    sanitisation = Sanitisation(fields.choice("status", SanitisationStatus), fields.optional_text("certificate_id"))
    fields.done()
    return sanitisation


__all__ = [
    "LENGTH_DEFECTS", "Battery", "BatteryCondition", "BatteryFault", "Chemistry", "Cosmetic", "Defect", "DefectKind",
    "Device",
    "GradingInputError", "GradingInputs", "Locks", "Outcome", "Sanitisation", "SanitisationStatus", "Zone",
    "for_record", "from_record",
]
