"""A realistic dashboard snapshot (a busy day on a three-bench floor) for widget tests and screenshots."""

from __future__ import annotations

from app.core.kpi_snapshot import (
    Blocker,
    DashboardSnapshot,
    ErasureRates,
    FailureCount,
    HeldUnit,
    KpiScope,
    Period,
    Share,
    Stage,
    StageTime,
    Throughput,
)

TODAY = KpiScope(Period.TODAY, start="2026-12-04T00:00:00.000Z", end="2026-12-05T00:00:00.000Z")


def busy_day(through_seq: int = 48_210, scope: KpiScope = TODAY) -> DashboardSnapshot:
    return DashboardSnapshot(
        scope=scope,
        as_of="2026-12-04T14:32:10.000Z",
        through_seq=through_seq,
        stage_counts={Stage.RECEIVED: 1248, Stage.TESTED: 1102, Stage.SANITISED: 1064, Stage.GRADED: 987,
                      Stage.SHIPPED: 0},
        per_station=(Throughput("st-1", "bench-1", 412, 51.5), Throughput("st-2", "bench-2", 380, 47.5),
                     Throughput("st-3", "bench-3", 290, 36.3), Throughput("st-4", "packing", 3, None)),
        per_operator=(Throughput("op-1", "Amélie Durand", 301, 37.6), Throughput("op-2", "Jonas Keller", 288, 36.0),
                      Throughput("op-3", "Priya Natarajan", 262, 32.8), Throughput("op-4", "Sam Okafor", 231, 28.9)),
        stage_times=(StageTime(Stage.RECEIVED, 1102, 1260.0, 5400.0), StageTime(Stage.TESTED, 1064, 840.0, 2100.0),
                     StageTime(Stage.SANITISED, 987, 2280.0, 4020.0), StageTime(Stage.GRADED, 0, None, None)),
        grade_yield=(Share("A", 402, 0.407), Share("B", 331, 0.335), Share("C", 171, 0.173), Share("D", 83, 0.084)),
        route_yield=(Share("resale", 733, 0.743), Share("repair", 121, 0.123), Share("parts", 86, 0.087),
                     Share("recycle", 47, 0.048)),
        failure_pareto=(FailureCount("battery_health", "Pixel 6", 41, 120),
                        FailureCount("camera_rear", "iPhone 12", 27, 140),
                        FailureCount("smart_reallocated", "ST1000LM035", 19, 88),
                        FailureCount("touch_grid", "Galaxy S21", 12, 96), FailureCount("speaker", "iPhone 11", 7, 130)),
        erasures=ErasureRates(started=1080, passed=1058, failed=6, verification_failed=2, interrupted=16),
        held=(HeldUnit("u-1", "356938035643809", "Galaxy S21", Blocker.FRP, "2026-12-01T09:12:00.000Z", 278_050.0),
              HeldUnit("u-2", "F2LXK0ABHG7F", "iPhone 12", Blocker.ACTIVATION_LOCK, "2026-12-03T16:40:00.000Z",
                       78_730.0),
              HeldUnit("u-3", "353270111234565", "Pixel 6", Blocker.MDM, "2026-12-04T11:02:00.000Z", 12_610.0),
              HeldUnit("u-4", "C02XG0FDJG5J", "iPhone 11", Blocker.ACTIVATION_LOCK, "2026-12-04T14:05:00.000Z",
                       1_630.0)),
    )
