"""The verdict rules for a smartctl report: levels, thresholds and one check per kind of evidence.

:mod:`drivers.block.smart` documents the rules as a whole and is the module to import; this one
holds them so that each stays short enough to read against that list.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from drivers.block import smart_fields as f

REALLOCATED_FAIL_ABOVE = 100
SCSI_GROWN_DEFECTS_FAIL_ABOVE = 100
NVME_USED_WARN_PERCENT = 80
NVME_USED_FAIL_PERCENT = 100
POWER_ON_HOURS_WARN_ABOVE = 50_000
TEMPERATURE_WARN_C = 60
# RAID controllers and some bridges report 0 °C for "no sensor"; nothing on a bench runs at 0 or 150.
TEMPERATURE_PLAUSIBLE_C = range(1, 150)

ATTR_REALLOCATED = 5
ATTR_POWER_ON_HOURS = 9
ATTR_AIRFLOW_TEMPERATURE = 190
ATTR_TEMPERATURE = 194
ATTR_PENDING = 197
ATTR_OFFLINE_UNCORRECTABLE = 198

# smartctl's exit status is a bit mask (smartctl(8), "RETURN VALUES").
EXIT_COMMAND_LINE = 1 << 0
EXIT_OPEN_FAILED = 1 << 1
EXIT_COMMAND_FAILED = 1 << 2
EXIT_DISK_FAILING = 1 << 3
EXIT_PREFAIL_NOW = 1 << 4
EXIT_THRESHOLD_PAST = 1 << 5
EXIT_ERROR_LOG = 1 << 6
EXIT_SELF_TEST_ERRORS = 1 << 7

# NVMe SMART/Health log, byte 0 ("Critical Warning"), bit by bit.
NVME_CRITICAL_WARNING_BITS = {
    0x01: "available spare below threshold",
    0x02: "temperature outside its thresholds",
    0x04: "NVM subsystem reliability degraded",
    0x08: "media placed in read-only mode",
    0x10: "volatile memory backup device failed",
    0x20: "persistent memory region read-only or unreliable",
}


class Health(enum.StrEnum):
    """A verdict or the level of one finding."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"

    @property
    def severity(self) -> int:
        """Rank for "worst of": PASS < WARN < UNKNOWN < FAIL (:mod:`drivers.block.smart` says why)."""
        return _SEVERITY[self]


_SEVERITY = {Health.PASS: 0, Health.WARN: 1, Health.UNKNOWN: 2, Health.FAIL: 3}


def worst(levels: Iterable[Health]) -> Health:
    """The most severe level; UNKNOWN when there is none (no finding means nothing was judged)."""
    return max(levels, key=lambda level: level.severity, default=Health.UNKNOWN)


@dataclass(frozen=True)
class Reason:
    """One finding in plain words, e.g. ``Reason(Health.FAIL, "reallocated_sectors", "512 reallocated ...")``."""

    level: Health
    code: str
    text: str


class Findings:
    """Collects reasons while the rules run."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []

    def add(self, level: Health, code: str, message: str) -> None:
        """Record one finding."""
        self.reasons.append(Reason(level, code, message))

    def levels(self) -> set[Health]:
        """The levels recorded so far."""
        return {reason.level for reason in self.reasons}

    def sorted(self) -> tuple[Reason, ...]:
        """The findings, most severe first (stable within a level)."""
        # A screen or label that shows one line must show the one that matters.
        return tuple(sorted(self.reasons, key=lambda reason: -reason.level.severity))


@dataclass(frozen=True)
class Counters:
    """The health numbers the rules look at, already read and sanity-checked."""

    reallocated: int | None
    pending: int | None
    uncorrectable: int | None
    nvme_warning: int | None
    nvme_used: int | None
    nvme_media_errors: int | None
    nvme_spare: int | None
    nvme_spare_threshold: int | None
    scsi_grown: int | None
    power_on_hours: int | None
    temperature: int | None

    def any_health_data(self, attrs: Mapping[int, f.AtaAttribute]) -> bool:
        """Whether there is anything beyond smart_status to judge (attributes, NVMe log, SCSI defects)."""
        nvme_or_scsi = (self.nvme_warning, self.nvme_used, self.nvme_media_errors, self.nvme_spare, self.scsi_grown)
        return bool(attrs) or any(value is not None for value in nvme_or_scsi)


def read_counters(doc: Mapping[str, Any], attrs: Mapping[int, f.AtaAttribute]) -> Counters:
    """Read every number a rule needs, preferring smartctl's decoded top-level fields over raw attributes."""
    nvme = f.mapping(doc.get("nvme_smart_health_information_log"))
    return Counters(
        reallocated=_counter(attrs, ATTR_REALLOCATED),
        pending=_counter(attrs, ATTR_PENDING),
        uncorrectable=_counter(attrs, ATTR_OFFLINE_UNCORRECTABLE),
        nvme_warning=_first(f.count(nvme.get("critical_warning")),
                            f.count(f.dig(doc, "smart_status", "nvme", "value"))),
        nvme_used=f.count(nvme.get("percentage_used")),
        nvme_media_errors=f.count(nvme.get("media_errors")),
        nvme_spare=f.count(nvme.get("available_spare")),
        nvme_spare_threshold=f.count(nvme.get("available_spare_threshold")),
        scsi_grown=f.count(doc.get("scsi_grown_defect_list")),
        power_on_hours=_power_on_hours(doc, nvme, attrs),
        temperature=_temperature(doc, nvme, attrs),
    )


