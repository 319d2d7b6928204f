"""The Dashboard tab (F12): the supervisor's figures for today, the week, a lot or a customer, kept
live while the tab is shown.

Snapshots are computed by KpiService on a job's thread (the one seam for background work). While
the tab is shown a cheap poll reads the log's last seq (MAX of the primary key: one index lookup)
and asks for a new snapshot when events were recorded since the one asked for; a poll also runs
once a minute without new events, because the ages of held units grow on their own. An answer for a
scope no longer chosen, or older (smaller through_seq) than the one shown, is dropped.

"All benches (hub)" asks the hub the bench is enrolled with (app/services/hub_kpi.py) on a job's
thread too, every HUB_REFRESH_S while shown. When the bench is not enrolled or the hub does not
answer, the page says so in words and keeps the last figures the hub sent for that choice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Slot

from app.core.i18n import ERROR_CONTEXT, QT_TRANSLATE_NOOP
from app.core.kpi_snapshot import DashboardSnapshot, KpiScope, Period
from app.services.hub_kpi import HubKpiUnavailable, fetch_hub_snapshot
from app.services.jobs import JobResult, Report
from app.services.kpi import KpiService
from app.store import queries, sync_state
from app.ui.dashboard_format import time_text
from app.ui.dashboard_page import DashboardPage
from app.ui.dashboard_scope import ScopeChoice
from app.ui.i18n import said
from app.ui.work_tabs import BenchContext, WorkTab

SNAPSHOT_JOB = "dashboard:snapshot"
HUB_JOB = "dashboard:hub"
HUB_REFRESH_S = 15.0  # how often the shown tab asks the hub again (other benches' events are not seen here)
POLL_MS = 2_000  # how often the shown tab looks for new events
AGES_REFRESH_S = 60.0  # a snapshot this old is asked again even without new events (held units' ages)

SnapshotSource = Callable[[KpiScope, str], DashboardSnapshot]
HubSource = Callable[[ScopeChoice], DashboardSnapshot]


class DashboardTab(WorkTab):
    page: DashboardPage
    title, key = QT_TRANSLATE_NOOP("WorkTab", "&Dashboard"), "F12"

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        self.page = DashboardPage()
        # The hub's answers and its failures are said in a sentence: it wraps rather than widen the page.
        self.page.as_of.setWordWrap(True)
        service = KpiService(ctx.store, station_names={ctx.store.station_id: ctx.settings().station_name})
        self.source: SnapshotSource = service.snapshot
        data_dir = ctx.store.data_dir
        self.hub_source: HubSource = lambda choice: fetch_hub_snapshot(
            data_dir, choice.period, lot=choice.lot_id, customer=choice.customer)
        self._hub_wanted: ScopeChoice | None = None  # the hub choice asked for last
        self._hub_shown: ScopeChoice | None = None  # the hub choice whose last figures are kept on failure
        self._hub_said = ""  # the last failure said in the banner
        self._drawn_from_hub = False  # the page shows the hub's figures (their through_seq counts all benches)
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
        self.ctx.jobs.cancel(HUB_JOB)

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
        if choice.hub:
            self._request_from_hub(choice)
            return
        self._hub_wanted = self._hub_shown = None
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

    def _request_from_hub(self, choice: ScopeChoice) -> None:
        self._wanted = None  # a bench answer still running is now stale
        if choice != self._hub_shown:
            self.page.show_waiting(self.tr("Asking the hub for every bench's figures…"))
        self._hub_wanted = choice
        if self.ctx.jobs.busy(HUB_JOB):
            self._again = True
            return
        self._again = False
        self._asked_at = time.monotonic()
        source = self.hub_source

        def work(cancel: threading.Event, report: Report) -> tuple[ScopeChoice, DashboardSnapshot]:
            return choice, source(choice)

        self.ctx.jobs.start(HUB_JOB, work, label=self.tr("every bench's figures from the hub"))

    @Slot()
    def _on_poll(self) -> None:
        if not self.page.isVisible():
            self.poll.stop()  # shown() starts it again; a hidden dashboard costs nothing
            return
        waited = time.monotonic() - self._asked_at
        if self._hub_wanted is not None:
            if waited >= HUB_REFRESH_S:
                self.request_snapshot()
            return
        if waited >= AGES_REFRESH_S or sync_state.last_seq(self.ctx.store.db) > self._asked_seq:
            self.request_snapshot()

    @Slot(object)
    def _on_job_finished(self, result: JobResult) -> None:
        if result.key == HUB_JOB:
            self._on_hub_answer(result)
            return
        if result.key != SNAPSHOT_JOB:
            return
        if isinstance(result.value, DashboardSnapshot):
            if self.accepts(result.value):
                self._drawn_from_hub = False
                self.page.show_snapshot(result.value)
        elif result.error is not None:
            self.page.show_waiting(self.tr("The figures could not be computed"))
            self.ctx.say(self.tr("The dashboard's figures could not be computed: {0}").format(result.error), "error")
        if self._again and self.page.isVisible():
            self.request_snapshot()

    def _on_hub_answer(self, result: JobResult) -> None:
        if isinstance(result.value, tuple):
            choice, snapshot = result.value
            if choice == self._hub_wanted:
                self._hub_shown, self._drawn_from_hub = choice, True
                self.page.show_snapshot(snapshot)
                self.page.as_of.setToolTip("")
                self._hub_said = ""
                self.page.show_waiting(self.tr("Every bench (hub), as of {0}").format(time_text(snapshot.as_of)))
        elif isinstance(result.error, HubKpiUnavailable) and self._hub_wanted is not None:
            if self._hub_shown != self._hub_wanted:
                self._drawn_from_hub = False
                self.page.show_snapshot(None)  # this bench's figures under the hub's heading would mislead
            error, shown = result.error, self.page.snapshot
            message = said(ERROR_CONTEXT, error.template, error.values, error.message)
            hint = said(ERROR_CONTEXT, error.hint_template, error.values, error.hint)
            # The heading stays short (it must not push the charts down); the banner says what to do, once
            # per failure rather than at every retry.
            if self._hub_shown == self._hub_wanted and shown is not None:
                self.page.show_waiting(self.tr("{0}; figures as of {1}").format(message, time_text(shown.as_of)))
            else:
                self.page.show_waiting(message)
            words = self.tr("{0}. {1}.").format(message, hint)
            self.page.as_of.setToolTip(f"{words}\n{error.detail}".strip())
            if words != self._hub_said:
                self._hub_said = words
                self.ctx.say(words, "warn")
        elif result.error is not None:
            self.page.show_waiting(self.tr("The figures could not be computed"))
            self.ctx.say(self.tr("The hub's figures could not be read: {0}").format(result.error), "error")
        if self._again and self.page.isVisible():
            self.request_snapshot()

    def accepts(self, snapshot: DashboardSnapshot) -> bool:
        """A snapshot is drawn only if it answers the scope chosen now and is not older than the one shown."""
        if snapshot.scope != self._wanted:
            return False
        shown = self.page.snapshot
        if shown is None or self._drawn_from_hub:
            return True
        return shown.scope != snapshot.scope or snapshot.through_seq >= shown.through_seq
