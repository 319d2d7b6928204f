"""Multiple buffering in the overwrite engine: the keystream of the next blocks is generated while
this one is written, the next blocks are read while this one is compared, and the helper thread
doing it never outlives a job, whether it ends, is cancelled, fails or is abandoned.

Real loop devices as root (see test_overwrite.py); the SeamIO subclasses here only watch and delay
real I/O, or fail it the way a dying drive would.
"""

from __future__ import annotations

import errno
import logging
import mmap
import threading
import time
from collections.abc import Callable

import pytest

from drivers.block.keystream import Keystream
from drivers.block.overwrite import BUFFERS, Checkpoint, OverwriteJob, Pattern, Progress, VerifyMode
from drivers.block.overwrite_pipeline import Ahead, blocks, buffered
from drivers.block.verify_plan import ByteRange
from tests.drivers.overwrite_support import (
    MARKER,
    SEED,
    Device,
    MiB,
    SeamIO,
    expected_bytes,
    first_difference,
    read_back,
    run,
)


def helper_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("erase-ahead")]


class WatchedIO(SeamIO):
    """Records which thread made each call and, for writes, whether the buffers of the next
    BUFFERS - 1 blocks already held their keystream while this block was being written (which
    only buffering ahead can do: a sequential engine fills a buffer only after the previous
    write has returned)."""

    def __init__(self, block: int, size: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.block, self.size = block, size
        self.stream = Keystream(SEED)
        self.threads: list[tuple[str, int, str]] = []
        self.buffers: list[mmap.mmap] = []
        self.next_ready: list[bool] = []

    def pwrite(self, fd: int, data: memoryview, offset: int) -> int:
        self.threads.append(("write", offset, threading.current_thread().name))
        owner = data.obj
        assert isinstance(owner, mmap.mmap)
        if owner not in self.buffers:
            self.buffers.append(owner)  # in the order the engine takes them round
        index = offset // self.block
        if len(self.buffers) == BUFFERS and offset + BUFFERS * self.block <= self.size:
            for ahead in range(1, BUFFERS):
                following = self.stream.block(offset + ahead * self.block, 64)
                other = self.buffers[(index + ahead) % BUFFERS]
                deadline = time.monotonic() + 2
                while other[:64] != following and time.monotonic() < deadline:
                    time.sleep(0.001)
                self.next_ready.append(other[:64] == following)
        return super().pwrite(fd, data, offset)

    def pread_into(self, fd: int, buf: memoryview, offset: int) -> int:
        self.threads.append(("read", offset, threading.current_thread().name))
        return super().pread_into(fd, buf, offset)


def test_next_block_is_generated_while_this_one_is_written_and_the_stream_is_exact(
        make_device: Callable[..., Device]) -> None:
    # 40 MiB + 12 KiB in blocks of 1 MiB + 12 KiB: every block boundary falls somewhere new in
    # the buffers, and the last block is short.
    block = MiB + 3 * 4096
    device = make_device(40 * MiB + 12 * 1024)
    io = WatchedIO(block, device.size)
    job = OverwriteJob(device.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=SEED, block_size=block,
                       io=io)
    result, _ = run(job)
    assert (result.verify_ok, result.written_bytes, result.verified_bytes) == (True, device.size, device.size)
    assert len(io.buffers) == BUFFERS
    # Checked once every buffer has been seen, up to the last block with BUFFERS - 1 full blocks after it.
    checked = [i for i in range(BUFFERS - 1, device.size // block) if (i + BUFFERS) * block <= device.size]
    assert len(checked) > 20
    assert io.next_ready == [True] * (BUFFERS - 1) * len(checked)
    writes = [off for kind, off, _ in io.threads if kind == "write"]
    assert writes == list(range(0, device.size, block))  # each block once, in order
    assert {name for kind, _, name in io.threads if kind == "write"} == {threading.current_thread().name}
    reads = [(off, name) for kind, off, name in io.threads if kind == "read"]
    assert sorted(off for off, _ in reads) == list(range(0, device.size, block))  # two at a time: any order
    assert all(name.startswith("erase-ahead read") for _, name in reads)  # read ahead by the helpers
    assert len({name for _, name in reads}) == 2
    # Read back with plain buffered I/O, compared with the keystream computed here on its own.
    assert first_difference(read_back(device.path), expected_bytes(Pattern.RANDOM, SEED, 0, device.size)) is None
    assert helper_threads() == []


def test_cancel_while_the_helper_is_a_block_ahead_writes_nothing_past_the_cancel(loop64: Device) -> None:
    cancel = threading.Event()
    io = SeamIO(delay=0.01)  # slow writes: the helper is always done before the write it runs beside

    def stop_after_two_blocks(p: Progress) -> None:
        if any(kind == "write" and off == MiB for kind, off, _ in io.events):
            cancel.set()

    job = OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=SEED, block_size=MiB,
                       io=io)
    steps = job.run(cancel)
    for progress in steps:
        stop_after_two_blocks(progress)
        if cancel.is_set():
            assert helper_threads()  # it is there, a block ahead, when the cancel lands
    assert job.result is not None
    assert helper_threads() == []  # joined before the generator ended, not some time later
    written = [off for kind, off, _ in io.events if kind == "write"]
    assert (job.result.interrupted, job.result.written_bytes) == (True, len(written) * MiB)
    assert job.result.checkpoint == Checkpoint(Pattern.RANDOM, SEED.hex(), len(written) * MiB, 64 * MiB)
    done = len(written) * MiB
    assert first_difference(read_back(loop64.path, 0, done), expected_bytes(Pattern.RANDOM, SEED, 0, done)) is None
    assert read_back(loop64.path, done) == (MARKER * 64)[done:]  # the block generated ahead was never written


@pytest.mark.parametrize(("reads", "error", "where"), [(False, errno.ENODEV, "write"), (True, errno.ENXIO, "read")])
def test_device_gone_while_the_helper_is_ahead_joins_it(loop64: Device, reads: bool, error: int, where: str,
                                                        log_warnings: list[logging.LogRecord]) -> None:
    io = SeamIO(ByteRange(9 * MiB, 4096), error, reads=reads)
    job = OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=SEED, block_size=MiB,
                       io=io)
    result, _ = run(job)
    assert helper_threads() == []
    assert (result.interrupted, result.verify_ok) == (True, None)
    assert f"the device is gone ({where} at byte {9 * MiB}" in result.error
    assert result.written_bytes == (64 * MiB if reads else 9 * MiB)
    assert any("stopped" in r.getMessage() for r in log_warnings)


def test_a_read_failing_on_the_helper_is_retried_on_the_job_thread(loop64: Device) -> None:
    io = WatchedIO(MiB, 64 * MiB, bad=ByteRange(20 * MiB, 4096), reads=True, times=2)
    job = OverwriteJob(loop64.path, pattern=Pattern.ZEROS, verify=VerifyMode.FULL, block_size=MiB, io=io)
    result, _ = run(job)
    assert (result.verify_ok, result.mismatches, io.failures) == (True, (), 2)
    attempts = [name for kind, off, name in io.threads if (kind, off) == ("read", 20 * MiB)]
    assert len(attempts) == 3  # the read-ahead, one retry that fails, one that works
    assert attempts[0].startswith("erase-ahead")
    assert attempts[1:] == [threading.current_thread().name] * 2


def test_abandoning_the_generator_mid_pass_joins_the_helper(loop64: Device) -> None:
    job = OverwriteJob(loop64.path, pattern=Pattern.RANDOM, verify=VerifyMode.FULL, seed=SEED, block_size=MiB,
                       io=SeamIO(delay=0.02))
    steps = job.run(threading.Event())
    next(steps)
    next(steps)  # a few blocks in, one generated ahead
    assert helper_threads()
    steps.close()
    assert helper_threads() == []
    assert job.result is not None
    assert (job.result.interrupted, job.result.error) == (True, "abandoned by the caller")


def test_ahead_runs_tasks_in_order_and_close_waits_for_the_running_one() -> None:
    started, finished = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(0.2)
        finished.set()

    ahead = Ahead("erase-ahead test")
    with pytest.raises(RuntimeError, match="no task"):
        ahead.take()
    assert helper_threads() == []  # no thread until there is work
    ahead.start(lambda x: x * 2, 21)
    ahead.start(lambda: "second")
    assert (ahead.in_flight, ahead.take(), ahead.take(), ahead.in_flight) == (2, 42, "second", 0)
    ahead.start(lambda: 1 // 0)
    with pytest.raises(ZeroDivisionError):
        ahead.take()
    never = threading.Event()
    with ahead:
        ahead.start(slow)
        ahead.start(never.set)
        assert started.wait(5)
    assert finished.is_set()  # close waited for the task it could no longer cancel
    assert not never.is_set()  # and dropped the one not started
    ahead.start(slow)  # a closed Ahead starts a new thread on demand, and close joins it again
    ahead.close()
    assert helper_threads() == []


def test_two_workers_run_side_by_side_and_results_come_back_in_order() -> None:
    both_running = threading.Barrier(2, timeout=5)  # broken unless two tasks run at the same time

    def meet(value: str, delay: float) -> str:
        both_running.wait()
        time.sleep(delay)
        return value

    with Ahead("erase-ahead test", workers=2) as ahead:
        ahead.start(meet, "first", 0.2)
        ahead.start(meet, "second", 0.0)  # finishes first, handed back second
        assert (ahead.take(), ahead.take()) == ("first", "second")
    assert helper_threads() == []


def test_buffered_takes_the_buffers_round_and_stays_ahead() -> None:
    views = [memoryview(bytearray(8)) for _ in range(3)]
    prepared: list[tuple[int, int]] = []
    consumed: list[tuple[int, int, int, int]] = []

    def prepare(buffer: memoryview, offset: int, length: int) -> int:
        prepared.append((offset, next(i for i, v in enumerate(views) if v is buffer)))
        return offset * 10

    with Ahead("erase-ahead test") as ahead:
        for offset, length, buffer, value in buffered(blocks(0, 36, 8), views, ahead, prepare):
            # When the caller holds a span, the next two are queued or done in the other buffers.
            consumed.append((offset, length, next(i for i, v in enumerate(views) if v is buffer), value))
            assert ahead.in_flight == min(2, (36 - offset - length + 7) // 8)
    assert consumed == [(0, 8, 0, 0), (8, 8, 1, 80), (16, 8, 2, 160), (24, 8, 0, 240), (32, 4, 1, 320)]
    assert prepared == [(0, 0), (8, 1), (16, 2), (24, 0), (32, 1)]
    assert list(buffered(blocks(5, 5, 8), views, Ahead("unused"), prepare)) == []
    with pytest.raises(ValueError, match="two buffers"):
        next(buffered(blocks(0, 8, 8), views[:1], Ahead("unused"), prepare))
