"""A drive's health verdict from ``smartctl --json`` output, judged before the drive is erased.

:func:`parse_smartctl` accepts the output of ``smartctl -a -j``, ``-x -j``, ``-i -j`` or ``-H -j``
(bytes, text or an already-parsed mapping) and returns an immutable :class:`SmartReport`. It never
raises: empty, truncated or non-JSON input and outputs without health data give ``UNKNOWN`` with a
reason in plain words. Every finding is a :class:`Reason`; the verdict is the worst of them, ranked
PASS < WARN < UNKNOWN < FAIL. UNKNOWN outranks WARN so that a drive whose health could not be read
is never mistaken for a judged one; FAIL outranks UNKNOWN because one piece of failing evidence is
enough to pull a drive.

FAIL
  * the SMART overall-health self-assessment failed (``smart_status.passed`` is false);
  * more than ``REALLOCATED_FAIL_ABOVE`` reallocated sectors (ATA attribute 5);
  * a pre-failure attribute at or below its threshold now (``when_failed == "now"``);
  * sectors pending reallocation (197) *and* offline-uncorrectable sectors (198) together;
  * an NVMe critical warning (spare below threshold, temperature, reliability degraded, read-only,
    volatile memory backup failed, persistent memory region unreliable);
  * NVMe available spare below the drive's own spare threshold;
  * NVMe percentage used at or above ``NVME_USED_FAIL_PERCENT`` (rated endurance consumed);
  * more than ``SCSI_GROWN_DEFECTS_FAIL_ABOVE`` entries in a SCSI grown defect list;
  * smartctl exit status bit 3 ("DISK FAILING") or bit 4 (a pre-failure attribute at or below its
    threshold now: the same condition as the attribute rule above, so output without the attribute
    table, e.g. ``-H``, is judged the same way).

WARN
  * 1..``REALLOCATED_FAIL_ABOVE`` reallocated sectors;
  * pending sectors or offline-uncorrectable sectors alone;
  * an old-age attribute at or below its threshold now, or any attribute that was in the past;
  * NVMe media and data integrity errors; NVMe percentage used at or above ``NVME_USED_WARN_PERCENT``;
  * 1..``SCSI_GROWN_DEFECTS_FAIL_ABOVE`` grown defects;
  * more than ``POWER_ON_HOURS_WARN_ABOVE`` power-on hours; temperature at or above ``TEMPERATURE_WARN_C``;
  * smartctl exit status bit 5 (an attribute was at or below its threshold in the past), bit 6 (the
    device error log has errors) or bit 7 (the self-test log has errors).

UNKNOWN
  * no health data at all: neither ``smart_status`` nor attributes, an NVMe health log or a SCSI
    defect count (``-i`` output, USB bridges without SAT pass-through, RAID virtual disks, SMART
    unsupported or disabled);
  * smartctl exit status bit 0 (command line did not parse) or bit 1 (device open failed); bit 2
    (a SMART or other command failed) only when it left no health data behind;
  * input that is empty, not JSON, truncated or not a JSON object.

PASS
  everything else; the reasons then list what was checked ("SMART overall-health self-assessment
  passed", "no reallocated sectors", ...).

Raw values: counters come from ``raw.value``; when a vendor packs several fields into it (beyond 32
bits) the first number of smartctl's decoded ``raw.string`` (or the low 32 bits) is the count.
Temperature comes from top-level ``temperature.current``, then the NVMe log, then the low byte of
attribute 194 or 190; power-on hours from ``power_on_time.hours``, then the NVMe log, then attribute 9.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from drivers.block import smart_fields as f
from drivers.block.smart_rules import (
    NVME_USED_FAIL_PERCENT,
    NVME_USED_WARN_PERCENT,
    POWER_ON_HOURS_WARN_ABOVE,
    REALLOCATED_FAIL_ABOVE,
    SCSI_GROWN_DEFECTS_FAIL_ABOVE,
    TEMPERATURE_WARN_C,
    Health,
    Reason,
    assess,
    worst,
)

__all__ = [
    "NVME_USED_FAIL_PERCENT",
    "NVME_USED_WARN_PERCENT",
    "POWER_ON_HOURS_WARN_ABOVE",
    "REALLOCATED_FAIL_ABOVE",
    "SCSI_GROWN_DEFECTS_FAIL_ABOVE",
    "TEMPERATURE_WARN_C",
    "Health",
    "Reason",
    "SmartReport",
    "parse_smartctl",
    "worst",
]

log = logging.getLogger(__name__)

_NUMBER_PART = re.compile(r"[-+.0-9eE]*")


@dataclass(frozen=True)
class SmartReport:
    """Identity and health of one drive as read from one smartctl run."""

    verdict: Health
    reasons: tuple[Reason, ...]
    device_type: str = ""
    transport: str = ""
    model: str = ""
    serial: str = ""
    firmware: str = ""
    wwn: str = ""
    capacity_bytes: int | None = None
    logical_sector: int | None = None
    physical_sector: int | None = None
    rotation_rpm: int | None = None
    smart_passed: bool | None = None
    power_on_hours: int | None = None
    temperature_c: int | None = None
    reallocated_sectors: int | None = None
    pending_sectors: int | None = None
    offline_uncorrectable: int | None = None
    nvme_critical_warning: int | None = None
    nvme_percentage_used: int | None = None
    nvme_media_errors: int | None = None
    nvme_available_spare: int | None = None
    nvme_spare_threshold: int | None = None
    scsi_grown_defects: int | None = None
    smartctl_version: str = ""
    smartctl_exit_status: int | None = None

    def reason_codes(self) -> tuple[str, ...]:
        """The codes of the findings, most severe first."""
        return tuple(reason.code for reason in self.reasons)

    def to_json(self) -> dict[str, object]:
        """A JSON-safe dict: strings, ints, booleans and ``None`` only (never a float)."""
        out: dict[str, object] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "reasons":
                value = [{"level": r.level.value, "code": r.code, "text": r.text} for r in self.reasons]
            elif isinstance(value, Health):
                value = value.value
            out[field.name] = value
        return out


def parse_smartctl(data: bytes | str | Mapping[str, Any]) -> SmartReport:
    """Judge a drive from smartctl's JSON output. Never raises: garbage gives UNKNOWN with a reason."""
    try:
        doc = _decode(data)
        if isinstance(doc, Reason):
            return SmartReport(verdict=doc.level, reasons=(doc,))
        return _judge(doc)
    except Exception:
        # A bug here must not stop the bench from recording the drive; UNKNOWN makes an operator look.
        log.exception("could not judge smartctl output")
        reason = Reason(Health.UNKNOWN, "parser_error", "SMART data unavailable: the parser failed (see the log)")
        return SmartReport(verdict=Health.UNKNOWN, reasons=(reason,))


