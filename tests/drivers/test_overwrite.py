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

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.block.overwrite import (
    BadRange,
    Checkpoint,
    OverwriteError,
    OverwriteJob,
    Pattern,
    Progress,
    VerifyMode,
)
from drivers.block.verify_plan import plan_samples
from tests.drivers.overwrite_support import (
    MARKER,
    SEED,
    USE_LOOP,
    Device,
    MiB,
    SeamIO,
    corrupt,
    expected_bytes,
    first_difference,
    read_back,
    run,
)


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
