"""Per-unit facts folded from event records: what the dashboard's figures are computed from.

The fold is pure (no clock, no I/O) and reads each event once. It keeps, per unit, when it first
entered each production stage and at which station and by which operator, its lot, model and label,
its latest grade and route, every test step it ran, every erasure, and whether a blocker holds it.

Where a stage begins (first time only: a re-test or a second erasure pass does not move it):

* received: ``unit.created``;
* tested / sanitised / graded: the first ``unit.state_changed`` into that state;
* shipped: the first ``unit.state_changed`` into ``shipped``, or the ``box.closed`` of the box it is in
  (a closed box has its manifest and leaves the bench's hands), whichever comes first.

Stage entries keep the earliest time seen, and the latest grade/route is the one with the latest
time, so events from several streams folded in any order (the hub) give the same facts as the
bench's own log folded in sequence order. Where two facts of one unit can disagree, the order
(occurred_at, stream, seq) decides, never the order they were folded in: the state is the latest
change's; a hold runs from the earliest hold after the latest release; the label comes from the
earliest creation with identifiers; the model from the latest creation naming one, else from the
earliest phone identification.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from app.core import events as ev
from app.core import events_grading as gev
from app.core import events_phones as pev
from app.core import events_rigs as rev
from app.core.kpi_snapshot import Blocker, Stage

_STATE_STAGES = {"tested": Stage.TESTED, "sanitised": Stage.SANITISED, "graded": Stage.GRADED,
                 "shipped": Stage.SHIPPED}
_BLOCKERS = {b.value: b for b in Blocker}

# (occurred_at, stream_id, seq): one total order of a unit's facts, the same wherever they are folded.
Order = tuple[str, str, int]
_BEFORE_ALL: Order = ("", "", -1)


class EventRecord(NamedTuple):
    """The columns of an event the fold reads; ``body`` may still be its JSON text (parsed on demand)."""

    stream_id: str
    seq: int
    type: str
    occurred_at: str
    operator_id: str | None
    unit_id: str | None
    body: Mapping[str, Any] | str


@dataclass(frozen=True)
class StageEntry:
    """When a unit entered a stage, at which station and by which operator (None: not recorded)."""

    at: str
    station: str
    operator: str | None


@dataclass(frozen=True)
class TestRun:
    """One test step's pass/fail on a unit (rig step or phone check)."""

    test: str
    at: str
    station: str
    failed: bool


@dataclass(frozen=True)
class ErasureFact:
    """One erasure event: ``started``, ``passed``, ``failed``, ``verification_failed`` or ``interrupted``."""

    kind: str
    at: str
    station: str


@dataclass
class UnitFacts:
    unit_id: str
    label: str = ""
    model: str = ""
    lot_id: str | None = None
    stages: dict[Stage, StageEntry] = field(default_factory=dict)
    grade: str | None = None
    grade_at: str = ""
    route: str | None = None
    route_at: str = ""
    tests: list[TestRun] = field(default_factory=list)
    erasures: list[ErasureFact] = field(default_factory=list)
    state: str = "received"
    state_at: str = ""
    on_hold_since: str | None = None
    holds: tuple[Blocker, ...] = ()
    # which fact decided the state, the label and the model (see the module's docstring), and the hold
    # starts and latest release the current hold's start is taken from (holds are rare: a short tuple)
    state_order: Order = _BEFORE_ALL
    label_order: Order | None = field(default=None, repr=False)
    model_order: tuple[bool, Order] | None = field(default=None, repr=False)
    hold_starts: tuple[Order, ...] = field(default=(), repr=False)
    released: Order = field(default=_BEFORE_ALL, repr=False)
    # stage -> (the entry that ended it, seconds spent in it): derived from ``stages``, computed when first
    # asked for and forgotten when a stage entry changes, so a refresh does not redo every unit's arithmetic
    _durations: dict[Stage, tuple[StageEntry, float]] | None = field(default=None, repr=False, compare=False)

    def stage_durations(self) -> dict[Stage, tuple[StageEntry, float]]:
        """Each stage this unit left: the entry into the next stage it reached at or after entering it
        (the earliest such), and the seconds in between."""
        if self._durations is None:
            flow = tuple(Stage)
            durations: dict[Stage, tuple[StageEntry, float]] = {}
            for index, stage in enumerate(flow[:-1]):
                entry = self.stages.get(stage)
                if entry is None:
                    continue
                later = [e for s in flow[index + 1:] if (e := self.stages.get(s)) is not None and e.at >= entry.at]
                if later:
                    exit_ = min(later, key=lambda e: e.at)
                    seconds = (datetime.fromisoformat(exit_.at) - datetime.fromisoformat(entry.at)).total_seconds()
                    durations[stage] = (exit_, seconds)
            self._durations = durations
        return self._durations


