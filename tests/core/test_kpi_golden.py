"""Golden KPI figures: the recorded week of tests/core/kpi_floor.py folded by the pure engine, and the
figures worked out by hand (written beside each assertion)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.kpi import EventRecord, KpiFold, compute_snapshot, period_bounds
from app.core.kpi_snapshot import Blocker, DashboardSnapshot, KpiScope, Period, Share, Stage
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.core.kpi_floor import AS_OF, CUSTOMER, LOT_C, SUPPLIER, SettableClock, record_floor


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KpiFold, str]]:
    clock = SettableClock()
    with Store(Path(tmp_path_factory.mktemp("kpi")) / "data", clock=clock) as store:
        record_floor(store, clock)
        fold = KpiFold()
        for e in iter_events(store.db):
            fold.apply(EventRecord(e.stream_id, e.seq, e.type, e.occurred_at, e.operator_id, e.unit_id, e.body))
        yield fold, store.station_id


def snap(fold: KpiFold, period: Period, **kw: str) -> DashboardSnapshot:
    start, end = period_bounds(period, AS_OF)
    return compute_snapshot(fold, KpiScope(period, start, end, **kw), AS_OF)


def test_period_bounds_are_the_utc_day_and_the_iso_week() -> None:
    assert period_bounds(Period.TODAY, AS_OF) == ("2026-12-04T00:00:00.000Z", "2026-12-05T00:00:00.000Z")
    assert period_bounds(Period.WEEK, AS_OF) == ("2026-11-30T00:00:00.000Z", "2026-12-07T00:00:00.000Z")
    assert period_bounds(Period.LOT, AS_OF) == (None, None)


def test_today_stage_counts_and_throughput(floor: tuple[KpiFold, str]) -> None:
    fold, station = floor
    s = snap(fold, Period.TODAY)
    # received U1 U2 U3; tested, sanitised, graded, shipped: U1 U2
    assert dict(s.stage_counts) == {Stage.RECEIVED: 3, Stage.TESTED: 2, Stage.SANITISED: 2, Stage.GRADED: 2,
                                    Stage.SHIPPED: 2}
    assert s.through_seq == fold.cursor
    # the station moved 3 units in the hours 09, 10, 11, 12, 13 -> 3 / 5
    (bench,) = s.per_station
    assert (bench.who, bench.units) == (station, 3)
    assert bench.units_per_hour == pytest.approx(0.6)
    # Alice: U1 R/T/S + both shipments + U3 R -> 3 units in hours 09, 10, 12, 13; Bob: U1 G, U2 R/T/S/G -> 2 in 09-11
    alice, bob = s.per_operator
    assert (alice.name, alice.units, bob.name, bob.units) == ("Alice", 3, "Bob", 2)
    assert alice.units_per_hour == pytest.approx(0.75)
    assert bob.units_per_hour == pytest.approx(2 / 3)


def test_today_time_per_stage(floor: tuple[KpiFold, str]) -> None:
    s = snap(floor[0], Period.TODAY)
    times = {t.stage: (t.units, t.median_s, t.p90_s) for t in s.stage_times}
    assert times == {
        Stage.RECEIVED: (2, 1800.0, 1800.0),    # U1 09:00->09:30, U2 09:30->10:00; U3 has not left it
        Stage.TESTED: (2, 4200.0, 4800.0),      # U1 09:30->10:30 (3600), U2 10:00->11:20 (4800)
        Stage.SANITISED: (2, 1500.0, 1800.0),   # U1 10:30->11:00 (1800), U2 11:20->11:40 (1200)
        Stage.GRADED: (2, 2400.0, 3600.0),      # U1 11:00->12:00 (3600), U2 11:40->12:00 (1200)
    }


def test_today_yields_pareto_and_erasures(floor: tuple[KpiFold, str]) -> None:
    s = snap(floor[0], Period.TODAY)
    # U1 graded B; U2 graded A, overridden to C. U1 resale; U2 resale overridden to repair.
    assert s.grade_yield == (Share("B", 1, 0.5), Share("C", 1, 0.5))
    assert s.route_yield == (Share("repair", 1, 0.5), Share("resale", 1, 0.5))
    # speaker failed on both Pixels, touchscreen on the iPhone; battery and face_id never failed
    assert [(f.test, f.model, f.failures, f.runs) for f in s.failure_pareto] == [
        ("speaker", "Pixel 7", 2, 2), ("touchscreen", "iPhone 13", 1, 1)]
    # E1 passed; E2a failed its verification; E2b passed
    e = s.erasures
    assert (e.started, e.passed, e.failed, e.verification_failed, e.interrupted) == (3, 2, 1, 1, 0)
    assert e.success_rate == pytest.approx(2 / 3)
    assert e.verification_failure_rate == pytest.approx(1 / 3)


def test_held_units_oldest_first_with_their_age(floor: tuple[KpiFold, str]) -> None:
    s = snap(floor[0], Period.TODAY)
    # U5 held since Monday 10:05 (4 days 5 h 55 min before 16:00 Friday: 345600 + 21300 s),
    # U3 since 13:10 today (2 h 50 min)
    assert [(h.unit_id, h.label, h.model, h.blocker, h.held_since, h.age_s) for h in s.held] == [
        ("U5", "356000000000005", "Pixel 7", Blocker.FRP, "2026-11-30T10:05:00.000Z", 366900.0),
        ("U5", "356000000000005", "Pixel 7", Blocker.MDM, "2026-11-30T10:05:00.000Z", 366900.0),
        ("U3", "356000000000003", "iPhone 13", Blocker.ACTIVATION_LOCK, "2026-12-04T13:10:00.000Z", 10200.0),
    ]


def test_week_a_unit_with_no_grade_is_not_a_zero(floor: tuple[KpiFold, str]) -> None:
    s = snap(floor[0], Period.WEEK)
    # + U5 (Monday) and U4 (Wednesday: tested, graded without a cosmetic grade, routed recycle)
    assert dict(s.stage_counts) == {Stage.RECEIVED: 5, Stage.TESTED: 3, Stage.SANITISED: 2, Stage.GRADED: 3,
                                    Stage.SHIPPED: 2}
    assert s.grade_yield == (Share("B", 1, 0.5), Share("C", 1, 0.5))  # U4 is graded but has no grade: left out
    assert s.route_yield == (Share("recycle", 1, 1 / 3), Share("repair", 1, 1 / 3), Share("resale", 1, 1 / 3))
    times = {t.stage: (t.units, t.median_s, t.p90_s) for t in s.stage_times}
    assert times[Stage.RECEIVED] == (3, 1800.0, 1800.0)   # + U4 08:00->08:30
    assert times[Stage.TESTED] == (3, 3600.0, 4800.0)     # + U4 08:30->09:30 (graded): 3600, 3600, 4800
    # U4's phone reset was flagged: a failure, its verification passed
    e = s.erasures
    assert (e.started, e.passed, e.failed, e.verification_failed, e.interrupted) == (4, 2, 2, 1, 0)
    # 5 units over the 5 hours of today + Monday 10 + Wednesday 08 and 09
    assert s.per_station[0].units == 5
    assert s.per_station[0].units_per_hour == pytest.approx(5 / 8)
    alice, bob = s.per_operator
    assert (alice.units, bob.units) == (4, 3)
    assert alice.units_per_hour == pytest.approx(4 / 5)
    assert bob.units_per_hour == pytest.approx(3 / 5)


def test_lot_and_customer_ignore_the_clock(floor: tuple[KpiFold, str]) -> None:
    fold = floor[0]
    by_lot = snap(fold, Period.LOT, lot_id=LOT_C)
    by_customer = snap(fold, Period.CUSTOMER, customer=CUSTOMER)
    for s in (by_lot, by_customer):
        # U1, U2, U5 and last week's U6
        assert dict(s.stage_counts) == {Stage.RECEIVED: 4, Stage.TESTED: 2, Stage.SANITISED: 2, Stage.GRADED: 2,
                                        Stage.SHIPPED: 2}
        e = s.erasures
        assert (e.started, e.passed, e.failed, e.verification_failed, e.interrupted) == (4, 2, 1, 1, 1)
        assert [(h.unit_id, h.blocker) for h in s.held] == [("U5", Blocker.FRP), ("U5", Blocker.MDM)]
    assert by_lot.stage_counts == by_customer.stage_counts
    assert by_lot.per_operator == by_customer.per_operator


def test_a_supplier_is_not_a_customer(floor: tuple[KpiFold, str]) -> None:
    s = snap(floor[0], Period.CUSTOMER, customer=SUPPLIER)
    assert set(s.stage_counts.values()) == {0}
    assert s.per_station == ()
    assert s.held == ()
    assert s.grade_yield == ()
    # nothing finished a stage: no time, not a zero time
    assert all(t.units == 0 and t.median_s is None and t.p90_s is None for t in s.stage_times)
    assert s.erasures.success_rate is None


def test_station_scope(floor: tuple[KpiFold, str]) -> None:
    fold, station = floor
    assert snap(fold, Period.TODAY, station_id=station).stage_counts[Stage.RECEIVED] == 3
    other = snap(fold, Period.TODAY, station_id="another-bench")
    assert set(other.stage_counts.values()) == {0}
    assert other.held == ()
