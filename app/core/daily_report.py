"""The facility's daily production report: the KPI engine's figures for one UTC day, as plain lines.

The figures are the dashboard's (app/core/kpi/figures.py says what each one means), computed for the
day ``[00:00, 24:00)`` UTC, with ``as_of`` the day's end so a report of a past day reproduces whenever
and wherever (bench or hub) it is printed. Units on hold are left out: they are a "now" figure, not a
day's production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.errors import OperatorError
from app.core.kpi_snapshot import DashboardSnapshot, KpiScope, Period, Stage


@dataclass(frozen=True)
class DailyLine:
    """One figure: its section (stage, station, operator, erasures, failures, stage_time, yield), what
    it is about, which measure, and the value as text ("" when there is no data, never 0)."""

    section: str
    key: str
    name: str
    measure: str
    value: str


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise OperatorError(f"{text!r} is not a day", hint="Give the day as YYYY-MM-DD, e.g. 2026-12-04") from None


def day_scope(day: dt.date, station_id: str | None = None) -> tuple[KpiScope, str]:
    """The scope of one UTC day and the ``as_of`` its report is computed at (the day's end)."""
    start = f"{day.isoformat()}T00:00:00.000Z"
    end = f"{(day + dt.timedelta(days=1)).isoformat()}T00:00:00.000Z"
    return KpiScope(Period.TODAY, start, end, station_id=station_id), end


def _num(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def daily_lines(snapshot: DashboardSnapshot) -> list[DailyLine]:
    """Every figure of the day in a fixed order: stages in flow order, then stations, operators, erasures,
    stage times, yields and the failures (most first)."""
    lines = [DailyLine("stage", s.value, s.value, "units", str(snapshot.stage_counts.get(s, 0))) for s in Stage]
    for section, rows in (("station", snapshot.per_station), ("operator", snapshot.per_operator)):
        for t in sorted(rows, key=lambda t: t.who):
            lines.append(DailyLine(section, t.who, t.name, "units", str(t.units)))
            lines.append(DailyLine(section, t.who, t.name, "units_per_hour", _num(t.units_per_hour)))
    e = snapshot.erasures
    for measure, value in (("started", e.started), ("passed", e.passed), ("failed", e.failed),
                           ("verification_failed", e.verification_failed), ("interrupted", e.interrupted)):
        lines.append(DailyLine("erasures", measure, measure.replace("_", " "), "count", str(value)))
    lines.append(DailyLine("erasures", "success_rate", "success rate", "fraction", _num(e.success_rate, 4)))
    for st in snapshot.stage_times:
        lines.append(DailyLine("stage_time", st.stage.value, st.stage.value, "units", str(st.units)))
        lines.append(DailyLine("stage_time", st.stage.value, st.stage.value, "median_s", _num(st.median_s, 0)))
        lines.append(DailyLine("stage_time", st.stage.value, st.stage.value, "p90_s", _num(st.p90_s, 0)))
    for section, shares in (("grade_yield", snapshot.grade_yield), ("route_yield", snapshot.route_yield)):
        for share in shares:
            lines.append(DailyLine(section, share.key, share.key, "units", str(share.units)))
    for f in snapshot.failure_pareto:
        lines.append(DailyLine("failures", f"{f.test}|{f.model}", f"{f.test} on {f.model}", "failures",
                               str(f.failures)))
        lines.append(DailyLine("failures", f"{f.test}|{f.model}", f"{f.test} on {f.model}", "runs", str(f.runs)))
    return lines
