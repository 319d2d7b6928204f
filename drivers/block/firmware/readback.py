"""Reading a drive's sampled ranges before and after a firmware erase (domain.md §1.5, §2.6).

The ranges come from drivers/block/verify_plan.py (>= 1,000 slices, two spots each, first and
last blocks, >= 10 % of the drive). Before a crypto/block erase only a SHA-256 of each range is
kept, never the data. Reads use O_DIRECT so they come from the drive: the page cache may still
hold what was read before the firmware changed the media underneath it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import mmap
import os
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

from drivers.block.overwrite_types import BadRange, Progress
from drivers.block.verify_plan import ByteRange

CHUNK = 4 << 20
PROGRESS_INTERVAL_S = 0.25


@dataclass(frozen=True)
class RangeDigest:
    """What one range held: its hash, and whether it was one repeated byte (then "unchanged"
    proves nothing: a blank drive reads the same before and after)."""

    offset: int
    length: int
    sha256: str
    uniform: bool


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_DIRECT | os.O_CLOEXEC)
            self.direct = True
        except OSError:  # a filesystem without O_DIRECT (tests on plain files): drop the cache instead
            self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            self.direct = False
            os.posix_fadvise(self.fd, 0, 0, os.POSIX_FADV_DONTNEED)
        self.buf = mmap.mmap(-1, CHUNK)

    def close(self) -> None:
        os.close(self.fd)
        with contextlib.suppress(BufferError):
            self.buf.close()

    def read(self, offset: int, length: int) -> bytes:
        view = memoryview(self.buf)
        # O_DIRECT wants whole sectors; the last range ends on the device's end, a sector boundary.
        padded = -(-length // 512) * 512
        try:
            got = os.preadv(self.fd, [view[:padded]], offset)
        except OSError as exc:
            if exc.errno != errno.EINVAL or not self.direct:
                raise
            got = len(data := os.pread(self.fd, length, offset))
            view[:got] = data
        if got < length:
            raise OSError(errno.EIO, f"short read ({got} of {length} bytes)")
        return view[:length].tobytes()



def walk(path: str, ranges: tuple[ByteRange, ...], visit: Callable[[ByteRange, bytes | None, str], None],
         cancel: threading.Event, phase: str) -> Generator[Progress, None, bool]:
    """Reads each range (in CHUNK pieces) and calls ``visit(range, data, error)`` once per range
    with the whole range's bytes (or None and the error). Returns False when cancelled."""
    total = sum(r.length for r in ranges)
    reader = _Reader(path)
    done, bad, began = 0, 0, time.monotonic()
    last = began
    try:
        yield Progress(phase, 0, total, 0, 0)
        for r in ranges:
            pieces: list[bytes] = []
            error = ""
            for start in range(r.offset, r.end, CHUNK):
                if cancel.is_set():
                    return False
                try:
                    pieces.append(reader.read(start, min(CHUNK, r.end - start)))
                except OSError as exc:
                    error = f"read failed at byte {start}: {exc.strerror or exc}"
                    break
                done += min(CHUNK, r.end - start)
                now = time.monotonic()
                if now - last >= PROGRESS_INTERVAL_S:
                    last = now
                    yield Progress(phase, done, total, int(done / (now - began)), bad)
            bad += bool(error)
            visit(r, None if error else b"".join(pieces), error)
        now = time.monotonic()
        yield Progress(phase, done, total, int(done / (now - began)) if now > began else 0, bad)
        return True
    finally:
        reader.close()


def digest(r: ByteRange, data: bytes) -> RangeDigest:
    return RangeDigest(r.offset, r.length, hashlib.sha256(data).hexdigest(), data == data[:1] * len(data))


def check_zeros(r: ByteRange, data: bytes | None, error: str) -> BadRange | None:
    if data is None:
        return BadRange(r.offset, r.length, error)
    if data.count(0) == len(data):
        return None
    first = next(i for i, b in enumerate(data) if b)
    return BadRange(r.offset + first, r.length - first, "not zero after the erase")


def check_changed(before: RangeDigest, r: ByteRange, data: bytes | None, error: str) -> BadRange | None:
    if data is None:
        return BadRange(r.offset, r.length, error)
    if before.uniform or hashlib.sha256(data).hexdigest() != before.sha256:
        return None
    return BadRange(r.offset, r.length, "unchanged by the erase")
