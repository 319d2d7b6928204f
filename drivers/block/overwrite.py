"""Erasing a drive by overwriting every addressable byte, then reading it back.

NIST SP 800-88 "Clear" by overwrite (domain.md §1.3, §1.5): one pass of zeros, ones or a seeded
pseudo-random stream over [0, size), verified in full, by sampling, or not. Plain blocking Python
run as a generator in a worker: it yields Progress about four times a second, checks a cancel
event between blocks and leaves ``job.result`` when it is exhausted.

Why the I/O is done this way:

* One O_RDWR|O_DIRECT fd (O_EXCL on block devices) for both passes. O_DIRECT skips the page cache,
  so each write reports its own error at its own offset (buffered writes fail later, at fsync,
  with no offset), a multi-terabyte pass does not evict the bench's cache, and the read-back comes
  from the drive, not from memory. O_EXCL makes the kernel refuse a mounted device; keeping the
  fd for both passes leaves no gap in which an automounter could claim it.
* No O_SYNC: it would make every write wait for the drive's cache (FUA) for no gain, as nothing is
  claimed before an fsync (a cache flush on block devices), done before each checkpoint and at
  the end: a checkpoint only names bytes that are on the media.
* Buffers come from anonymous mmap (page-aligned, as O_DIRECT needs). Zeros/ones are built once;
  the random pattern is generated per block straight into the buffer.
* Four buffers and helper threads (overwrite_pipeline): the random pattern's next blocks are
  generated while this one is written, and verification reads the next blocks (two at a time)
  while this one is compared, so the drive never waits for the CPU. All decisions stay on the
  job's thread.
* A file whose size is not a multiple of the O_DIRECT alignment gets its last bytes through a
  second, buffered fd, then fsync; the result notes it. Block devices end on a sector boundary.

A write that fails is retried, then narrowed to 4 KiB writes so only what really fails becomes a
bad range, and the pass goes on. A device that is gone (ENODEV/ENXIO, or its size changed: an
unplugged disk reports size 0) or refuses all writes ends the run as interrupted with ``error``
set; I/O errors never escape the generator.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import mmap
import os
import secrets
import stat
import struct
import threading
import time
from collections.abc import Callable, Generator, Iterator

from drivers.block.keystream import SEED_BYTES, Pattern, PatternSource
from drivers.block.overwrite_pipeline import Ahead, blocks, buffered
from drivers.block.overwrite_types import (
    BadRange,
    BlockIO,
    Checkpoint,
    OverwriteError,
    OverwriteResult,
    Progress,
    VerifyMode,
)
from drivers.block.verify_plan import ByteRange, SamplePlan, locate_mismatches, plan_samples

__all__ = ["BadRange", "BlockIO", "Checkpoint", "OverwriteError", "OverwriteJob", "OverwriteResult", "Pattern",
           "Progress", "VerifyMode"]

log = logging.getLogger(__name__)

MiB = 1 << 20
GiB = 1 << 30
NARROW_BYTES = 4096          # granularity a failed write or read is narrowed down to
PROGRESS_INTERVAL_S = 0.25
BUFFERS = 4                  # the block in hand and three prepared ahead (see overwrite_pipeline)
READERS = 2                  # verification reads in flight at once; the keystream has one generator
MAX_DEAD_BLOCKS = 16         # whole blocks failing in a row: the device has stopped taking writes
MAX_RANGES = 10_000          # past this many bad ranges the drive is a destroy case; stop collecting
_BLKSSZGET = 0x1268          # ioctl: logical sector size of a block device
_BLKROGET = 0x125E           # ioctl: is the block device read-only (write-protect, ro loop)
_GONE = frozenset({errno.ENODEV, errno.ENXIO})
# Errors that will recur on every block: retrying or narrowing would only flood the log.
_REFUSED = frozenset({errno.EROFS, errno.EBADF, errno.EINVAL, errno.EFAULT, errno.EPERM, errno.EACCES})


Steps = Generator[Progress, None, None]


class _Stop(Exception):
    """Ends a pass early: the device is gone, refuses writes, or is too damaged to go on."""


def _add(ranges: list[BadRange], new: BadRange) -> None:
    """Appends, merging with the previous range when they touch and say the same thing."""
    if ranges and ranges[-1].offset + ranges[-1].length == new.offset and ranges[-1].error == new.error:
        ranges[-1] = BadRange(ranges[-1].offset, ranges[-1].length + new.length, new.error)
    else:
        ranges.append(new)


class _Meter:
    """When the next Progress is due, and the phase's average speed (what an ETA wants)."""

    def __init__(self, phase: str, total: int, start: int = 0) -> None:
        self.phase, self.total, self.start = phase, total, start
        self.began = self.last = time.monotonic()

    def due(self) -> bool:
        return time.monotonic() - self.last >= PROGRESS_INTERVAL_S

    def progress(self, done: int, bad: int) -> Progress:
        now = self.last = time.monotonic()
        rate = int((done - self.start) / (now - self.began)) if now > self.began else 0
        return Progress(self.phase, done, self.total, rate, bad)


