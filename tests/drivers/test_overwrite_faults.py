"""The overwrite engine against failing, vanishing and misbehaving devices: never a crash, never a false pass."""

from __future__ import annotations

import copy
import errno
import logging
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drivers.block.overwrite import (
    BadRange,
    BlockIO,
    Checkpoint,
    OverwriteJob,
    Pattern,
    VerifyMode,
)
from drivers.block.verify_plan import ByteRange
from tests.drivers.overwrite_support import (
    LOSETUP,
    MARKER,
    SEED,
    USE_LOOP,
    Device,
    MiB,
    SeamIO,
    attach,
    detach,
    expected_bytes,
    first_difference,
    read_back,
    run,
)


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
