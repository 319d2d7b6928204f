"""Double buffering for the overwrite engine: the next block is prepared while this one is on the device.

Without it a random pass alternates "generate 4 MiB of keystream" and "write 4 MiB", and a
verification alternates "read 4 MiB" and "regenerate and compare 4 MiB", so the drive sits idle
for the CPU part of every block. With two aligned buffers and one helper thread the two halves
run at the same time: the pass goes at the speed of the slower half instead of their sum.

Why a thread helps here although this is Python: every long step releases the GIL. os.pwrite and
os.preadv do, and so does cryptography's AES ``update_into`` (measured on the bench machine:
two threads generate 1.9x the keystream of one, and a third thread's 1 ms sleeps stay within
0.3 ms of on time while another generates non-stop).

The helper only ever does one kind of work per pass, and never decides anything: in the write
pass it fills the next buffer with the pattern (no I/O at all); in the verify pass it makes one
plain read of the next block and hands back the bytes or the OSError. Retries, narrowing to 4 KiB,
device-gone checks, checkpoints and cancel all stay on the job's own thread, in device order.

Lifetime: ``Ahead`` is a context manager; leaving it (the pass finished, was cancelled, hit an
error, or the generator running it was closed) waits for the one task in flight, then joins the
thread. Nothing outlives the job, and the buffers are unmapped only after that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Ahead:
    """One helper thread with at most one task in flight: ``start`` it, later ``take`` its result.

    ``take`` re-raises whatever the task raised (a bug: expected failures such as a failed read
    are returned as values by the task itself). The thread is started on the first ``start``, so
    a pass that never needs it (a fixed pattern's writes) costs nothing.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future[Any] | None = None

    def start(self, task: Callable[..., Any], *args: Any) -> None:
        if self._pending is not None:
            raise RuntimeError("Ahead runs one task at a time: take() the previous one first")
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._name)
        self._pending = self._pool.submit(task, *args)

    def take(self) -> Any:
        pending, self._pending = self._pending, None
        if pending is None:
            raise RuntimeError("Ahead.take() with no task started")
        return pending.result()

    @property
    def busy(self) -> bool:
        return self._pending is not None

    def close(self) -> None:
        """Waits for the task in flight (its result is dropped) and joins the thread."""
        pending, self._pending = self._pending, None
        if pending is not None and not pending.cancel():
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


def double_buffered(spans: Iterator[tuple[int, int]], buffers: tuple[memoryview, memoryview], ahead: Ahead,
                    prepare: Callable[[memoryview, int, int], T]) -> Iterator[tuple[int, int, memoryview, T]]:
    """Yields (offset, length, buffer, what ``prepare`` returned) for each span, in order.

    ``prepare(buffer, offset, length)`` runs on the helper thread, one span ahead: while the
    caller works on a span's buffer, the next span is prepared in the other buffer. ``buffer`` is
    the whole buffer; ``prepare`` and the caller slice what they need. A buffer is handed to
    ``prepare`` again only once the caller has asked for the span after the one it held.
    """
    upcoming = next(spans, None)
    if upcoming is None:
        return
    ahead.start(prepare, buffers[0], *upcoming)
    index = 0
    while upcoming is not None:
        offset, length = upcoming
        prepared: T = ahead.take()
        upcoming = next(spans, None)
        if upcoming is not None:
            ahead.start(prepare, buffers[(index + 1) % 2], *upcoming)
        yield offset, length, buffers[index % 2], prepared
        index += 1
