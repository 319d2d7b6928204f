"""The inspection as a list of questions answered by single keys, and the draft of answers it builds.

The Grade tab asks only what the unit's records do not already say: the five cosmetic zones always
(defect keys on a zone, Enter when it is done), whether the battery looks normal and the parts are
genuine, and — when no phone check, rig run or erasure recorded them — the model, the functional
tests, the battery health, the locks and the data status. :meth:`InspectionDraft.to_inspection`
gives the dict :func:`app.core.grading.sources.merge` lays the recorded facts over.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.grading.inputs import DefectKind, Zone
from app.core.grading.sources import BLOCKING_LOCKS


class Kind(enum.StrEnum):
    ZONE = "zone"  # defect keys, Enter: done
    PASS_FAIL = "pass_fail"  # P / F (T: every open test passes)
    YES_NO = "yes_no"  # Y / N
    NUMBER = "number"  # digits, Enter
    CHOICE = "choice"  # 1-9


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()  # (key, meaning) for CHOICE and the letters of YES_NO variants


# Defect keys on a zone (Backspace takes the last one back).
DEFECT_KEYS: dict[str, DefectKind] = {
    "L": DefectKind.SCRATCH_LIGHT, "D": DefectKind.SCRATCH_DEEP, "U": DefectKind.SCUFF, "N": DefectKind.DENT,
    "C": DefectKind.CRACK, "H": DefectKind.CHIP, "O": DefectKind.DISCOLOURATION, "B": DefectKind.BURN_IN,
    "M": DefectKind.MISSING_PART,
}
ZONE_WORDS = {Zone.SCREEN: "Screen", Zone.BACK: "Back / housing", Zone.FRAME: "Frame / edges",
              Zone.CAMERA_LENS: "Camera lens", Zone.PORTS: "Ports"}
BATTERY_LOOKS = (("Y", "normal"), ("S", "swollen"), ("D", "damaged"), ("K", "leaking"))


def questions(recorded: Mapping[str, Any], tests: Sequence[str], models: Sequence[str],
              known_model: str = "") -> tuple[Question, ...]:
    """What to ask, in order, given the sections the records already answer."""
    asked: list[Question] = []
    if not known_model and "device" not in recorded:
        asked.append(Question("device.model", "Model", Kind.CHOICE,
                              tuple((str(i + 1), m) for i, m in enumerate(models[:9]))))
    asked += [Question(f"zone.{zone.value}", ZONE_WORDS[zone], Kind.ZONE) for zone in Zone]
    asked.append(Question("battery.condition", "Battery looks", Kind.CHOICE, BATTERY_LOOKS))
    asked.append(Question("parts.all_genuine", "All parts and the battery genuine", Kind.YES_NO))
    if "health_pct" not in recorded.get("battery", {}):
        asked.append(Question("battery.health_pct", "Battery health % of design", Kind.NUMBER))
    functional = recorded.get("functional", {})
    # Besides the ruleset's tests, any check a test plan could not finish (never a silent pass).
    open_tests = [*tests, *(t for t, outcome in functional.items() if outcome == "not_tested" and t not in tests)]
    asked += [Question(f"test.{t}", f"Test: {t.replace('_', ' ')}", Kind.PASS_FAIL) for t in open_tests
              if functional.get(t) not in ("pass", "fail")]
    locks = recorded.get("locks")
    # Asked unless a check answered every lock, or found one (that alone closes resale).
    if locks is None or (True not in locks.values() and any(k not in locks for k in BLOCKING_LOCKS)):
        asked.append(Question("locks.none", "No activation lock, FRP, MDM, and not blocklisted", Kind.YES_NO))
    if "sanitisation" not in recorded:
        asked.append(Question("sanitisation.status", "Data", Kind.CHOICE,
                              (("A", "no user data storage"), ("N", "not erased yet"))))
    return tuple(asked)


@dataclass
class ZoneFindings:
    """Counts per defect in one zone, and the scratches' total lengths."""

    counts: dict[DefectKind, int] = field(default_factory=dict)
    lengths: dict[DefectKind, float] = field(default_factory=dict)
    done: bool = False

    def text(self) -> str:
        if not self.counts:
            return "clean" if self.done else ""
        parts = []
        for kind, count in self.counts.items():
            length = f" {self.lengths[kind]:g} mm" if kind in self.lengths else ""
            parts.append(f"{count} {kind.words(count)}{length}")
        return ", ".join(parts)


@dataclass
class InspectionDraft:
    """The answers so far, keyed like the questions."""

    answers: dict[str, str] = field(default_factory=dict)
    zones: dict[Zone, ZoneFindings] = field(default_factory=lambda: {z: ZoneFindings() for z in Zone})
    photos: list[dict[str, Any]] = field(default_factory=list)

    def answered(self, question: Question) -> bool:
        if question.kind is Kind.ZONE:
            return self.zones[Zone(question.key.split(".", 1)[1])].done
        return question.key in self.answers

    def answer_text(self, question: Question) -> str:
        if question.kind is Kind.ZONE:
            return self.zones[Zone(question.key.split(".", 1)[1])].text()
        value = self.answers.get(question.key, "")
        if question.kind is Kind.CHOICE:
            return dict(question.choices).get(value, value)
        if question.kind is Kind.YES_NO:
            return {"Y": "yes", "N": "no"}.get(value, "")
        if question.kind is Kind.PASS_FAIL:
            return {"P": "pass", "F": "fail"}.get(value, "")
        return f"{value} %" if value else ""

    def to_inspection(self, model: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {"device": {"model": model}}
        a = self.answers
        if "device.model" in a:
            out["device"]["model"] = a["device.model"]
        inspected = {z: f for z, f in self.zones.items() if f.done}
        if inspected:
            cosmetic: dict[str, Any] = {}
            for zone, findings in inspected.items():
                entries = []
                for kind, count in findings.counts.items():
                    entry: dict[str, Any] = {"defect": kind.value, "count": count}
                    if kind in findings.lengths:
                        entry["length_mm"] = findings.lengths[kind]
                    entries.append(entry)
                cosmetic[zone.value] = entries
            out["cosmetic"] = cosmetic
        battery: dict[str, Any] = {}
        if "battery.condition" in a:
            battery["condition"] = dict(BATTERY_LOOKS)[a["battery.condition"]]
            battery["chemistry"] = "li-ion"
        if "battery.health_pct" in a:
            battery["health_pct"] = float(a["battery.health_pct"])
        if "parts.all_genuine" in a:
            out["parts"] = {"all_genuine": a["parts.all_genuine"] == "Y"}
            if battery:
                battery["genuine"] = a["parts.all_genuine"] == "Y"
        if battery:
            out["battery"] = battery
        tests = {k.split(".", 1)[1]: ("pass" if v == "P" else "fail") for k, v in a.items() if k.startswith("test.")}
        if tests:
            out["functional"] = tests
        if "locks.none" in a:
            locked = a["locks.none"] == "N"
            # "Not free of locks" without knowing which: recorded as an activation lock, which closes resale.
            out["locks"] = {"activation": locked, "frp": False, "mdm": False, "blocklisted": False}
        if "sanitisation.status" in a:
            out["sanitisation"] = {"status": "not_applicable" if a["sanitisation.status"] == "A" else "not_done"}
        return out
