"""The bench's device and workflow tabs, and the one place that lists them.

The Unit, Search and Lots pages are the window's own. Every other tab (drive bays, phones, rigs,
grading, packing, ...) is a WorkTab built by a factory in WORK_TABS from the BenchContext: the window
adds its page with its function key, starts it at once (devices plugged in while another tab is shown
still start: continuous flow), tells it when it is shown, offers it scans and stops it at shutdown.
Status-bar parts (sync state, say) are built the same way from STATUS_PARTS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.core.models import Operator, Unit
from app.services.jobs import JobManager
from app.settings import Settings
from app.store.store import Store

Say = Callable[[str, str], None]


@dataclass(frozen=True)
class BenchContext:
    """What a tab may use of the station. Getters, because the operator and settings change."""

    store: Store
    jobs: JobManager
    say: Say
    operator: Callable[[], Operator | None]
    settings: Callable[[], Settings]
    open_unit: Callable[[str], None]
    window: QWidget
    allow_loop: bool = False  # loop devices count as drives: tests and demos only
    simulate: str | None = None  # the --simulate scenario, for tabs whose devices have simulators


class WorkTab(QObject):
    """Base of every work tab: a page, a title with its mnemonic, a function key, and hooks.

    Subclasses set ``page`` in their constructor and override what they need.
    """

    page: QWidget  # set by the subclass's constructor
    title = ""  # e.g. "&Bays"; the & letter is the Alt mnemonic
    key = ""  # e.g. "F6"

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx

    def start(self) -> None:
        """Begin watching for devices or work; called once, right after the window is built."""

    def stop(self) -> None:
        """Stop timers, watchers and anything else that runs; called once at shutdown."""

    def shown(self) -> None:
        """The technician switched to this tab: refresh and put the focus where the work starts."""

    def take_scan(self, text: str) -> bool:
        """A scan arrived while this tab is shown, before intake sees it; True if the tab used it."""
        return False

    def unit_scanned(self, unit: Unit) -> bool:
        """Intake resolved a scan to a unit while this tab is shown; True keeps the tab (no Unit page)."""
        return False


def _bays(ctx: BenchContext) -> WorkTab:
    from app.ui.bays_tab import BaysTab

    return BaysTab(ctx)


def _rigs(ctx: BenchContext) -> WorkTab:
    from app.ui.rigs_tab import RigsTab

    return RigsTab(ctx)


def _phones(ctx: BenchContext) -> WorkTab:
    from app.ui.phones_tab import PhonesTab

    return PhonesTab(ctx)


def _grade(ctx: BenchContext) -> WorkTab:
    from app.ui.grade_tab import GradeTab

    return GradeTab(ctx)


def _pack(ctx: BenchContext) -> WorkTab:
    from app.ui.pack_tab import PackTab

    return PackTab(ctx)


def _dashboard(ctx: BenchContext) -> WorkTab:
    from app.ui.dashboard_tab import DashboardTab

    return DashboardTab(ctx)


# One line per tab, in tab order after Unit, Search and Lots.
WORK_TABS: tuple[Callable[[BenchContext], WorkTab], ...] = (_bays, _phones, _rigs, _grade, _pack, _dashboard)

class StatusPart(QWidget):
    """A part of the status bar (sync state, say) with its own timers or workers."""

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx

    def start(self) -> None:
        """Begin updating; called once, right after the window is built."""

    def stop(self) -> None:
        """Stop timers and workers; called once at shutdown."""


def _scanner_ports(ctx: BenchContext) -> StatusPart:
    from app.ui.rigs_scanner import ScannerPortsPart

    return ScannerPortsPart(ctx)


def _sync_status(ctx: BenchContext) -> StatusPart:
    from app.ui.sync_status import SyncStatusPart

    return SyncStatusPart(ctx)


# One line per status-bar part, shown at the right of the status bar in this order.
STATUS_PARTS: tuple[Callable[[BenchContext], StatusPart], ...] = (_scanner_ports, _sync_status)