def assess(doc: Mapping[str, Any], ident: f.Identity) -> tuple[Counters, bool | None, tuple[Reason, ...]]:
    """Run every rule over one smartctl document: the numbers read, ``smart_status.passed``, the findings."""
    attrs = f.ata_attributes(doc)
    values = read_counters(doc, attrs)
    smart_passed = f.flag(f.dig(doc, "smart_status", "passed"))
    counters = values.any_health_data(attrs)
    findings = Findings()
    # Order matters within a level: the drive's own verdict first, smartctl's echo of it last.
    _check_smart_status(findings, smart_passed, counters)
    _check_ata(findings, attrs, values)
    _check_nvme(findings, values)
    _check_scsi(findings, values.scsi_grown)
    _check_wear(findings, values.power_on_hours, values.temperature)
    _check_exit_status(findings, doc, ident.smartctl_exit_status, smart_passed is not None or counters)
    if smart_passed is None and not counters:
        code, message = _why_unavailable(doc, ident)
        # "no data" adds nothing when smartctl's exit status already said why there is none.
        if code not in ("identity_only", "no_health_data") or Health.UNKNOWN not in findings.levels():
            findings.add(Health.UNKNOWN, code, message)
    return values, smart_passed, findings.sorted()


def _first(*candidates: int | None) -> int | None:
    return next((value for value in candidates if value is not None), None)


def _counter(attrs: Mapping[int, f.AtaAttribute], attr_id: int) -> int | None:
    attr = attrs.get(attr_id)
    return attr.counter() if attr else None


def _power_on_hours(doc: Mapping[str, Any], nvme: Mapping[str, Any], attrs: Mapping[int, f.AtaAttribute]) -> int | None:
    # The top-level field is smartctl's own decoding, which knows drives that count minutes or
    # half-minutes in attribute 9; the attribute is the last resort.
    return _first(f.count(f.dig(doc, "power_on_time", "hours")), f.count(nvme.get("power_on_hours")),
                  _counter(attrs, ATTR_POWER_ON_HOURS))


def _temperature(doc: Mapping[str, Any], nvme: Mapping[str, Any], attrs: Mapping[int, f.AtaAttribute]) -> int | None:
    candidates = [f.count(f.dig(doc, "temperature", "current")), f.count(nvme.get("temperature"))]
    # 194/190 keep min/max in the high bytes of raw.value; the current reading is the low byte.
    candidates += [attrs[i].low_byte() for i in (ATTR_TEMPERATURE, ATTR_AIRFLOW_TEMPERATURE) if i in attrs]
    low, high = TEMPERATURE_PLAUSIBLE_C.start, TEMPERATURE_PLAUSIBLE_C.stop
    return next((t for t in candidates if t is not None and low <= t < high), None)


