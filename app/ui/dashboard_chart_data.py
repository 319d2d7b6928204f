"""What each dashboard chart draws, taken from a snapshot: categories, one or two series of values,
and the categories that had no data (named under the chart instead of drawn as a zero bar).

Pure functions over the snapshot's records, so what a chart shows can be checked without drawing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.kpi_snapshot import FailureCount, Share, StageTime, Throughput
from app.ui.dashboard_format import count_text, duration_unit, stage_name, translate

MAX_BARS = 8  # more bars than this are unreadable on a bench screen: the rest are counted in the footnote


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Bars:
    """One bar chart: ``categories`` in reading order (first = top or left), one value per
    category in each series, the value axis title, how bar labels print, and the footnote."""

    categories: tuple[str, ...]
    series: tuple[Series, ...]
    axis_title: str
    label_format: str = "@value"
    footnote: str = ""
    value_axis: bool = True  # False where the bar labels say it all (shares in percent)

    @property
    def empty(self) -> bool:
        return not self.categories


def _footnote(missing: list[str], more: int) -> str:
    parts = []
    if missing:
        parts.append(translate("Dashboard", "No data: {0}").format(", ".join(missing)))
    if more:
        parts.append(translate("Dashboard", "{0} more not shown").format(more))
    return " · ".join(parts)


def throughput_bars(rows: tuple[Throughput, ...]) -> Bars:
    """Units per hour of each station or operator, fastest first; those with no active hour are
    named in the footnote."""
    known = sorted((r for r in rows if r.units_per_hour is not None),
                   key=lambda r: (-(r.units_per_hour or 0.0), r.name))
    missing = [r.name for r in rows if r.units_per_hour is None]
    shown = known[:MAX_BARS]
    return Bars(tuple(r.name for r in shown),
                (Series(translate("Dashboard", "Units per hour"),
                        tuple(round(r.units_per_hour or 0.0, 1) for r in shown)),),
                translate("Dashboard", "units per hour"), "@value", _footnote(missing, len(known) - len(shown)))


def stage_time_bars(rows: tuple[StageTime, ...]) -> Bars:
    """Median and 90th percentile time per stage, in flow order, in the unit that suits the longest."""
    known = [r for r in rows if r.median_s is not None and r.p90_s is not None]
    missing = [stage_name(r.stage) for r in rows if r.median_s is None or r.p90_s is None]
    longest = max((r.p90_s or 0.0 for r in known), default=0.0)
    divisor, unit = duration_unit(longest)
    return Bars(
        tuple(stage_name(r.stage) for r in known),
        (Series(translate("Dashboard", "Median"), tuple(round((r.median_s or 0.0) / divisor, 1) for r in known)),
         Series(translate("Dashboard", "90th percentile"),
                tuple(round((r.p90_s or 0.0) / divisor, 1) for r in known))),
        unit, "@value", _footnote(missing, 0))


def share_bars(rows: tuple[Share, ...]) -> Bars:
    """Each grade's or route's share of the units, in percent, as the snapshot orders them."""
    shown = rows[:MAX_BARS]
    return Bars(tuple(f"{r.key} ({count_text(r.units)})" for r in shown),
                (Series(translate("Dashboard", "Share of units"), tuple(round(r.fraction * 100, 1) for r in shown)),),
                translate("Dashboard", "% of units"), "@value %", _footnote([], len(rows) - len(shown)),
                value_axis=False)


def pareto_bars(rows: tuple[FailureCount, ...]) -> Bars:
    """Failures per test and model, most first (sorted here too: a Pareto is nothing if not sorted)."""
    ordered = sorted(rows, key=lambda r: (-r.failures, r.test, r.model))
    shown = ordered[:MAX_BARS]
    return Bars(tuple(translate("Dashboard", "{0} · {1}").format(r.test, r.model) for r in shown),
                (Series(translate("Dashboard", "Failures"), tuple(float(r.failures) for r in shown)),),
                translate("Dashboard", "failures"), "@value", _footnote([], len(ordered) - len(shown)))
