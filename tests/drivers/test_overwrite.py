"""Tests for drivers.block.overwrite: overwrite passes, verification, cancel/resume and failures.

Run as root (as here and in CI) every test works on real loop devices, attached with
``losetup --direct-io=on`` to a file in tmp_path and detached in the fixture's teardown even when
the test fails. Without root or losetup the same tests run on the plain files (O_DIRECT still
used where the filesystem supports it). Failing writes come from a real loop device over a full
tmpfs with holes in its backing file, a vanishing disk from shrinking a loop device under the
job. The BlockIO seam (SeamIO) records calls and injects what a loop device cannot do on demand:
fail once and recover, fail reads, answer ENODEV/ENXIO, die altogether, or be slow.
"""

from __future__ import annotations

import copy
import errno
import itertools
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drivers.block.keystream import Keystream
from drivers.block.overwrite import (
    BadRange,
    BlockIO,
    Checkpoint,
    OverwriteError,
    OverwriteJob,
    OverwriteResult,
    Pattern,
    Progress,
    VerifyMode,
)
from drivers.block.verify_plan import ByteRange, locate_mismatches, plan_samples

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


@pytest.fixture
def make_device(tmp_path: Path) -> Iterator[Callable[..., Device]]:
    """Factory: a device of ``size`` bytes pre-filled with MARKER; loop devices are detached at the end."""
    attached: list[str] = []

    def make(size: int, *, offset: int = 0, read_only: bool = False) -> Device:
        backing = tmp_path / f"disk{len(attached)}.img"
        with backing.open("wb") as f:
            for start in range(0, offset + size, MiB):
                f.write(MARKER[:min(MiB, offset + size - start)])
        if not USE_LOOP:
            return Device(str(backing), backing, size)
        attached.append(attach(backing, size, offset=offset, read_only=read_only))
        return Device(attached[-1], backing, size)

    yield make
    for dev in reversed(attached):
        detach(dev)


@pytest.fixture
def loop64(make_device: Callable[..., Device]) -> Device:
    return make_device(64 * MiB)


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


