"""The Dashboard tab (F12): the supervisor's figures for today, the week, a lot or a customer, kept
live while the tab is shown.

Snapshots are computed by KpiService on a job's thread (the one seam for background work). While
the tab is shown a cheap poll reads the log's last seq (MAX of the primary key: one index lookup)
and asks for a new snapshot when events were recorded since the one asked for; a poll also runs
once a minute without new events, because the ages of held units grow on their own. An answer for a
scope no longer chosen, or older (smaller through_seq) than the one shown, is dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Slot

from app.core.kpi_snapshot import DashboardSnapshot, KpiScope, Period
from app.services.jobs import JobResult, Report
from app.services.kpi import KpiService
from app.store import queries, sync_state
from app.ui.dashboard_page import DashboardPage
from app.ui.work_tabs import BenchContext, WorkTab

SNAPSHOT_JOB = "dashboard:snapshot"
POLL_MS = 2_000  # how often the shown tab looks for new events
AGES_REFRESH_S = 60.0  # a snapshot this old is asked again even without new events (held units' ages)

SnapshotSource = Callable[[KpiScope, str], DashboardSnapshot]


class DashboardTab(WorkTab):
    page: DashboardPage
    title, key = "&Dashboard", "F12"

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        self.page = DashboardPage()
        service = KpiService(ctx.store, station_names={ctx.store.station_id: ctx.settings().station_name})
        self.source: SnapshotSource = service.snapshot
        self._wanted: KpiScope | None = None  # the scope of the latest request: answers for others are stale
        self._asked_seq = -1  # the log's last seq when the latest request was made
        self._asked_at = 0.0
        self._again = False  # something changed while a snapshot was being computed: ask once more after it
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self._on_poll)
        self.page.scope.changed.connect(self.request_snapshot)
        ctx.jobs.finished.connect(self._on_job_finished)

    # --- WorkTab -------------------------------------------------------------------------------------

    def shown(self) -> None:
        self.page.scope.set_lots(queries.list_lots(self.ctx.store.db))
        self.request_snapshot()
        self.poll.start()
        self.page.focus_start()

    def stop(self) -> None:
        self.poll.stop()
        self.ctx.jobs.cancel(SNAPSHOT_JOB)

    # --- asking for snapshots ------------------------------------------------------------------------

    @Slot()
    def request_snapshot(self) -> None:
        """Ask for the chosen scope's figures on a job's thread; the page draws them when they come."""
        choice = self.page.scope.choice()
        if choice is None:
            self._wanted = None
            self.page.show_snapshot(None)
            self.page.show_waiting(self.tr("No lot on this bench yet") if self.page.scope.period() is Period.LOT
                                   else self.tr("No customer lot on this bench yet"))
            return
        as_of = self.ctx.store.now()
        scope = choice.scope(as_of)
        if scope != self._wanted:
            self.page.show_waiting(self.tr("Computing the figures…"))
        self._wanted = scope  # set even while busy: the running job's answer is then for a stale scope
        if self.ctx.jobs.busy(SNAPSHOT_JOB):
            self._again = True
            return
        self._again = False
        self._asked_seq = sync_state.last_seq(self.ctx.store.db)
        self._asked_at = time.monotonic()
        source = self.source

        def work(cancel: threading.Event, report: Report) -> DashboardSnapshot:
            return source(scope, as_of)

        self.ctx.jobs.start(SNAPSHOT_JOB, work, label=self.tr("the dashboard's figures"))

    @Slot()
    def _on_poll(self) -> None:
        if not self.page.isVisible():
            self.poll.stop()  # shown() starts it again; a hidden dashboard costs nothing
            return
        stale = time.monotonic() - self._asked_at >= AGES_REFRESH_S
        if stale or sync_state.last_seq(self.ctx.store.db) > self._asked_seq:
            self.request_snapshot()

    @Slot(object)
    def _on_job_finished(self, result: JobResult) -> None:
        if result.key != SNAPSHOT_JOB:
            return
        if isinstance(result.value, DashboardSnapshot):
            if self.accepts(result.value):
                self.page.show_snapshot(result.value)
        elif result.error is not None:
            self.page.show_waiting(self.tr("The figures could not be computed"))
            self.ctx.say(self.tr("The dashboard's figures could not be computed: {0}").format(result.error), "error")
        if self._again and self.page.isVisible():
            self.request_snapshot()

    def accepts(self, snapshot: DashboardSnapshot) -> bool:
        """A snapshot is drawn only if it answers the scope chosen now and is not older than the one shown."""
        if snapshot.scope != self._wanted:
            return False
        shown = self.page.snapshot
        return shown is None or shown.scope != snapshot.scope or snapshot.through_seq >= shown.through_seq
