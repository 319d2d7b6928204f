"""Build a unit's sustainability input from its recorded events, so every report reads them one way.

Read per unit (events in any order; they are sorted by time):

* class evidence: ``rig.test_started`` device_class, the erasure ``device.media_type``, an iOS
  ``phone.identified`` identity ``product_type``, and the unit's model;
* outcome: the latest ``route.assigned`` or ``route.overridden`` (its ``route`` / ``to``), with the
  repairs fitted and the parts harvested that event lists; the day of that event selects the table;
* measured mass: ``weight_g`` of the latest ``grade.assigned`` inputs (grams, as the inspection records it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from app.core import events as ev
from app.core import events_grading as gev
from app.core import events_phones as pev
from app.core import events_rigs as rev
from app.core.device_classes import ClassEvidence, ClassMapping
from app.core.grading.prices import PriceTable
from app.core.sustainability import UnitOutcome, date_of, outcome_for_route

_ERASURES = (ev.ERASURE_STARTED, ev.ERASURE_COMPLETED)


class UnitEvent(NamedTuple):
    """The columns of one of a unit's events that the figures read."""

    type: str
    occurred_at: str
    body: Mapping[str, Any]


def class_evidence(model: str, events: Iterable[UnitEvent]) -> ClassEvidence:
    """What the unit's events say it is; a later event of a kind overrides an earlier one."""
    rig = media = product = ""
    for e in sorted(events, key=lambda e: e.occurred_at):
        if e.type == rev.RIG_TEST_STARTED:
            rig = str(e.body.get("device_class") or "")
        elif e.type in _ERASURES and isinstance(e.body.get("device"), Mapping):
            media = str(e.body["device"].get("media_type") or "") or media
        elif e.type == pev.PHONE_IDENTIFIED and e.body.get("platform") == "ios":
            identity = e.body.get("identity")
            if isinstance(identity, Mapping):
                product = str(identity.get("product_type") or "") or product
    return ClassEvidence(model=model, rig_device_class=rig, erasure_media=media, ios_product_type=product)


def unit_outcome(unit_id: str, model: str, events: Iterable[UnitEvent], mapping: ClassMapping,
                 parts_harvestable: int | None = None, factor_version: str | None = None) -> UnitOutcome | None:
    """The unit's input to :func:`app.core.sustainability.unit_figure`; ``None`` while it has no route."""
    ordered = sorted(events, key=lambda e: e.occurred_at)
    routing = [e for e in ordered if e.type in (gev.ROUTE_ASSIGNED, gev.ROUTE_OVERRIDDEN)]
    if not routing:
        return None
    last = routing[-1]
    route = str(last.body["route"] if last.type == gev.ROUTE_ASSIGNED else last.body["to"])
    repairs = tuple(str(r["part"]) for r in last.body.get("repairs", ()) if isinstance(r, Mapping))
    parts = [p for p in last.body.get("parts", ()) if isinstance(p, Mapping)]
    outcome = outcome_for_route(route)
    classification = mapping.classify(class_evidence(model, ordered))
    return UnitOutcome(
        unit_id=unit_id, device_class=classification.device_class, outcome=outcome,
        decided_on=date_of(last.occurred_at), parts_replaced=repairs if route == "repair" else (),
        measured_mass_kg=_measured_mass_kg(ordered), parts_harvested=len(parts) if route == "parts_harvest" else 0,
        parts_harvestable=parts_harvestable if route == "parts_harvest" else None,
        factor_version=factor_version, class_basis=classification.basis)


def _measured_mass_kg(events: list[UnitEvent]) -> Decimal | None:
    for e in reversed(events):
        if e.type != gev.GRADE_ASSIGNED:
            continue
        device = (e.body.get("inputs") or {}).get("device") or {}
        grams = device.get("weight_g")  # an int, or a decimal string when not whole (event bodies hold no floats)
        if isinstance(grams, bool) or not isinstance(grams, (int, float, str)):
            return None
        try:
            value = Decimal(str(grams))
        except ArithmeticError:
            return None
        return value / 1000 if value.is_finite() and value > 0 else None
    return None


def harvestable_parts(table: PriceTable, model: str) -> int | None:
    """How many parts the price table values for the model: the parts a harvest could recover."""
    prices = table.model(model)
    return len(prices.parts) if prices is not None else None
