"""A customer's ITAD lot report, folded from event records alone.

The report is built from the columns every ``events`` table has (stream_id, seq, type, occurred_at,
operator_id, unit_id, body), never from the bench's projection tables, so the hub, holding the same
events from every bench, builds the identical report. Nothing here reads the clock: the report's
``as_of`` is the time of the newest event it used, so the same events always give the same report.

Per unit (its events sorted by time, then stream and seq, as the hub orders a unit's facts):

* identifiers from ``unit.created`` and ``unit.identifier_added``; the model from ``unit.created``, else
  what the erased device or the phone said;
* erasure: the latest passed ``erasure.completed`` / ``phone.reset_completed`` gives the method, NIST
  category, verification and certificate id (as the signed body says); without one, how the latest
  attempt ended (failed, verification failed, interrupted, flagged, in progress) or "not erased";
* grade: the latest cosmetic grade (after overrides); route: the latest route (after overrides);
* state: the latest lifecycle state, "shipped" once the unit is in a closed box.

A manifest line of the lot that no received unit carries is a row too ("not received"), so nothing
the customer handed over is left out silently. The sustainability summary is computed per unit from
the same events (app/core/sustainability_inputs.py) with the factor tables the caller passes, and each
version's disclosure lists the device classes of the lot's units only (app/core/lot_report_disclosure.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.core import events as ev
from app.core import events_grading as gev
from app.core import events_phones as pev
from app.core.carbon_factors import FactorTable, table_by_version
from app.core.device_classes import ClassMapping
from app.core.grading.prices import PriceTable
from app.core.kpi.facts import EventRecord
from app.core.lot_report_disclosure import lot_disclosure
from app.core.sustainability import SustainabilitySummary, UnitFigure, summarise, unit_figure
from app.core.sustainability_inputs import UnitEvent, harvestable_parts, unit_outcome

# How a unit's erasure stands, from best to worst; the lot certificate uses the same words.
ERASED = "erased"
FLAGGED = "reset flagged"
VERIFICATION_FAILED = "verification failed"
FAILED = "erasure failed"
INTERRUPTED = "erasure interrupted"
RUNNING = "erasure in progress"
NOT_ERASED = "not erased"
NOT_RECEIVED = "not received"

_KIND_ORDER = ("serial", "imei", "asset_tag", "meid", "wwn")
_COMPLETIONS = (ev.ERASURE_COMPLETED, pev.PHONE_RESET_COMPLETED)


class LotNotFound(LookupError):
    """No ``lot.created`` event has that code or id."""


@dataclass(frozen=True)
class LotInfo:
    lot_id: str
    code: str
    party_kind: str
    party: str
    po: str
    expected_count: int
    created_at: str


@dataclass(frozen=True)
class ReportUnit:
    """One row of the report: a received unit, or a manifest line never received (``unit_id`` empty)."""

    unit_id: str
    identifier: str                         # what a person finds on the unit (serial, IMEI, asset tag)
    identifiers: tuple[tuple[str, str], ...]
    model: str
    serial: str
    received_at: str
    erasure: str                            # ERASED, FAILED, ...
    method: str = ""
    category: str = ""                      # NIST SP 800-88 Clear / Purge
    verification: str = ""
    certificate_id: str = ""
    erased_at: str = ""
    erasure_attempts: int = 0
    grade: str = ""
    route: str = ""
    state: str = ""
    co2e_avoided_kg: str = ""               # this unit's figure ("" when it has none)
    factor_version: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["identifiers"] = [{"kind": k, "value": v} for k, v in self.identifiers]
        return data


@dataclass(frozen=True)
class LotReport:
    lot: LotInfo
    units: tuple[ReportUnit, ...]
    totals: Mapping[str, int]
    as_of: str                               # the newest event the report read
    lot_certificates: tuple[str, ...] = ()   # certificates of data destruction issued for the lot
    sustainability: SustainabilitySummary | None = None
    disclosures: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # factor version -> lines

    def to_json(self) -> dict[str, Any]:
        """JSON-ready and stable: the same events give the same document, key for key."""
        return {
            "schema": "refurb-bench/lot-report/1", "as_of": self.as_of,
            "lot": {name: getattr(self.lot, name) for name in self.lot.__dataclass_fields__},
            "lot_certificates": list(self.lot_certificates), "totals": dict(self.totals),
            "units": [u.to_json() for u in self.units],
            "sustainability": sustainability_json(self.sustainability, self.disclosures),
        }


def plain(value: Decimal) -> str:
    """``159.9`` for a sum of 79.95s (not ``159.900``), ``100`` not ``1E+2``: one number, one spelling."""
    return format(value.normalize(), "f")


def sustainability_json(summary: SustainabilitySummary | None,
                        disclosures: Mapping[str, tuple[str, ...]]) -> dict[str, Any] | None:
    if summary is None:
        return None

    def rate(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.4f}"
    return {
        "units": summary.units, "units_reused": summary.units_reused, "reuse_rate": rate(summary.reuse_rate),
        "co2e_avoided_kg": plain(summary.co2e_avoided_kg), "ewaste_diverted_kg": plain(summary.ewaste_diverted_kg),
        "device_years": plain(summary.device_years), "unknown_class": summary.unknown_class,
        "no_table": summary.no_table, "parts_harvested": summary.parts_harvested,
        "parts_harvestable": summary.parts_harvestable, "parts_reuse_rate": rate(summary.parts_reuse_rate),
        "by_outcome": {str(k): v for k, v in sorted(summary.by_outcome.items())},
        "by_version": [{
            "factor_version": v.factor_version, "table_digest": v.table_digest, "units": v.units,
            "units_reused": v.units_reused, "co2e_avoided_kg": plain(v.co2e_avoided_kg),
            "ewaste_diverted_kg": plain(v.ewaste_diverted_kg), "device_years": plain(v.device_years),
            "units_without_co2e": v.units_without_co2e, "units_without_mass": v.units_without_mass,
            "units_without_years": v.units_without_years,
            "disclosure": list(disclosures.get(v.factor_version, ())),
        } for v in summary.by_version],
    }


@dataclass
class _Unit:
    unit_id: str
    received_at: str = ""
    events: list[tuple[tuple[str, str, int], EventRecord, Mapping[str, Any]]] = field(default_factory=list)


def _body(record: EventRecord) -> Mapping[str, Any]:
    body = record.body
    return json.loads(body) if isinstance(body, str) else body


def _order(record: EventRecord) -> tuple[str, str, int]:
    return (record.occurred_at, record.stream_id, record.seq)


def find_lot(records: Iterable[EventRecord], lot_ref: str) -> LotInfo:
    """The lot whose code (case-insensitive) or id is ``lot_ref``, from its ``lot.created`` event."""
    wanted = lot_ref.strip()
    for record in sorted((r for r in records if r.type == ev.LOT_CREATED), key=_order):
        b = _body(record)
        if str(b["lot_id"]) == wanted or str(b["code"]).upper() == wanted.upper():
            return LotInfo(str(b["lot_id"]), str(b["code"]), str(b["party_kind"]), str(b["party"]), str(b["po"]),
                           int(b["expected_count"]), record.occurred_at)
    raise LotNotFound(lot_ref)


def build_lot_report(records: Iterable[EventRecord], lot_ref: str, *, tables: Sequence[FactorTable] = (),
                     mapping: ClassMapping | None = None, price_tables: Sequence[PriceTable] = ()) -> LotReport:
    """Fold ``records`` (in any order; events of other lots are ignored) into the report of one lot.

    Without ``mapping`` (or with no ``tables``) the report has no sustainability summary. ``price_tables``
    give the parts a harvested unit could have given (the parts reuse rate's denominator): the table a
    unit's ``route.assigned`` names by digest; a unit whose table is not among them counts as not known.
    Raises LotNotFound when no ``lot.created`` event names the lot.
    """
    rows = list(records)
    lot = find_lot(rows, lot_ref)
    units: dict[str, _Unit] = {}
    for r in sorted((r for r in rows if r.type == ev.LOT_UNIT_RECEIVED and r.unit_id), key=_order):
        if str(_body(r)["lot_id"]) == lot.lot_id and r.unit_id not in units:
            units[str(r.unit_id)] = _Unit(str(r.unit_id), r.occurred_at)
    boxed: dict[str, str] = {}
    operators: dict[str, str] = {}
    manifest: list[Mapping[str, Any]] = []
    certificates: list[tuple[tuple[str, str, int], str]] = []
    as_of = lot.created_at
    for r in rows:
        if r.unit_id in units:
            units[str(r.unit_id)].events.append((_order(r), r, _body(r)))
            as_of = max(as_of, r.occurred_at)
        elif r.type == gev.BOX_CLOSED:
            for unit_id in _body(r).get("units") or ():
                boxed[str(unit_id)] = min(boxed.get(str(unit_id), r.occurred_at), r.occurred_at)
                if unit_id in units:
                    as_of = max(as_of, r.occurred_at)
        elif r.type == ev.OPERATOR_ADDED:
            b = _body(r)
            operators[str(b["operator_id"])] = str(b["name"])
        elif r.type == ev.LOT_MANIFEST_IMPORTED and _body(r).get("lot_id") == lot.lot_id:
            manifest.extend(_body(r).get("lines") or ())
            as_of = max(as_of, r.occurred_at)
        elif r.type == ev.LOT_CERTIFICATE_ISSUED and (_body(r).get("lot") or {}).get("lot_id") == lot.lot_id:
            certificates.append((_order(r), str(_body(r)["certificate_id"])))
            as_of = max(as_of, r.occurred_at)
    ordered = sorted(units.values(), key=lambda u: (u.received_at, u.unit_id))
    figures: dict[str, UnitFigure] = {}
    if mapping is not None and tables:
        for u in ordered:
            figure = _figure(u, mapping, tables, {t.digest: t for t in price_tables})
            if figure is not None:
                figures[u.unit_id] = figure
    report_units = [_unit_row(u, boxed.get(u.unit_id), figures.get(u.unit_id)) for u in ordered]
    report_units.extend(_not_received(manifest, report_units))
    summary = summarise(figures[u.unit_id] for u in ordered if u.unit_id in figures) if figures else None
    disclosures: dict[str, tuple[str, ...]] = {}
    for version in summary.factor_versions if summary else ():
        table = table_by_version(tables, version)
        if table is not None:   # only the classes of this lot's units figured with this version
            classes = {f.device_class for f in figures.values() if f.factor_version == version and f.device_class}
            disclosures[version] = lot_disclosure(table, classes)
    return LotReport(lot=lot, units=tuple(report_units), totals=_totals(lot, report_units), as_of=as_of,
                     lot_certificates=tuple(c for _, c in sorted(certificates)), sustainability=summary,
                     disclosures=disclosures)


def _figure(u: _Unit, mapping: ClassMapping, tables: Sequence[FactorTable],
            prices: Mapping[str, PriceTable]) -> UnitFigure | None:
    ordered = sorted(u.events, key=lambda e: e[0])
    model = next((str(b.get("model") or "") for _, r, b in ordered if r.type == ev.UNIT_CREATED), "")
    routed = [b for _, r, b in ordered if r.type == gev.ROUTE_ASSIGNED]
    table = prices.get(str((routed[-1].get("price_table") or {}).get("digest", ""))) if routed else None
    harvestable = harvestable_parts(table, model) if table is not None else None
    # Already in (time, stream, seq) order: unit_outcome's stable sort by time then keeps a route and its
    # override recorded in the same millisecond in the order they were recorded.
    outcome = unit_outcome(u.unit_id, model, [UnitEvent(r.type, r.occurred_at, b) for _, r, b in ordered], mapping,
                           parts_harvestable=harvestable)
    return unit_figure(outcome, tables) if outcome is not None else None


def _unit_row(u: _Unit, boxed_at: str | None, figure: UnitFigure | None) -> ReportUnit:
    identifiers: dict[str, str] = {}
    model = device_model = ""
    state, state_at = "received", ""
    grade = route = ""
    passed: Mapping[str, Any] | None = None
    last_attempt = ""
    attempts = 0
    for _, r, b in sorted(u.events, key=lambda e: e[0]):
        if r.type == ev.UNIT_CREATED:
            for ident in b.get("identifiers") or ():
                identifiers.setdefault(str(ident.get("kind", "")), str(ident.get("value", "")))
            model = str(b.get("model") or model)
        elif r.type == ev.UNIT_IDENTIFIER_ADDED:
            identifiers.setdefault(str(b["kind"]), str(b["value"]))
        elif r.type == pev.PHONE_IDENTIFIED:
            device_model = device_model or str((b.get("identity") or {}).get("model") or "")
        elif r.type == ev.UNIT_STATE_CHANGED:
            state, state_at = str(b["to"]), r.occurred_at
        elif r.type == gev.GRADE_ASSIGNED:
            grade = str((b.get("cosmetic") or {}).get("grade") or "")
        elif r.type == gev.GRADE_OVERRIDDEN and b.get("scale") == "cosmetic":
            grade = str(b["to"])
        elif r.type == gev.ROUTE_ASSIGNED:
            route = str(b["route"])
        elif r.type == gev.ROUTE_OVERRIDDEN:
            route = str(b["to"])
        elif r.type == ev.ERASURE_STARTED:
            attempts += 1
            last_attempt = RUNNING
        elif r.type in _COMPLETIONS:
            attempts += 1 if r.type == pev.PHONE_RESET_COMPLETED else 0
            last_attempt = _attempt_outcome(b)
            if last_attempt == ERASED:
                passed = b
    if boxed_at is not None and boxed_at >= state_at:
        state = "shipped"
    label = next((identifiers[k] for k in _KIND_ORDER if k in identifiers), next(iter(identifiers.values()), u.unit_id))
    fig_fields = {"co2e_avoided_kg": "", "factor_version": ""}
    if figure is not None:
        record = figure.to_record()
        fig_fields = {"co2e_avoided_kg": record["co2e_avoided_kg"] or "",
                      "factor_version": record["factor_version"] or ""}
    common: dict[str, Any] = {
        "unit_id": u.unit_id, "identifier": label, "identifiers": tuple(sorted(identifiers.items())),
        "received_at": u.received_at, "erasure_attempts": attempts, "grade": grade, "route": route,
        "state": state, **fig_fields}
    if passed is None:
        return ReportUnit(model=model or device_model, serial=identifiers.get("serial", ""),
                          erasure=last_attempt or NOT_ERASED, **common)
    device = passed.get("device") or {}
    method = passed.get("method") or {}
    verification = passed.get("verification") or {}
    return ReportUnit(
        model=model or str(device.get("model") or "") or device_model,
        serial=str(device.get("serial") or identifiers.get("serial", "")), erasure=ERASED,
        method=str(method.get("name", "")), category=str(method.get("category", "")),
        verification=f"{verification.get('method', '')} {verification.get('result', '')}".strip(),
        certificate_id=str(passed.get("certificate_id", "")), erased_at=str(passed.get("finished_at", "")), **common)


def _attempt_outcome(b: Mapping[str, Any]) -> str:
    outcome = str(b.get("outcome"))
    if outcome == "passed":
        return ERASED
    if outcome == "interrupted":
        return INTERRUPTED
    if outcome == "flagged":
        return FLAGGED
    return VERIFICATION_FAILED if (b.get("verification") or {}).get("result") == "failed" else FAILED


def _not_received(manifest: list[Mapping[str, Any]], received: list[ReportUnit]) -> list[ReportUnit]:
    seen = {value for u in received for _, value in u.identifiers}
    lines: dict[str, Mapping[str, Any]] = {}
    for line in manifest:  # a later import of the same line replaces the earlier one
        lines[str(line["value"])] = line
    return [ReportUnit(unit_id="", identifier=value, identifiers=((str(line["kind"]), value),),
                       model=str(line.get("model") or ""),
                       serial=value if line["kind"] == "serial" else "", received_at="", erasure=NOT_RECEIVED)
            for value, line in sorted(lines.items()) if value not in seen]


def _totals(lot: LotInfo, units: list[ReportUnit]) -> dict[str, int]:
    received = [u for u in units if u.erasure != NOT_RECEIVED]
    erasure = Counter(u.erasure for u in units)
    totals = {
        "expected": lot.expected_count, "units": len(units), "received": len(received),
        "not_received": erasure[NOT_RECEIVED], "erased": erasure[ERASED],
        "not_erased": len(received) - erasure[ERASED],
        "erasure_failed": erasure[FAILED] + erasure[VERIFICATION_FAILED] + erasure[FLAGGED],
        "erasure_interrupted": erasure[INTERRUPTED], "erasure_in_progress": erasure[RUNNING],
        "shipped": sum(u.state == "shipped" for u in received),
        "on_hold": sum(u.state == "on_hold" for u in received),
    }
    for u in received:
        if u.route:
            totals[f"route_{u.route}"] = totals.get(f"route_{u.route}", 0) + 1
        if u.grade:
            totals[f"grade_{u.grade}"] = totals.get(f"grade_{u.grade}", 0) + 1
    return dict(sorted(totals.items()))
