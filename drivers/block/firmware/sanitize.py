"""The firmware erase job: send the command, follow the drive to the end, read back samples.

Three claims are recorded separately, each with its time and the tool transcripts behind it
(domain.md §0 fact 3): "command sent" (the drive accepted the command), "drive reports done" (its
own status says the sanitize finished without error) and "read-back passed" (sampled ranges read
through the normal interface hold zeros, or no longer hold what was there before). A job that
fails names the claim that did not hold and why.

Plain blocking Python, like the overwrite engine: ``run(cancel)`` returns a generator of Progress
(phases "sample", "sanitize", "verify"); ``job.result`` is set when it is exhausted. Cancel before
the command is sent leaves the drive untouched; after, it only stops the watching: a drive
carries on with a sanitize it has accepted (it cannot be aborted, and resumes after power loss).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import os
import secrets
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from drivers.block.firmware import readback
from drivers.block.firmware.commands import (
    DONE,
    FAILED,
    FROZEN,
    IDLE,
    IN_PROGRESS,
    MethodSpec,
    parse_status,
    spec_for,
    start_commands,
    status_command,
)
from drivers.block.firmware.probe import Capabilities, nvme_controller, nvme_current_lbaf, parse_hdparm_identify
from drivers.block.firmware.runner import FirmwareError, Runner, Transcript, run
from drivers.block.overwrite_types import BadRange, Progress
from drivers.block.verify_plan import ByteRange, plan_samples

log = logging.getLogger(__name__)

COMMAND_SENT, DRIVE_DONE, READBACK_PASSED = "command sent", "drive reports done", "read-back passed"
COMMAND_TIMEOUT_S = 120.0
DEFAULT_TIMEOUT_S = 12 * 3600.0
MAX_IDLE_POLLS = 5  # a drive still "idle" this many polls after accepting the command never started it
KEEP_POLLS = 20     # poll transcripts kept: the first ones, every change of state, and the last

Steps = Generator[Progress, None, None]


class SanitizeState(enum.StrEnum):
    READY = "ready"
    SAMPLING = "sampling"          # reading what is there before the erase
    SENDING = "sending"
    WAITING = "waiting"            # the drive is erasing; we poll
    READING_BACK = "reading back"
    PASSED = "passed"
    FAILED = "failed"
    CANCELLED = "cancelled"


_ALLOWED: dict[SanitizeState, frozenset[SanitizeState]] = {
    SanitizeState.READY: frozenset({SanitizeState.SAMPLING, SanitizeState.SENDING, SanitizeState.FAILED,
                                    SanitizeState.CANCELLED}),
    SanitizeState.SAMPLING: frozenset({SanitizeState.SENDING, SanitizeState.FAILED, SanitizeState.CANCELLED}),
    SanitizeState.SENDING: frozenset({SanitizeState.WAITING, SanitizeState.FAILED}),
    SanitizeState.WAITING: frozenset({SanitizeState.READING_BACK, SanitizeState.FAILED, SanitizeState.CANCELLED}),
    SanitizeState.READING_BACK: frozenset({SanitizeState.PASSED, SanitizeState.FAILED, SanitizeState.CANCELLED}),
    SanitizeState.PASSED: frozenset(), SanitizeState.FAILED: frozenset(), SanitizeState.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class Step:
    """One of the three claims, when it was established (or found not to hold), and the evidence."""

    name: str
    ok: bool
    at: str  # ISO 8601, UTC
    detail: str
    transcripts: tuple[Transcript, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "at": self.at, "detail": self.detail,
                "transcripts": [t.to_json() for t in self.transcripts]}


@dataclass(frozen=True)
class SanitizeResult:
    """What the job established. ``passed`` only when all three steps hold. ``password`` is the
    temporary ATA user password a security erase set: if that erase failed part-way the drive
    stays locked with it, so it is kept in the record."""

    method: str
    device: str
    state: SanitizeState
    steps: tuple[Step, ...]
    failed_step: str
    reason: str
    hint: str
    readback_expect: str
    sample_seed: int
    sampled_ranges: int
    sampled_bytes: int
    mismatches: tuple[BadRange, ...]
    password: str
    elapsed_s: float
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.state is SanitizeState.PASSED

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "device": self.device, "state": str(self.state), "passed": self.passed,
                "steps": [s.to_json() for s in self.steps], "failed_step": self.failed_step, "reason": self.reason,
                "hint": self.hint, "readback": {"expect": self.readback_expect, "sample_seed": self.sample_seed,
                                                 "ranges": self.sampled_ranges, "bytes": self.sampled_bytes,
                                                 "mismatches": [dataclasses.asdict(m) for m in self.mismatches]},
                "password": self.password, "elapsed_s": round(self.elapsed_s, 3), "notes": list(self.notes)}


class _Fail(Exception):
    def __init__(self, step: str, reason: str, hint: str = "", transcripts: tuple[Transcript, ...] = ()) -> None:
        super().__init__(reason)
        self.step, self.reason, self.hint, self.transcripts = step, reason, hint, transcripts


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _said(t: Transcript) -> str:
    if t.timed_out:
        return f"{t.argv[0]} did not finish within {t.duration_s:.0f} s and was killed"
    lines = (t.stderr.strip() or t.stdout.strip()).splitlines()
    return f"{t.command_line} exited {t.exit_code}: {lines[-1][:300] if lines else 'no output'}"


class FirmwareSanitizeJob:
    """One firmware erase of ``device`` (a whole-disk block device, or in tests a loop device).

    ``capabilities`` (from probe) lets the job refuse a frozen or locked drive before sending
    anything; ``controller`` overrides the NVMe controller derived from the device name.
    Construction raises ValueError for an unknown method and FirmwareError when the device
    cannot be opened and sized. A job runs once.
    """

    def __init__(self, device: str, method: str, *, capabilities: Capabilities | None = None,
                 runner: Runner = run, controller: str | None = None, poll_interval_s: float = 5.0,
                 timeout_s: float | None = None, command_timeout_s: float = COMMAND_TIMEOUT_S,
                 sample_seed: int | None = None, password: str | None = None) -> None:
        self.spec: MethodSpec = spec_for(method)
        self.device, self.method, self.capabilities, self.runner = device, method, capabilities, runner
        self.controller = controller or nvme_controller(device)
        self.poll_interval_s, self.command_timeout_s = poll_interval_s, command_timeout_s
        self.timeout_s = timeout_s if timeout_s is not None else self._default_timeout()
        self.password = ""
        if method == "ata-secure-erase-enhanced":
            self.password = password or f"RB{secrets.token_hex(4)}"
        try:
            fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
            try:
                self.total = os.lseek(fd, 0, os.SEEK_END)
            finally:
                os.close(fd)
        except OSError as exc:
            raise FirmwareError(f"cannot open {device}: {exc.strerror or exc}") from exc
        if self.total <= 0:
            raise FirmwareError(f"{device} has no capacity (no media?)")
        self.sample_seed = secrets.randbits(63) if sample_seed is None else sample_seed
        self.plan = plan_samples(self.total, seed=self.sample_seed)
        self.state = SanitizeState.READY
        self.result: SanitizeResult | None = None
        self._steps: list[Step] = []
        self._before: dict[int, readback.RangeDigest] = {}
        self._mismatches: list[BadRange] = []
        self._notes: list[str] = []
        self._sync_result: Transcript | None = None
        self._started = False

    def _default_timeout(self) -> float:
        caps = self.capabilities
        if self.method == "ata-secure-erase-enhanced" and caps and caps.enhanced_erase_minutes:
            # The drive's own estimate, doubled, plus half an hour: estimates are often optimistic.
            return caps.enhanced_erase_minutes * 120.0 + 1800.0
        return DEFAULT_TIMEOUT_S

    def _transition(self, new: SanitizeState, why: str) -> None:
        if new not in _ALLOWED[self.state]:
            raise RuntimeError(f"firmware erase of {self.device}: {self.state} -> {new} is not a valid transition")
        log.info("firmware erase of %s (%s): %s -> %s (%s)", self.device, self.method, self.state, new, why)
        self.state = new

    def _record(self, name: str, ok: bool, detail: str, transcripts: tuple[Transcript, ...]) -> None:
        self._steps.append(Step(name, ok, _now(), detail, transcripts))

    def run(self, cancel: threading.Event) -> Steps:
        if self._started:
            raise RuntimeError("a FirmwareSanitizeJob runs once")
        self._started = True
        return self._run(cancel)

    def _run(self, cancel: threading.Event) -> Steps:
        began = time.monotonic()
        failed_step = reason = hint = ""
        try:
            self._refuse_blocked()
            if self.spec.readback == "changed":
                self._transition(SanitizeState.SAMPLING, "reading the sampled ranges before the erase")
                if not (yield from readback.walk(self.device, self.plan.reads, self._remember, cancel, "sample")):
                    self._transition(SanitizeState.CANCELLED, "cancelled before anything was sent")
                    reason = "cancelled before the command was sent: the drive was not touched"
                    return
            if cancel.is_set():  # the last moment a cancel leaves the drive untouched
                self._transition(SanitizeState.CANCELLED, "cancelled before anything was sent")
                reason = "cancelled before the command was sent: the drive was not touched"
                return
            # Said before the command goes out: from here on the erase cannot be called back.
            yield Progress("sanitize", 0, self.total, 0, 0)
            self._transition(SanitizeState.SENDING, " then ".join(" ".join(c[:-1]) for c in self.commands()))
            self._send()
            self._transition(SanitizeState.WAITING, "the drive accepted the command")
            if not (yield from self._wait(cancel)):
                self._transition(SanitizeState.CANCELLED, "stopped watching the drive")
                failed_step, reason = DRIVE_DONE, ("stopped watching: the drive goes on with the sanitize by itself "
                                                   "(it cannot be aborted); read it back before trusting it")
                return
            self._transition(SanitizeState.READING_BACK, "the drive reports the erase done")
            if not (yield from self._read_back(cancel)):
                self._transition(SanitizeState.CANCELLED, "cancelled during the read-back")
                failed_step, reason = READBACK_PASSED, "cancelled during the read-back: not verified"
                return
            self._transition(SanitizeState.PASSED, "all three steps hold")
        except FirmwareError as exc:  # a tool vanished or cannot start mid-way: the claim in hand fails
            fail = _Fail(self._claim_at_stake(), f"{exc}")
            failed_step, reason = fail.step, fail.reason
            self._record(fail.step, False, fail.reason, ())
            log.warning("firmware erase of %s (%s) stopped at %r: %s", self.device, self.method, fail.step, exc)
            self._transition(SanitizeState.FAILED, fail.reason)
        except _Fail as fail:
            failed_step, reason, hint = fail.step, fail.reason, fail.hint
            self._record(fail.step, False, fail.reason, fail.transcripts)
            log.warning("firmware erase of %s (%s) failed at %r: %s", self.device, self.method, fail.step, fail.reason)
            self._transition(SanitizeState.FAILED, fail.reason)
        finally:
            self.result = SanitizeResult(
                self.method, self.device, self.state, tuple(self._steps), failed_step, reason, hint,
                self.spec.readback, self.sample_seed, len(self.plan.reads), self.plan.covered_bytes,
                tuple(self._mismatches), self.password, time.monotonic() - began, tuple(self._notes))

    def _claim_at_stake(self) -> str:
        if self.state in (SanitizeState.READY, SanitizeState.SAMPLING, SanitizeState.SENDING):
            return COMMAND_SENT
        return DRIVE_DONE if self.state is SanitizeState.WAITING else READBACK_PASSED

    def commands(self) -> tuple[tuple[str, ...], ...]:
        """The command lines that start the erase (an NVMe format's LBA format shown as 0 until read)."""
        lbaf = 0 if self.method.startswith("nvme-format-") else None
        return start_commands(self.method, self.device, controller=self.controller, password=self.password, lbaf=lbaf)

    def _refuse_blocked(self) -> None:
        caps = self.capabilities
        if caps is None or caps.transport != "ata" or not self.method.startswith("ata-"):
            return
        if caps.locked or caps.security_count_expired or caps.frozen:
            raise _Fail(COMMAND_SENT, f"not sent: the drive is {' and '.join(caps.blockers)}", caps.hint)

    def _remember(self, r: ByteRange, data: bytes | None, error: str) -> None:
        if data is None:
            raise _Fail(COMMAND_SENT, f"not sent: the drive cannot be read before the erase ({error})")
        self._before[r.offset] = readback.digest(r, data)

    def _send(self) -> None:
        transcripts: list[Transcript] = []
        lbaf: int | None = None
        if self.method.startswith("nvme-format-"):
            t = self.runner(["nvme", "id-ns", self.device, "-o", "json"], timeout_s=self.command_timeout_s)
            transcripts.append(t)
            lbaf = nvme_current_lbaf(t.stdout) if t.ok else None
            if lbaf is None:
                raise _Fail(COMMAND_SENT, f"not sent: cannot read the namespace's LBA format ({_said(t)})",
                            transcripts=tuple(transcripts))
        commands = start_commands(self.method, self.device, controller=self.controller, password=self.password,
                                  lbaf=lbaf)
        *preparation, final = commands
        for argv in preparation:  # security erase: set the temporary password first
            t = self.runner(list(argv), timeout_s=self.command_timeout_s)
            transcripts.append(t)
            if not t.ok:
                raise _Fail(COMMAND_SENT, f"not sent: {_said(t)}", transcripts=tuple(transcripts))
        if not self.spec.synchronous:
            t = self.runner(list(final), timeout_s=self.command_timeout_s)
            transcripts.append(t)
            if not t.ok:
                raise _Fail(COMMAND_SENT, f"not sent: {_said(t)}", transcripts=tuple(transcripts))
            self._record(COMMAND_SENT, True, f"accepted: {t.command_line}", tuple(transcripts))
            return
        # A synchronous command returns only when the drive has finished: it is "sent" when issued,
        # and its exit status is the drive's report.
        self._record(COMMAND_SENT, True, f"issued: {' '.join(final)}", tuple(transcripts))
        t = self.runner(list(final), timeout_s=self.timeout_s)
        self._sync_result = t
        if not t.ok:
            hint = ""
            if self.password:
                hint = (f"The drive may now be locked with the temporary user password {self.password!r}: "
                        f"unlock it with hdparm --user-master u --security-disable {self.password} before "
                        "anything else.")
            raise _Fail(DRIVE_DONE, f"the drive did not complete the erase: {_said(t)}", hint, (t,))

    def _wait(self, cancel: threading.Event) -> Generator[Progress, None, bool]:
        if self.spec.synchronous:
            yield from self._confirm_synchronous()
            return True
        argv = status_command(self.method, self.device, controller=self.controller)
        assert argv is not None  # only synchronous methods have none
        deadline = time.monotonic() + self.timeout_s
        kept: list[Transcript] = []
        last_state, idle, polls = "", 0, 0
        while True:
            t = self.runner(list(argv), timeout_s=self.command_timeout_s)
            status = parse_status(self.method, t)
            polls += 1
            if len(kept) < KEEP_POLLS // 2 or status.state != last_state:
                kept.append(t)
            last_state = status.state
            if status.state == DONE:
                if kept[-1] is not t:
                    kept.append(t)
                self._record(DRIVE_DONE, True, f"{status.detail} (after {polls} status reads)",
                             tuple(kept[-KEEP_POLLS:]))
                yield Progress("sanitize", self.total, self.total, 0, 0)
                return True
            if status.state == FAILED:
                raise _Fail(DRIVE_DONE, f"the drive reports the sanitize failed: {status.detail}",
                            transcripts=tuple(kept[-KEEP_POLLS:]))
            if status.state == FROZEN:
                raise _Fail(DRIVE_DONE, f"the drive refuses to sanitize: {status.detail}",
                            self.capabilities.hint if self.capabilities else "", tuple(kept[-KEEP_POLLS:]))
            idle = idle + 1 if status.state == IDLE else 0
            if idle >= MAX_IDLE_POLLS:
                raise _Fail(DRIVE_DONE, f"the drive never started the sanitize ({status.detail})",
                            transcripts=tuple(kept[-KEEP_POLLS:]))
            done = int(self.total * status.fraction) if status.state == IN_PROGRESS and status.fraction else 0
            yield Progress("sanitize", done, self.total, 0, 0)
            if time.monotonic() >= deadline:
                raise _Fail(DRIVE_DONE, f"the drive did not report the sanitize done within {self.timeout_s:.0f} s "
                            f"(last status: {status.state}, {status.detail})", transcripts=tuple(kept[-KEEP_POLLS:]))
            if cancel.wait(self.poll_interval_s):
                self._record(DRIVE_DONE, False, "stopped watching before the drive reported done",
                             tuple(kept[-KEEP_POLLS:]))
                return False

    def _confirm_synchronous(self) -> Steps:
        """A synchronous command returned success: that is the drive's report. A security erase
        also clears the password, so identify must show security no longer enabled."""
        assert self._sync_result is not None  # set by _send for synchronous methods
        evidence: tuple[Transcript, ...] = (self._sync_result,)
        if self.method == "ata-secure-erase-enhanced":
            t = self.runner(["hdparm", "-I", self.device], timeout_s=self.command_timeout_s)
            evidence += (t,)
            caps = parse_hdparm_identify(t.stdout)
            if caps.security_enabled is not False:
                raise _Fail(DRIVE_DONE, "after the erase the drive still reports security enabled "
                            f"(or did not say): it may be locked with {self.password!r}",
                            f"Unlock it with hdparm --user-master u --security-disable {self.password}", evidence)
        self._record(DRIVE_DONE, True, f"{evidence[0].command_line} completed", evidence)
        yield Progress("sanitize", self.total, self.total, 0, 0)

    def _read_back(self, cancel: threading.Event) -> Generator[Progress, None, bool]:
        expect = self.spec.readback

        def check(r: ByteRange, data: bytes | None, error: str) -> None:
            bad = (readback.check_zeros(r, data, error) if expect == "zeros"
                   else readback.check_changed(self._before[r.offset], r, data, error))
            if bad is not None:
                self._mismatches.append(bad)

        if not (yield from readback.walk(self.device, self.plan.reads, check, cancel, "verify")):
            return False
        if expect == "changed" and all(d.uniform for d in self._before.values()):
            self._notes.append("every sampled range held a single repeated byte before the erase (a blank "
                               "drive): the read-back cannot show a change")
        what = "all zeros" if expect == "zeros" else "different from before"
        summary = (f"{len(self.plan.reads)} ranges, {self.plan.covered_bytes} bytes "
                   f"({100 * self.plan.covered_bytes / self.total:.1f} % of the drive)")
        if self._mismatches:
            raise _Fail(READBACK_PASSED, f"{len(self._mismatches)} of {summary} are not {what}, first at byte "
                        f"{self._mismatches[0].offset}: {self._mismatches[0].error}")
        self._record(READBACK_PASSED, True, f"{summary} read back {what}", ())
        return True