def test_keystream_is_aes256_ctr_with_the_counter_at_offset_over_16() -> None:
    # NIST SP 800-38A F.5.5 (CTR-AES256.Encrypt): keystream = ciphertext XOR plaintext.
    key = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
    counter = int("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 16)
    plain = bytes.fromhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
    cipher = bytes.fromhex("601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5")
    assert Keystream(key).block(counter * 16, 32) == bytes(p ^ c for p, c in zip(plain, cipher, strict=True))


def test_keystream_pieces_are_independent_of_how_the_stream_is_cut() -> None:
    stream = Keystream(SEED)
    whole = stream.block(4096, 256 * 1024)
    assert b"".join(stream.block(4096 + i, 4096) for i in range(0, 256 * 1024, 4096)) == whole
    assert stream.block(4096 + 1008, 48) == whole[1008:1056]
    out = bytearray(64 * 1024)
    stream.block_into(4096 + 8192, memoryview(out))
    assert bytes(out) == whole[8192:8192 + 64 * 1024]
    assert Keystream(bytes(32)).block(4096, 4096) != whole[:4096]
    for bad in [(8, 16), (16, 8), (-16, 16)]:
        with pytest.raises(ValueError, match="multiples of 16"):
            stream.block(*bad)
    with pytest.raises(ValueError, match="32 bytes"):
        Keystream(b"short")


@pytest.mark.parametrize("size", [64 * MiB, 64 * MiB + 12 * 1024, 1000 * 1000 * 1000 * 1000 + 4096 * 3 + 100])
def test_sample_plan_follows_the_nist_shape(size: int) -> None:
    plan = plan_samples(size, seed=42, edge_bytes=4 * MiB)
    assert not plan.full
    assert plan.slices >= 1000
    assert len(plan.random_ranges) == 2 * plan.slices
    bounds = [(i * size // plan.slices) // 4096 * 4096 for i in range(plan.slices)] + [size]
    for i in range(plan.slices):  # two per slice, inside it, not overlapping, aligned for O_DIRECT
        a, b = plan.random_ranges[2 * i], plan.random_ranges[2 * i + 1]
        assert bounds[i] <= a.offset < a.end <= b.offset < b.end <= bounds[i + 1]
        assert (a.offset % 4096, b.offset % 4096) == (0, 0)
        assert a.length == b.length == plan.sample_bytes
    assert plan.sample_bytes % 4096 == 0
    assert plan.edge_ranges[0] == ByteRange(0, 4 * MiB)
    assert (plan.edge_ranges[-1].end, plan.edge_ranges[-1].offset % 4096) == (size, 0)
    assert sum(r.length for r in plan.random_ranges) * 10 >= size
    assert size <= plan.covered_bytes * 10 < size * 5
    assert all(0 <= r.offset < r.end <= size for r in plan.reads)
    assert all(a.end < b.offset for a, b in itertools.pairwise(plan.reads))  # sorted, merged
    assert plan_samples(size, seed=42, edge_bytes=4 * MiB) == plan
    assert plan_samples(size, seed=43, edge_bytes=4 * MiB).random_ranges != plan.random_ranges


def test_sample_plan_of_a_tiny_device_is_the_whole_device(make_device: Callable[..., Device]) -> None:
    assert plan_samples(4 * MiB, seed=1).full
    device = make_device(4 * MiB)
    result, _ = run(OverwriteJob(device.path, pattern=Pattern.ZEROS, verify=VerifyMode.SAMPLE, sample_seed=1))
    assert (result.verify_mode, result.verified_bytes, result.verify_ok) == (VerifyMode.FULL, 4 * MiB, True)
    assert any("too small to sample" in note for note in result.notes)


def test_locate_mismatches_trims_to_sectors_and_merges_neighbours() -> None:
    k = 1024
    want = bytes(512 * k)
    got = bytearray(want)
    got[1000] = got[200 * k] = got[330 * k - 1] = got[-1] = 1  # in 64 KiB pieces 0, 3, 5 and 7
    assert locate_mismatches(bytes(got), want, 512) == [(512, 1024), (200 * k, 200 * k + 512),
                                                        (330 * k - 512, 330 * k), (512 * k - 512, 512 * k)]
    got[260 * k] = 1  # piece 4: pieces 3 to 5 are now one run
    assert locate_mismatches(bytes(got), want, 512) == [(512, 1024), (200 * k, 330 * k), (512 * k - 512, 512 * k)]
    assert locate_mismatches(want, want, 512) == []


@pytest.mark.parametrize("pattern", list(Pattern))
def test_pattern_is_written_everywhere_and_verified(loop64: Device, pattern: Pattern) -> None:
    job = OverwriteJob(loop64.path, pattern=pattern, verify=VerifyMode.FULL, seed=SEED)
    result, _ = run(job)
    assert (result.verify_ok, result.interrupted, result.error, result.direct_io) == (True, False, "", True)
    assert result.written_bytes == result.verified_bytes == result.total_bytes == 64 * MiB
    assert result.mismatches == result.bad_ranges == ()
    assert result.seed_hex == (SEED.hex() if pattern is Pattern.RANDOM else "")
    assert first_difference(read_back(loop64.path), expected_bytes(pattern, SEED, 0, 64 * MiB)) is None


def test_device_is_held_with_o_direct_and_exclusively(loop64: Device) -> None:
    job = OverwriteJob(loop64.path, pattern=Pattern.ZEROS, verify=VerifyMode.NONE)
    steps = job.run(threading.Event())
    next(steps)
    real = os.path.realpath(loop64.path)
    fds = [fd for fd in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{fd}") == real]
    flags = int(Path(f"/proc/self/fdinfo/{fds[0]}").read_text().split("flags:")[1].split()[0], 8)
    assert (flags & os.O_DIRECT, flags & os.O_ACCMODE) == (os.O_DIRECT, os.O_RDWR)
    if USE_LOOP:  # a second exclusive claim (what mount does) is refused while the erase runs
        with pytest.raises(OSError, match="busy"):
            os.close(os.open(loop64.path, os.O_RDONLY | os.O_EXCL))
    steps.close()  # the caller walks away: the device is closed and the result says so
    assert job.result is not None
    assert job.result.interrupted


def test_sampled_verification_catches_damage_inside_a_sample(loop64: Device,
                                                             log_warnings: list[logging.LogRecord]) -> None:
    job = OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.SAMPLE, sample_seed=7)
    assert job.sample_plan is not None
    target = job.sample_plan.random_ranges[777]

    def damage(p: Progress) -> None:
        if p.phase == "verify" and p.done_bytes == 0:  # written, not yet read back
            corrupt(loop64.path, target.offset + 100, b"\0\0\0")

    result, _ = run(job, on_progress=damage)
    assert (result.verify_mode, result.sample_ranges) == (VerifyMode.SAMPLE, len(job.sample_plan.random_ranges) + 2)
    assert result.verified_bytes == job.sample_plan.covered_bytes >= 64 * MiB // 10
    assert result.verify_ok is False
    assert result.mismatches == (BadRange(target.offset, 512, "mismatch"),)
    assert [r.getMessage() for r in log_warnings] == [f"verification of {loop64.path} found 1 bad ranges"]


@pytest.mark.parametrize("mode", [VerifyMode.SAMPLE, VerifyMode.FULL])
def test_full_verification_catches_what_sampling_can_miss(loop64: Device, mode: VerifyMode,
                                                          log_warnings: list[logging.LogRecord]) -> None:
    job = OverwriteJob(loop64.path, pattern=Pattern.ONES, verify=mode, sample_seed=7)
    plan = plan_samples(64 * MiB, seed=7, edge_bytes=4 * MiB)
    unsampled = next(o for o in range(8 * MiB, 60 * MiB, 4096)
                     if not any(r.offset <= o < r.end + 512 for r in plan.reads))

    def damage(p: Progress) -> None:
        if p.phase == "verify" and p.done_bytes == 0:
            corrupt(loop64.path, unsampled + 512 - 2, b"\0" * 4)  # across a sector boundary
            corrupt(loop64.path, 64 * MiB - 1, b"\0")  # the very last byte

    result, _ = run(job, on_progress=damage)
    if mode is VerifyMode.SAMPLE:
        assert result.mismatches == (BadRange(64 * MiB - 512, 512, "mismatch"),)  # the last block is always read
    else:
        assert result.mismatches == (BadRange(unsampled, 1024, "mismatch"), BadRange(64 * MiB - 512, 512, "mismatch"))
    assert (result.verify_ok, result.interrupted) == (False, False)


def test_odd_sizes_are_written_to_the_last_byte(make_device: Callable[..., Device], tmp_path: Path) -> None:
    device = make_device(64 * MiB + 12 * 1024)  # not a whole number of 4 MiB blocks
    result, _ = run(OverwriteJob(device.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=SEED))
    assert (result.verify_ok, result.written_bytes, result.notes) == (True, device.size, ())
    assert first_difference(read_back(device.path), expected_bytes(Pattern.RANDOM, SEED, 0, device.size)) is None
    # A regular file that is not even a whole number of sectors: the tail is written without O_DIRECT.
    odd = tmp_path / "odd.img"
    odd.write_bytes((MARKER * 2)[: MiB + 12 * 1024 + 100])
    result, _ = run(OverwriteJob(str(odd), pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=SEED))
    assert (result.verify_ok, result.written_bytes) == (True, MiB + 12 * 1024 + 100)
    assert odd.stat().st_size == MiB + 12 * 1024 + 100  # never extended
    assert any("last 100 bytes" in note for note in result.notes)
    assert first_difference(odd.read_bytes(), expected_bytes(Pattern.RANDOM, SEED, 0, odd.stat().st_size)) is None


def test_nothing_outside_the_device_is_touched_and_checkpoints_follow_flushes(
        make_device: Callable[..., Device]) -> None:
    # As a loop device: a window into a larger file, whose guard bands either side must survive.
    device = make_device(64 * MiB, offset=MiB if USE_LOOP else 0)
    if USE_LOOP:
        with device.backing.open("ab") as f:
            f.write(MARKER)
    io = SeamIO()
    checkpoints: list[Checkpoint] = []

    def on_checkpoint(c: Checkpoint) -> None:
        io.events.append(("checkpoint", c.next_offset, 0))
        checkpoints.append(c)

    job = OverwriteJob(device.path, pattern=Pattern.ONES, verify=VerifyMode.NONE, checkpoint_every=16 * MiB,
                       on_checkpoint=on_checkpoint, io=io)
    result, _ = run(job)
    assert (result.verify_ok, result.written_bytes) == (None, 64 * MiB)
    assert all(0 <= off < off + n <= 64 * MiB for kind, off, n in io.events if kind == "write")
    assert [c.next_offset for c in checkpoints] == [16 * MiB, 32 * MiB, 48 * MiB, 64 * MiB]
    assert all(io.events[i - 1][0] == "fsync" for i, e in enumerate(io.events) if e[0] == "checkpoint")
    if USE_LOOP:
        raw = device.backing.read_bytes()
        assert raw[:MiB] == raw[65 * MiB:] == MARKER
        assert raw[MiB:65 * MiB] == b"\xff" * (64 * MiB)


def test_cancel_stops_between_blocks_and_resume_completes_the_same_stream(loop64: Device) -> None:
    cancel = threading.Event()
    checkpoints: list[Checkpoint] = []

    def on_checkpoint(c: Checkpoint) -> None:
        checkpoints.append(c)
        cancel.set()  # the operator presses Stop just after the first checkpoint

    first = OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=SEED, block_size=MiB,
                         checkpoint_every=8 * MiB, on_checkpoint=on_checkpoint)
    result, _ = run(first, cancel)
    assert (result.interrupted, result.verify_ok, result.error) == (True, None, "")
    assert (result.written_bytes, result.verified_bytes) == (8 * MiB, 0)
    assert checkpoints == [Checkpoint(Pattern.RANDOM, SEED.hex(), 8 * MiB, 64 * MiB)]
    assert result.checkpoint == checkpoints[0]
    written = read_back(loop64.path, 0, 8 * MiB)
    assert first_difference(written, expected_bytes(Pattern.RANDOM, SEED, 0, 8 * MiB)) is None
    assert read_back(loop64.path, 8 * MiB) == MARKER * 56  # untouched beyond the cancel point

    for wrong, message in [(Checkpoint(Pattern.ZEROS, "", 8 * MiB, 64 * MiB), "pattern"),
                           (Checkpoint(Pattern.RANDOM, SEED.hex(), 8 * MiB, 32 * MiB), "bytes"),
                           (Checkpoint(Pattern.RANDOM, SEED.hex(), 100, 64 * MiB), "aligned")]:
        with pytest.raises(ValueError, match=message):
            OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, resume_from=wrong)
    with pytest.raises(ValueError, match="different seed"):
        OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=bytes(32),
                     resume_from=checkpoints[0])

    second = OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, resume_from=checkpoints[0])
    result, progress = run(second)
    assert (result.verify_ok, result.interrupted, result.start_offset) == (True, False, 8 * MiB)
    assert (result.written_bytes, result.verified_bytes) == (56 * MiB, 64 * MiB)
    assert progress[0] == Progress("write", 8 * MiB, 64 * MiB, 0, 0)
    assert first_difference(read_back(loop64.path), expected_bytes(Pattern.RANDOM, SEED, 0, 64 * MiB)) is None


