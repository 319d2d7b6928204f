"""Plain-words descriptions of events, for timelines and reports.

Each description is a few :class:`Phrase` pieces: a template marked with
``QT_TRANSLATE_NOOP("Event", ...)`` and the values of its ``{name}`` placeholders. ``describe``
joins them in English (the CLI, the logs and the reports); the unit timeline translates each piece
into the screens' language and fills the values in after, without Qt here. Optional parts ("(resumed)",
"— certificate …") are pieces of their own, so each template stays a whole sentence part a translator
can reorder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core import events as ev
from app.core import events_grading as gev
from app.core import events_phones as pev
from app.core import events_rigs as rev
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.models import Event

EVENT_CONTEXT = "Event"


@dataclass(frozen=True)
class Phrase:
    """``template`` (marked under ``context``) and its values; a value may be a Phrase of its own
    (a role, a unit state, an identifier kind) that is translated by itself."""

    context: str
    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def english(self) -> str:
        if not self.values:
            return self.template
        return self.template.format(**{k: v.english() if isinstance(v, Phrase) else v
                                        for k, v in self.values.items()})


Description = tuple[Phrase, ...]


def _p(template: str, **values: object) -> Phrase:
    return Phrase(EVENT_CONTEXT, template, values)


def _when(condition: object, phrase: Callable[[], Phrase]) -> tuple[Phrase, ...]:
    """An optional piece: ``phrase()`` when ``condition`` holds (built only then: its values may be absent)."""
    return (phrase(),) if condition else ()


def _role(role: str) -> Phrase:
    return Phrase("Role", role)  # the roles' names are marked in app/ui/i18n.py


def _state(state: str) -> Phrase:
    return Phrase("UnitState", state.replace("_", " "))  # marked in app/ui/i18n.py


def _party_kind(kind: str) -> Phrase:
    """Who a lot is for (PartyKind): a customer or a supplier."""
    names = {"customer": QT_TRANSLATE_NOOP("Event", "customer"), "supplier": QT_TRANSLATE_NOOP("Event", "supplier")}
    return _p(names[kind]) if kind in names else Phrase("", kind)


def _kind(kind: str) -> Phrase:
    """Identifier kinds as printed on labels: IMEI, MEID, serial, asset tag."""
    names = {
        "serial": QT_TRANSLATE_NOOP("Event", "serial"),
        "asset_tag": QT_TRANSLATE_NOOP("Event", "asset tag"),
    }
    if kind in names:
        return _p(names[kind])
    return Phrase("", kind.upper() if kind in ("imei", "meid", "gtin") else kind.replace("_", " "))


def _idents(body: Mapping[str, Any]) -> Phrase:
    """'IMEI 3569…, serial F2LX…': each kind a phrase of its own, joined without words to translate."""
    identifiers = list(body.get("identifiers", []))
    template = ", ".join(f"{{kind{n}}} {{value{n}}}" for n in range(len(identifiers)))
    values: dict[str, object] = {}
    for n, identifier in enumerate(identifiers):
        values[f"kind{n}"], values[f"value{n}"] = _kind(identifier["kind"]), identifier["value"]
    return Phrase("", template, values)


def _certificate(b: Mapping[str, Any]) -> tuple[Phrase, ...]:
    return _when(b.get("certificate_id"), lambda: _p(QT_TRANSLATE_NOOP("Event", " — certificate {certificate}"),
                                                     certificate=b["certificate_id"]))


def _route(route: str) -> str:
    return route.replace("_", " ")


def _battery(b: Mapping[str, Any]) -> Description:
    battery = b["battery"]
    parts = []
    if "level_pct" in battery:
        parts.append(_p(QT_TRANSLATE_NOOP("Event", "charge {value} %"), value=battery["level_pct"]))
    if "capacity_pct" in battery:
        parts.append(_p(QT_TRANSLATE_NOOP("Event", "capacity {value} % of design"), value=battery["capacity_pct"]))
    if "cycle_count" in battery:
        parts.append(_p(QT_TRANSLATE_NOOP("Event", "cycles {value}"), value=battery["cycle_count"]))
    if not parts:
        return (_p(QT_TRANSLATE_NOOP("Event", "Battery: not readable")),)
    joined: list[Phrase] = [_p(QT_TRANSLATE_NOOP("Event", "Battery: "))]
    for number, part in enumerate(parts):
        joined += [Phrase("", ", ")] if number else []
        joined.append(part)
    return tuple(joined)


def _phone_identified(b: Mapping[str, Any]) -> Description:
    identity = " ".join(str(b["identity"].get(k)) for k in ("make", "model", "model_number", "os_version")
                        if b["identity"].get(k))
    where = (_p(QT_TRANSLATE_NOOP("Event", " in bay {bay}"), bay=b["bay"]) if b.get("bay") is not None
             else _p(QT_TRANSLATE_NOOP("Event", " on {port}"), port=b["bay_key"]))
    return _p(QT_TRANSLATE_NOOP("Event", "Phone identified: {identity}"), identity=identity), where


def _route_assigned(b: Mapping[str, Any]) -> Description:
    return (
        _p(QT_TRANSLATE_NOOP("Event", "Routed to {route}"), route=_route(b["route"])),
        *_when(b.get("channel"), lambda: _p(QT_TRANSLATE_NOOP("Event", " on {channel} grade {grade}"),
                                            channel=b["channel"], grade=b["grade"])),
        _p(QT_TRANSLATE_NOOP("Event", " ({currency} {value})"), currency=b["currency"], value=b["value"]),
        *_when(b["resale_blockers"], lambda: _p(QT_TRANSLATE_NOOP("Event", "; resale blocked: {blockers}"),
                                                blockers=", ".join(b["resale_blockers"]))),
    )


_TEXT: dict[str, Callable[[Mapping[str, Any]], Description]] = {
    ev.STATION_INITIALISED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Station set up (Refurb Bench {version})"), version=b["app_version"]),),
    ev.OPERATOR_ADDED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Operator {name} added as {role} (badge {badge})"),
           name=b["name"], role=_role(b["role"]), badge=b["badge"]),),
    ev.OPERATOR_LOGGED_IN: lambda b: (_p(QT_TRANSLATE_NOOP("Event", "Logged in by {method}"), method=b["method"]),),
    ev.OPERATOR_LOGGED_OUT: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Logged out")),
        *_when(b.get("reason"), lambda: _p(QT_TRANSLATE_NOOP("Event", " ({reason})"), reason=b["reason"]))),
    ev.UNIT_CREATED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Unit created from {source}: {identifiers}"),
           source=b["source"], identifiers=_idents(b)),
        *_when(b.get("gtin"), lambda: _p(QT_TRANSLATE_NOOP("Event", ", GTIN {gtin}"), gtin=b["gtin"])),
        *_when(b.get("model"), lambda: _p(QT_TRANSLATE_NOOP("Event", ", model {model}"), model=b["model"]))),
    ev.UNIT_IDENTIFIER_ADDED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Identifier added: {kind} {value}"), kind=_kind(b["kind"]), value=b["value"]),),
    ev.UNIT_STATE_CHANGED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "State {before} → {after}"), before=_state(b["from"]), after=_state(b["to"])),
        *_when(b.get("reason"), lambda: _p(QT_TRANSLATE_NOOP("Event", ": {reason}"), reason=b["reason"]))),
    ev.LOT_CREATED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Lot {code} created for {party_kind} {party}"),
           code=b["code"], party_kind=_party_kind(b["party_kind"]), party=b["party"]),
        *_when(b["po"], lambda: _p(QT_TRANSLATE_NOOP("Event", ", PO {po}"), po=b["po"])),
        _p(QT_TRANSLATE_NOOP("Event", ", {count} expected"), count=b["expected_count"])),
    ev.LOT_MANIFEST_IMPORTED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Manifest {file} imported ({count} units)"),
           file=b["file_name"], count=len(b["lines"])),),
    ev.ERASURE_STARTED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Erasure started: {pattern} overwrite of {path}, {verification} verification"),
           pattern=b["method"].get("pattern", ""), path=b["device"].get("path", ""),
           verification=b["verification"]),
        *_when(b.get("resumed_from"), lambda: _p(QT_TRANSLATE_NOOP("Event", " (resumed)")))),
    ev.ERASURE_CHECKPOINT: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Erasure checkpoint at {megabytes} MB"),
           megabytes=f"{b['next_offset'] // 1_000_000:,}"),),
    ev.ERASURE_COMPLETED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Erasure {outcome}: {summary}"),
           outcome=b["outcome"], summary=b["result"].get("summary", "")),
        *_certificate(b)),
    ev.BAY_ASSIGNED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Bay {bay} assigned to port {port}"), bay=b["bay"], port=b["bay_key"]),),
    ev.BAY_CLEARED: lambda b: (_p(QT_TRANSLATE_NOOP("Event", "Bay {bay} cleared"), bay=b["bay"]),),
    ev.LOT_UNIT_RECEIVED: lambda b: (
        (_p(QT_TRANSLATE_NOOP("Event", "Received into lot {lot}"), lot=b["lot_code"]) if b.get("lot_code")
         else _p(QT_TRANSLATE_NOOP("Event", "Received into lot"))),
        *_when(not b["expected"], lambda: _p(QT_TRANSLATE_NOOP("Event", " — not on its manifest")))),
    rev.RIG_BOUND: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Rig bay {bay}: {role} is {port}"), bay=b["bay"], role=b["role"],
           port=b["port"]),
        *_when(b.get("identity"), lambda: _p(QT_TRANSLATE_NOOP("Event", " ({identity})"), identity=b["identity"]))),
    rev.RIG_UNBOUND: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Rig bay {bay}: {role} unbound"), bay=b["bay"], role=b["role"]),),
    rev.RIG_TEST_STARTED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Test plan {plan} v{version} started"),
           plan=b["plan_name"], version=b["plan_version"]),
        *_when(b.get("bay") is not None, lambda: _p(QT_TRANSLATE_NOOP("Event", " in rig bay {bay}"), bay=b["bay"]))),
    rev.RIG_STEP_RECORDED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Cleanup {number} {name}: {verdict} — {message}") if b["cleanup"]
           else QT_TRANSLATE_NOOP("Event", "Step {number} {name}: {verdict} — {message}"),
           number=b["index"] + 1, name=b["name"], verdict=b["verdict"], message=b["message"]),),
    rev.RIG_TEST_COMPLETED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Test plan {plan} v{version}: {verdict} — {summary}"),
           plan=b["plan_id"], version=b["plan_version"], verdict=b["verdict"], summary=b["summary"]),),
    pev.PHONE_IDENTIFIED: _phone_identified,
    pev.PHONE_BATTERY_READ: _battery,
    pev.PHONE_BLOCKERS_CHECKED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Blockers checked: held for {holds}"), holds=", ".join(b["holds"]))
        if b["holds"] else _p(QT_TRANSLATE_NOOP("Event", "Blockers checked: none found")),),
    pev.PHONE_PLAN_STARTED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Phone test plan {plan} v{version} started"),
           plan=b["plan_id"], version=b["plan_version"]),),
    pev.PHONE_CHECK_RECORDED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Automatic check {step}: {outcome} — {evidence}") if b["kind"] == "automatic"
           else QT_TRANSLATE_NOOP("Event", "Guided check {step}: {outcome} — {evidence}") if b["kind"] == "guided"
           else QT_TRANSLATE_NOOP("Event", "{kind} check {step}: {outcome} — {evidence}"),
           kind=b["kind"].capitalize(), step=b["step"], outcome=b["outcome"].replace("_", " "),
           evidence=b["evidence"]),),
    pev.PHONE_PLAN_FINISHED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Phone test plan {plan} {verdict}"), plan=b["plan_id"], verdict=b["verdict"]),),
    pev.PHONE_DISCONNECTED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Phone unplugged from {port} while {during}"),
           port=b["bay_key"], during=b["during"]),),
    pev.PHONE_RESET_COMPLETED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Phone factory reset {outcome}: {summary}"),
           outcome=b["outcome"], summary=b["result"].get("summary", "")),
        *_certificate(b)),
    gev.GRADE_ASSIGNED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Graded {summary} ({ruleset} v{version})"),
           summary=b["summary"], ruleset=b["ruleset"]["id"], version=b["ruleset"]["version"]),
        *_when(b.get("photos"), lambda: _p(QT_TRANSLATE_NOOP("Event", ", {count} photos"), count=len(b["photos"])))),
    gev.GRADE_OVERRIDDEN: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Grade overridden on {scale}: {before} → {after} ({reason})"),
           scale=b["scale"], before=b["from"], after=b["to"], reason=b["reason"]),),
    gev.ROUTE_ASSIGNED: _route_assigned,
    gev.ROUTE_OVERRIDDEN: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Route overridden: {before} → {after} ({reason})"),
           before=_route(b["from"]), after=_route(b["to"]), reason=b["reason"]),),
    gev.LABEL_PRINTED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Reprinted {kind} label on {printer}") if b["reprint"]
           else QT_TRANSLATE_NOOP("Event", "Printed {kind} label on {printer}"),
           kind=b["kind"], printer=b["printer"]),),
    gev.BOX_CREATED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Box {box} opened for {route} by {ship_mode}"),
           box=b["box_id"], route=_route(b["route"]), ship_mode=b["ship_mode"]),),
    gev.BOX_UNIT_ADDED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Packed in box {box} (line {line})"), box=b["box_id"], line=b["line"]),),
    gev.BOX_UNIT_REMOVED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Taken out of box {box}: {reason}"), box=b["box_id"], reason=b["reason"]),),
    gev.BOX_CLOSED: lambda b: (
        _p(QT_TRANSLATE_NOOP("Event", "Box {box} closed with {count} units"), box=b["box_id"], count=len(b["units"])),
        *_when(b.get("un_number"), lambda: _p(QT_TRANSLATE_NOOP("Event", ", marked {un_number}"),
                                              un_number=b["un_number"]))),
}


def description(event: Event) -> Description:
    """What the event means, as phrases to translate (an unknown type: its name, as data)."""
    text = _TEXT.get(event.type)
    return text(event.body) if text else (Phrase("", "{type}", {"type": event.type}),)


def describe(event: Event) -> str:
    """One line saying what the event means, in English."""
    return "".join(phrase.english() for phrase in description(event))
