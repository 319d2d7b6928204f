"""Sync in the background: sessions of ``SyncClient`` on a worker, never on the caller's thread.

The loop runs a session at start, again when woken, after ``interval`` when the last session
reached the hub and sent everything, and after a jittered exponential backoff (honouring the hub's
Retry-After) when it did not. Between sessions it reports a fresh status every ``refresh`` seconds,
so a status bar shows events recorded meanwhile as pending without reading the database itself.

Two ways to run it: ``SyncLoop`` on a thread of its own (scripts, tests), or ``sync_job`` as a job
of a ``JobManager`` (the GUI), whose cancel flag stops it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.services.sync import SyncClient, SyncState, SyncStatus

log = logging.getLogger("app.sync")

# How long a sleeping loop may take to notice it was stopped.
_STOP_POLL = 0.1


# Retry-After comes in whole seconds: benches told the same number spread over that second.
_RETRY_AFTER_GRAIN = 1.0


class Backoff:
    """Exponential backoff with full jitter: a delay drawn from [0, min(cap, base * 2^attempt)].

    When the hub advises a Retry-After, that is followed instead: the hub books each refused bench a
    slot in its own queue (``app.hub.admission``), which our growing ceiling would only push later.
    """

    def __init__(self, *, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None) -> None:
        self.base, self.cap, self.attempt = base, cap, 0
        self._rng = rng or random.Random()

    def next_delay(self, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * 2 ** min(self.attempt, 32))
        self.attempt += 1
        if retry_after is not None:
            # The hub knows its own load better than our dice do; jitter within the header's
            # one-second grain so benches given the same number do not all come back at once.
            return min(self.cap, retry_after + self._rng.uniform(0, _RETRY_AFTER_GRAIN))
        return self._rng.uniform(0, ceiling)

    def reset(self) -> None:
        self.attempt = 0


def run_loop(data_dir: Path, stop: threading.Event, wake: threading.Event,
             on_status: Callable[[SyncStatus], None], *, interval: float = 30.0, refresh: float | None = None,
             backoff: Backoff | None = None, **client_options: Any) -> int:
    """Sync sessions until ``stop`` is set; returns how many sessions ran. Blocks: call it on a worker."""
    backoff = backoff or Backoff()
    client = SyncClient(data_dir, **client_options)
    sessions = 0
    try:
        while not stop.is_set():
            status = client.sync_once()
            sessions += 1
            on_status(status)
            if status.state in (SyncState.IDLE, SyncState.NOT_ENROLLED):
                backoff.reset()
                delay = interval
            else:
                delay = backoff.next_delay(client.retry_after)
                log.info("next sync attempt in %.1f s", delay)
            due = time.monotonic() + delay
            next_refresh = time.monotonic() + refresh if refresh else due
            while not stop.is_set():
                now = time.monotonic()
                if now >= due:
                    break
                if now >= next_refresh and status.state is not SyncState.NOT_ENROLLED:
                    on_status(client.status())
                    next_refresh = now + (refresh or delay)
                if wake.wait(min(due, next_refresh, now + _STOP_POLL) - now):
                    wake.clear()
                    break
    except Exception:
        log.exception("the sync loop failed with a bug")
        raise
    finally:
        client.close()
    return sessions


class SyncLoop:
    """``run_loop`` on a thread of its own, with the latest status kept for any thread to read."""

    def __init__(self, data_dir: Path, *, interval: float = 30.0, backoff: Backoff | None = None,
                 on_status: Callable[[SyncStatus], None] | None = None, **client_options: Any) -> None:
        self.data_dir = Path(data_dir)
        self.interval = interval
        self.backoff = backoff or Backoff()
        self._on_status = on_status
        self._client_options = client_options
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._status: SyncStatus | None = None
        self._thread: threading.Thread | None = None
        self.sessions = 0

    def start(self) -> SyncLoop:
        self._thread = threading.Thread(target=self._run, name="sync-loop")
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 60.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def status(self) -> SyncStatus | None:
        with self._lock:
            return self._status

    def _keep(self, status: SyncStatus) -> None:
        with self._lock:
            self._status = status
        if self._on_status is not None:
            self._on_status(status)

    def _run(self) -> None:
        self.sessions = run_loop(self.data_dir, self._stop, self._wake, self._keep, interval=self.interval,
                                 backoff=self.backoff, **self._client_options)


def sync_job(data_dir: Path, wake: threading.Event, *, interval: float = 30.0, refresh: float = 2.0,
             backoff: Backoff | None = None, **client_options: Any) -> Callable[[threading.Event, Any], int]:
    """A JobManager job running the loop until the job is cancelled; each status is its progress detail."""

    def job(cancel: threading.Event, report: Any) -> int:
        def on_status(status: SyncStatus) -> None:
            report(0, 0, "", status)

        return run_loop(data_dir, cancel, wake, on_status, interval=interval, refresh=refresh, backoff=backoff,
                        **client_options)

    return job
