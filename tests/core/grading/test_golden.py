"""Golden grading cases: every ruleset in resources/grading/rulesets has a case file here, and each
case names the grade it must get on every scale (and, where given, the reason in plain words)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.grading import GradingInputs, evaluate, load_ruleset, load_rulesets, reevaluate
from tests.core.grading.support import RULESETS, varied

GOLDEN = Path(__file__).parent / "golden"


def _cases() -> list[Any]:
    params = []
    for file in sorted(GOLDEN.glob("*.json")):
        data = json.loads(file.read_text())
        for case in data["cases"]:
            params.append(pytest.param(data["ruleset"], case, id=f"{file.stem}:{case['name']}"))
    return params


def test_every_ruleset_has_at_least_30_golden_cases() -> None:
    counts = {json.loads(f.read_text())["ruleset"]: len(json.loads(f.read_text())["cases"])
              for f in GOLDEN.glob("*.json")}
    for ruleset in RULESETS.glob("*.toml"):
        assert counts.get(ruleset.name, 0) >= 30, f"{ruleset.name} needs at least 30 golden cases"


@pytest.mark.parametrize(("ruleset_file", "case"), _cases())
def test_golden_case(ruleset_file: str, case: dict[str, Any]) -> None:
    ruleset = load_ruleset(RULESETS / ruleset_file)
    result = evaluate(GradingInputs.from_dict(varied(case)), ruleset)
    expect = case["expect"]
    if "cosmetic" in expect:
        assert result.cosmetic.grade == expect["cosmetic"], result.cosmetic.reasons
    if "functional" in expect:
        assert result.functional.code == expect["functional"], result.functional.reasons
    if "rec" in expect:
        assert result.rec.text == expect["rec"]
    if "backmarket" in expect:
        channel = result.channel("backmarket")
        assert channel is not None
        assert channel.grade == expect["backmarket"], channel.reasons
    if "reason" in expect:
        assert expect["reason"] in result.cosmetic.reasons, result.cosmetic.reasons
    if "functional_reason" in expect:
        assert expect["functional_reason"] in result.functional.reasons, result.functional.reasons
    if "backmarket_reason" in expect:
        channel = result.channel("backmarket")
        assert channel is not None
        assert expect["backmarket_reason"] in channel.reasons, channel.reasons
    # The recorded body regrades to exactly the same result, through JSON and back.
    recorded = json.loads(json.dumps(result.to_dict()))
    assert reevaluate(recorded, load_rulesets(RULESETS)).to_dict() == recorded