@dataclass(frozen=True)
class LotFacts:
    party_kind: str
    party: str


Handler = Callable[["KpiFold", EventRecord, Mapping[str, Any]], None]


class KpiFold:
    """Folds event records into :class:`UnitFacts`, with indexes a snapshot uses to skip unrelated units.

    Attributes:
        units: unit id -> facts.
        lots: lot id -> its party.
        stations: stream id -> station id (from the stream's ``station.initialised``).
        operators: operator id -> name.
        by_day: UTC day ("2026-12-04") -> units with a stage entry, test or erasure that day.
        by_lot: lot id -> its units.
        held: units on hold for a blocker right now.
        cursor: the largest ``seq`` folded (the bench's position in its log).
        folded: how many events were folded.
    """

    def __init__(self) -> None:
        self.units: dict[str, UnitFacts] = {}
        self.lots: dict[str, LotFacts] = {}
        self.stations: dict[str, str] = {}
        self.operators: dict[str, str] = {}
        self.by_day: dict[str, set[str]] = {}
        self.by_lot: dict[str, set[str]] = {}
        self.boxes: dict[str, set[str]] = {}
        self.held: set[str] = set()
        self._held_sorted: list[tuple[str, str, tuple[Blocker, ...]]] | None = None
        self.cursor = 0
        self.folded = 0

    # --- reading ---------------------------------------------------------------------------------

    def apply(self, record: EventRecord) -> None:
        """Fold one event. Event types the dashboard does not read only move the cursor."""
        handler = _HANDLERS.get(record.type)
        if handler is not None:
            body = record.body
            handler(self, record, json.loads(body) if isinstance(body, str) else body)
        self.cursor = max(self.cursor, record.seq)
        self.folded += 1

    def held_units(self) -> list[tuple[str, str, tuple[Blocker, ...]]]:
        """(held since, unit id, blockers) of every unit on hold, oldest first; kept between snapshots
        until a hold changes (a month's unreleased holds run into thousands)."""
        if self._held_sorted is None:
            rows = []
            for unit_id in self.held:
                unit = self.units[unit_id]
                if unit.on_hold_since is not None:
                    rows.append((unit.on_hold_since, unit_id, tuple(sorted(unit.holds, key=lambda b: b.value))))
            self._held_sorted = sorted(rows)
        return self._held_sorted

    def station_of(self, record: EventRecord) -> str:
        return self.stations.get(record.stream_id, record.stream_id)

    def customer_of(self, unit: UnitFacts) -> str | None:
        lot = self.lots.get(unit.lot_id) if unit.lot_id else None
        return lot.party if lot is not None and lot.party_kind == "customer" else None

    # --- helpers for the handlers ------------------------------------------------------------------

    def unit(self, unit_id: str) -> UnitFacts:
        facts = self.units.get(unit_id)
        if facts is None:
            facts = self.units[unit_id] = UnitFacts(unit_id)
        return facts

    def touch(self, unit_id: str, at: str) -> None:
        self.by_day.setdefault(at[:10], set()).add(unit_id)

    def enter(self, record: EventRecord, unit_id: str, stage: Stage) -> None:
        facts = self.unit(unit_id)
        current = facts.stages.get(stage)
        if current is None or record.occurred_at < current.at:
            facts.stages[stage] = StageEntry(record.occurred_at, self.station_of(record), record.operator_id)
            facts._durations = None
            self.touch(unit_id, record.occurred_at)


