"""Grading inputs from a plain dict: bad fields are named, absent sections are reported as missing."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.grading import (
    GradingInputError,
    GradingInputs,
    IncompleteInputs,
    evaluate,
    load_ruleset,
    missing_inputs,
)
from tests.core.grading.support import RULESETS, clean_unit

RULESET = RULESETS / "phones-ctia-r2-v1.toml"


@pytest.mark.parametrize(("change", "message"), [
    (lambda u: u["cosmetic"]["back"].append({"defect": "scratch", "count": 1}),
     "cosmetic.back[0].defect: unknown value 'scratch'; expected one of scratch_light, scratch_deep, scuff"),
    (lambda u: u["cosmetic"]["back"].append({"defect": "dent", "count": 0}),
     "cosmetic.back[0].count: must be at least 1, got 0"),
    (lambda u: u["cosmetic"]["back"].append({"defect": "dent", "count": 1.5}),
     "cosmetic.back[0].count: expected a whole number, got 1.5"),
    (lambda u: u["cosmetic"]["back"].append({"defect": "dent", "length_mm": 4}),
     "cosmetic.back[0].length_mm: only scratches are measured by length"),
    (lambda u: u["cosmetic"]["back"].extend([{"defect": "dent"}, {"defect": "dent"}]),
     "cosmetic.back[1].defect: dent is listed twice in this zone; give one count"),
    (lambda u: u["cosmetic"].update(keyboard=[]), "cosmetic.keyboard: unknown value 'keyboard'"),
    (lambda u: u["functional"].update(touch="ok"), "functional.touch: unknown value 'ok'; expected one of pass"),
    (lambda u: u["battery"].update(health_pct="92"), "battery.health_pct: expected a number, got text"),
    (lambda u: u["locks"].update(frp="yes"), "locks.frp: expected true or false, got text"),
    (lambda u: u["locks"].clear(), "locks: give at least one lock as true or false"),
    (lambda u: u["sanitisation"].update(status="wiped"), "sanitisation.status: unknown value 'wiped'"),
    (lambda u: u.update(colour="red"), "colour: unknown key (misspelt, or not allowed here)"),
    (lambda u: u["device"].pop("model"), "device.model: is missing"),
])
def test_bad_field_is_named(change: Any, message: str) -> None:
    unit = clean_unit()
    change(unit)
    with pytest.raises(GradingInputError) as caught:
        GradingInputs.from_dict(unit)
    assert message in str(caught.value)
    assert caught.value.hint


def test_round_trip_is_canonical() -> None:
    unit = clean_unit()
    unit["cosmetic"]["back"] = [{"defect": "scuff", "count": 2}, {"defect": "scratch_light", "length_mm": 5}]
    inputs = GradingInputs.from_dict(unit)
    again = GradingInputs.from_dict(inputs.to_dict())
    assert again == inputs
    # Defects come back in one order whatever order they were typed in.
    assert [d["defect"] for d in again.to_dict()["cosmetic"]["back"]] == ["scratch_light", "scuff"]


def test_missing_inputs_in_plain_words() -> None:
    ruleset = load_ruleset(RULESET)
    unit = clean_unit()
    del unit["cosmetic"]["camera_lens"]
    unit["cosmetic"]["back"] = [{"defect": "scratch_light", "count": 2}]
    unit["functional"]["wifi"] = "not_tested"
    del unit["functional"]["sensors"]
    del unit["battery"]["health_pct"]
    del unit["parts"]
    inputs = GradingInputs.from_dict(unit)
    assert missing_inputs(inputs, ruleset) == (
        "the cosmetic inspection on the camera lens",
        "the total length of the light scratches on the back",
        "the wifi test result", "the sensors test result",
        "the battery health", "whether all parts are genuine")
    with pytest.raises(IncompleteInputs, match="Cannot grade yet: missing the cosmetic inspection on the camera lens;"):
        evaluate(inputs, ruleset)


def test_only_the_device_is_needed_to_start() -> None:
    inputs = GradingInputs.from_dict({"device": {"model": "iPhone 13"}})
    assert missing_inputs(inputs, load_ruleset(RULESET)) == (
        "the cosmetic inspection", "the functional test results", "the battery details",
        "whether all parts are genuine")
