"""Words and numbers of the dashboard: counts, rates, durations, ages and the names of stages,
blockers and scopes. "No data" is a word of its own, never a 0: a supervisor reads a 0 as "nothing
happened", which is not what an empty scope means."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from app.core.kpi_snapshot import Blocker, Stage

# The dashboard modules' texts have no QObject to ask: each call names the literal context "Dashboard",
# translate("Dashboard", "..."), the form lupdate files under that same context. (A helper tr(text)
# would be filed under no context at all, so Qt, asking under "Dashboard", would never find it.)
translate = QCoreApplication.translate


def no_data() -> str:
    return translate("Dashboard", "No data")


def stage_name(stage: Stage) -> str:
    names = {
        Stage.RECEIVED: translate("Dashboard", "Received"),
        Stage.TESTED: translate("Dashboard", "Tested"),
        Stage.SANITISED: translate("Dashboard", "Sanitised"),
        Stage.GRADED: translate("Dashboard", "Graded"),
        Stage.SHIPPED: translate("Dashboard", "Shipped"),
    }
    return names[stage]


def blocker_name(blocker: Blocker) -> str:
    names = {
        Blocker.FRP: translate("Dashboard", "FRP"),
        Blocker.ACTIVATION_LOCK: translate("Dashboard", "Activation Lock"),
        Blocker.MDM: translate("Dashboard", "MDM"),
    }
    return names[blocker]


def blocker_help(blocker: Blocker) -> str:
    """What the lock is and who lifts it, for the table's tooltip."""
    helps = {
        Blocker.FRP: translate("Dashboard", "Factory Reset Protection: the owner removes the Google account"),
        Blocker.ACTIVATION_LOCK: translate("Dashboard",
                                           "Activation Lock: the owner removes the device from their Apple ID"),
        Blocker.MDM: translate("Dashboard", "Device management: the owner's organisation releases the device"),
    }
    return helps[blocker]


def number_locale() -> QLocale:
    """How the screens' language writes numbers (1,248 and 99.5 in English; 1 248 and 99,5 in French).
    Qt's C locale, the default where no language is set, writes 1248: English is meant there."""
    locale = QLocale()
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates) \
        if locale.language() == QLocale.Language.C else locale


def count_text(value: int | None) -> str:
    """A count with thousands separators, or "No data" when the figure does not exist."""
    return no_data() if value is None else number_locale().toString(value)


def percent_text(fraction: float | None) -> str:
    """A rate in [0, 1] as a percentage with one decimal (99.5 %), or "No data"."""
    if fraction is None:
        return no_data()
    return translate("Dashboard", "{0} %").format(number_locale().toString(fraction * 100, "f", 1))


def duration_unit(longest_s: float) -> tuple[float, str]:
    """(divisor, axis words) that keep a chart of durations in readable numbers."""
    if longest_s >= 2 * 3600:
        return 3600.0, translate("Dashboard", "hours")
    if longest_s >= 120:
        return 60.0, translate("Dashboard", "minutes")
    return 1.0, translate("Dashboard", "seconds")


def age_text(seconds: float) -> str:
    """How long a unit has waited, to the precision a supervisor acts on: 45 min, 3 h 20 min, 2 d 4 h."""
    seconds = max(0.0, seconds)
    minutes = int(seconds // 60)
    if minutes < 60:
        return translate("Dashboard", "{0} min").format(minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return translate("Dashboard", "{0} h {1} min").format(hours, minutes)
    days, hours = divmod(hours, 24)
    return translate("Dashboard", "{0} d {1} h").format(days, hours)


def time_text(iso: str) -> str:
    """An ISO-8601 UTC time shortened for a table cell: '2026-12-04 09:15 UTC'."""
    if len(iso) >= 16 and iso[10] == "T":
        return translate("Dashboard", "{0} {1} UTC").format(iso[:10], iso[11:16])
    return iso
