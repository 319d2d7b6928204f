"""Shared helpers for the overwrite tests: loop devices, expected patterns, an I/O seam."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drivers.block.keystream import Keystream
from drivers.block.overwrite import (
    BlockIO,
    OverwriteJob,
    OverwriteResult,
    Pattern,
    Progress,
)
from drivers.block.verify_plan import ByteRange

MiB = 1 << 20
SEED = bytes(range(32))
MARKER = b"\xa5MARKER\x5a" * (MiB // 8)  # what was on the "drive" before: none of the patterns
LOSETUP = shutil.which("losetup")
USE_LOOP = os.geteuid() == 0 and LOSETUP is not None


@dataclass(frozen=True)
class Device:
    path: str  # what the engine opens: /dev/loopN, or the file itself without losetup
    backing: Path
    size: int


def attach(backing: Path, size: int, *, offset: int = 0, read_only: bool = False) -> str:
    """A loop device over ``size`` bytes of ``backing`` from ``offset``, with O_DIRECT to the file
    when its filesystem allows it."""
    options = [f"--offset={offset}", f"--sizelimit={size}"] + (["--read-only"] if read_only else [])
    cmd = [str(LOSETUP), "--find", "--show", *options]
    done = subprocess.run([*cmd, "--direct-io=on", str(backing)], capture_output=True, text=True, check=False)
    if done.returncode:
        done = subprocess.run([*cmd, str(backing)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def detach(dev: str) -> None:
    subprocess.run([str(LOSETUP), "--detach", dev], check=False)


def read_back(path: str, offset: int = 0, length: int | None = None) -> bytes:
    """Reads the device with plain buffered I/O after dropping its cache: nothing from the engine."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        f.seek(offset)
        return f.read() if length is None else f.read(length)


def expected_bytes(pattern: Pattern, seed: bytes, offset: int, length: int) -> bytes:
    if pattern is Pattern.RANDOM:
        start = offset // 16 * 16
        return Keystream(seed).block(start, -(-(offset + length - start) // 16) * 16)[offset - start:][:length]
    return (b"\xff" if pattern is Pattern.ONES else b"\0") * length


def first_difference(got: bytes, want: bytes) -> int | None:
    """Offset of the first differing byte (None if equal): a readable failure instead of a 64 MiB diff."""
    if got == want:
        return None
    return next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want)))


def corrupt(path: str, offset: int, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(fd, data, offset)
        os.fsync(fd)
    finally:
        os.close(fd)


def run(job: OverwriteJob, cancel: threading.Event | None = None,
        on_progress: Callable[[Progress], None] | None = None) -> tuple[OverwriteResult, list[Progress]]:
    seen: list[Progress] = []
    for progress in job.run(cancel or threading.Event()):
        seen.append(progress)
        if on_progress:
            on_progress(progress)
    assert job.result is not None
    return job.result, seen


class SeamIO(BlockIO):
    """BlockIO with knobs. Fails I/O touching ``bad`` with ``error`` (``times`` times, or always);
    makes writes reaching ``dropped`` short writes reported complete (the loop driver's way with a
    full backing filesystem); sleeps ``delay`` seconds per write; fails every write once
    ``unplugged`` (as the block layer does past a vanished disk's end); records every call."""

    def __init__(self, bad: ByteRange | None = None, error: int = errno.EIO, *, reads: bool = False,
                 times: int | None = None, dropped: ByteRange | None = None, delay: float = 0.0) -> None:
        self.bad, self.error, self.reads, self.times = bad, error, reads, times
        self.dropped, self.delay = dropped, delay
        self.events: list[tuple[str, int, int]] = []
        self.failures = 0
        self.unplugged = False

    def _check(self, kind: str, offset: int, length: int) -> None:
        self.events.append((kind, offset, length))
        if self.unplugged and kind == "write":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        bad = self.bad
        if bad and (kind == "read") == self.reads and offset < bad.end and bad.offset < offset + length \
                and (self.times is None or self.failures < self.times):
            self.failures += 1
            raise OSError(self.error, os.strerror(self.error))

    def pwrite(self, fd: int, data: memoryview, offset: int) -> int:
        self._check("write", offset, len(data))
        time.sleep(self.delay)
        lost = self.dropped
        if lost and offset < lost.end and lost.offset < offset + len(data):
            kept = max(0, lost.offset - offset)
            return (super().pwrite(fd, data[:kept], offset) if kept else 0) + len(data) - kept
        return super().pwrite(fd, data, offset)

    def pread_into(self, fd: int, buf: memoryview, offset: int) -> int:
        self._check("read", offset, len(buf))
        return super().pread_into(fd, buf, offset)

    def fsync(self, fd: int) -> None:
        self.events.append(("fsync", 0, 0))
        super().fsync(fd)