def test_resume_from_a_finished_write_only_verifies(loop64: Device, log_warnings: list[logging.LogRecord]) -> None:
    done = Checkpoint(Pattern.ZEROS, "", 64 * MiB, 64 * MiB)
    result, _ = run(OverwriteJob(loop64.path, pattern=Pattern.ZEROS, verify=VerifyMode.FULL, resume_from=done))
    assert (result.written_bytes, result.verify_ok) == (0, False)  # the marker was never overwritten
    assert result.mismatches == (BadRange(0, 64 * MiB, "mismatch"),)


def test_progress_comes_at_least_once_a_second_and_only_moves_forward(make_device: Callable[..., Device]) -> None:
    device = make_device(16 * MiB)
    job = OverwriteJob(device.path, pattern=Pattern.ZEROS, verify=VerifyMode.FULL, block_size=256 * 1024,
                       io=SeamIO(delay=0.03))  # a drive of ~8 MB/s, to watch a run of a few seconds
    stamps: list[float] = []
    result, progress = run(job, on_progress=lambda p: stamps.append(time.monotonic()))
    assert result.verify_ok
    assert len(progress) >= 6
    assert max(b - a for a, b in itertools.pairwise(stamps)) < 1.0
    phases = [p.phase for p in progress]
    assert phases == sorted(phases, key=["write", "verify"].index)
    for phase in ("write", "verify"):
        done = [p.done_bytes for p in progress if p.phase == phase]
        assert done == sorted(done)
        assert (done[0], done[-1]) == (0, 16 * MiB)
    assert any(p.bytes_per_s > 1_000_000 for p in progress if p.phase == "write")