def _station_initialised(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    fold.stations[r.stream_id] = str(b["station_id"])


def _operator_added(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    fold.operators[str(b["operator_id"])] = str(b["name"])


def _order(r: EventRecord) -> Order:
    return (r.occurred_at, r.stream_id, r.seq)


def _unit_created(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if not r.unit_id:
        return
    facts = fold.unit(r.unit_id)
    identifiers = b.get("identifiers") or []
    order = _order(r)
    if identifiers and (facts.label_order is None or order < facts.label_order):
        facts.label, facts.label_order = str(identifiers[0].get("value", "")), order
    if b.get("model"):
        _offer_model(facts, str(b["model"]), order, created=True)
    fold.enter(r, r.unit_id, Stage.RECEIVED)


def _phone_identified(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id:
        model = (b.get("identity") or {}).get("model")
        if model:
            _offer_model(fold.unit(r.unit_id), str(model), _order(r), created=False)


def _offer_model(facts: UnitFacts, model: str, order: Order, *, created: bool) -> None:
    """A model named at creation beats one a phone reported; the latest creation's wins, else the earliest
    phone identification's (what the lot report shows too)."""
    current = facts.model_order
    if current is None or (created and (not current[0] or order > current[1])) or \
            (not created and not current[0] and order < current[1]):
        facts.model, facts.model_order = model, (created, order)


def _lot_created(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    fold.lots[str(b["lot_id"])] = LotFacts(str(b["party_kind"]), str(b["party"]))


def _lot_unit_received(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id:
        lot_id = str(b["lot_id"])
        fold.unit(r.unit_id).lot_id = lot_id
        fold.by_lot.setdefault(lot_id, set()).add(r.unit_id)


def _state_changed(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if not r.unit_id:
        return
    facts = fold.unit(r.unit_id)
    target = str(b["to"])
    stage = _STATE_STAGES.get(target)
    if stage is not None:
        fold.enter(r, r.unit_id, stage)
    order = _order(r)
    if target == "on_hold":
        facts.hold_starts += (order,)
    elif order > facts.released:
        facts.released = order
    if order > facts.state_order:   # else an older fact from another stream: the unit has moved on since
        facts.state, facts.state_at, facts.state_order = target, r.occurred_at, order
    # The current hold began at its earliest start after the latest release, whichever arrived first.
    starts = [s for s in facts.hold_starts if s > facts.released] if facts.state == "on_hold" else []
    facts.on_hold_since = min(starts)[0] if starts else None
    _update_held(fold, facts)


def _blockers_checked(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id:
        facts = fold.unit(r.unit_id)
        facts.holds = tuple(_BLOCKERS[str(k)] for k in b.get("holds") or [] if str(k) in _BLOCKERS)
        _update_held(fold, facts)


def _update_held(fold: KpiFold, facts: UnitFacts) -> None:
    if facts.unit_id in fold.held or facts.state == "on_hold":
        fold._held_sorted = None
    if facts.state == "on_hold" and facts.holds:
        fold.held.add(facts.unit_id)
    else:
        fold.held.discard(facts.unit_id)


def _grade_assigned(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id:
        facts = fold.unit(r.unit_id)
        if r.occurred_at >= facts.grade_at:
            grade = (b.get("cosmetic") or {}).get("grade")
            facts.grade, facts.grade_at = (str(grade) if grade else None), r.occurred_at


def _grade_overridden(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id and b.get("scale") == "cosmetic":
        facts = fold.unit(r.unit_id)
        if r.occurred_at >= facts.grade_at:
            facts.grade, facts.grade_at = str(b["to"]), r.occurred_at


def _route_assigned(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id:
        facts = fold.unit(r.unit_id)
        if r.occurred_at >= facts.route_at:
            facts.route, facts.route_at = str(b["route"]), r.occurred_at


def _route_overridden(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id:
        facts = fold.unit(r.unit_id)
        if r.occurred_at >= facts.route_at:
            facts.route, facts.route_at = str(b["to"]), r.occurred_at


def _box_unit_added(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id:
        fold.boxes.setdefault(str(b["box_id"]), set()).add(r.unit_id)


def _box_unit_removed(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if r.unit_id:
        fold.boxes.get(str(b["box_id"]), set()).discard(r.unit_id)


def _box_closed(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    for unit_id in b.get("units") or sorted(fold.boxes.get(str(b["box_id"]), ())):
        fold.enter(r, str(unit_id), Stage.SHIPPED)


def _test(fold: KpiFold, r: EventRecord, test: str, failed: bool) -> None:
    if r.unit_id:
        fold.unit(r.unit_id).tests.append(TestRun(test, r.occurred_at, fold.station_of(r), failed))
        fold.touch(r.unit_id, r.occurred_at)


def _rig_step(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    # A rig error or a skipped step says nothing about the unit: only pass and fail are runs, and only of
    # steps that check something (setting a supply or waiting is not a test).
    if b.get("verdict") in ("pass", "fail") and b.get("kind") not in ("set", "wait") and not b.get("cleanup"):
        _test(fold, r, str(b["name"]), b["verdict"] == "fail")


def _phone_check(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    if b.get("outcome") in ("pass", "fail"):
        _test(fold, r, str(b["step"]), b["outcome"] == "fail")


def _erasure(fold: KpiFold, r: EventRecord, kind: str) -> None:
    if r.unit_id:
        fold.unit(r.unit_id).erasures.append(ErasureFact(kind, r.occurred_at, fold.station_of(r)))
        fold.touch(r.unit_id, r.occurred_at)


def _erasure_started(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    _erasure(fold, r, "started")


def _erasure_completed(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    _erasure(fold, r, _completion_kind(b))


def _phone_reset(fold: KpiFold, r: EventRecord, b: Mapping[str, Any]) -> None:
    # A phone reset has no start event: it counts as started when it completes. "flagged" (the phone
    # came back, but not cleanly) is not a success.
    _erasure(fold, r, "started")
    _erasure(fold, r, _completion_kind(b))


def _completion_kind(b: Mapping[str, Any]) -> str:
    outcome = str(b.get("outcome"))
    if outcome in ("passed", "interrupted"):
        return outcome
    verification = b.get("verification") or {}
    return "verification_failed" if verification.get("result") == "failed" else "failed"


_HANDLERS: dict[str, Handler] = {
    ev.STATION_INITIALISED: _station_initialised,
    ev.OPERATOR_ADDED: _operator_added,
    ev.UNIT_CREATED: _unit_created,
    ev.LOT_CREATED: _lot_created,
    ev.LOT_UNIT_RECEIVED: _lot_unit_received,
    ev.UNIT_STATE_CHANGED: _state_changed,
    ev.ERASURE_STARTED: _erasure_started,
    ev.ERASURE_COMPLETED: _erasure_completed,
    pev.PHONE_IDENTIFIED: _phone_identified,
    pev.PHONE_BLOCKERS_CHECKED: _blockers_checked,
    pev.PHONE_CHECK_RECORDED: _phone_check,
    pev.PHONE_RESET_COMPLETED: _phone_reset,
    rev.RIG_STEP_RECORDED: _rig_step,
    gev.GRADE_ASSIGNED: _grade_assigned,
    gev.GRADE_OVERRIDDEN: _grade_overridden,
    gev.ROUTE_ASSIGNED: _route_assigned,
    gev.ROUTE_OVERRIDDEN: _route_overridden,
    gev.BOX_UNIT_ADDED: _box_unit_added,
    gev.BOX_UNIT_REMOVED: _box_unit_removed,
    gev.BOX_CLOSED: _box_closed,
}

# The event types the fold reads: a source may skip every other row (they only move the cursor).
FOLDED_TYPES: tuple[str, ...] = tuple(_HANDLERS)