def _check_exit_status(findings: Findings, doc: Mapping[str, Any], status: int | None, has_health: bool) -> None:
    if status is None:
        return
    detail = _first_message(doc)
    if status & EXIT_COMMAND_LINE:
        findings.add(Health.UNKNOWN, "smartctl_command_line",
                     f"SMART data unavailable: smartctl rejected its command line{detail}")
    if status & EXIT_OPEN_FAILED:
        findings.add(Health.UNKNOWN, "device_open_failed", f"SMART data unavailable: device open failed{detail}")
    if status & EXIT_COMMAND_FAILED:
        if has_health:
            # MegaRAID and some bridges block SMART RETURN STATUS; smartctl then judges from the attributes.
            findings.add(Health.PASS, "smartctl_command_failed",
                         f"smartctl could not complete every command; judged from the data it did read{detail}")
        elif not status & (EXIT_COMMAND_LINE | EXIT_OPEN_FAILED):
            findings.add(Health.UNKNOWN, "smartctl_command_failed",
                         f"SMART data unavailable: a SMART command to the device failed{detail}")
    if status & EXIT_DISK_FAILING:
        findings.add(Health.FAIL, "smartctl_disk_failing", "smartctl reports the disk as FAILING (exit status bit 3)")
    if status & EXIT_PREFAIL_NOW:
        findings.add(Health.FAIL, "smartctl_prefail_now",
                     "smartctl found a pre-failure attribute at or below its threshold (exit status bit 4)")
    if status & EXIT_THRESHOLD_PAST:
        findings.add(Health.WARN, "smartctl_threshold_past",
                     "smartctl found attributes that were at or below their threshold in the past (exit status bit 5)")
    if status & EXIT_ERROR_LOG:
        findings.add(Health.WARN, "smartctl_error_log", "the drive's error log has recorded errors (exit status bit 6)")
    if status & EXIT_SELF_TEST_ERRORS:
        findings.add(Health.WARN, "smartctl_self_test_errors",
                     "the drive's self-test log shows failed tests (exit status bit 7)")


def _first_message(doc: Mapping[str, Any]) -> str:
    messages = f.smartctl_messages(doc)
    return f" ({messages[0][:160]})" if messages else ""


def _check_smart_status(findings: Findings, passed: bool | None, counters: bool) -> None:
    if passed is True:
        findings.add(Health.PASS, "smart_status", "SMART overall-health self-assessment passed")
        if not counters:
            findings.add(Health.PASS, "counters_not_read",
                         "only the overall-health self-assessment was in this output; counters not checked (use -x)")
    elif passed is False:
        findings.add(Health.FAIL, "smart_status", "SMART overall-health self-assessment FAILED")
    elif counters:
        findings.add(Health.PASS, "smart_status_missing",
                     "no overall-health self-assessment in this output; judged from the counters alone")


def _check_ata(findings: Findings, attrs: Mapping[int, f.AtaAttribute], values: Counters) -> None:
    _check_reallocated(findings, values.reallocated)
    _check_pending(findings, values.pending, values.uncorrectable)
    failing = False
    for attr in attrs.values():
        label = f"attribute {attr.id} {attr.name or '(unnamed)'} " \
                f"(value {_show(attr.value)}, threshold {_show(attr.threshold)})"
        if attr.when_failed == "now" and attr.prefailure:
            findings.add(Health.FAIL, "prefail_attribute_failing",
                         f"pre-failure {label} is at or below its threshold now")
        elif attr.when_failed == "now":
            # Only a flagged pre-failure attribute predicts failure; unflagged ones are wear (old-age).
            kind = "old-age " if attr.prefailure is False else ""
            findings.add(Health.WARN, "oldage_attribute_failing", f"{kind}{label} is at or below its threshold now")
        elif attr.when_failed == "past":
            findings.add(Health.WARN, "attribute_failed_past", f"{label} was at or below its threshold in the past")
        else:
            continue
        failing = True
    if attrs and not failing:
        findings.add(Health.PASS, "attributes_ok", f"none of {len(attrs)} SMART attributes at or below its threshold")


def _show(value: int | None) -> str:
    return "?" if value is None else str(value)


def _check_defect_count(findings: Findings, count: int | None, code: str, none_text: str, noun: str,
                        fail_above: int) -> None:
    """A count of bad spots: none passes, a few warn, more than ``fail_above`` fails."""
    if count is None:
        return
    if count == 0:
        findings.add(Health.PASS, code, none_text)
        return
    level = Health.FAIL if count > fail_above else Health.WARN
    findings.add(level, code, f"{count} {noun} (limit 0 for a pass; over {fail_above} fails)")


def _check_reallocated(findings: Findings, reallocated: int | None) -> None:
    _check_defect_count(findings, reallocated, "reallocated_sectors", "no reallocated sectors",
                        "reallocated sectors", REALLOCATED_FAIL_ABOVE)


