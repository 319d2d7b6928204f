"""Firmware erasures (the drive sanitises itself): checking the chosen method against what the drive
says it can do now, the job that runs it, and how its three claims go into the erasure record.

The three claims of drivers/block/firmware/sanitize.py ("command sent", "drive reports done",
"read-back passed") are recorded one by one, each with its time, its words and the tool
transcripts behind it; a certificate is issued only when all three hold.
"""

from __future__ import annotations

from typing import Any

from app import __version__
from app.core.erase_methods import METHODS, record
from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.services.drives import DeviceSource, DriveFirmware
from drivers.block.devices import BlockDevice
from drivers.block.firmware.runner import FirmwareError
from drivers.block.firmware.sanitize import FirmwareSanitizeJob, SanitizeResult, SanitizeState, Step

# The Debian package each firmware tool comes from, as the certificate names the tool.
_TOOL_PACKAGES = {"hdparm": "hdparm", "nvme": "nvme-cli", "sg_sanitize": "sg3-utils"}
_READ_BACK_WORDS = {"zeros": "every sampled range reads back as zeros",
                    "changed": "every sampled range differs from what it held before the erase"}


def check_method(device: BlockDevice, firmware: DriveFirmware, method: str) -> None:
    """Raise OperatorError unless the rules allow ``method`` on this drive as it is now."""
    choice = firmware.choice
    if method in choice.allowed:
        return
    label = METHODS[method].label
    blocked = dict(choice.blocked).get(method)
    if blocked:
        raise OperatorError(QT_TRANSLATE_NOOP("OperatorError", "{method} cannot run on {path} now: {why}"),
                            hint="{hint}",  # the firmware rules' own words
                            values={"method": label, "path": device.path, "why": blocked,
                                    "hint": choice.hint or firmware.capabilities.hint or "Choose another method"})
    if choice.recommended is None:
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "{path} cannot be erased: {why}"),
            hint="{hint}" if choice.hint else QT_TRANSLATE_NOOP(
                "OperatorError", "Route the drive to physical destruction"),
            values={"path": device.path, "why": choice.reason, "hint": choice.hint},
        )
    values = {"path": device.path, "method": label, "detail": firmware.detail,
              "methods": ", ".join(choice.allowed)}
    raise OperatorError(
        QT_TRANSLATE_NOOP("OperatorError", "{path} does not offer {method} ({detail})") if firmware.detail
        else QT_TRANSLATE_NOOP("OperatorError", "{path} does not offer {method}"),
        hint=QT_TRANSLATE_NOOP("OperatorError", "Choose one of: {methods}"),
        values=values,
    )


def new_job(device: BlockDevice, method: str, firmware: DriveFirmware, source: DeviceSource) -> FirmwareSanitizeJob:
    try:
        return FirmwareSanitizeJob(device.path, method, capabilities=firmware.capabilities,
                                   runner=source.runner(device), poll_interval_s=source.poll_interval_s,
                                   timeout_s=source.firmware_timeout_s)
    except FirmwareError as exc:
        raise OperatorError(QT_TRANSLATE_NOOP("OperatorError", "Cannot erase {path}: {error}"),
                            hint=QT_TRANSLATE_NOOP("OperatorError", "Check the drive and its cable"),
                            values={"path": device.path, "error": exc}) from exc


def method_record(method: str, media: str, job: FirmwareSanitizeJob, firmware: DriveFirmware) -> dict[str, Any]:
    """The method part of the erasure record: the catalogue's words, the tool and the command lines."""
    caps = firmware.capabilities
    rec = record(method, media)
    category, technique = rec["category"], rec["technique"]
    rec.update({
        "standard": f"NIST SP 800-88 Rev. 1 {category} ({technique} by the drive's own firmware, read back on "
                    f"a NIST sample); IEEE 2883-2022 {category}",
        "tool": f"{_TOOL_PACKAGES.get(job.spec.tool, job.spec.tool)}, driven by Refurb Bench",
        "tool_version": __version__,
        "commands": [" ".join(c) for c in job.commands()], "read_back": job.spec.readback,
        "drive_firmware": {"model": caps.model, "serial": caps.serial, "revision": caps.firmware,
                           "supported": list(caps.supported)},
        "passes": 1, "start_offset": 0,
    })
    return rec


def judge(result: SanitizeResult) -> tuple[str, str]:
    """(outcome, summary) of a firmware erasure: passed only when all three claims hold."""
    label = METHODS[result.method].label
    if result.passed:
        return "passed", (f"{label}: command sent, drive reports done, read-back of {result.sampled_ranges} "
                          f"sampled ranges passed")
    if result.state is SanitizeState.CANCELLED:
        return "interrupted", result.reason
    return "failed", f"{result.failed_step} did not hold: {result.reason}"


def verification(result: SanitizeResult) -> dict[str, Any]:
    read = result.step("read-back passed")
    outcome = "not done" if read is None else ("passed" if read.ok else "failed")
    return {"method": "sample", "read_back": _READ_BACK_WORDS.get(result.readback_expect, result.readback_expect),
            "verified_bytes": result.sampled_bytes if read is not None else 0,
            "sample_ranges": result.sampled_ranges, "sample_seed": result.sample_seed, "result": outcome,
            "mismatches": len(result.mismatches)}


def _step_record(step: Step) -> dict[str, Any]:
    """A claim with its evidence; durations in whole milliseconds (event bodies hold no floats)."""
    data = step.to_json()
    data["transcripts"] = [{**{k: v for k, v in t.items() if k != "duration_s"},
                            "duration_ms": round(float(t["duration_s"]) * 1000)} for t in data["transcripts"]]
    return data


def result_record(result: SanitizeResult, summary: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "summary": summary, "steps": [_step_record(s) for s in result.steps], "failed_step": result.failed_step,
        "elapsed_ms": int(result.elapsed_s * 1000), "written_bytes": 0, "bad_ranges": 0,
    }
    if result.hint:
        body["hint"] = result.hint
    if result.notes:
        body["notes"] = list(result.notes)
    if result.password and not result.passed:
        body["temporary_password"] = result.password  # the drive may be locked with it: keep it findable
    return body
