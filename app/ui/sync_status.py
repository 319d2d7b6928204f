"""The hub's part of the status bar: online or offline, events pending, the oldest one's age, the
last success and the last error in words.

The sync loop runs as a job of the part's own JobManager from the moment the window is built: every
session, and a fresh status every few seconds between sessions, arrive here as immutable progress
payloads over a queued signal. The GUI thread only draws them; it never reads the database, opens
a socket or waits for the hub.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.core.errors import OperatorError
from app.services import reference_data
from app.services.jobs import JobManager, JobProgress, JobResult
from app.services.sync import SyncState, SyncStatus
from app.services.sync_loop import Backoff, sync_job
from app.ui.i18n import error_text
from app.ui.work_tabs import BenchContext, StatusPart

log = logging.getLogger("app.ui.sync")

JOB_KEY = "sync"
# Timing of the loop; module constants so a test can run it at a brisker pace.
INTERVAL = 30.0  # seconds between sessions while everything is sent
REFRESH = 2.0  # seconds between status updates while the loop waits
BACKOFF_BASE, BACKOFF_CAP = 1.0, 300.0
TIMEOUT = 10.0  # seconds one request to the hub may take: also the longest a shutdown waits for one
_URL = re.compile(r" at https?://[^\s:/]+(:\d+)?(/\S*)?(?=[:\s]|$)")
_ERROR_CHARS = 70  # of the last error shown in the bar; the tooltip has all of it
_STYLE = """
#syncStatusText { padding: 1px 8px; border-radius: 3px; }
#syncStatusText[tone="ok"] { background: #d9f2dd; color: #11501d; }
#syncStatusText[tone="warn"] { background: #fdf0c8; color: #6b4a00; }
#syncStatusText[tone="error"] { background: #fbdcdc; color: #8a1010; }
#syncStatusText[tone="muted"] { color: #555555; }
"""




def age_words(moment: str | None, now: datetime) -> str:
    """'just now', '4 min', '3 h', '2 days': how long ago an ISO time was."""
    if not moment:
        return ""
    try:
        then = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return ""
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 60:
        return QCoreApplication.translate("SyncStatusPart", "just now")
    if seconds < 3600:
        return QCoreApplication.translate("SyncStatusPart", "{minutes} min").format(minutes=int(seconds // 60))
    if seconds < 2 * 86400:
        return QCoreApplication.translate("SyncStatusPart", "{hours} h").format(hours=int(seconds // 3600))
    return QCoreApplication.translate("SyncStatusPart", "{days} days").format(days=int(seconds // 86400))


def describe(status: SyncStatus | None, now: datetime) -> tuple[str, str, str]:
    """(bar text, tooltip, tone) for one status; tone is ok, warn, error or muted."""
    # Module functions have no QObject's tr: QCoreApplication.translate under the part's context.
    translate = QCoreApplication.translate  # the name lupdate knows
    if status is None:
        return (translate("SyncStatusPart", "Hub: starting…"),
                translate("SyncStatusPart", "The sync with the hub is starting"), "muted")
    if status.state is SyncState.NOT_ENROLLED:
        return (translate("SyncStatusPart", "Hub: not enrolled"),
                translate("SyncStatusPart", "This bench keeps everything here. A supervisor enrolls it with the hub "
                          "in File ▸ Settings (hub address and a one-time code)."), "muted")
    online = status.state in (SyncState.IDLE, SyncState.SYNCING)
    if status.state is SyncState.STOPPED:
        parts = [translate("SyncStatusPart", "Hub refused this bench")]
    else:
        parts = [translate("SyncStatusPart", "Hub online") if online else translate("SyncStatusPart", "Hub offline")]
    pending = translate("SyncStatusPart", "{pending} pending").format(pending=f"{status.pending:,}")
    if status.pending and status.oldest_pending_at:
        pending += translate("SyncStatusPart", ", oldest {age}").format(age=age_words(status.oldest_pending_at, now))
    parts.append(pending)
    success = age_words(status.last_success, now)
    if not success:
        parts.append(translate("SyncStatusPart", "never synced"))
    elif success == translate("SyncStatusPart", "just now"):
        parts.append(translate("SyncStatusPart", "last sync just now"))
    else:
        parts.append(translate("SyncStatusPart", "last sync {age} ago").format(age=success))
    error = status.last_error
    if error and not online:
        short = _URL.sub("", error)  # the address is in the tooltip; the bar keeps the words
        parts.append(short if len(short) <= _ERROR_CHARS else short[: _ERROR_CHARS - 1] + "…")
    never = translate("SyncStatusPart", "never")
    tooltip = "\n".join(line for line in (
        translate("SyncStatusPart", "Hub: {url}").format(url=status.hub_url),
        translate("SyncStatusPart", "State: {state}").format(state=status.state.value.replace("_", " ")),
        translate("SyncStatusPart", "Events pending: {pending} (this bench's log ends at seq {seq}; the hub holds "
                  "up to {hwm})").format(pending=f"{status.pending:,}", seq=f"{status.last_seq:,}",
                                         hwm=f"{status.hub_hwm:,}"),
        translate("SyncStatusPart", "Oldest pending: {when}").format(when=status.oldest_pending_at)
        if status.oldest_pending_at else "",
        translate("SyncStatusPart", "Last success: {when}").format(when=status.last_success or never),
        translate("SyncStatusPart", "Last error: {error}").format(error=error) if error else "",
    ) if line)
    tone = "ok" if online and not status.pending else "ok" if online else \
        "error" if status.state is SyncState.STOPPED else "warn"
    return "  ·  ".join(parts), tooltip, tone


class SyncStatusPart(StatusPart):
    """Status-bar widget over the background sync loop."""

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        self.setObjectName("syncStatus")
        self.label = QLabel(self.tr("Hub: starting…"))
        self.label.setObjectName("syncStatusText")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(self.label)
        self.setStyleSheet(_STYLE)
        self.status: SyncStatus | None = None
        self._wake = threading.Event()
        self._jobs = JobManager(max_threads=1, parent=self)
        self._jobs.progress.connect(self._on_progress)
        self._jobs.finished.connect(self._on_finished)
        self._ages = QTimer(self)  # ages in words go stale between statuses
        self._ages.setInterval(15_000)
        self._ages.timeout.connect(self._redraw)
        self._stopped = False

    def start(self) -> None:
        job = sync_job(self.ctx.store.data_dir, self._wake, interval=INTERVAL, refresh=REFRESH,
                       backoff=Backoff(base=BACKOFF_BASE, cap=BACKOFF_CAP), timeout=TIMEOUT)
        self._jobs.start(JOB_KEY, job, label="the sync with the hub")
        self._ages.start()

    def wake(self) -> None:
        """Sync now (after an enrolment, or when the technician asks)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._ages.stop()
        self._jobs.shutdown(int(TIMEOUT * 1000) + 2000)

    @Slot(object)
    def _on_progress(self, progress: JobProgress) -> None:
        if isinstance(progress.detail, SyncStatus):
            previous = self.status
            self.status = progress.detail
            self._redraw()
            if previous is not None and progress.detail.reference_version > previous.reference_version:
                self._take_operators()

    def _take_operators(self) -> None:
        """New reference data is in use: its operators can log in here from now on (written here, on
        the thread that writes the bench's records)."""
        data = reference_data.for_folder(self.ctx.store.data_dir)
        try:
            with data.snapshot() as snapshot:
                added = reference_data.apply_operator_list(self.ctx.store, snapshot)
        except OperatorError as exc:
            self.ctx.say(self.tr("The hub's operator list was not taken: {exc}").format(exc=error_text(exc)), "warn")
            return
        if added:
            self.ctx.say(self.tr("From the hub: {count} operator(s) can now log in here ({join})").format(
                    count=len(added), join=', '.join(added)), "ok")

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        if not self._stopped and result.error is not None:
            self.label.setText(self.tr("Hub: sync stopped by an error — see the log"))
            self.label.setProperty("tone", "error")

    def _redraw(self) -> None:
        text, tooltip, tone = describe(self.status, datetime.now(UTC))
        self.label.setText(text)
        self.setToolTip(tooltip)
        if self.label.property("tone") != tone:
            self.label.setProperty("tone", tone)
            self.label.style().unpolish(self.label)
            self.label.style().polish(self.label)


def wake_sync(window: QWidget | None) -> None:
    """Ask the window's sync to run at once (after the bench was enrolled)."""
    if window is not None:
        for part in window.findChildren(SyncStatusPart):
            part.wake()
