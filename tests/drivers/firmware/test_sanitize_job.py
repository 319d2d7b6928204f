"""The firmware erase job end to end: stand-in tools "sanitize" a real loop device, the job polls
them to completion and reads the device back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest

from drivers.block.firmware.probe import FROZEN_HINT, probe
from drivers.block.firmware.sanitize import (
    COMMAND_SENT,
    DRIVE_DONE,
    READBACK_PASSED,
    FirmwareSanitizeJob,
    SanitizeResult,
    SanitizeState,
)
from drivers.sim.firmware import build_scenario
from tests.drivers.firmware.conftest import StandIns
from tests.drivers.overwrite_support import MARKER, Device, MiB, read_back

Make = Callable[..., Device]


def run_job(job: FirmwareSanitizeJob, cancel: threading.Event | None = None) -> tuple[SanitizeResult, list[str]]:
    phases = [p.phase for p in job.run(cancel or threading.Event())]
    assert job.result is not None
    return job.result, phases


@pytest.mark.parametrize(("scenario", "method", "transport", "expect"), [
    ("sata-ssd", "ata-sanitize-block", "sata", "changed"),
    ("sata-ssd", "ata-sanitize-crypto", "sata", "changed"),
    ("sata-hdd", "ata-sanitize-overwrite", "sata", "zeros"),
    ("nvme", "nvme-sanitize-crypto", "nvme", "changed"),
    ("nvme", "nvme-format-crypto", "nvme", "changed"),
    ("sas", "scsi-sanitize-overwrite", "sas", "zeros"),
    ("sata-hdd", "ata-secure-erase-enhanced", "sata", "changed"),
])
def test_send_poll_done_read_back(standins: StandIns, make_device: Make, scenario: str, method: str,
                                  transport: str, expect: str) -> None:
    dev = make_device(16 * MiB)
    standins.use_named(scenario, dev.path)
    caps = probe(dev.path, transport, controller=dev.path).capabilities
    assert method in caps.supported
    job = FirmwareSanitizeJob(dev.path, method, capabilities=caps, controller=dev.path, poll_interval_s=0.01,
                              sample_seed=7)
    result, phases = run_job(job)
    assert result.passed, result.reason
    assert [s.name for s in result.steps] == [COMMAND_SENT, DRIVE_DONE, READBACK_PASSED]
    assert all(s.ok and s.at for s in result.steps)
    assert result.readback_expect == expect
    assert result.sampled_bytes * 10 >= dev.size or result.sampled_ranges == 1
    assert (expect == "changed") == ("sample" in phases)
    assert phases[-1] == "verify"
    sent = result.step(COMMAND_SENT)
    assert sent is not None
    assert sent.transcripts
    if method == "ata-secure-erase-enhanced":
        assert result.password.startswith("RB")
        assert any("--security-set-pass" in t.argv for t in sent.transcripts)
    else:
        done = result.step(DRIVE_DONE)
        assert done is not None
        assert len(done.transcripts) >= 1
    # the device really changed: checked independently of the job
    data = read_back(dev.path)
    assert data[:MiB] != MARKER[:MiB]
    if expect == "zeros":
        assert data.count(0) == len(data)
    assert result.to_json()["steps"][0]["name"] == COMMAND_SENT


def test_read_back_fails_when_the_drive_erased_nothing(standins: StandIns, make_device: Make,
                                                       log_warnings: list[logging.LogRecord]) -> None:
    dev = make_device(16 * MiB)
    standins.use_named("sata-ssd-readback-mismatch", dev.path)
    job = FirmwareSanitizeJob(dev.path, "ata-sanitize-block", controller=dev.path, poll_interval_s=0.01)
    result, _ = run_job(job)
    assert result.state is SanitizeState.FAILED
    assert result.failed_step == READBACK_PASSED
    assert "unchanged by the erase" in result.reason
    assert [(s.name, s.ok) for s in result.steps] == [(COMMAND_SENT, True), (DRIVE_DONE, True),
                                                       (READBACK_PASSED, False)]
    assert result.mismatches
    assert read_back(dev.path, 0, MiB) == MARKER[:MiB]


def test_zero_methods_fail_when_zeros_are_missing(standins: StandIns, make_device: Make,
                                                  log_warnings: list[logging.LogRecord]) -> None:
    dev = make_device(16 * MiB)
    standins.use_named("nvme-readback-mismatch", dev.path)
    # NVMe overwrite is not in this drive's SANICAP: the command is refused and nothing is read back
    refused, _ = run_job(FirmwareSanitizeJob(dev.path, "nvme-sanitize-overwrite", controller=dev.path,
                                             poll_interval_s=0.01))
    assert refused.failed_step == COMMAND_SENT
    assert "Invalid Field in Command" in refused.reason
    # a SAS drive that reports its overwrite done but wrote nothing: the zeros check catches it
    scenario = build_scenario("sas", dev.path)
    for rule in scenario["rules"]:
        for reply in rule["replies"]:
            reply["effect"] = ""
    standins.use(scenario)
    result, _ = run_job(FirmwareSanitizeJob(dev.path, "scsi-sanitize-overwrite", poll_interval_s=0.01))
    assert result.failed_step == READBACK_PASSED
    assert "not zero after the erase" in result.reason


def test_frozen_drive_is_refused_before_anything_is_sent(standins: StandIns, make_device: Make,
                                                         log_warnings: list[logging.LogRecord]) -> None:
    dev = make_device(16 * MiB)
    standins.use_named("sata-ssd-frozen", dev.path)
    caps = probe(dev.path, "sata").capabilities
    result, phases = run_job(FirmwareSanitizeJob(dev.path, "ata-sanitize-crypto", capabilities=caps))
    assert result.failed_step == COMMAND_SENT
    assert result.hint == FROZEN_HINT
    assert "frozen" in result.reason
    assert phases == []
    assert [c[1] for c in standins.calls()] == ["-I"]  # only the probe reached the drive
    # without the probe the drive itself refuses, and says why
    standins.use_named("sata-ssd-frozen", dev.path)
    result, _ = run_job(FirmwareSanitizeJob(dev.path, "ata-sanitize-crypto", poll_interval_s=0.01))
    assert result.failed_step == COMMAND_SENT
    assert "FROZEN" in result.reason
    assert read_back(dev.path, 0, MiB) == MARKER[:MiB]


def test_locked_drive_gets_the_unlock_hint(standins: StandIns, make_device: Make,
                                           log_warnings: list[logging.LogRecord]) -> None:
    dev = make_device(16 * MiB)
    standins.use_named("sata-ssd-locked", dev.path)
    caps = probe(dev.path, "sata").capabilities
    result, _ = run_job(FirmwareSanitizeJob(dev.path, "ata-secure-erase-enhanced", capabilities=caps))
    assert result.failed_step == COMMAND_SENT
    assert "--security-unlock" in result.hint


def test_rejected_command(standins: StandIns, make_device: Make, log_warnings: list[logging.LogRecord]) -> None:
    dev = make_device(16 * MiB)
    standins.use_named("sata-ssd-rejects", dev.path)
    result, _ = run_job(FirmwareSanitizeJob(dev.path, "ata-sanitize-block", poll_interval_s=0.01))
    assert result.state is SanitizeState.FAILED
    assert result.failed_step == COMMAND_SENT
    assert "Unsupported command" in result.reason
    step = result.step(COMMAND_SENT)
    assert step is not None
    assert step.transcripts[-1].exit_code == 5


def test_sanitize_that_never_finishes_times_out(standins: StandIns, make_device: Make,
                                                log_warnings: list[logging.LogRecord]) -> None:
    dev = make_device(16 * MiB)
    standins.use_named("sata-ssd-never-finishes", dev.path)
    result, phases = run_job(FirmwareSanitizeJob(dev.path, "ata-sanitize-block", poll_interval_s=0.05,
                                                 timeout_s=1.0))
    assert result.failed_step == DRIVE_DONE
    assert "did not report the sanitize done within 1 s" in result.reason
    assert "sanitize" in phases
    assert [s.name for s in result.steps] == [COMMAND_SENT, DRIVE_DONE]


def test_hung_tool_is_killed_and_reported(standins: StandIns, make_device: Make,
                                          log_warnings: list[logging.LogRecord]) -> None:
    dev = make_device(16 * MiB)
    standins.use_named("sata-ssd-hangs", dev.path)
    job = FirmwareSanitizeJob(dev.path, "ata-sanitize-block", command_timeout_s=1.0)
    result, _ = run_job(job)
    assert result.failed_step == COMMAND_SENT
    assert "did not finish within 1 s and was killed" in result.reason
    standins.use_named("sata-ssd-status-hangs", dev.path)
    # long enough for the (non-hanging) start command's stand-in to start on a loaded machine
    result, _ = run_job(FirmwareSanitizeJob(dev.path, "ata-sanitize-block", command_timeout_s=3.0,
                                            poll_interval_s=0.01, timeout_s=1.5))
    assert result.failed_step == DRIVE_DONE


def test_cancel_before_sending_leaves_the_drive_alone(standins: StandIns, make_device: Make) -> None:
    dev = make_device(16 * MiB)
    standins.use_named("sata-ssd", dev.path)
    cancel = threading.Event()
    job = FirmwareSanitizeJob(dev.path, "ata-sanitize-crypto")
    steps = job.run(cancel)
    next(steps)
    cancel.set()
    for _ in steps:
        pass
    assert job.result is not None
    assert job.result.state is SanitizeState.CANCELLED
    assert job.result.steps == ()
    assert standins.calls() == []
    assert read_back(dev.path, 0, MiB) == MARKER[:MiB]


def test_job_refuses_an_unknown_method(make_device: Make) -> None:
    dev = make_device(MiB)
    with pytest.raises(ValueError, match="not a firmware erase method"):
        FirmwareSanitizeJob(dev.path, "overwrite-zeros")
