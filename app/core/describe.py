"""Plain-words descriptions of events, for timelines and reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.core import events as ev
from app.core import events_grading as gev
from app.core import events_phones as pev
from app.core import events_rigs as rev
from app.core.models import Event


def _idents(body: Mapping[str, Any]) -> str:
    return ", ".join(f"{_kind(i['kind'])} {i['value']}" for i in body.get("identifiers", []))


def _kind(kind: str) -> str:
    """Identifier kinds as printed on labels: IMEI, MEID, serial, asset tag."""
    return kind.upper() if kind in ("imei", "meid", "gtin") else kind.replace("_", " ")


_TEXT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    ev.STATION_INITIALISED: lambda b: f"Station set up (Refurb Bench {b['app_version']})",
    ev.OPERATOR_ADDED: lambda b: f"Operator {b['name']} added as {b['role']} (badge {b['badge']})",
    ev.OPERATOR_LOGGED_IN: lambda b: f"Logged in by {b['method']}",
    ev.OPERATOR_LOGGED_OUT: lambda b: "Logged out" + (f" ({b['reason']})" if b.get("reason") else ""),
    ev.UNIT_CREATED: lambda b: f"Unit created from {b['source']}: {_idents(b)}"
    + (f", GTIN {b['gtin']}" if b.get("gtin") else "") + (f", model {b['model']}" if b.get("model") else ""),
    ev.UNIT_IDENTIFIER_ADDED: lambda b: f"Identifier added: {_kind(b['kind'])} {b['value']}",
    ev.UNIT_STATE_CHANGED: lambda b: f"State {b['from']} → {b['to']}" + (f": {b['reason']}" if b.get("reason") else ""),
    ev.LOT_CREATED: lambda b: f"Lot {b['code']} created for {b['party_kind']} {b['party']}"
    + (f", PO {b['po']}" if b["po"] else "") + f", {b['expected_count']} expected",
    ev.LOT_MANIFEST_IMPORTED: lambda b: f"Manifest {b['file_name']} imported ({len(b['lines'])} units)",
    ev.ERASURE_STARTED: lambda b: f"Erasure started: {b['method'].get('pattern', '')} overwrite of "
    f"{b['device'].get('path', '')}, {b['verification']} verification"
    + (" (resumed)" if b.get("resumed_from") else ""),
    ev.ERASURE_CHECKPOINT: lambda b: f"Erasure checkpoint at {b['next_offset'] // 1_000_000:,} MB",
    ev.ERASURE_COMPLETED: lambda b: f"Erasure {b['outcome']}: {b['result'].get('summary', '')}"
    + (f" — certificate {b['certificate_id']}" if b.get("certificate_id") else ""),
    ev.BAY_ASSIGNED: lambda b: f"Bay {b['bay']} assigned to port {b['bay_key']}",
    ev.BAY_CLEARED: lambda b: f"Bay {b['bay']} cleared",
    ev.LOT_UNIT_RECEIVED: lambda b: f"Received into lot {b.get('lot_code', '')}".rstrip()
    + ("" if b["expected"] else " — not on its manifest"),
    rev.RIG_BOUND: lambda b: f"Rig bay {b['bay']}: {b['role']} is {b['port']}"
    + (f" ({b['identity']})" if b.get("identity") else ""),
    rev.RIG_UNBOUND: lambda b: f"Rig bay {b['bay']}: {b['role']} unbound",
    rev.RIG_TEST_STARTED: lambda b: f"Test plan {b['plan_name']} v{b['plan_version']} started"
    + (f" in rig bay {b['bay']}" if b.get("bay") is not None else ""),
    rev.RIG_STEP_RECORDED: lambda b: f"{'Cleanup' if b['cleanup'] else 'Step'} {b['index'] + 1} {b['name']}: "
    f"{b['verdict']} — {b['message']}",
    rev.RIG_TEST_COMPLETED: lambda b: f"Test plan {b['plan_id']} v{b['plan_version']}: {b['verdict']} — {b['summary']}",
    pev.PHONE_IDENTIFIED: lambda b: "Phone identified: " + " ".join(
        str(b["identity"].get(k)) for k in ("make", "model", "model_number", "os_version") if b["identity"].get(k))
    + (f" in bay {b['bay']}" if b.get("bay") is not None else f" on {b['bay_key']}"),
    pev.PHONE_BATTERY_READ: lambda b: "Battery: " + (", ".join(
        f"{label} {b['battery'][k]}{unit}" for label, k, unit in (
            ("charge", "level_pct", " %"), ("capacity", "capacity_pct", " % of design"), ("cycles", "cycle_count", ""))
        if k in b["battery"]) or "not readable"),
    pev.PHONE_BLOCKERS_CHECKED: lambda b: "Blockers checked: " + (
        "held for " + ", ".join(b["holds"]) if b["holds"] else "none found"),
    pev.PHONE_PLAN_STARTED: lambda b: f"Phone test plan {b['plan_id']} v{b['plan_version']} started",
    pev.PHONE_CHECK_RECORDED: lambda b: f"{b['kind'].capitalize()} check {b['step']}: "
    f"{b['outcome'].replace('_', ' ')} — {b['evidence']}",
    pev.PHONE_PLAN_FINISHED: lambda b: f"Phone test plan {b['plan_id']} {b['verdict']}",
    pev.PHONE_DISCONNECTED: lambda b: f"Phone unplugged from {b['bay_key']} while {b['during']}",
    pev.PHONE_RESET_COMPLETED: lambda b: f"Phone factory reset {b['outcome']}: {b['result'].get('summary', '')}"
    + (f" — certificate {b['certificate_id']}" if b.get("certificate_id") else ""),
    gev.GRADE_ASSIGNED: lambda b: f"Graded {b['summary']} ({b['ruleset']['id']} v{b['ruleset']['version']})"
    + (f", {len(b['photos'])} photos" if b.get("photos") else ""),
    gev.GRADE_OVERRIDDEN: lambda b: f"Grade overridden on {b['scale']}: {b['from']} → {b['to']} ({b['reason']})",
    gev.ROUTE_ASSIGNED: lambda b: f"Routed to {b['route'].replace('_', ' ')}"
    + (f" on {b['channel']} grade {b['grade']}" if b.get("channel") else "") + f" ({b['currency']} {b['value']})"
    + (f"; resale blocked: {', '.join(b['resale_blockers'])}" if b["resale_blockers"] else ""),
    gev.ROUTE_OVERRIDDEN: lambda b: f"Route overridden: {b['from'].replace('_', ' ')} → {b['to'].replace('_', ' ')}"
    f" ({b['reason']})",
    gev.LABEL_PRINTED: lambda b: f"{'Reprinted' if b['reprint'] else 'Printed'} {b['kind']} label on {b['printer']}",
    gev.BOX_CREATED: lambda b: f"Box {b['box_id']} opened for {b['route'].replace('_', ' ')} by {b['ship_mode']}",
    gev.BOX_UNIT_ADDED: lambda b: f"Packed in box {b['box_id']} (line {b['line']})",
    gev.BOX_UNIT_REMOVED: lambda b: f"Taken out of box {b['box_id']}: {b['reason']}",
    gev.BOX_CLOSED: lambda b: f"Box {b['box_id']} closed with {len(b['units'])} units"
    + (f", marked {b['un_number']}" if b.get("un_number") else ""),
}


def describe(event: Event) -> str:
    """One line saying what the event means."""
    text = _TEXT.get(event.type)
    return text(event.body) if text else event.type
