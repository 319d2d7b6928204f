"""The KPI fold does not depend on the order events arrive in (the hub receives benches' streams in any
order): a recorded floor plus two streams' facts about the same units, folded in sequence, reversed and
shuffled, give the same facts and the same snapshots."""

from __future__ import annotations

import json
import random
from pathlib import Path

from app.core.kpi import EventRecord, KpiFold, compute_snapshot, period_bounds
from app.core.kpi_snapshot import Blocker, DashboardSnapshot, KpiScope, Period
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.core.kpi_floor import AS_OF, CUSTOMER, LOT_C, SettableClock, record_floor

DAY = "2026-12-04"


def _rec(stream: str, seq: int, event_type: str, at: str, unit: str, body: dict[str, object]) -> EventRecord:
    return EventRecord(stream, seq, event_type, f"{DAY}T{at}:00.000Z", None, unit, json.dumps(body))


def _two_streams() -> list[EventRecord]:
    """UX: created on two benches (the earlier creation has the IMEI, the later names a newer model), held
    twice with no release between (the hold began at the first). UY: held, released, held again (the hold
    began at the second)."""
    def held(frm: str) -> dict[str, object]:
        return {"from": frm, "to": "on_hold"}
    return [
        _rec("S-A", 1, "unit.created", "08:00", "UX", {"identifiers": [{"kind": "imei", "value": "IMEI-EARLY"}],
                                                       "model": "Pixel 6", "source": "scan"}),
        _rec("S-B", 1, "unit.created", "09:00", "UX", {"identifiers": [{"kind": "serial", "value": "SN-LATE"}],
                                                       "model": "Pixel 7", "source": "scan"}),
        _rec("S-A", 2, "unit.state_changed", "10:00", "UX", held("received")),
        _rec("S-A", 3, "phone.blockers_checked", "10:00", "UX", {"holds": ["frp"]}),
        _rec("S-B", 2, "unit.state_changed", "11:00", "UX", held("on_hold")),
        _rec("S-A", 4, "unit.created", "08:30", "UY", {"identifiers": [{"kind": "imei", "value": "IMEI-Y"}],
                                                       "source": "scan"}),
        _rec("S-B", 3, "phone.identified", "08:40", "UY", {"identity": {"model": "Galaxy S22"}}),
        _rec("S-A", 5, "phone.identified", "08:50", "UY", {"identity": {"model": "Galaxy S23"}}),
        _rec("S-A", 6, "unit.state_changed", "09:00", "UY", held("received")),
        _rec("S-B", 4, "unit.state_changed", "10:00", "UY", {"from": "on_hold", "to": "testing"}),
        _rec("S-A", 7, "unit.state_changed", "12:00", "UY", held("testing")),
        _rec("S-A", 8, "phone.blockers_checked", "12:00", "UY", {"holds": ["mdm"]}),
    ]


def _records(tmp_path: Path) -> list[EventRecord]:
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock)
        floor = [EventRecord(e.stream_id, e.seq, e.type, e.occurred_at, e.operator_id, e.unit_id, e.body)
                 for e in iter_events(store.db)]
    return floor + _two_streams()


def _fold(records: list[EventRecord]) -> KpiFold:
    fold = KpiFold()
    for r in records:
        fold.apply(r)
    return fold


def _snapshots(fold: KpiFold) -> list[DashboardSnapshot]:
    scopes = [KpiScope(p, *period_bounds(p, AS_OF)) for p in (Period.TODAY, Period.WEEK)]
    scopes += [KpiScope(Period.LOT, lot_id=LOT_C), KpiScope(Period.CUSTOMER, customer=CUSTOMER)]
    return [compute_snapshot(fold, scope, AS_OF) for scope in scopes]


def _unit_view(fold: KpiFold) -> dict[str, tuple[object, ...]]:
    return {u.unit_id: (u.label, u.model, u.lot_id, u.state, u.on_hold_since, u.holds, u.grade, u.route,
                        sorted(u.stages.items()), sorted(u.tests, key=repr), sorted(u.erasures, key=repr))
            for u in fold.units.values()}


def test_any_arrival_order_gives_the_same_facts_and_snapshots(tmp_path: Path) -> None:
    records = _records(tmp_path)
    in_order = _fold(sorted(records, key=lambda r: (r.occurred_at, r.stream_id, r.seq)))
    ux, uy = in_order.units["UX"], in_order.units["UY"]
    assert (ux.label, ux.model, ux.on_hold_since) == ("IMEI-EARLY", "Pixel 7", f"{DAY}T10:00:00.000Z")
    assert (uy.label, uy.model, uy.on_hold_since) == ("IMEI-Y", "Galaxy S22", f"{DAY}T12:00:00.000Z")
    expected_units, expected = _unit_view(in_order), _snapshots(in_order)
    held = {(h.unit_id, h.label, h.blocker, h.held_since) for h in expected[0].held}
    assert ("UX", "IMEI-EARLY", Blocker.FRP, f"{DAY}T10:00:00.000Z") in held
    assert ("UY", "IMEI-Y", Blocker.MDM, f"{DAY}T12:00:00.000Z") in held
    # A stream's station.initialised is its first and oldest event, so every source folds it before the rest
    # (it names the station the stream's facts are counted at); everything else comes in any order.
    first = [r for r in records if r.type == "station.initialised"]
    rest = [r for r in records if r.type != "station.initialised"]
    orders = [first + list(reversed(rest))]
    rng = random.Random(8)
    for _ in range(6):
        rng.shuffle(rest)
        orders.append(first + rest)
    for number, order in enumerate(orders):
        fold = _fold(order)
        assert _unit_view(fold) == expected_units, f"order {number}"
        assert _snapshots(fold) == expected, f"order {number}"