def test_unusable_paths_are_refused_with_a_clear_message(tmp_path: Path, make_device: Callable[..., Device]) -> None:
    empty = tmp_path / "empty.img"
    empty.touch()
    for path, message in [(tmp_path / "missing", "No such file"), (tmp_path, "directory"),
                          (empty, "no capacity"), (Path("/dev/null"), "not a block device")]:
        with pytest.raises(OverwriteError, match=f"cannot erase {path}: .*{message}"):
            OverwriteJob(str(path), pattern=Pattern.ZEROS, verify=VerifyMode.NONE)
    with pytest.raises(ValueError, match="multiple of 4096"):
        OverwriteJob(str(empty), pattern=Pattern.ZEROS, verify=VerifyMode.NONE, block_size=1000)
    if USE_LOOP:  # read-only devices are found when the job opens the device for writing
        read_only = make_device(MiB, read_only=True)
        job = OverwriteJob(read_only.path, pattern=Pattern.ZEROS, verify=VerifyMode.NONE)
        with pytest.raises(OverwriteError, match=f"cannot erase {read_only.path}: .*read-only"):
            job.run(threading.Event())
        busy = make_device(MiB)
        holder = os.open(busy.path, os.O_RDONLY | os.O_EXCL)  # as a mounted filesystem holds it
        try:
            with pytest.raises(OverwriteError, match="in use"):
                OverwriteJob(busy.path, pattern=Pattern.ZEROS, verify=VerifyMode.NONE).run(threading.Event())
        finally:
            os.close(holder)


