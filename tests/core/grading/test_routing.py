"""Routes from real price tables: the best-valued open route wins, and locks or sanitisation close resale."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.core.errors import OperatorError
from app.core.grading import (
    GradingInputs,
    IncompleteInputs,
    RouteKind,
    evaluate,
    load_price_table,
    load_ruleset,
    route,
)
from app.core.grading.routing import Route
from tests.core.grading.support import PRICES, RULESETS, varied

RULESET = load_ruleset(RULESETS / "phones-ctia-r2-v1.toml")
TABLE = load_price_table(PRICES / "phones-eu-v1.toml")


def _route(case: dict[str, Any], model: str = "iPhone 13") -> Route:
    return route(evaluate(GradingInputs.from_dict(varied(case, model)), RULESET), RULESET, TABLE)


def test_clean_unit_sells_premium_with_a_lithium_mark() -> None:
    chosen = _route({})
    assert (chosen.kind, chosen.chosen.channel, chosen.chosen.grade, chosen.chosen.value) == (
        RouteKind.RESALE, "backmarket", "Premium", Decimal("455.00"))
    assert chosen.ships_with_battery
    assert chosen.un_number == "UN3481"
    assert chosen.air_forbidden is None
    assert chosen.reasons[0] == "resale on backmarket, grade Premium: EUR 455.00"


def test_cosmetic_d_without_a_channel_is_repaired_when_that_pays() -> None:
    chosen = _route({"cosmetic": {"back": [{"defect": "crack", "count": 2}]}})
    # back glass 65 + labour 15 turns a 170 wholesale D into a 420 Excellent (aftermarket glass: not Premium)
    assert chosen.kind is RouteKind.REPAIR
    assert [(r.part, r.cost) for r in chosen.chosen.repairs] == [("back", Decimal("65.00"))]
    assert (chosen.chosen.channel, chosen.chosen.grade, chosen.chosen.value) == (
        "backmarket", "Excellent", Decimal("340.00"))
    assert chosen.reasons[1] == "not resale on wholesale, grade D: EUR 170.00"
    # the cracked back is not offered as a harvested part
    harvest = next(o for o in chosen.options if o.kind is RouteKind.PARTS_HARVEST)
    assert "back" not in [p.part for p in harvest.parts]


def test_weak_battery_becomes_a_repair_task() -> None:
    chosen = _route({"battery": {"health_pct": 71}})
    assert chosen.kind is RouteKind.REPAIR
    assert [r.part for r in chosen.chosen.repairs] == ["battery"]
    # a non-genuine replacement battery and parts rule out Premium: Excellent 420 - 38 - 15
    assert (chosen.chosen.grade, chosen.chosen.value) == ("Excellent", Decimal("367.00"))
    assert chosen.ships_with_battery is False


@pytest.mark.parametrize(("case", "blocker"), [
    ({"locks": {"activation": True}}, "activation lock"),
    ({"locks": {"blocklisted": True}}, "IMEI on a blocklist"),
    ({"locks": {"mdm": True}}, "MDM enrolment"),
    ({"sanitisation": {"status": "failed"}}, "data sanitisation failed"),
    ({"sanitisation": {"status": "not_done"}}, "data sanitisation not done"),
    ({"sanitisation": {"certificate_id": ""}}, "no sanitisation certificate"),
])
def test_blocked_resale_goes_to_parts(case: dict[str, Any], blocker: str) -> None:
    chosen = _route(case)
    assert chosen.resale_blockers == (blocker,)
    assert chosen.kind is RouteKind.PARTS_HARVEST
    assert all(o.kind not in (RouteKind.RESALE, RouteKind.REPAIR) for o in chosen.options)
    parts = [p.part for p in chosen.chosen.parts]
    # storage that may still hold data is never harvested from an unsanitised unit
    assert ("logic_board" in parts) is (case.get("sanitisation", {}).get("status", "passed") == "passed")
    assert f"resale blocked: {blocker}" in chosen.reasons
    assert chosen.un_number is None


def test_carrier_lock_does_not_block_resale() -> None:
    assert _route({"locks": {"carrier": True}}).kind is RouteKind.RESALE


def test_cheap_broken_unit_is_recycled_with_battery_removal() -> None:
    chosen = _route({"fail": ["power", "display", "camera_rear"], "locks": {"activation": True},
                     "cosmetic": {"screen": [{"defect": "crack"}]}}, model="iPhone 8")
    # logic board 10 - harvest labour 12 < 0.27 scrap
    assert chosen.kind is RouteKind.RECYCLE
    assert chosen.battery_removal
    assert chosen.recycle_weight_g == 148
    assert chosen.chosen.value == Decimal("0.27")


def test_swollen_battery_may_not_fly() -> None:
    chosen = _route({"battery": {"condition": "swollen"}})
    assert chosen.air_forbidden == "battery swollen: damaged or defective lithium batteries may not go by air"


def test_unknown_model_and_missing_lock_checks_are_operator_errors() -> None:
    with pytest.raises(OperatorError, match="No prices for model 'Nokia 3310'"):
        _route({}, model="Nokia 3310")
    unit = varied({})
    del unit["locks"]
    grade = evaluate(GradingInputs.from_dict(unit), RULESET)
    with pytest.raises(IncompleteInputs, match="missing the lock checks"):
        route(grade, RULESET, TABLE)


def test_route_body_names_its_table() -> None:
    body = _route({}).to_dict()
    assert body["price_table"]["id"] == "phones-eu"
    assert body["price_table"]["version"] == 1
    assert body["route"] == "resale"
    assert body["un_number"] == "UN3481"
