"""Admission control for pushes: a hub process serves a few at once and tells the rest when to come back.

A herd of benches reconnecting after an outage would otherwise all be let in: one thread each, all
sharing one interpreter lock, every batch served slower and slower (Little's law), and the benches'
timeouts firing on work the hub is still doing. Instead at most ``limit`` pushes run at once; the
excess is answered at once with 503 and a Retry-After that spreads the waiting benches over the time
the hub needs to serve them, as a virtual queue: each refused push books the next free slot at the
hub's measured service rate, so the first refused come back in a second, the later ones later,
instead of all at once again.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable

# Retry-After is whole seconds (RFC 9110 delay-seconds); never advise less than one or more than this.
MAX_RETRY_AFTER = 60
# Before the first push is measured, assume this long per push (a 100-event batch on a small machine).
_FIRST_GUESS_SECONDS = 0.02
# Weight of the newest push in the running mean of service time: adapts within a few dozen pushes.
_EWMA_WEIGHT = 0.1


def default_push_limit() -> int:
    """Two pushes per core: one verifying signatures while the other waits on the database."""
    return 2 * (os.cpu_count() or 1)


class PushGate:
    """At most ``limit`` pushes at once in this process; the rest get a Retry-After from the virtual queue."""

    def __init__(self, limit: int | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = default_push_limit() if limit is None else limit
        if self.limit < 1:
            raise ValueError("the push limit must be at least 1")
        self._clock = clock
        self._lock = threading.Lock()
        self._running = 0
        self._service_seconds = _FIRST_GUESS_SECONDS
        self._next_free = 0.0
        self.refused = 0

    @property
    def running(self) -> int:
        """Pushes admitted and not yet finished."""
        with self._lock:
            return self._running

    def try_enter(self) -> bool:
        with self._lock:
            if self._running >= self.limit:
                self.refused += 1
                return False
            self._running += 1
            return True

    def leave(self, seconds: float) -> None:
        """A push admitted by ``try_enter`` ended after ``seconds``."""
        with self._lock:
            self._running -= 1
            self._service_seconds += _EWMA_WEIGHT * (seconds - self._service_seconds)

    def retry_after(self) -> int:
        """Whole seconds a refused bench should wait: its booked slot in the virtual queue."""
        with self._lock:
            now = self._clock()
            # The hub finishes ``limit`` pushes per service time: one slot per refused push, in order.
            self._next_free = max(self._next_free, now) + self._service_seconds / self.limit
            return max(1, min(MAX_RETRY_AFTER, math.ceil(self._next_free - now)))
