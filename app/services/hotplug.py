"""Drives plugged in and pulled out, as one ``changed()`` per burst of kernel events.

Plugging a disk sends a burst of uevents (the disk, each partition, a change when its partition
table is read); pulling it sends the same in reverse. The bays only need to rescan once per burst,
so every event restarts a short quiet period and the rescan is signalled when it ends, yet never
later than MAX_DELAY_MS after the first event of the burst (a drive must show within a second even
while a flapping cable keeps events coming).

The event source's descriptor is watched by a QSocketNotifier in the GUI thread's event loop: no
thread of our own. Where no source can be opened (a sandbox without netlink), a slow poll takes
its place and the log says so once.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal, Slot

from drivers.block.hotplug import BlockEventSource, HotplugError

log = logging.getLogger("app.hotplug")

QUIET_MS = 200
MAX_DELAY_MS = 700
FALLBACK_POLL_MS = 2000


class WatchState(enum.StrEnum):
    STOPPED = "stopped"
    EVENTS = "events"     # listening to udev or kernel events
    POLLING = "polling"   # no event source could be opened


class HotplugWatcher(QObject):
    """Signals ``changed()`` once per burst of block-device events (or on each fallback poll).

    ``open_source`` makes the event source; the default picks udev or the kernel's uevents.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None, *, quiet_ms: int = QUIET_MS, max_delay_ms: int = MAX_DELAY_MS,
                 fallback_poll_ms: int = FALLBACK_POLL_MS,
                 open_source: Callable[[], BlockEventSource] = BlockEventSource) -> None:
        super().__init__(parent)
        self._open_source, self._quiet_ms, self._max_delay_ms = open_source, quiet_ms, max_delay_ms
        self._source: BlockEventSource | None = None
        self._notifier: QSocketNotifier | None = None
        self._burst_started: float | None = None
        self.state = WatchState.STOPPED
        self.events_seen = 0
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.timeout.connect(self._burst_over)
        self._poll = QTimer(self)
        self._poll.setInterval(fallback_poll_ms)
        self._poll.timeout.connect(self.changed)

    @property
    def source_name(self) -> str:
        """"udev", "kernel", "polling" or "stopped": for the status bar and the log."""
        if self._source is not None:
            return self._source.which
        return str(self.state)

    def _move(self, target: WatchState, why: str) -> None:
        if target is not self.state:
            log.info("hotplug watcher %s -> %s (%s)", self.state, target, why)
            self.state = target

    def start(self) -> None:
        """Listen for events (or start the fallback poll); starting twice does nothing."""
        if self.state is not WatchState.STOPPED:
            return
        try:
            source = self._open_source()
        except (HotplugError, OSError) as exc:
            self._poll.start()
            self._move(WatchState.POLLING, f"no hotplug events here ({exc}); rescanning every "
                                           f"{self._poll.interval() / 1000:g} s instead")
            return
        self._source = source
        self._notifier = QSocketNotifier(source.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._readable)
        self._move(WatchState.EVENTS, f"{source.which} events")

    def stop(self) -> None:
        """Stop listening and polling and release the socket; safe to call twice."""
        self._debounce.stop()
        self._poll.stop()
        if self._notifier is not None:
            # Disabled before the descriptor closes: a notifier on a closed fd spins or warns.
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._source is not None:
            self._source.close()
            self._source = None
        self._burst_started = None
        self._move(WatchState.STOPPED, "stopped")

    @Slot()
    def _readable(self) -> None:
        if self._source is None:
            return
        try:
            events = self._source.read_events()
        except OSError:
            # A socket error is a bug or a broken kernel interface: say it once, keep the bays honest by polling.
            log.exception("reading block events failed; falling back to polling")
            self.stop()
            self._poll.start()
            self._move(WatchState.POLLING, "the event source failed")
            return
        if not events:
            return
        self.events_seen += len(events)
        for event in events:
            log.debug("block event %s %s", event.action, event.devname)
        now = time.monotonic()
        if self._burst_started is None:
            self._burst_started = now
        # Each event restarts the quiet period, unless that would push the rescan past the cap.
        left_ms = self._max_delay_ms - (now - self._burst_started) * 1000
        self._debounce.start(max(0, min(self._quiet_ms, int(left_ms))))

    @Slot()
    def _burst_over(self) -> None:
        self._burst_started = None
        self.changed.emit()
