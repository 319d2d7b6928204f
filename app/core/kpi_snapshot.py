"""What the floor dashboard shows: one immutable snapshot of the KPIs for a scope and period.

The KPI engine computes it (on a bench from its own log, on the hub from every bench's), the
dashboard draws it and the daily report prints it; none of them knows how the others work. All
durations are in seconds, all rates are fractions in [0, 1], all times are ISO-8601 UTC strings.
A figure that cannot be computed (no unit reached that stage) is None, never 0: "no data" and
"zero" mean different things to a supervisor.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Period(enum.StrEnum):
    """The time scopes a supervisor picks from; LOT and CUSTOMER ignore the clock."""

    TODAY = "today"
    WEEK = "week"
    LOT = "lot"
    CUSTOMER = "customer"


class Stage(enum.StrEnum):
    """The production stages counted and timed, in flow order."""

    RECEIVED = "received"
    TESTED = "tested"
    SANITISED = "sanitised"
    GRADED = "graded"
    SHIPPED = "shipped"


class Blocker(enum.StrEnum):
    """Locks that put a unit on hold until its owner releases it."""

    FRP = "frp"                       # Android Factory Reset Protection (Google account)
    ACTIVATION_LOCK = "activation_lock"
    MDM = "mdm"                       # enrolled in an organisation's device management


@dataclass(frozen=True)
class KpiScope:
    """Which units the figures cover: a period (with its bounds resolved to UTC times by the
    caller, so a snapshot reproduces), optionally one lot or one customer, one station or all."""

    period: Period
    start: str | None = None          # inclusive, ISO-8601 UTC; None for LOT / CUSTOMER
    end: str | None = None            # exclusive
    lot_id: str | None = None
    customer: str | None = None
    station_id: str | None = None     # None: every station the source knows (the hub: all benches)


@dataclass(frozen=True)
class Throughput:
    """Units that reached a stage within the scope, and per working hour of one station or operator."""

    who: str                          # station id or operator id
    name: str                         # what the screen shows (station name, operator name)
    units: int
    units_per_hour: float | None      # over the hours that station/operator was active in the scope


@dataclass(frozen=True)
class StageTime:
    """Time spent in one stage (from entering it to entering the next) over the units in scope."""

    stage: Stage
    units: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class Share:
    """One bar of a yield chart: a grade or a route, its count and share of the units graded/routed."""

    key: str
    units: int
    fraction: float


@dataclass(frozen=True)
class FailureCount:
    """One bar of the failure Pareto: a test that failed, on which model, how often."""

    test: str
    model: str
    failures: int
    runs: int


@dataclass(frozen=True)
class HeldUnit:
    """A unit waiting on a blocker, and how long it has waited (at the snapshot's ``as_of``)."""

    unit_id: str
    label: str                        # the identifier a technician recognises (IMEI, serial)
    model: str
    blocker: Blocker
    held_since: str
    age_s: float


@dataclass(frozen=True)
class ErasureRates:
    started: int
    passed: int
    failed: int                       # includes verification failures
    verification_failed: int
    interrupted: int

    @property
    def success_rate(self) -> float | None:
        finished = self.passed + self.failed
        return self.passed / finished if finished else None

    @property
    def verification_failure_rate(self) -> float | None:
        finished = self.passed + self.failed
        return self.verification_failed / finished if finished else None


@dataclass(frozen=True)
class DashboardSnapshot:
    """Every figure of the dashboard for one scope, as of one moment and one event position."""

    scope: KpiScope
    as_of: str                        # the clock time the ages and "today" were computed at
    through_seq: int                  # the last event folded in: a newer snapshot has a larger one
    stage_counts: Mapping[Stage, int] = field(default_factory=dict)
    per_station: tuple[Throughput, ...] = ()
    per_operator: tuple[Throughput, ...] = ()
    stage_times: tuple[StageTime, ...] = ()
    grade_yield: tuple[Share, ...] = ()
    route_yield: tuple[Share, ...] = ()
    failure_pareto: tuple[FailureCount, ...] = ()     # most failures first
    erasures: ErasureRates = ErasureRates(0, 0, 0, 0, 0)
    held: tuple[HeldUnit, ...] = ()                    # oldest first