def _decode(data: object) -> Mapping[str, Any] | Reason:
    if isinstance(data, Mapping):
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data).decode("utf-8", errors="replace")
    if data is None or (isinstance(data, str) and not data.strip(" \t\r\n\ufeff")):
        return Reason(Health.UNKNOWN, "no_input", "SMART data unavailable: smartctl printed nothing")
    if not isinstance(data, str):
        return Reason(Health.UNKNOWN, "not_json", f"SMART data unavailable: got {type(data).__name__}, not JSON")
    content = data.strip(" \t\r\n\ufeff")
    try:
        doc = json.loads(content)
    except json.JSONDecodeError as error:
        if _cut_off(content, error):
            return Reason(Health.UNKNOWN, "truncated_json", "SMART data unavailable: smartctl's JSON output is cut off")
        return Reason(Health.UNKNOWN, "not_json", "SMART data unavailable: output is not JSON (smartctl without -j?)")
    except (ValueError, RecursionError):
        # Integers too long to convert and absurd nesting are garbage too.
        return Reason(Health.UNKNOWN, "not_json", "SMART data unavailable: the output is not usable JSON")
    if not isinstance(doc, Mapping):
        return Reason(Health.UNKNOWN, "not_an_object", "SMART data unavailable: the JSON is not a smartctl report")
    return doc


def _cut_off(content: str, error: json.JSONDecodeError) -> bool:
    """Whether a parse error looks like a document that stopped early (killed smartctl, full pipe)."""
    if content[0] not in "{[":
        return False
    if error.msg.startswith(("Unterminated string", "Invalid \\uXXXX escape")):
        return True
    # The parser stops at the start of the token it could not finish: nothing, a partial
    # true/false/null, or a partial number means the text simply ended there.
    tail = content[error.pos:]
    return any(word.startswith(tail) for word in ("true", "false", "null")) or _NUMBER_PART.fullmatch(tail) is not None


def _judge(doc: Mapping[str, Any]) -> SmartReport:
    ident = f.identity(doc)
    values, smart_passed, reasons = assess(doc, ident)
    return SmartReport(
        verdict=worst(reason.level for reason in reasons),
        reasons=reasons,
        device_type=ident.device_type,
        transport=ident.transport,
        model=ident.model,
        serial=ident.serial,
        firmware=ident.firmware,
        wwn=ident.wwn,
        capacity_bytes=ident.capacity_bytes,
        logical_sector=ident.logical_sector,
        physical_sector=ident.physical_sector,
        rotation_rpm=ident.rotation_rpm,
        smart_passed=smart_passed,
        power_on_hours=values.power_on_hours,
        temperature_c=values.temperature,
        reallocated_sectors=values.reallocated,
        pending_sectors=values.pending,
        offline_uncorrectable=values.uncorrectable,
        nvme_critical_warning=values.nvme_warning,
        nvme_percentage_used=values.nvme_used,
        nvme_media_errors=values.nvme_media_errors,
        nvme_available_spare=values.nvme_spare,
        nvme_spare_threshold=values.nvme_spare_threshold,
        scsi_grown_defects=values.scsi_grown,
        smartctl_version=ident.smartctl_version,
        smartctl_exit_status=ident.smartctl_exit_status,
    )
