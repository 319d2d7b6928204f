"""Multiple buffering for the overwrite engine: the next blocks are prepared while this one is on the device.

Without it a random pass alternates "generate 4 MiB of keystream" and "write 4 MiB", and a
verification alternates "read 4 MiB" and "regenerate and compare 4 MiB", so the drive sits idle
for the CPU part of every block. With aligned buffers and helper threads the two halves run at
the same time: the pass goes at the speed of the slower half instead of their sum.

How far ahead, measured on the 2-core CI virtual machine with 4 MiB blocks (tests/bench/bench_erase.py):

* With one block ahead the drive also sits idle while a finished read is handed from the helper
  to the job thread and the next one handed back: two thread wake-ups per block, up to a
  millisecond each for an idle vCPU. Verification read 20 % below ``dd``; with blocks queued, the
  helper starts the next read the moment one finishes.
* Two reader threads (two reads in flight) verify 8–15 % faster than one, at or above ``dd``'s
  single-request reads. Two keystream generators, though, wrote more slowly than one: the CPU, not
  the generator, is the limit there, so the write pass keeps one.
* Four buffers: the block in hand and three prepared, enough for two reads in flight and one
  finished, waiting. 16 MiB per job.

Why a thread helps here although this is Python: every long step releases the GIL. os.pwrite and
os.preadv do, and so does cryptography's AES ``update_into`` (measured on the bench machine: one
thread generates 7.7 GB/s of keystream, two threads 1.9x that, and a third thread's 1 ms sleeps
stay within 0.3 ms of on time while another generates non-stop).

The helpers only ever do one kind of work per pass, and never decide anything: in the write pass
one fills the next buffers with the pattern (no I/O at all); in the verify pass each makes one
plain read of a block and hands back nothing or the OSError. Retries, narrowing to 4 KiB,
device-gone checks, checkpoints and cancel all stay on the job's own thread, in device order.

Lifetime: ``Ahead.close`` (also on leaving it as a context manager; the job calls it whether its
pass finished, was cancelled, hit an error, or its generator was closed) drops the tasks not yet
started, waits for the running ones and joins the threads. Nothing outlives the job, and the
buffers are unmapped only after that.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Ahead:
    """Helper threads (``workers``, one by default) running tasks in the order they were started,
    up to ``workers`` at once; ``take`` returns the oldest one's result, waiting for it if need be.

    ``take`` re-raises whatever the task raised (a bug: expected failures such as a failed read
    are returned as values by the task itself). The thread is started on the first ``start``, so
    a pass that never needs it (a fixed pattern's writes) costs nothing.
    """

    def __init__(self, name: str, workers: int = 1) -> None:
        self._name, self._workers = name, workers
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[Any]] = deque()

    def start(self, task: Callable[..., Any], *args: Any) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix=self._name)
        self._pending.append(self._pool.submit(task, *args))

    def take(self) -> Any:
        if not self._pending:
            raise RuntimeError("Ahead.take() with no task started")
        return self._pending.popleft().result()

    @property
    def in_flight(self) -> int:
        """Tasks started and not yet taken."""
        return len(self._pending)

    def close(self) -> None:
        """Drops the tasks not started yet, waits for the one running, and joins the thread."""
        # Cancel every queued task first: waiting for the running one before would let the
        # thread start the next.
        unstoppable = [pending for pending in self._pending if not pending.cancel()]
        self._pending.clear()
        for pending in unstoppable:
            exc = pending.exception()  # waits for it to finish
            if exc is not None:  # only a bug gets here, and it was about to be thrown away with the pass
                log.error("helper task of %s failed after its pass ended", self._name, exc_info=exc)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def blocks(start: int, end: int, block_size: int) -> Iterator[tuple[int, int]]:
    """(offset, length) of each block of [start, end), the last one short if need be."""
    for offset in range(start, end, block_size):
        yield offset, min(block_size, end - offset)


def buffered(spans: Iterator[tuple[int, int]], buffers: Sequence[memoryview], ahead: Ahead,
             prepare: Callable[[memoryview, int, int], T]) -> Iterator[tuple[int, int, memoryview, T]]:
    """Yields (offset, length, buffer, what ``prepare`` returned) for each span, in order.

    ``prepare(buffer, offset, length)`` runs on the helper thread, ``len(buffers) - 1`` spans
    ahead: while the caller works on one span's buffer, the following spans are prepared in the
    others. ``buffer`` is the whole buffer; ``prepare`` and the caller slice what they need. A
    buffer is handed to ``prepare`` again only once the caller has asked for the span after the
    one it held there.
    """
    depth = len(buffers) - 1
    if depth < 1:
        raise ValueError("buffered() needs at least two buffers")
    queued: deque[tuple[int, int, memoryview]] = deque()
    started = 0

    def start_next() -> bool:
        nonlocal started
        upcoming = next(spans, None)
        if upcoming is None:
            return False
        buffer = buffers[started % len(buffers)]
        ahead.start(prepare, buffer, *upcoming)
        queued.append((*upcoming, buffer))
        started += 1
        return True

    while len(queued) < depth and start_next():
        pass
    while queued:
        offset, length, buffer = queued.popleft()
        prepared: T = ahead.take()
        start_next()  # into the buffer the caller handed back by asking for this span
        yield offset, length, buffer, prepared