def fill_up(path: Path) -> None:
    """Writes ``path`` until its filesystem is full."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, MARKER):
            pass
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Holed:
    path: str
    failing: ByteRange  # writes here fail
    dropped: ByteRange  # writes here "succeed" but do not stick
    io: BlockIO | None  # what to pass to the job (None: the device fails for real)


@pytest.fixture
def holed_device(tmp_path: Path) -> Iterator[Holed]:
    """A 16 MiB device with two holes its writes cannot fill, on a full tmpfs.

    As root, for real: the loop device's backing file has holes and lives on a full tmpfs, so
    filling a hole fails with ENOSPC. A request that starts in a hole fails (``failing`` starts on
    a block boundary); one that reaches a hole part way becomes a short write, which the loop
    driver completes as a success (``dropped``, mid-block): only verification can see that one.
    Without root: a plain file and SeamIO doing the same.
    """
    failing, dropped = ByteRange(5 * MiB, 40 * 1024), ByteRange(9 * MiB + 8192, 8192)
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    backing = mount / "disk.img"
    if not USE_LOOP:
        backing.write_bytes(MARKER * 16)
        yield Holed(str(backing), failing, dropped, SeamIO(failing, errno.ENOSPC, dropped=dropped))
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)], check=True)
    dev = ""
    try:
        fd = os.open(backing, os.O_WRONLY | os.O_CREAT)
        whole = MARKER * 16
        for start, end in [(0, failing.offset), (failing.end, dropped.offset), (dropped.end, len(whole))]:
            os.pwrite(fd, whole[start:end], start)  # what lies between stays a hole
        os.close(fd)
        fill_up(mount / "filler")
        dev = attach(backing, 16 * MiB)
        yield Holed(dev, failing, dropped, None)
    finally:
        if dev:
            detach(dev)
        subprocess.run(["umount", str(mount)], check=False)


def test_write_errors_become_narrow_bad_ranges_and_verification_finds_dropped_writes(
        holed_device: Holed, log_warnings: list[logging.LogRecord]) -> None:
    failing, dropped = holed_device.failing, holed_device.dropped
    job = OverwriteJob(holed_device.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=SEED,
                       block_size=MiB, io=holed_device.io)
    result, _ = run(job)
    assert (result.interrupted, result.error) == (False, "")
    assert result.bad_ranges == (BadRange(failing.offset, failing.length, "write failed: No space left on device"),)
    assert (result.written_bytes, result.verified_bytes) == (16 * MiB - failing.length, 16 * MiB)
    assert result.verify_ok is False
    assert result.mismatches[0] == BadRange(failing.offset, failing.length, "mismatch")
    # The dropped write: from the hole to wherever the device's request ended, within its block.
    (lost,) = result.mismatches[1:]
    assert lost.offset == dropped.offset
    assert dropped.end <= lost.offset + lost.length <= 10 * MiB
    data = read_back(holed_device.path)
    want = expected_bytes(Pattern.RANDOM, SEED, 0, 16 * MiB)
    assert first_difference(data[:failing.offset], want[:failing.offset]) is None
    assert first_difference(data[failing.end:dropped.offset], want[failing.end:dropped.offset]) is None
    assert first_difference(data[10 * MiB:], want[10 * MiB:]) is None
    assert any("narrowing" in r.getMessage() for r in log_warnings)


def test_an_unplugged_device_ends_the_run_without_a_crash(loop64: Device,
                                                          log_warnings: list[logging.LogRecord]) -> None:
    io = None if USE_LOOP else SeamIO()

    def unplug(c: Checkpoint) -> None:
        # What the kernel does when a disk disappears under an open fd: its capacity drops to 0,
        # and writes past the new end fail with ENOSPC.
        os.truncate(loop64.backing, 0)
        if io is not None:
            io.unplugged = True
        else:
            subprocess.run([str(LOSETUP), "--set-capacity", loop64.path], check=True)

    job = OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, checkpoint_every=8 * MiB,
                       on_checkpoint=unplug, io=io)
    result, _ = run(job)
    assert (result.interrupted, result.verify_ok, result.written_bytes) == (True, None, 8 * MiB)
    assert "gone or was resized" in result.error
    assert result.checkpoint == Checkpoint(Pattern.RANDOM, job.seed_hex, 8 * MiB, 64 * MiB)


EIO_WRITE, EIO_READ = "write failed: Input/output error", "read failed: Input/output error"


@dataclass(frozen=True)
class Case:
    """A failure injected through the seam into a run on loop64 (ZEROS unless the options say
    otherwise), and the result it must give."""

    seam: SeamIO
    bad_ranges: tuple[BadRange, ...] = ()
    mismatches: tuple[BadRange, ...] = ()
    verify_ok: bool | None = True
    written: int = 64 * MiB
    error: str = ""  # expected in result.error; set means the run ends interrupted
    failures: int | None = None
    options: tuple[tuple[str, object], ...] = ()


CASES = {
    "a write failing twice is retried": Case(SeamIO(ByteRange(3 * MiB, 4096), times=2), failures=2),
    "without retries a failure is narrowed to its 4K pieces": Case(  # the block once, then its two failing pieces
        SeamIO(ByteRange(3 * MiB + 4096 + 10, 5000)), (BadRange(3 * MiB + 4096, 8192, EIO_WRITE),),
        verify_ok=None, written=64 * MiB - 8192, failures=3, options=(("retries", 0), ("verify", VerifyMode.NONE))),
    "failed writes are never reported verified": Case(  # the sectors held zeros already: they read back "right"
        SeamIO(ByteRange(3 * MiB, 4096)), (BadRange(3 * MiB, 4096, EIO_WRITE),), verify_ok=False,
        written=64 * MiB - 4096, options=(("zero_first", True),)),
    "unreadable ranges fail verification": Case(  # random: what the buffer held before must not be compared
        SeamIO(ByteRange(9 * MiB, 4096), reads=True), mismatches=(BadRange(9 * MiB, 4096, EIO_READ),), verify_ok=False,
        options=(("pattern", Pattern.RANDOM),)),
    "ENODEV on a write ends the run": Case(
        SeamIO(ByteRange(20 * MiB, 4096), errno.ENODEV), verify_ok=None, written=20 * MiB, error="device is gone"),
    "ENXIO on a read ends the run": Case(
        SeamIO(ByteRange(20 * MiB, 4096), errno.ENXIO, reads=True), verify_ok=None, error="device is gone"),
    "a device failing every write is given up on": Case(
        SeamIO(ByteRange(0, 64 * MiB)), (BadRange(0, 16 * MiB, EIO_WRITE),), verify_ok=None, written=0,
        error="stopped accepting writes", options=(("block_size", MiB),)),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_injected_failures_end_in_a_result_not_a_crash(loop64: Device, case: Case,
                                                       log_warnings: list[logging.LogRecord]) -> None:
    options: dict[str, Any] = {"verify": VerifyMode.FULL, "pattern": Pattern.ZEROS, **dict(case.options)}
    if options.pop("zero_first", False):
        run(OverwriteJob(loop64.path, pattern=Pattern.ZEROS, verify=VerifyMode.NONE))
    seam = copy.deepcopy(case.seam)  # fresh counters if the case runs again
    result, _ = run(OverwriteJob(loop64.path, io=seam, **options))
    assert (result.bad_ranges, result.mismatches) == (case.bad_ranges, case.mismatches)
    assert (result.verify_ok, result.written_bytes, result.interrupted) == (case.verify_ok, case.written,
                                                                            bool(case.error))
    assert case.error in result.error
    assert case.failures in (None, seam.failures)
    if case.error:
        assert any("stopped" in r.getMessage() for r in log_warnings)
