"""Reading a drive's health by running ``smartctl --json -x`` on it, before it is erased.

smartctl's exit status is a bit mask and non-zero on many healthy-but-odd drives, so it is never
treated as an error here: whatever smartctl printed goes to :func:`drivers.block.smart.parse_smartctl`,
which turns the bits and the JSON into a verdict. What this module adds is the process handling:
smartctl runs in its own process group under a timeout (a drive behind a hung USB bridge can block it
for minutes), and on timeout the whole group is killed so no stray child keeps the device open.
A missing smartctl, a timeout or a failure to start it is a verdict of ``unknown`` with a reason,
never an exception: the erasure record says honestly that health could not be read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from typing import Any

from drivers.block.smart import Health, Reason, SmartReport, parse_smartctl

SMARTCTL_MISSING = "smartctl not installed (Debian package smartmontools)"
DEFAULT_TIMEOUT_S = 30.0
# The summary a certificate carries: identity and the counters an auditor or buyer asks about.
_SUMMARY_FIELDS = (
    "model", "serial", "firmware", "smart_passed", "power_on_hours", "temperature_c", "nvme_percentage_used",
    "reallocated_sectors", "pending_sectors", "offline_uncorrectable", "scsi_grown_defects", "nvme_media_errors",
    "nvme_critical_warning", "smartctl_version", "smartctl_exit_status",
)


def _unknown(code: str, text: str) -> SmartReport:
    return SmartReport(verdict=Health.UNKNOWN, reasons=(Reason(Health.UNKNOWN, code, text),))


def probe_smart(device_path: str, *, smartctl: str = "smartctl", timeout_s: float = DEFAULT_TIMEOUT_S) -> SmartReport:
    """Run ``smartctl --json -x device_path`` and judge its output; never raises."""
    program = shutil.which(smartctl)
    if program is None:
        return _unknown("smartctl_missing", SMARTCTL_MISSING)
    try:
        # Its own session, so a timeout can kill smartctl and anything it started in one signal.
        proc = subprocess.Popen([program, "--json", "-x", device_path], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        return _unknown("smartctl_not_started", f"SMART data unavailable: smartctl could not be started ({exc})")
    try:
        out, _err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return _unknown("smartctl_timeout", f"SMART data unavailable: smartctl did not answer within "
                                            f"{timeout_s:g} s and was stopped")
    return parse_smartctl(out)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    # Reap it and close the pipes; a grandchild holding them open is dead too, so this returns.
    proc.communicate()


def summary(report: SmartReport) -> dict[str, Any]:
    """The health summary recorded with an erasure: verdict, reasons, and every value smartctl gave."""
    data = report.to_json()
    out: dict[str, Any] = {"verdict": data["verdict"], "reasons": data["reasons"]}
    for name in _SUMMARY_FIELDS:
        value = data.get(name)
        if value is not None and value != "":
            out[name] = value
    return out