def _check_pending(findings: Findings, pending: int | None, uncorrectable: int | None) -> None:
    if pending and uncorrectable:
        # Sectors the drive cannot read now, and sectors it already found unreadable offline:
        # the surface is failing, not a one-off.
        findings.add(Health.FAIL, "pending_and_uncorrectable",
                     f"{pending} sectors pending reallocation and {uncorrectable} offline-uncorrectable sectors")
        return
    if pending:
        findings.add(Health.WARN, "pending_sectors", f"{pending} sectors pending reallocation (unreadable at last try)")
    elif pending == 0:
        findings.add(Health.PASS, "pending_sectors", "no sectors pending reallocation")
    if uncorrectable:
        findings.add(Health.WARN, "offline_uncorrectable", f"{uncorrectable} offline-uncorrectable sectors")
    elif uncorrectable == 0:
        findings.add(Health.PASS, "offline_uncorrectable", "no offline-uncorrectable sectors")


def _check_nvme(findings: Findings, values: Counters) -> None:
    warning = values.nvme_warning
    if warning == 0:
        findings.add(Health.PASS, "nvme_critical_warning", "no NVMe critical warning")
    elif warning is not None:
        names = [name for bit, name in NVME_CRITICAL_WARNING_BITS.items() if warning & bit]
        if warning & ~sum(NVME_CRITICAL_WARNING_BITS):
            names.append(f"unknown warning bits 0x{warning & ~sum(NVME_CRITICAL_WARNING_BITS):x}")
        findings.add(Health.FAIL, "nvme_critical_warning", f"NVMe critical warning 0x{warning:02x}: {', '.join(names)}")
    spare, threshold = values.nvme_spare, values.nvme_spare_threshold
    if spare is not None and threshold is not None:
        if spare < threshold:
            findings.add(Health.FAIL, "nvme_available_spare",
                         f"available spare {spare}% is below the drive's threshold {threshold}%")
        else:
            findings.add(Health.PASS, "nvme_available_spare", f"available spare {spare}% (threshold {threshold}%)")
    used = values.nvme_used
    if used is not None:
        level = Health.PASS
        if used >= NVME_USED_FAIL_PERCENT:
            level = Health.FAIL
        elif used >= NVME_USED_WARN_PERCENT:
            level = Health.WARN
        findings.add(level, "nvme_percentage_used", f"{used}% of rated endurance used "
                     f"(warn from {NVME_USED_WARN_PERCENT}%, fail from {NVME_USED_FAIL_PERCENT}%)")
    media_errors = values.nvme_media_errors
    if media_errors:
        findings.add(Health.WARN, "nvme_media_errors", f"{media_errors} media and data integrity errors")
    elif media_errors == 0:
        findings.add(Health.PASS, "nvme_media_errors", "no media and data integrity errors")


def _check_scsi(findings: Findings, grown: int | None) -> None:
    _check_defect_count(findings, grown, "scsi_grown_defects", "grown defect list is empty", "grown defects",
                        SCSI_GROWN_DEFECTS_FAIL_ABOVE)


def _check_wear(findings: Findings, hours: int | None, temperature: int | None) -> None:
    if hours is not None:
        level = Health.WARN if hours > POWER_ON_HOURS_WARN_ABOVE else Health.PASS
        findings.add(level, "power_on_hours", f"{hours} power-on hours (warn over {POWER_ON_HOURS_WARN_ABOVE})")
    if temperature is not None:
        level = Health.WARN if temperature >= TEMPERATURE_WARN_C else Health.PASS
        findings.add(level, "temperature", f"{temperature} °C (warn from {TEMPERATURE_WARN_C} °C)")


def _why_unavailable(doc: Mapping[str, Any], ident: f.Identity) -> tuple[str, str]:
    """Code and text for output that holds no health data, most specific explanation first."""
    messages = " ".join(f.smartctl_messages(doc)).lower()
    support = doc.get("smart_support")
    # Recorded outputs carry either a bare boolean here or an object with available/enabled.
    available = f.flag(support) if isinstance(support, bool) else f.flag(f.dig(support, "available"))
    enabled = f.flag(f.dig(support, "enabled"))
    if "usb bridge" in messages:
        return "usb_bridge_unsupported", "SMART data unavailable: smartctl does not know this USB bridge (try -d sat)"
    if available is False:
        return "smart_unsupported", "SMART data unavailable: device does not support SMART (USB bridge without SAT?)"
    if enabled is False:
        return "smart_disabled", "SMART data unavailable: SMART is disabled on the device (smartctl -s on)"
    if "raid" in ident.model.lower():
        return "raid_virtual_disk", "SMART data unavailable: this is a RAID virtual disk; query its member drives"
    if ident.model or ident.serial:
        return "identity_only", "SMART data unavailable: only identity data in this output (use smartctl -x -j)"
    return "no_health_data", "SMART data unavailable: no health self-assessment or attributes in this output"