class OverwriteJob:
    """One overwrite (and verification) of ``path``, a block device or a regular file.

    Construction checks the device can be read and sized, validates ``resume_from`` against it and
    fixes the sampling plan; ``run`` checks it can be opened for writing. Both raise
    OverwriteError with a message for the operator. A job runs once.
    """

    def __init__(self, path: str, *, pattern: Pattern, verify: VerifyMode, seed: bytes | None = None,
                 block_size: int = 4 * MiB, resume_from: Checkpoint | None = None, checkpoint_every: int = 2 * GiB,
                 on_checkpoint: Callable[[Checkpoint], None] | None = None, sample_seed: int | None = None,
                 retries: int = 2, io: BlockIO | None = None) -> None:
        if block_size <= 0 or block_size % 4096 or checkpoint_every <= 0 or retries < 0:
            raise ValueError(f"block_size must be a positive multiple of 4096 (got {block_size}), "
                             f"checkpoint_every positive (got {checkpoint_every}), retries not negative")
        self.path, self.pattern, self.verify = path, Pattern(pattern), VerifyMode(verify)
        self.block_size, self.checkpoint_every, self.retries = block_size, checkpoint_every, retries
        self.on_checkpoint = on_checkpoint
        self._io = io or BlockIO()
        self.total, self.sector, self.is_block = self._probe()
        # O_DIRECT wants offsets and lengths in whole logical sectors on a block device; for a file
        # the filesystem decides, and 4096 is safe on every filesystem that supports O_DIRECT.
        self.align = self.sector if self.is_block else 4096
        if resume_from is not None and seed is None:
            seed = bytes.fromhex(resume_from.seed_hex) if resume_from.seed_hex else None
        if self.pattern is not Pattern.RANDOM:
            seed = None  # a seed means nothing to a fixed pattern
        elif seed is None:
            seed = os.urandom(SEED_BYTES)
        self._source = PatternSource(self.pattern, seed, block_size)  # checks the seed's length
        self.seed_hex = seed.hex() if seed else ""
        self.start_offset = self._check_resume(resume_from) if resume_from else 0
        self.sample_seed = secrets.randbits(63) if sample_seed is None else sample_seed
        self.sample_plan: SamplePlan | None = None
        if self.verify is VerifyMode.SAMPLE:
            self.sample_plan = plan_samples(self.total, seed=self.sample_seed, edge_bytes=block_size,
                                            align=max(4096, self.sector))
        self.result: OverwriteResult | None = None
        self._bad: list[BadRange] = []
        self._mismatches: list[BadRange] = []  # and unreadable ranges
        self._notes: list[str] = []
        self._checkpoint: Checkpoint | None = resume_from
        self._next = self._synced = self.start_offset  # next byte to write; bytes before _synced are flushed
        self._dead_blocks = self._verified = self._written = 0
        self._started = self._cancelled = False
        self._direct = True
        self._meter = _Meter("write", self.total)  # the current pass's

    def _probe(self) -> tuple[int, int, bool]:
        try:
            mode = os.stat(self.path).st_mode
            if stat.S_ISDIR(mode):
                raise OverwriteError(f"cannot erase {self.path}: it is a directory")
            if not (stat.S_ISBLK(mode) or stat.S_ISREG(mode)):
                raise OverwriteError(f"cannot erase {self.path}: not a block device or a regular file")
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise OverwriteError(f"cannot erase {self.path}: {exc.strerror or exc}") from exc
        try:
            # SEEK_END gives the capacity of a block device as well as the size of a file.
            size = os.lseek(fd, 0, os.SEEK_END)
            is_block = stat.S_ISBLK(mode)
            sector = struct.unpack("i", fcntl.ioctl(fd, _BLKSSZGET, b"\0" * 4))[0] if is_block else 512
        finally:
            os.close(fd)
        if size <= 0:
            raise OverwriteError(f"cannot erase {self.path}: it has no capacity (no media, or an empty file)")
        return size, sector, is_block

    def _check_resume(self, cp: Checkpoint) -> int:
        offset = cp.next_offset
        problems = [(cp.pattern is not self.pattern, f"it was made for the {cp.pattern} pattern, not {self.pattern}"),
                    (cp.total_bytes != self.total, f"it was made for {cp.total_bytes} bytes, not {self.total}"),
                    (cp.seed_hex != self.seed_hex, "it was made with a different seed"),
                    (not 0 <= offset <= self.total or bool(offset % self.align and offset != self.total),
                     f"its offset {offset} is not an aligned offset inside the device")]
        for found, problem in problems:
            if found:
                raise ValueError(f"cannot resume the erase of {self.path} from this checkpoint: {problem}")
        return offset

    def _open(self, flags: int, *, direct: bool) -> int:
        if self.is_block:
            flags |= os.O_EXCL  # on a block device: refuse it if it is mounted or claimed
        try:
            fd = -1
            if direct:
                try:
                    fd = os.open(self.path, flags | os.O_DIRECT | os.O_CLOEXEC)
                except OSError as exc:
                    if exc.errno != errno.EINVAL or self.is_block:
                        raise
                    self._direct = False  # the filesystem (some FUSE, old tmpfs) has no O_DIRECT
                    self._notes.append("the filesystem does not support O_DIRECT: the file was written and read "
                                       "through the page cache (flushed with fsync, cache dropped before reading)")
            fd = os.open(self.path, flags | os.O_CLOEXEC) if fd < 0 else fd
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if exc.errno == errno.EBUSY:
                reason = "it is in use (mounted, or opened exclusively by another program)"
            elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                reason = f"it cannot be opened for writing ({reason}; read-only device or write-protected?)"
            raise OverwriteError(f"cannot erase {self.path}: {reason}") from exc
        # The kernel opens a read-only block device for writing and fails each write instead.
        if self.is_block and struct.unpack("i", fcntl.ioctl(fd, _BLKROGET, b"\0" * 4))[0]:
            os.close(fd)
            raise OverwriteError(f"cannot erase {self.path}: the device is read-only (write-protect switch, "
                                 "a dock that blocks writes, or a drive that locked itself read-only)")
        return fd

    def run(self, cancel: threading.Event) -> Steps:
        """Opens the device (raising OverwriteError now if it cannot be written) and returns the
        generator that does the work; ``self.result`` is set when it is exhausted or closed."""
        if self._started:
            raise RuntimeError("an OverwriteJob runs once; make a new one (resume_from) to continue")
        self._started = True
        fd = self._open(os.O_RDWR, direct=True)
        return self._run(fd, cancel)

    def _run(self, fd: int, cancel: threading.Event) -> Steps:
        started = time.monotonic()
        maps = tuple(mmap.mmap(-1, self.block_size) for _ in range(BUFFERS))
        buffers = tuple(memoryview(mapped) for mapped in maps)
        name = os.path.basename(self.path)
        generator, readers = Ahead(f"erase-ahead fill {name}"), Ahead(f"erase-ahead read {name}", READERS)
        error, verify_mode = "", self.verify
        if self.sample_plan is not None and self.sample_plan.full:
            verify_mode = VerifyMode.FULL
            self._notes.append(f"the device is too small to sample ({self.total} bytes): verified in full")
        try:
            yield from self._write_pass(fd, buffers, generator, cancel)
            generator.close()  # idle from here on
            if not self._cancelled and verify_mode is not VerifyMode.NONE:
                yield from self._verify_pass(fd, buffers, readers, cancel, verify_mode)
        except _Stop as stop:
            error = str(stop)
            log.warning("erase of %s stopped: %s", self.path, error)
        except BaseException as exc:  # the caller closed the generator, or a bug: the result still says so
            error = "abandoned by the caller" if isinstance(exc, GeneratorExit) else f"{type(exc).__name__}: {exc}"
            raise
        finally:
            generator.close()  # first: a helper may be filling or reading into a buffer
            readers.close()
            os.close(fd)
            for view, mapped in zip(buffers, maps, strict=True):
                view.release()
                with contextlib.suppress(BufferError):  # a slice kept alive by a traceback: unmapped with it
                    mapped.close()
            self.result = self._make_result(started, self._cancelled or bool(error), error, verify_mode)
        log.info("erase of %s done: %d bytes written, verify_ok=%s, %d bad, %d mismatching", self.path,
                 self.result.written_bytes, self.result.verify_ok, len(self._bad), len(self._mismatches))

    def _make_result(self, started: float, interrupted: bool, error: str, mode: VerifyMode) -> OverwriteResult:
        verify_ok: bool | None = None
        if not interrupted and mode is not VerifyMode.NONE:
            verify_ok = not self._mismatches and not self._bad
        plan = self.sample_plan
        return OverwriteResult(
            pattern=self.pattern, seed_hex=self.seed_hex, total_bytes=self.total,
            written_bytes=self._written,
            verify_mode=mode, verified_bytes=self._verified, verify_ok=verify_ok,
            mismatches=tuple(self._mismatches), bad_ranges=tuple(self._bad),
            sample_ranges=len(plan.random_ranges) + len(plan.edge_ranges) if plan else 0,
            elapsed_s_milli=int((time.monotonic() - started) * 1000), interrupted=interrupted,
            start_offset=self.start_offset, checkpoint=self._checkpoint,
            sample_seed=self.sample_seed if plan else None, error=error, notes=tuple(self._notes),
            direct_io=self._direct)

    def _problems(self) -> int:
        return len(self._bad) + len(self._mismatches)

    def _pattern_blocks(self, end: int, buffers: tuple[memoryview, ...],
                        ahead: Ahead) -> Iterator[tuple[int, memoryview]]:
        """(offset, bytes to write) for each block from ``self._next`` to ``end``."""
        spans = blocks(self._next, end, self.block_size)
        if not self._source.varies:  # the same bytes everywhere: filled once, nothing to overlap
            self._source.fill(buffers[0], 0)
            yield from ((offset, buffers[0][:length]) for offset, length in spans)
            return

        def fill(buffer: memoryview, offset: int, length: int) -> None:  # on the helper thread
            self._source.fill(buffer[:length], offset)

        for offset, length, buffer, _ in buffered(spans, buffers, ahead, fill):
            yield offset, buffer[:length]

    def _write_pass(self, fd: int, buffers: tuple[memoryview, ...], ahead: Ahead,
                    cancel: threading.Event) -> Steps:
        meter = self._meter = _Meter("write", self.total, self._next)
        yield meter.progress(self._next, self._problems())
        # Without O_DIRECT nothing needs aligning; with it, an unaligned tail goes through a second fd.
        end = self.total if not self._direct else self.total // self.align * self.align
        since_checkpoint = 0
        for offset, data in self._pattern_blocks(end, buffers, ahead):
            if cancel.is_set():
                self._cancelled = True
                break
            yield from self._write_block(fd, data, offset)
            self._next += len(data)
            since_checkpoint += len(data)
            if since_checkpoint >= self.checkpoint_every and self._next < self.total:
                self._sync(fd)
                since_checkpoint = 0
            if meter.due():
                yield meter.progress(self._next, self._problems())
        if self._next < self.total and not self._cancelled:
            yield from self._write_tail(self._next)
        self._sync(fd)
        yield meter.progress(self._next, self._problems())

    def _write_tail(self, offset: int) -> Steps:
        length = self.total - offset
        data = self._source.expected(offset, length)
        tail_fd = self._open(os.O_WRONLY, direct=False)
        try:
            yield from self._write_block(tail_fd, memoryview(data), offset)
            self._next = self.total  # flushed by the pass's closing fsync: fsync is per file, not per fd
        finally:
            os.close(tail_fd)
        self._notes.append(f"the last {length} bytes are not a whole {self.align}-byte O_DIRECT unit: "
                           "they were written through the page cache and flushed with fsync")

    def _sync(self, fd: int) -> None:
        """Flushes; then, if anything new is on the media, tells the caller where a resume starts."""
        try:
            self._io.fsync(fd)
        except OSError as exc:
            self._check_device(fd, exc, "flush", self._synced)
            # We cannot tell which of the bytes since the last flush made it to the media.
            _add(self._bad, BadRange(self._synced, self._next - self._synced, f"flush failed: {exc.strerror}"))
            log.warning("flush of %s failed: %s", self.path, exc)
            return
        self._synced = self._next
        if self._checkpoint is None or self._checkpoint.next_offset != self._next:
            self._checkpoint = Checkpoint(self.pattern, self.seed_hex, self._next, self.total)
            if self.on_checkpoint is not None:
                self.on_checkpoint(self._checkpoint)

    def _pwrite_all(self, fd: int, data: memoryview, offset: int) -> None:
        written = self._io.pwrite(fd, data, offset)
        if written != len(data):  # O_DIRECT does not write part of a block unless the device is ending
            raise OSError(errno.EIO, f"short write ({written} of {len(data)} bytes)")

    def _check_device(self, fd: int, exc: OSError, what: str, offset: int) -> None:
        """Raises _Stop when ``exc`` means the device is gone or refuses all writes."""
        where = f"{what} at byte {offset}"
        if exc.errno in _GONE:
            raise _Stop(f"the device is gone ({where}: {exc.strerror})") from exc
        try:
            size = os.lseek(fd, 0, os.SEEK_END)
        except OSError as probe:
            raise _Stop(f"the device is gone ({where}: {exc.strerror}; size: {probe.strerror})") from exc
        if size != self.total:
            # An unplugged disk keeps its open fd but its size drops to 0.
            raise _Stop(f"the device is gone or was resized ({where}: {exc.strerror}; "
                        f"size {self.total} became {size})") from exc
        if exc.errno in _REFUSED:
            raise _Stop(f"the device refused the {where}: {exc.strerror}") from exc

    def _careful(self, op: Callable[[int, memoryview, int], None], fd: int, data: memoryview, offset: int,
                 what: str, failed_once: OSError | None = None) -> Generator[Progress, None, list[BadRange]]:
        """``op`` with retries; if it still fails, again in 4 KiB pieces (once each) to find what
        really fails. Returns those pieces (none when a retry worked). ``failed_once``: the first
        attempt was already made (by the read-ahead) and failed this way."""
        failure = failed_once
        if failure is not None:
            self._check_device(fd, failure, what, offset)
        for _ in range(self.retries + (0 if failed_once else 1)):
            try:
                op(fd, data, offset)
                return []
            except OSError as exc:
                self._check_device(fd, exc, what, offset)
                failure = exc
        log.warning("%s of %d bytes at %d on %s failed (%s); narrowing", what, len(data), offset, self.path, failure)
        failed: list[BadRange] = []
        for start in range(0, len(data), NARROW_BYTES):
            try:
                op(fd, data[start:start + NARROW_BYTES], offset + start)
            except OSError as exc:
                self._check_device(fd, exc, what, offset + start)
                span = min(NARROW_BYTES, len(data) - start, self.total - offset - start)  # a file's tail
                _add(failed, BadRange(offset + start, span, f"{what} failed: {exc.strerror or exc}"))
            if self._meter.due():  # a failing drive can take seconds per I/O: keep reporting
                done = self._next if what == "write" else self._verified
                yield self._meter.progress(done, self._problems() + len(failed))
        return failed

    def _write_block(self, fd: int, data: memoryview, offset: int) -> Steps:
        failed = yield from self._careful(self._pwrite_all, fd, data, offset, "write")
        for bad in failed:
            _add(self._bad, bad)
        lost = sum(b.length for b in failed)
        self._written += len(data) - lost
        whole_block_lost = bool(failed) and lost == len(data)
        self._dead_blocks = self._dead_blocks + 1 if whole_block_lost else 0
        if self._dead_blocks >= MAX_DEAD_BLOCKS:
            raise _Stop(f"the device stopped accepting writes ({self._dead_blocks} blocks in a row failed)")
        if len(self._bad) >= MAX_RANGES:
            raise _Stop(f"more than {MAX_RANGES} bad ranges: the drive is too damaged to overwrite")

    def _read_all(self, fd: int, buf: memoryview, offset: int) -> None:
        # Lengths are whole O_DIRECT units; a file's unaligned tail comes back as a short read at EOF.
        wanted = min(len(buf), self.total - offset)
        got = self._io.pread_into(fd, buf, offset)
        if got < wanted:
            raise OSError(errno.EIO, f"short read ({got} of {wanted} bytes)")

    def _whole_units(self, buffer: memoryview, length: int) -> memoryview:
        return buffer[:-(-length // self.align) * self.align]  # O_DIRECT reads whole units

    def _read_ahead(self, fd: int, buffer: memoryview, offset: int, length: int) -> OSError | None:
        """One plain attempt at reading a block, on the helper thread; a failure is handed back to
        the job's thread, which retries, narrows and decides whether the device is gone."""
        try:
            self._read_all(fd, self._whole_units(buffer, length), offset)
        except OSError as exc:
            return exc
        return None

    def _verify_pass(self, fd: int, buffers: tuple[memoryview, ...], ahead: Ahead, cancel: threading.Event,
                     mode: VerifyMode) -> Steps:
        if not self._direct:  # make the reads come from the media, not from what we just wrote
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        plan = self.sample_plan
        reads = plan.reads if mode is VerifyMode.SAMPLE and plan else (ByteRange(0, self.total),)
        meter = self._meter = _Meter("verify", sum(r.length for r in reads))
        yield meter.progress(0, self._problems())
        spans = (span for r in reads for span in blocks(r.offset, r.end, self.block_size))

        def read(buffer: memoryview, offset: int, length: int) -> OSError | None:
            return self._read_ahead(fd, buffer, offset, length)

        for offset, length, buffer, failure in buffered(spans, buffers, ahead, read):
            if cancel.is_set():
                self._cancelled = True
                return
            chunk = self._whole_units(buffer, length)
            unreadable: list[BadRange] = []
            if failure is not None:
                unreadable = yield from self._careful(self._read_all, fd, chunk, offset, "read", failure)
            # Done here while the helper reads the next blocks (the AES of the random pattern
            # releases the GIL): a block holding the pattern now equals ``want``.
            want = self._source.cancel_out(chunk, offset)
            for bad in unreadable:
                _add(self._mismatches, bad)  # unreadable: recorded, then patched so the compare skips it
                start = bad.offset - offset
                chunk[start:start + bad.length] = want[start:start + bad.length]
            got = chunk[:length]
            reference = want if length == len(want) else want[:length]
            if reference != got:  # bytearray first: a memcmp of the two buffers (memoryview == is per item)
                sector = self.sector if self.is_block else 512
                for first, end in locate_mismatches(got.tobytes(), bytes(reference), sector):
                    _add(self._mismatches, BadRange(offset + first, end - first, "mismatch"))
            self._verified += length
            if len(self._mismatches) >= MAX_RANGES:
                raise _Stop(f"more than {MAX_RANGES} mismatching ranges: verification abandoned")
            if meter.due():
                yield meter.progress(self._verified, self._problems())
        yield meter.progress(self._verified, self._problems())
        if self._mismatches:  # the drive does not hold the pattern: worth a line in the bench's log
            log.warning("verification of %s found %d bad ranges", self.path, len(self._mismatches))
