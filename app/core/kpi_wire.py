"""A dashboard snapshot as JSON: how the hub sends its all-benches figures to a bench.

``snapshot_to_wire`` writes plain JSON types (enums by value, tuples as lists, None as null) and
``snapshot_from_wire`` reads them back into the very same snapshot. Reading is strict: a missing or
unknown field, a value of the wrong type or an unknown stage, period or blocker raises
:class:`KpiWireError` naming the field, because a bench that guessed would draw figures nobody
computed. ``version`` changes when a field's meaning does; a bench refuses a version it does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

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

WIRE_VERSION = 1

T = TypeVar("T")


class KpiWireError(ValueError):
    """A wire snapshot that does not hold; the message names the field."""


def snapshot_to_wire(snapshot: DashboardSnapshot) -> dict[str, Any]:
    """The snapshot as a JSON-ready dict."""
    s = snapshot
    return {
        "version": WIRE_VERSION,
        "scope": {"period": s.scope.period.value, "start": s.scope.start, "end": s.scope.end,
                  "lot_id": s.scope.lot_id, "customer": s.scope.customer, "station_id": s.scope.station_id},
        "as_of": s.as_of,
        "through_seq": s.through_seq,
        # Flow order, whatever order the engine filled the mapping in: the wire text is then stable.
        "stage_counts": {stage.value: s.stage_counts[stage] for stage in Stage if stage in s.stage_counts},
        "per_station": [_throughput(t) for t in s.per_station],
        "per_operator": [_throughput(t) for t in s.per_operator],
        "stage_times": [{"stage": t.stage.value, "units": t.units, "median_s": t.median_s, "p90_s": t.p90_s}
                        for t in s.stage_times],
        "grade_yield": [_share(x) for x in s.grade_yield],
        "route_yield": [_share(x) for x in s.route_yield],
        "failure_pareto": [{"test": f.test, "model": f.model, "failures": f.failures, "runs": f.runs}
                           for f in s.failure_pareto],
        "erasures": {"started": s.erasures.started, "passed": s.erasures.passed, "failed": s.erasures.failed,
                     "verification_failed": s.erasures.verification_failed,
                     "interrupted": s.erasures.interrupted},
        "held": [{"unit_id": h.unit_id, "label": h.label, "model": h.model, "blocker": h.blocker.value,
                  "held_since": h.held_since, "age_s": h.age_s} for h in s.held],
    }


def snapshot_from_wire(data: Mapping[str, Any]) -> DashboardSnapshot:
    """The snapshot a ``snapshot_to_wire`` dict (after a JSON round trip) describes.

    Raises KpiWireError when it does not hold."""
    top = _object(data, "snapshot", {"version", "scope", "as_of", "through_seq", "stage_counts", "per_station",
                                     "per_operator", "stage_times", "grade_yield", "route_yield",
                                     "failure_pareto", "erasures", "held"})
    version = _int(top["version"], "version")
    if version != WIRE_VERSION:
        raise KpiWireError(f"snapshot version {version} is not one this bench reads (it reads {WIRE_VERSION}); "
                           "update the bench or the hub so both speak the same version")
    scope = _object(top["scope"], "scope", {"period", "start", "end", "lot_id", "customer", "station_id"})
    counts = _object(top["stage_counts"], "stage_counts", None)
    erasures = _object(top["erasures"], "erasures",
                       {"started", "passed", "failed", "verification_failed", "interrupted"})
    return DashboardSnapshot(
        scope=KpiScope(_enum(Period, scope["period"], "scope.period"),
                       start=_opt_str(scope["start"], "scope.start"), end=_opt_str(scope["end"], "scope.end"),
                       lot_id=_opt_str(scope["lot_id"], "scope.lot_id"),
                       customer=_opt_str(scope["customer"], "scope.customer"),
                       station_id=_opt_str(scope["station_id"], "scope.station_id")),
        as_of=_str(top["as_of"], "as_of"),
        through_seq=_int(top["through_seq"], "through_seq"),
        stage_counts={_enum(Stage, key, "stage_counts"): _int(value, f"stage_counts.{key}")
                      for key, value in counts.items()},
        per_station=_list(top["per_station"], "per_station", _read_throughput),
        per_operator=_list(top["per_operator"], "per_operator", _read_throughput),
        stage_times=_list(top["stage_times"], "stage_times", _read_stage_time),
        grade_yield=_list(top["grade_yield"], "grade_yield", _read_share),
        route_yield=_list(top["route_yield"], "route_yield", _read_share),
        failure_pareto=_list(top["failure_pareto"], "failure_pareto", _read_failure),
        erasures=ErasureRates(*(_int(erasures[k], f"erasures.{k}") for k in
                                ("started", "passed", "failed", "verification_failed", "interrupted"))),
        held=_list(top["held"], "held", _read_held),
    )


# --- writing -----------------------------------------------------------------------------------------


def _throughput(t: Throughput) -> dict[str, Any]:
    return {"who": t.who, "name": t.name, "units": t.units, "units_per_hour": t.units_per_hour}


def _share(x: Share) -> dict[str, Any]:
    return {"key": x.key, "units": x.units, "fraction": x.fraction}


# --- reading -----------------------------------------------------------------------------------------


def _read_throughput(v: Any, where: str) -> Throughput:
    o = _object(v, where, {"who", "name", "units", "units_per_hour"})
    return Throughput(_str(o["who"], f"{where}.who"), _str(o["name"], f"{where}.name"),
                      _int(o["units"], f"{where}.units"), _opt_float(o["units_per_hour"], f"{where}.units_per_hour"))


def _read_stage_time(v: Any, where: str) -> StageTime:
    o = _object(v, where, {"stage", "units", "median_s", "p90_s"})
    return StageTime(_enum(Stage, o["stage"], f"{where}.stage"), _int(o["units"], f"{where}.units"),
                     _opt_float(o["median_s"], f"{where}.median_s"), _opt_float(o["p90_s"], f"{where}.p90_s"))


def _read_share(v: Any, where: str) -> Share:
    o = _object(v, where, {"key", "units", "fraction"})
    return Share(_str(o["key"], f"{where}.key"), _int(o["units"], f"{where}.units"),
                 _float(o["fraction"], f"{where}.fraction"))


def _read_failure(v: Any, where: str) -> FailureCount:
    o = _object(v, where, {"test", "model", "failures", "runs"})
    return FailureCount(_str(o["test"], f"{where}.test"), _str(o["model"], f"{where}.model"),
                        _int(o["failures"], f"{where}.failures"), _int(o["runs"], f"{where}.runs"))


def _read_held(v: Any, where: str) -> HeldUnit:
    o = _object(v, where, {"unit_id", "label", "model", "blocker", "held_since", "age_s"})
    return HeldUnit(_str(o["unit_id"], f"{where}.unit_id"), _str(o["label"], f"{where}.label"),
                    _str(o["model"], f"{where}.model"), _enum(Blocker, o["blocker"], f"{where}.blocker"),
                    _str(o["held_since"], f"{where}.held_since"), _float(o["age_s"], f"{where}.age_s"))


def _object(value: Any, where: str, fields: set[str] | None) -> Mapping[str, Any]:
    """``value`` as a JSON object with exactly ``fields`` (any string keys when None)."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise KpiWireError(f"{where} is not a JSON object")
    if fields is not None:
        missing, unknown = fields - value.keys(), value.keys() - fields
        if missing:
            raise KpiWireError(f"{where} lacks {', '.join(sorted(missing))}")
        if unknown:
            raise KpiWireError(f"{where} has unknown field(s) {', '.join(sorted(unknown))}; "
                               "the hub may be newer than this bench")
    return value


def _list(value: Any, where: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
    if not isinstance(value, list):
        raise KpiWireError(f"{where} is not a list")
    return tuple(read(item, f"{where}[{i}]") for i, item in enumerate(value))


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise KpiWireError(f"{where} must be text, not {type(value).__name__}")
    return value


def _opt_str(value: Any, where: str) -> str | None:
    return None if value is None else _str(value, where)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise KpiWireError(f"{where} must be a whole number, not {type(value).__name__}")
    return value


def _float(value: Any, where: str) -> float:
    # JSON writes 2.0 as "2.0", so a float comes back a float; a whole number from another writer is accepted.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KpiWireError(f"{where} must be a number, not {type(value).__name__}")
    return float(value)


def _opt_float(value: Any, where: str) -> float | None:
    return None if value is None else _float(value, where)


E = TypeVar("E", Period, Stage, Blocker)


def _enum(kind: type[E], value: Any, where: str) -> E:
    try:
        return kind(_str(value, where))
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise KpiWireError(f"{where}: {value!r} is not one of {known}") from None
