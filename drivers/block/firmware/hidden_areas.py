"""Hidden capacity on ATA drives: HPA (Host Protected Area, or its successor Accessible Max
Address) and DCO (Device Configuration Overlay), domain.md §2.4.

``hdparm -N`` prints "max sectors = VISIBLE/NATIVE, HPA is enabled|disabled" (or "ACCESSIBLE MAX
ADDRESS enabled|disabled"); ``hdparm --dco-identify`` prints "Real max sectors: N", the factory
maximum a DCO may hide below the native maximum. Both are recorded before and after an erase and
go on the certificate. Detection only: nothing here changes a drive.

USB bridges answer these commands with nonsense ("0/1", "Real max sectors: 1", "HPA setting seems
invalid"): that is "unknown", never "present" or "absent".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from drivers.block.firmware.probe import Capabilities
from drivers.block.firmware.runner import Runner, Transcript, run

ABSENT, PRESENT, NOT_SUPPORTED, UNKNOWN = "absent", "present", "not supported", "unknown"
TIMEOUT_S = 30.0
_MAX = re.compile(r"max sectors\s*=\s*(\d+)/(\d+)(.*)")
_REAL = re.compile(r"Real max sectors:\s*(\d+)")


@dataclass(frozen=True)
class HiddenAreas:
    """HPA and DCO state, each one of "absent", "present", "not supported", "unknown"."""

    hpa: str
    dco: str
    visible_sectors: int | None = None
    native_sectors: int | None = None
    dco_max_sectors: int | None = None
    detail: str = ""
    transcripts: tuple[Transcript, ...] = ()

    @property
    def hidden_sectors(self) -> int | None:
        """Sectors beyond the visible ones (HPA plus DCO), when both ends are known."""
        top = self.dco_max_sectors if self.dco == PRESENT else self.native_sectors
        return None if top is None or self.visible_sectors is None else top - self.visible_sectors

    def to_json(self) -> dict[str, Any]:
        return {"hpa": self.hpa, "dco": self.dco, "visible_sectors": self.visible_sectors,
                "native_sectors": self.native_sectors, "dco_max_sectors": self.dco_max_sectors, "detail": self.detail}


def parse_hpa(text: str) -> tuple[str, int | None, int | None, str]:
    """``hdparm -N`` output to (state, visible, native, detail)."""
    match = _MAX.search(text)
    if match is None:
        said = text.strip().splitlines()
        return UNKNOWN, None, None, f"hdparm -N: {said[-1][:200] if said else 'no output'}"
    visible, native, tail = int(match.group(1)), int(match.group(2)), match.group(3)
    if native <= 1 or "invalid" in tail or visible > native:
        return UNKNOWN, None, None, f"hdparm -N reported {visible}/{native}{tail.rstrip()} (not a real answer)"
    kind = "Accessible Max Address" if "ACCESSIBLE MAX ADDRESS" in tail else "HPA"
    if visible < native:
        return PRESENT, visible, native, f"{kind} hides {native - visible} sectors ({visible} of {native} visible)"
    return ABSENT, visible, native, f"{kind} not set: all {native} sectors visible"


def parse_dco(text: str, native: int | None) -> tuple[str, int | None, str]:
    """``hdparm --dco-identify`` output to (state, real max sectors, detail); ``native`` is the
    native maximum from ``hdparm -N``, which a DCO lowers."""
    match = _REAL.search(text)
    if match is None:
        said = text.strip().splitlines()
        return UNKNOWN, None, f"hdparm --dco-identify: {said[-1][:200] if said else 'no output'}"
    real = int(match.group(1))
    if real <= 1:
        return UNKNOWN, None, f"DCO reported {real} real max sectors (not a real answer)"
    if native is None:
        return UNKNOWN, real, f"DCO real max is {real} sectors, but the native maximum is unknown"
    if real > native:
        return PRESENT, real, f"DCO hides {real - native} sectors (native {native}, factory {real})"
    if real == native:
        return ABSENT, real, "DCO does not restrict the capacity"
    return UNKNOWN, real, f"DCO real max {real} is below the native maximum {native}: inconsistent answer"


def not_supported(reason: str) -> HiddenAreas:
    return HiddenAreas(NOT_SUPPORTED, NOT_SUPPORTED, detail=reason)


def detect_hidden_areas(device: str, transport: str, *, identify: Capabilities | None = None,
                        runner: Runner = run, timeout_s: float = TIMEOUT_S) -> HiddenAreas:
    """HPA/DCO state of ``device``. Only ATA drives have them (SATA, or SATA behind a bridge or
    SAS HBA); ``identify`` (from probe) says whether the drive has the feature sets at all."""
    is_ata = transport in ("sata", "ata", "usb") or (identify is not None and identify.transport == "ata")
    if not is_ata:
        return not_supported(f"a {transport or 'unknown'} device has no HPA or DCO (ATA features)")
    n = runner(["hdparm", "-N", device], timeout_s=timeout_s)
    hpa, visible, native, hpa_detail = parse_hpa(n.stdout) if not n.timed_out else (
        UNKNOWN, None, None, "hdparm -N did not answer")
    if hpa == UNKNOWN and identify is not None and identify.known and identify.hpa_supported is False:
        hpa, hpa_detail = NOT_SUPPORTED, "the drive has no Host Protected Area feature set"
    transcripts: tuple[Transcript, ...] = (n,)
    if identify is not None and identify.known and identify.dco_supported is False:
        dco, real, dco_detail = NOT_SUPPORTED, None, "the drive has no Device Configuration Overlay feature set"
    else:
        d = runner(["hdparm", "--dco-identify", device], timeout_s=timeout_s)
        transcripts += (d,)
        dco, real, dco_detail = parse_dco(d.stdout, native) if not d.timed_out else (
            UNKNOWN, None, "hdparm --dco-identify did not answer")
    return HiddenAreas(hpa, dco, visible, native, real, f"{hpa_detail}; {dco_detail}", transcripts)
