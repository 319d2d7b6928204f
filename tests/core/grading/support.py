"""Shared builders for the grading tests: the installed rulesets and a clean unit to vary."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "grading"
RULESETS = RESOURCES / "rulesets"
PRICES = RESOURCES / "prices"
TESTS = ("power", "display", "touch", "speaker", "microphone", "camera_rear", "camera_front", "wifi",
         "bluetooth", "cellular", "charging", "buttons", "sensors", "biometrics")


def clean_unit(model: str = "iPhone 13") -> dict[str, Any]:
    """A fully working, unblemished unit with a genuine 92 % battery, unlocked and sanitised."""
    return {
        "device": {"model": model, "storage": "128GB", "colour": "Midnight"},
        "cosmetic": {zone: [] for zone in ("screen", "back", "frame", "camera_lens", "ports")},
        "functional": dict.fromkeys(TESTS, "pass"),
        "battery": {"chemistry": "li-ion", "health_pct": 92, "cycles": 310, "genuine": True, "condition": "normal",
                    "watt_hours": 12.4},
        "parts": {"all_genuine": True},
        "locks": {"activation": False, "frp": False, "mdm": False, "blocklisted": False, "carrier": False},
        "sanitisation": {"status": "passed", "certificate_id": "C-ABCDEFGHJKLMNPQR"},
    }


def varied(case: dict[str, Any], model: str = "iPhone 13") -> dict[str, Any]:
    """The clean unit with a golden case's differences applied."""
    unit = copy.deepcopy(clean_unit(model))
    unit["cosmetic"].update(case.get("cosmetic", {}))
    for test in case.get("fail", ()):
        unit["functional"][test] = "fail"
    for key, value in case.get("battery", {}).items():
        if value is None:
            unit["battery"].pop(key, None)
        else:
            unit["battery"][key] = value
    if "all_genuine" in case:
        unit["parts"]["all_genuine"] = case["all_genuine"]
    for section in ("locks", "sanitisation"):
        unit[section].update(case.get(section, {}))
    return unit
