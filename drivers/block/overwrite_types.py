"""The records an overwrite job deals in: what it reports, what a resume needs, what it ends with,
and the system calls it makes (a seam for the faults a loop device cannot produce)."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass

from drivers.block.keystream import Pattern


class VerifyMode(enum.StrEnum):
    NONE = "none"
    SAMPLE = "sample"
    FULL = "full"


@dataclass(frozen=True)
class Progress:
    """Where a pass is. ``done_bytes`` is absolute in the write phase (a resumed job starts part
    way) and counts bytes checked in the verify phase; ``bad_ranges`` counts write failures plus
    verification problems so far."""

    phase: str  # "write" | "verify"
    done_bytes: int
    total_bytes: int
    bytes_per_s: int
    bad_ranges: int


@dataclass(frozen=True)
class BadRange:
    """``length`` bytes at ``offset`` that failed; ``error`` says how (write/read failed, mismatch)."""

    offset: int
    length: int
    error: str


@dataclass(frozen=True)
class Checkpoint:
    """Everything a resumed job needs: bytes before ``next_offset`` are written and flushed."""

    pattern: Pattern
    seed_hex: str  # "" for the fixed patterns
    next_offset: int
    total_bytes: int


@dataclass(frozen=True)
class OverwriteResult:
    """What one run did. ``verify_ok`` is None when nothing was verified (mode none, or the run
    was interrupted); it is False if verification found a mismatch or an unreadable range, and
    also whenever the write pass left bad ranges: a drive that did not take every write is never
    reported verified, whatever reads back. ``written_bytes`` counts bytes this run wrote
    successfully (from ``start_offset``); ``checkpoint`` is where a resume would continue."""

    pattern: Pattern
    seed_hex: str
    total_bytes: int
    written_bytes: int
    verify_mode: VerifyMode  # what was done: SAMPLE degenerates to FULL on tiny devices (see notes)
    verified_bytes: int
    verify_ok: bool | None
    mismatches: tuple[BadRange, ...]  # "mismatch" or "read failed: ..." errors, adjacent ones coalesced
    bad_ranges: tuple[BadRange, ...]  # writes that failed after retries and narrowing
    sample_ranges: int
    elapsed_s_milli: int
    interrupted: bool
    start_offset: int = 0
    checkpoint: Checkpoint | None = None
    sample_seed: int | None = None
    error: str = ""  # why an interrupted run stopped, other than cancel
    notes: tuple[str, ...] = ()
    direct_io: bool = True


class OverwriteError(Exception):
    """The device cannot be erased at all (missing, not writable, in use, no capacity)."""


class BlockIO:
    """The system calls the passes make on the open device. A test seam: a loop device can be made
    to fail writes for real (see the tests), but not to fail once and then recover, or to answer
    ENODEV as a pulled USB dock does; tests pass a subclass as ``OverwriteJob(io=...)``.

    The first attempt at each verification read runs on the job's read-ahead thread (one call at
    a time, beside the job thread's retries of the block before): a subclass must not assume a
    single calling thread."""

    def pwrite(self, fd: int, data: memoryview, offset: int) -> int:
        return os.pwrite(fd, data, offset)

    def pread_into(self, fd: int, buf: memoryview, offset: int) -> int:
        return os.preadv(fd, [buf], offset)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)
