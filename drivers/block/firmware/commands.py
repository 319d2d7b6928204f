"""The command lines of each firmware method, and how to read the drive's progress reports.

Pure functions of their inputs: they build argv tuples and parse text, so every method's exact
command line is testable without a drive (domain.md §2.3 has the cookbook these follow).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drivers.block.firmware.runner import Transcript

I_KNOW = "--yes-i-know-what-i-am-doing"  # hdparm's guard for destructive commands


@dataclass(frozen=True)
class MethodSpec:
    """How one firmware method is driven.

    ``readback`` is what the sampled read-back must show: "zeros" for an overwrite with a zero
    pattern, "changed" where the result has no fixed value (crypto erase leaves ciphertext read
    through a new key; block erase and secure erase leave whatever the vendor chose) and the
    samples must differ from what was read there before. ``synchronous`` methods finish inside
    the command itself (it returns when the drive is done); the others start in the background
    and are polled.
    """

    name: str
    tool: str
    readback: str
    synchronous: bool
    action: int = 0  # NVMe SANACT / SES value


METHODS: Mapping[str, MethodSpec] = {spec.name: spec for spec in (
    MethodSpec("ata-sanitize-crypto", "hdparm", "changed", False),
    MethodSpec("ata-sanitize-block", "hdparm", "changed", False),
    MethodSpec("ata-sanitize-overwrite", "hdparm", "zeros", False),
    MethodSpec("ata-secure-erase-enhanced", "hdparm", "changed", True),
    MethodSpec("nvme-sanitize-block", "nvme", "changed", False, action=2),
    MethodSpec("nvme-sanitize-overwrite", "nvme", "zeros", False, action=3),
    MethodSpec("nvme-sanitize-crypto", "nvme", "changed", False, action=4),
    MethodSpec("nvme-format-user-data", "nvme", "changed", True, action=1),
    MethodSpec("nvme-format-crypto", "nvme", "changed", True, action=2),
    MethodSpec("scsi-sanitize-overwrite", "sg_sanitize", "zeros", False),
    MethodSpec("scsi-sanitize-block", "sg_sanitize", "changed", False),
    MethodSpec("scsi-sanitize-crypto", "sg_sanitize", "changed", False),
)}


def spec_for(method: str) -> MethodSpec:
    try:
        return METHODS[method]
    except KeyError:
        raise ValueError(f"{method!r} is not a firmware erase method (known: {', '.join(METHODS)})") from None


def start_commands(method: str, device: str, *, controller: str = "", password: str = "",
                   lbaf: int | None = None) -> tuple[tuple[str, ...], ...]:
    """The commands that start ``method`` on ``device``, in order.

    ``controller`` is the NVMe controller (/dev/nvme0) Sanitize is sent to; ``password`` the
    temporary user password a security erase needs; ``lbaf`` the LBA format an NVMe Format keeps
    (always given explicitly, so a format never changes the sector size by accident).
    """
    spec = spec_for(method)
    ctrl = controller or device
    if method == "ata-sanitize-crypto":
        return (("hdparm", I_KNOW, "--sanitize-crypto-scramble", device),)
    if method == "ata-sanitize-block":
        return (("hdparm", I_KNOW, "--sanitize-block-erase", device),)
    if method == "ata-sanitize-overwrite":
        return (("hdparm", I_KNOW, "--sanitize-overwrite-passes", "1", "--sanitize-overwrite", "hex:00000000",
                 device),)
    if method == "ata-secure-erase-enhanced":
        if not password:
            raise ValueError("a security erase needs the temporary password it sets")
        return (("hdparm", "--user-master", "u", "--security-set-pass", password, device),
                ("hdparm", "--user-master", "u", "--security-erase-enhanced", password, device))
    if method.startswith("nvme-sanitize-"):
        extra = ("--ovrpat=0", "--owpass=1") if method == "nvme-sanitize-overwrite" else ()
        return (("nvme", "sanitize", ctrl, f"--sanact={spec.action}", *extra),)
    if method.startswith("nvme-format-"):
        if lbaf is None:
            raise ValueError("an NVMe format needs the namespace's current LBA format")
        return (("nvme", "format", device, f"--ses={spec.action}", f"--lbaf={lbaf}", "--force"),)
    action = {"scsi-sanitize-overwrite": ("--overwrite", "--zero"), "scsi-sanitize-block": ("--block",),
              "scsi-sanitize-crypto": ("--crypto",)}[method]
    # --quick: no 15 s "reconsider" pause (the bench asked already); --early: return once started.
    return (("sg_sanitize", "--quick", "--early", *action, device),)


def status_command(method: str, device: str, *, controller: str = "") -> tuple[str, ...] | None:
    """The command that asks how far the drive is (None for synchronous methods)."""
    spec = spec_for(method)
    if spec.synchronous:
        return None
    if spec.tool == "hdparm":
        return ("hdparm", "--sanitize-status", device)
    if spec.tool == "nvme":
        return ("nvme", "sanitize-log", controller or device, "-o", "json")
    return ("sg_requests", "--progress", device)


IN_PROGRESS, DONE, FAILED, FROZEN, IDLE, UNKNOWN = "in progress", "done", "failed", "frozen", "idle", "unknown"


@dataclass(frozen=True)
class DriveStatus:
    """One progress report: ``state`` is one of the constants above; ``fraction`` 0..1 when given."""

    state: str
    fraction: float | None = None
    detail: str = ""


def parse_ata_sanitize_status(t: Transcript) -> DriveStatus:
    """``hdparm --sanitize-status``: "State: SD2 Sanitize operation In Process" + "Progress: 0x.. (N%)"."""
    text = t.stdout + t.stderr
    state = re.search(r"State:\s*(SD\d)\b(.*)", text)
    if "SANITIZE device error reason" in text or (state and state.group(1) == "SD3"):
        reason = re.search(r"error reason:\s*(.*)", text)
        return DriveStatus(FAILED, detail=reason.group(1).strip() if reason else "sanitize operation failed")
    if state is None:
        said = text.strip().splitlines()
        return DriveStatus(UNKNOWN, detail=said[-1][:200] if said else "no output")
    code = state.group(1)
    if code == "SD2":
        progress = re.search(r"Progress:\s*0x([0-9a-fA-F]+)", text)
        fraction = min(1.0, int(progress.group(1), 16) / 0xFFFF) if progress else None
        return DriveStatus(IN_PROGRESS, fraction, state.group(0).strip())
    if code == "SD1":
        return DriveStatus(FROZEN, detail="the drive's sanitize feature is frozen (SD1)")
    if code == "SD4" or "Completed Without Error" in text:
        return DriveStatus(DONE, 1.0, "last sanitize operation completed without error")
    return DriveStatus(IDLE, detail=state.group(0).strip())


def _nvme_log(text: str) -> dict[str, Any] | None:
    try:
        root = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(root, dict):
        return None
    if "sprog" in root:
        return root
    inner = [value for value in root.values() if isinstance(value, dict) and "sprog" in value]
    return inner[0] if inner else None  # nvme-cli wraps the log in {"nvme0": {...}}


def parse_nvme_sanitize_log(t: Transcript, *, action: int = 0) -> DriveStatus:
    """``nvme sanitize-log -o json``: SSTAT status (0 never, 1 done, 2 in progress, 3 failed,
    4 done without deallocation) and SPROG/65536. With ``action``, "done" also needs the log's
    last sanitize command (cdw10 SANACT) to be that action, so an old sanitize is not taken for ours."""
    log = _nvme_log(t.stdout) if t.ok else None
    if log is None:
        said = (t.stderr or t.stdout).strip().splitlines()
        return DriveStatus(UNKNOWN, detail=said[-1][:200] if said else "no sanitize log")
    sstat = log.get("sstat")
    code: int | None = None
    if isinstance(sstat, int) and not isinstance(sstat, bool):
        code = sstat & 0x7
    elif isinstance(sstat, dict):
        for value in sstat.values():
            match = re.match(r"\((\d+)\)", str(value))
            if match:
                code = int(match.group(1))
    sprog = log.get("sprog")
    fraction = sprog / 65536 if isinstance(sprog, int) and not isinstance(sprog, bool) else None
    if code == 2:
        return DriveStatus(IN_PROGRESS, fraction, "sanitize in progress")
    if code == 3:
        return DriveStatus(FAILED, detail="the most recent sanitize operation failed")
    if code in (1, 4):
        cdw10 = log.get("cdw10_info")
        if action and isinstance(cdw10, int) and cdw10 & 0x7 != action:
            return DriveStatus(IDLE, detail=f"the last completed sanitize was action {cdw10 & 0x7}, not {action}")
        return DriveStatus(DONE, 1.0, "sanitize completed successfully")
    if code == 0:
        return DriveStatus(IDLE, detail="the drive has never been sanitized")
    return DriveStatus(UNKNOWN, detail=f"unreadable sanitize status {sstat!r}")


def parse_sg_requests_progress(t: Transcript) -> DriveStatus:
    """``sg_requests --progress``: "Progress indication: 12.34% done" while the SANITIZE runs;
    no indication (and a clean exit) once the device has finished."""
    if not t.ok:
        said = (t.stderr or t.stdout).strip().splitlines()
        return DriveStatus(UNKNOWN, detail=said[-1][:200] if said else f"exit {t.exit_code}")
    match = re.search(r"Progress indication:\s*([\d.]+)%", t.stdout)
    if match:
        return DriveStatus(IN_PROGRESS, min(1.0, float(match.group(1)) / 100), "sanitize in progress")
    return DriveStatus(DONE, 1.0, "no progress indication: the SANITIZE has finished")


def parse_status(method: str, t: Transcript) -> DriveStatus:
    spec = spec_for(method)
    if t.timed_out:
        return DriveStatus(UNKNOWN, detail="the status command did not answer")
    if spec.tool == "hdparm":
        return parse_ata_sanitize_status(t)
    if spec.tool == "nvme":
        return parse_nvme_sanitize_log(t, action=spec.action)
    return parse_sg_requests_progress(t)
