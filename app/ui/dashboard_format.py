"""Words and numbers of the dashboard: counts, rates, durations, ages and the names of stages,
blockers and scopes. "No data" is a word of its own, never a 0: a supervisor reads a 0 as "nothing
happened", which is not what an empty scope means."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.core.kpi_snapshot import Blocker, Stage

_CONTEXT = "Dashboard"


def tr(text: str) -> str:
    """Translate in the dashboard's context (the module-level strings have no QObject to ask)."""
    return QCoreApplication.translate(_CONTEXT, text)


def no_data() -> str:
    return tr("No data")


def stage_name(stage: Stage) -> str:
    names = {
        Stage.RECEIVED: tr("Received"),
        Stage.TESTED: tr("Tested"),
        Stage.SANITISED: tr("Sanitised"),
        Stage.GRADED: tr("Graded"),
        Stage.SHIPPED: tr("Shipped"),
    }
    return names[stage]


def blocker_name(blocker: Blocker) -> str:
    names = {Blocker.FRP: tr("FRP"), Blocker.ACTIVATION_LOCK: tr("Activation Lock"), Blocker.MDM: tr("MDM")}
    return names[blocker]


def blocker_help(blocker: Blocker) -> str:
    """What the lock is and who lifts it, for the table's tooltip."""
    helps = {
        Blocker.FRP: tr("Factory Reset Protection: the owner removes the Google account"),
        Blocker.ACTIVATION_LOCK: tr("Activation Lock: the owner removes the device from their Apple ID"),
        Blocker.MDM: tr("Device management: the owner's organisation releases the device"),
    }
    return helps[blocker]


def count_text(value: int | None) -> str:
    """A count with thousands separators, or "No data" when the figure does not exist."""
    return no_data() if value is None else f"{value:,}"


def percent_text(fraction: float | None) -> str:
    """A rate in [0, 1] as a percentage with one decimal (99.5 %), or "No data"."""
    if fraction is None:
        return no_data()
    return tr("{0} %").format(f"{fraction * 100:.1f}")


def duration_unit(longest_s: float) -> tuple[float, str]:
    """(divisor, axis words) that keep a chart of durations in readable numbers."""
    if longest_s >= 2 * 3600:
        return 3600.0, tr("hours")
    if longest_s >= 120:
        return 60.0, tr("minutes")
    return 1.0, tr("seconds")


def age_text(seconds: float) -> str:
    """How long a unit has waited, to the precision a supervisor acts on: 45 min, 3 h 20 min, 2 d 4 h."""
    seconds = max(0.0, seconds)
    minutes = int(seconds // 60)
    if minutes < 60:
        return tr("{0} min").format(minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return tr("{0} h {1} min").format(hours, minutes)
    days, hours = divmod(hours, 24)
    return tr("{0} d {1} h").format(days, hours)


def time_text(iso: str) -> str:
    """An ISO-8601 UTC time shortened for a table cell: '2026-12-04 09:15 UTC'."""
    if len(iso) >= 16 and iso[10] == "T":
        return tr("{0} {1} UTC").format(iso[:10], iso[11:16])
    return iso
