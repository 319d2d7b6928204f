"""Tests for drivers.block.smart: smartctl JSON output in, an immutable health verdict out, never an exception."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.block.smart import Health, Reason, SmartReport, parse_smartctl, worst
from drivers.block.smart_fields import MAX_COUNT

DATA = Path(__file__).resolve().parent.parent / "data" / "smartctl"
SAMPLES = sorted(DATA.glob("*.json"))

# Per sample: the verdict, and the exact set of codes of every non-PASS reason (PASS reasons list
# what was checked and are tested separately). Each comment says why, from reading the file.
EXPECTED: dict[str, tuple[Health, set[str]]] = {
    # WD 14 TB via SAT, passed, every counter 0, 1730 h, 32 °C.
    "smart-ata.json": (Health.PASS, set()),
    "smart-ata-date.json": (Health.PASS, set()),  # same drive and values as smart-ata.json
    # Same drive with edited raw values: 5 = 10 (warn), 197 = 10 and 198 = 10 together (fail), and
    # top-level temperature 62 °C (warn). Its raw.string fields still say "0": the edit missed them.
    "smart-ata-date2.json": (Health.FAIL, {"pending_and_uncorrectable", "reallocated_sectors", "temperature"}),
    # Samsung 840 SSD, passed, nothing reallocated, 19497 h. Scrutiny calls it failed (probably for
    # 108 UDMA CRC errors, a cabling fault); none of our rules looks at CRC errors.
    "smart-ata-failed-scrutiny.json": (Health.PASS, set()),
    "smart-ata-full.json": (Health.PASS, set()),  # Samsung 860 EVO, passed, clean, 14551 h
    "smart-ata2.json": (Health.PASS, set()),  # Samsung 850 PRO on a native ATA port, clean, 846 h
    # smartctl could not open the device (exit status 2): nothing else in the file.
    "smart-fail.json": (Health.UNKNOWN, {"device_open_failed"}),
    # Hitachi behind a JMicron USB bridge: self-assessment FAILED, attribute 5 failing now with 1975
    # reallocated sectors, 8 pending, 65592 h; exit status 216 = bits 3, 4, 6 and 7.
    "smart-fail2.json": (Health.FAIL, {
        "smart_status", "reallocated_sectors", "prefail_attribute_failing", "pending_sectors", "power_on_hours",
        "smartctl_disk_failing", "smartctl_prefail_now", "smartctl_error_log", "smartctl_self_test_errors"}),
    # WD behind MegaRAID: exit status 4 (the controller blocked a command; smartctl judged from the
    # attributes and said so in a warning message), but every counter is clean.
    "smart-megaraid0.json": (Health.PASS, set()),
    # Its sibling on port 1 has 387 reallocated sectors: over 100 fails even though the normalised
    # value (188) is still above the drive's threshold (140) and smartctl says PASSED.
    "smart-megaraid1.json": (Health.FAIL, {"reallocated_sectors"}),
    # Samsung 970 EVO: passed, spare 99 %, 3 % used, but 7 media and data integrity errors.
    "smart-nvme-failed.json": (Health.WARN, {"nvme_media_errors"}),
    "smart-nvme.json": (Health.PASS, set()),  # Intel 660p, all clean, 2401 h
    # Corsair MP510, clean; 8382 error log entries are not a health rule (they count host aborts too).
    "smart-nvme2.json": (Health.PASS, set()),
    "smart-pass.json": (Health.PASS, set()),  # "-jH": only the self-assessment, which passed
    # Intel RST "Raid 1 Volume": a virtual disk, exit status 4, no health data at all.
    "smart-raid.json": (Health.UNKNOWN, {"smartctl_command_failed", "raid_virtual_disk"}),
    # "-jA": attributes only, no self-assessment; the attributes are clean (9 is Seagate-packed: 2725 h).
    "smart-sat.json": (Health.PASS, set()),
    # Seagate SAS drive, passed, 56 grown defects (1..100 warns), 43549 h; no smartctl section at all.
    "smart-scsi.json": (Health.WARN, {"scsi_grown_defects"}),
    "smart-scsi2.json": (Health.PASS, set()),  # Seagate SAS, smartctl 6.7 pre-release JSON, 0 grown defects
    # "--info" output: identity only.
    "smartctl_info_nvme.json": (Health.UNKNOWN, {"identity_only"}),
    "smartctl_info_sata_smart_support_bool.json": (Health.UNKNOWN, {"identity_only"}),
    "smartctl_info_sata_smart_support_object.json": (Health.UNKNOWN, {"identity_only"}),
    # Synthetic files written for this module (each says what it is in its "_synthetic" key).
    "synthetic-ata-worn.json": (Health.WARN, {
        "reallocated_sectors", "pending_sectors", "attribute_failed_past", "power_on_hours",
        "smartctl_threshold_past", "smartctl_error_log"}),
    "synthetic-nvme-critical.json": (Health.FAIL, {
        "smart_status", "nvme_critical_warning", "nvme_available_spare", "nvme_percentage_used",
        "nvme_media_errors", "smartctl_disk_failing"}),
    "synthetic-sas-grown-defects.json": (Health.FAIL, {"scsi_grown_defects"}),
    "synthetic-usb-scsi-no-smart.json": (Health.UNKNOWN, {"smartctl_command_failed", "smart_unsupported"}),
    "synthetic-usb-unknown-bridge.json": (Health.UNKNOWN, {"smartctl_command_line", "usb_bridge_unsupported"}),
}

# PASS findings that must be present: proof that the thing was actually checked.
EXPECTED_CHECKED = {
    "smart-ata.json": {"smart_status", "reallocated_sectors", "pending_sectors", "offline_uncorrectable",
                       "attributes_ok", "power_on_hours", "temperature"},
    "smart-megaraid0.json": {"smart_status", "reallocated_sectors", "attributes_ok", "smartctl_command_failed"},
    "smart-nvme.json": {"smart_status", "nvme_critical_warning", "nvme_available_spare", "nvme_percentage_used",
                        "nvme_media_errors", "power_on_hours", "temperature"},
    "smart-pass.json": {"smart_status", "counters_not_read"},
    "smart-sat.json": {"smart_status_missing", "reallocated_sectors", "pending_sectors", "attributes_ok"},
    "smart-scsi2.json": {"smart_status", "scsi_grown_defects", "power_on_hours", "temperature"},
}


def load(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def bad_codes(report: SmartReport) -> set[str]:
    return {reason.code for reason in report.reasons if reason.level is not Health.PASS}


def level_of(report: SmartReport, code: str) -> Health:
    levels = {reason.level for reason in report.reasons if reason.code == code}
    assert len(levels) == 1, f"{code}: {report.reasons}"
    return levels.pop()


# --- recorded samples --------------------------------------------------------------------------

def test_every_sample_has_an_expectation() -> None:
    assert {path.name for path in SAMPLES} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_sample_verdict_and_reasons(name: str) -> None:
    verdict, codes = EXPECTED[name]
    report = parse_smartctl((DATA / name).read_bytes())
    assert report.verdict is verdict, report.reasons
    assert bad_codes(report) == codes
    assert report.reasons[0].level is verdict  # the worst finding comes first
    assert set(EXPECTED_CHECKED.get(name, set())) <= {r.code for r in report.reasons if r.level is Health.PASS}


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_sample_parses_the_same_from_bytes_text_and_mapping(name: str) -> None:
    raw = (DATA / name).read_bytes()
    from_bytes = parse_smartctl(raw)
    assert parse_smartctl(raw.decode("utf-8")) == from_bytes
    assert parse_smartctl(load(name)) == from_bytes
    assert parse_smartctl(b"\xef\xbb\xbf" + raw + b"\r\n") == from_bytes  # BOM and CRLF from Windows builds


IDENTITY: dict[str, dict[str, object]] = {
    "smart-ata.json": {
        "device_type": "sat", "transport": "SATA", "model": "WDC WD140EDFZ-11A0VA0", "serial": "9RK1XXXX",
        "firmware": "81.00A81", "wwn": "naa.5000cca264eb01d7", "capacity_bytes": 14_000_519_643_136,
        "logical_sector": 512, "physical_sector": 4096, "rotation_rpm": 5400, "smart_passed": True,
        "power_on_hours": 1730, "temperature_c": 32, "reallocated_sectors": 0, "pending_sectors": 0,
        "offline_uncorrectable": 0, "smartctl_version": "7.0", "smartctl_exit_status": 0},
    "smart-ata2.json": {
        "device_type": "ata", "transport": "SATA", "model": "X SSD 850 PRO 128GB", "serial": "S24ZN902000L",
        "firmware": "EB6Q", "capacity_bytes": 128_035_676_160, "logical_sector": 512, "physical_sector": 512,
        "rotation_rpm": 0, "pending_sectors": None, "offline_uncorrectable": None},
    "smart-fail2.json": {
        "device_type": "usbjmicron", "transport": "USB", "model": "Hitachi HDS721050DLE630", "serial": "MSK423Y20S3HBC",
        "rotation_rpm": 7200, "smart_passed": False, "power_on_hours": 65592, "temperature_c": 25,
        "reallocated_sectors": 1975, "pending_sectors": 8, "offline_uncorrectable": 0, "smartctl_version": "7.1",
        "smartctl_exit_status": 216},
    "smart-megaraid1.json": {
        "device_type": "sat+megaraid,1", "transport": "SATA", "model": "WD4000FYYX", "serial": "XXXXXXXXXXXX",
        "firmware": "00.0D1K4", "wwn": "naa.50014ee2b6578d5f", "capacity_bytes": 4_000_787_030_016,
        "logical_sector": 512, "physical_sector": 512, "rotation_rpm": 7200, "reallocated_sectors": 387,
        "smartctl_exit_status": 4},
    "smart-nvme-failed.json": {
        "device_type": "nvme", "transport": "NVMe", "model": "Samsung SSD 970 EVO 500GB", "serial": "S466NX0M776250H",
        "firmware": "2B2QEXE7", "wwn": "eui.0025385791b4f537", "capacity_bytes": 500_107_862_016,
        "logical_sector": 512, "physical_sector": None, "rotation_rpm": 0, "smart_passed": True,
        "power_on_hours": 12798, "temperature_c": 35, "nvme_critical_warning": 0, "nvme_percentage_used": 3,
        "nvme_media_errors": 7, "nvme_available_spare": 99, "nvme_spare_threshold": 10, "reallocated_sectors": None,
        "scsi_grown_defects": None},
    "smart-nvme.json": {"wwn": "", "rotation_rpm": 0, "capacity_bytes": 1_024_209_543_168},  # no EUI-64 reported
    "smart-scsi.json": {
        "device_type": "scsi", "transport": "SCSI", "model": "SEAGATE ST4000NM0043", "serial": "Z1Z5DWJK0000XXXXXXXX",
        "firmware": "MS03", "capacity_bytes": 4_000_787_030_016, "logical_sector": 512, "physical_sector": None,
        "rotation_rpm": 7200, "scsi_grown_defects": 56, "power_on_hours": 43549, "temperature_c": 34,
        "smartctl_version": "", "smartctl_exit_status": None},
    "smart-scsi2.json": {"smartctl_version": "6.7", "rotation_rpm": 10500, "scsi_grown_defects": 0, "firmware": "N004"},
    # A RAID controller reports 0 °C for "no sensor": not a temperature.
    "smart-raid.json": {
        "model": "Intel Raid 1 Volume", "serial": "Volume1", "temperature_c": None, "smart_passed": None},
    # "-jA" output: no power_on_time; attribute 9 raw 0x97ea00000aa5 is decoded as "2725 (151 234 0)".
    "smart-sat.json": {"transport": "ATA", "power_on_hours": 2725, "temperature_c": 29, "smart_passed": None},
    # "--info" on an NVMe controller: capacity from nvme_total_capacity, no namespace block size.
    "smartctl_info_nvme.json": {
        "capacity_bytes": 3_840_755_982_336, "logical_sector": None, "rotation_rpm": 0, "smartctl_version": "7.2"},
    "smartctl_info_sata_smart_support_object.json": {
        "transport": "SATA", "wwn": "naa.5001b444a5523895", "model": "WD Red SA500 2.5 4TB", "rotation_rpm": None},
    "synthetic-ata-worn.json": {
        "power_on_hours": 52114, "temperature_c": 41, "reallocated_sectors": 8, "pending_sectors": 2},
    "synthetic-sas-grown-defects.json": {"transport": "SAS", "logical_sector": 520, "wwn": "naa.5000cca24cb016ea"},
    "synthetic-usb-scsi-no-smart.json": {"model": "JMicron Generic", "firmware": "0508", "transport": "SCSI"},
}


@pytest.mark.parametrize("name", sorted(IDENTITY), ids=str)
def test_sample_identity_fields(name: str) -> None:
    report = parse_smartctl((DATA / name).read_bytes())
    actual = {key: getattr(report, key) for key in IDENTITY[name]}
    assert actual == IDENTITY[name]


# --- input that is not a smartctl report ----------------------------------------------------------

@pytest.mark.parametrize(("data", "code"), [
    pytest.param(b"", "no_input", id="empty-bytes"),
    pytest.param("", "no_input", id="empty-str"),
    pytest.param(" \r\n\t\ufeff", "no_input", id="whitespace-and-bom"),
    pytest.param(None, "no_input", id="none"),
    pytest.param("smartctl 7.0 2018-12-30 r4883\n=== START OF INFORMATION SECTION ===\n", "not_json", id="text-output"),
    pytest.param("=======> UNRECOGNIZED OPTION: j\n", "not_json", id="smartctl-6-without-json"),
    pytest.param(b"\x00\xff\xfe garbage", "not_json", id="binary"),
    pytest.param("{garbage}", "not_json", id="broken-object"),
    pytest.param(12345, "not_json", id="int-input"),
    pytest.param('{"smartctl": {"exit_status": 0', "truncated_json", id="truncated"),
    pytest.param('{"smart_status": {"passed": tru', "truncated_json", id="truncated-in-literal"),
    pytest.param('{"model_name": "WDC WD', "truncated_json", id="truncated-in-string"),
    pytest.param("[]", "not_an_object", id="json-list"),
    pytest.param('[{"smart_status": {"passed": true}}]', "not_an_object", id="report-in-list"),
    pytest.param('"text"', "not_an_object", id="json-string"),
    pytest.param("null", "not_an_object", id="json-null"),
    pytest.param("[" * 100_000 + "]" * 100_000, "not_json", id="deep-nesting"),
    pytest.param('{"a": ' + "9" * 5000 + "}", "not_json", id="integer-too-long"),
    pytest.param("{}", "no_health_data", id="empty-object"),
    pytest.param({}, "no_health_data", id="empty-mapping"),
])
def test_unusable_input_is_unknown_with_a_reason(data: Any, code: str) -> None:
    report = parse_smartctl(data)
    assert report.verdict is Health.UNKNOWN
    assert report.reason_codes() == (code,)
    assert report.reasons[0].text.startswith("SMART data unavailable")


def test_open_failed_names_smartctls_message() -> None:
    report = parse_smartctl({"smartctl": {"exit_status": 2, "messages": [
        {"string": "Smartctl open device: /dev/sdz failed: No such device", "severity": "error"}]}})
    assert report.verdict is Health.UNKNOWN
    assert report.reason_codes() == ("device_open_failed",)
    assert "device open failed" in report.reasons[0].text
    assert "No such device" in report.reasons[0].text


@pytest.mark.parametrize(("doc", "code"), [
    pytest.param({"smartctl": {"exit_status": 1}}, "smartctl_command_line", id="bit0-command-line"),
    pytest.param({"smartctl": {"exit_status": 4}}, "smartctl_command_failed", id="bit2-command-failed"),
    pytest.param({"device": {"type": "scsi", "protocol": "SCSI"}, "smart_support": {"available": True,
                  "enabled": False}}, "smart_disabled", id="smart-disabled"),
    pytest.param({"smart_support": False}, "smart_unsupported", id="smart-support-bool-false"),
    pytest.param({"model_name": "ST1000DM003", "serial_number": "Z1D"}, "identity_only", id="identity-only"),
])
def test_no_health_data_says_why(doc: dict[str, Any], code: str) -> None:
    report = parse_smartctl(doc)
    assert report.verdict is Health.UNKNOWN
    assert report.reason_codes() == (code,)


def test_usb_bridge_without_sat_is_unknown_not_pass() -> None:
    doc = load("synthetic-usb-scsi-no-smart.json")
    doc["smartctl"]["exit_status"] = 0   # even when smartctl itself does not complain
    report = parse_smartctl(doc)
    assert report.verdict is Health.UNKNOWN
    assert report.reason_codes() == ("smart_unsupported",)
    assert report.capacity_bytes == 1_000_204_886_016   # identity is still reported


# --- every rule, one minimal document each -------------------------------------------------------

def ata(*rows: tuple[int, int], passed: bool | None = True, **extra: Any) -> dict[str, Any]:
    """A minimal ATA report: attribute rows (id, raw value) and an overall-health result."""
    table = [{"id": i, "name": f"attr{i}", "value": 100, "worst": 100, "thresh": 10, "when_failed": "",
              "flags": {"prefailure": i == 5}, "raw": {"value": raw, "string": str(raw)}} for i, raw in rows]
    doc: dict[str, Any] = {"device": {"type": "sat", "protocol": "ATA"}, "ata_smart_attributes": {"table": table}}
    if passed is not None:
        doc["smart_status"] = {"passed": passed}
    doc.update(extra)
    return doc


def nvme(**log: int) -> dict[str, Any]:
    """A minimal NVMe report whose health log is clean apart from ``log``."""
    health = {"critical_warning": 0, "available_spare": 100, "available_spare_threshold": 10,
              "percentage_used": 0, "media_errors": 0} | log
    return {"device": {"type": "nvme", "protocol": "NVMe"}, "smart_status": {"passed": True},
            "nvme_smart_health_information_log": health}


def failed_attribute(when: str, prefailure: bool) -> dict[str, Any]:
    doc = ata((5, 0), (9, 100))
    doc["ata_smart_attributes"]["table"][1].update(when_failed=when, flags={"prefailure": prefailure})
    return doc


RULES = [
    # (document, verdict, code whose level must equal the verdict)
    pytest.param({"smart_status": {"passed": False}}, Health.FAIL, "smart_status", id="fail-smart-status"),
    pytest.param(ata((5, 101)), Health.FAIL, "reallocated_sectors", id="fail-reallocated-101"),
    pytest.param(ata((5, 100)), Health.WARN, "reallocated_sectors", id="warn-reallocated-100"),
    pytest.param(ata((5, 1)), Health.WARN, "reallocated_sectors", id="warn-reallocated-1"),
    pytest.param(ata((5, 0)), Health.PASS, "reallocated_sectors", id="pass-reallocated-0"),
    pytest.param(failed_attribute("now", True), Health.FAIL, "prefail_attribute_failing", id="fail-prefail-now"),
    pytest.param(failed_attribute("now", False), Health.WARN, "oldage_attribute_failing", id="warn-oldage-now"),
    pytest.param(failed_attribute("past", True), Health.WARN, "attribute_failed_past", id="warn-prefail-past"),
    pytest.param(ata((197, 1), (198, 1)), Health.FAIL, "pending_and_uncorrectable", id="fail-pending-and-uncorr"),
    pytest.param(ata((197, 3), (198, 0)), Health.WARN, "pending_sectors", id="warn-pending-alone"),
    pytest.param(ata((197, 0), (198, 3)), Health.WARN, "offline_uncorrectable", id="warn-uncorrectable-alone"),
    pytest.param(ata((197, 3)), Health.WARN, "pending_sectors", id="warn-pending-no-198"),
    pytest.param(nvme(critical_warning=0x04), Health.FAIL, "nvme_critical_warning", id="fail-nvme-critical"),
    pytest.param(nvme(available_spare=9), Health.FAIL, "nvme_available_spare", id="fail-nvme-spare-below"),
    pytest.param(nvme(available_spare=10), Health.PASS, "nvme_available_spare", id="pass-nvme-spare-at-threshold"),
    pytest.param(nvme(percentage_used=100), Health.FAIL, "nvme_percentage_used", id="fail-nvme-used-100"),
    pytest.param(nvme(percentage_used=255), Health.FAIL, "nvme_percentage_used", id="fail-nvme-used-255"),
    pytest.param(nvme(percentage_used=99), Health.WARN, "nvme_percentage_used", id="warn-nvme-used-99"),
    pytest.param(nvme(percentage_used=80), Health.WARN, "nvme_percentage_used", id="warn-nvme-used-80"),
    pytest.param(nvme(percentage_used=79), Health.PASS, "nvme_percentage_used", id="pass-nvme-used-79"),
    pytest.param(nvme(media_errors=1), Health.WARN, "nvme_media_errors", id="warn-nvme-media-errors"),
    pytest.param({"scsi_grown_defect_list": 101}, Health.FAIL, "scsi_grown_defects", id="fail-scsi-grown-101"),
    pytest.param({"scsi_grown_defect_list": 100}, Health.WARN, "scsi_grown_defects", id="warn-scsi-grown-100"),
    pytest.param({"scsi_grown_defect_list": 1}, Health.WARN, "scsi_grown_defects", id="warn-scsi-grown-1"),
    pytest.param(ata((5, 0), power_on_time={"hours": 50_001}), Health.WARN, "power_on_hours", id="warn-hours-50001"),
    pytest.param(ata((5, 0), power_on_time={"hours": 50_000}), Health.PASS, "power_on_hours", id="pass-hours-50000"),
    pytest.param(ata((5, 0), temperature={"current": 60}), Health.WARN, "temperature", id="warn-temperature-60"),
    pytest.param(ata((5, 0), temperature={"current": 59}), Health.PASS, "temperature", id="pass-temperature-59"),
    pytest.param(ata((5, 0), smartctl={"exit_status": 8}), Health.FAIL, "smartctl_disk_failing", id="fail-exit-bit3"),
    pytest.param(ata((5, 0), smartctl={"exit_status": 16}), Health.FAIL, "smartctl_prefail_now", id="fail-exit-bit4"),
    pytest.param(ata((5, 0), smartctl={"exit_status": 32}), Health.WARN, "smartctl_threshold_past",
                 id="warn-exit-bit5"),
    pytest.param(ata((5, 0), smartctl={"exit_status": 64}), Health.WARN, "smartctl_error_log", id="warn-exit-bit6"),
    pytest.param(ata((5, 0), smartctl={"exit_status": 128}), Health.WARN, "smartctl_self_test_errors",
                 id="warn-exit-bit7"),
    pytest.param(ata((5, 0), smartctl={"exit_status": 4}), Health.PASS, "smartctl_command_failed",
                 id="pass-exit-bit2-with-data"),
    pytest.param(ata((5, 0), smartctl={"exit_status": 0}), Health.PASS, "smart_status", id="pass-exit-0"),
    pytest.param(ata((5, 0), passed=None), Health.PASS, "smart_status_missing", id="pass-attributes-only"),
]


@pytest.mark.parametrize(("doc", "verdict", "code"), RULES)
def test_rule(doc: dict[str, Any], verdict: Health, code: str) -> None:
    report = parse_smartctl(doc)
    assert report.verdict is verdict, report.reasons
    assert level_of(report, code) is verdict


def test_fail_reason_text_states_count_and_limits() -> None:
    report = parse_smartctl(ata((5, 512)))
    assert report.reasons[0] == Reason(
        Health.FAIL, "reallocated_sectors", "512 reallocated sectors (limit 0 for a pass; over 100 fails)")


@pytest.mark.parametrize(("bit", "words"), [
    (0x01, "available spare below threshold"),
    (0x02, "temperature"),
    (0x04, "reliability degraded"),
    (0x08, "read-only"),
    (0x10, "volatile memory backup device failed"),
    (0x20, "persistent memory region"),
    (0x80, "unknown warning bits 0x80"),
], ids=lambda value: f"{value:#04x}" if isinstance(value, int) else None)
def test_nvme_critical_warning_bits_are_named(bit: int, words: str) -> None:
    report = parse_smartctl(nvme(critical_warning=bit))
    assert report.verdict is Health.FAIL
    assert report.nvme_critical_warning == bit
    [reason] = [r for r in report.reasons if r.code == "nvme_critical_warning"]
    assert words in reason.text


def test_nvme_critical_warning_falls_back_to_smart_status() -> None:
    report = parse_smartctl({"smart_status": {"passed": False, "nvme": {"value": 8}}})
    assert report.nvme_critical_warning == 8
    assert level_of(report, "nvme_critical_warning") is Health.FAIL


def test_verdict_ranks_unknown_between_warn_and_fail() -> None:
    assert worst([Health.PASS, Health.WARN]) is Health.WARN
    assert worst([Health.WARN, Health.UNKNOWN, Health.PASS]) is Health.UNKNOWN
    assert worst([Health.UNKNOWN, Health.FAIL]) is Health.FAIL
    assert worst([]) is Health.UNKNOWN
    hot_but_unread = parse_smartctl({"model_name": "X", "temperature": {"current": 70}})
    assert hot_but_unread.verdict is Health.UNKNOWN
    assert level_of(hot_but_unread, "temperature") is Health.WARN


def test_reasons_are_sorted_worst_first() -> None:
    report = parse_smartctl(load("smart-fail2.json"))
    severities = [reason.level.severity for reason in report.reasons]
    assert severities == sorted(severities, reverse=True)
    assert report.reasons[0].code == "smart_status"   # the drive's own verdict heads the list


@pytest.mark.parametrize(("device", "transport", "rotation"), [
    pytest.param({"type": "usbcypress", "protocol": "ATA", "info_name": "/dev/sdb"}, "USB", None, id="usb-ata-bridge"),
    pytest.param({"type": "sntjmicron", "protocol": "NVMe", "info_name": "/dev/sdb"}, "USB", 0, id="usb-nvme-bridge"),
    pytest.param({"type": "sat", "protocol": "ATA", "info_name": "/dev/sdb [USB JMicron]"}, "USB", None,
                 id="usb-by-info-name"),
    pytest.param({"type": "nvme", "protocol": "NVMe"}, "NVMe", 0, id="nvme"),
    pytest.param({"type": "sat", "protocol": "ATA"}, "ATA", None, id="ata-without-sata-fields"),
    pytest.param({"type": "megaraid,3", "protocol": "SCSI"}, "SCSI", None, id="megaraid-sas"),
    pytest.param({"type": "scsi", "protocol": "SCSI"}, "SCSI", None, id="scsi-unknown-transport"),
    pytest.param("nvme", "", None, id="device-not-an-object"),
])
def test_transport_and_rotation(device: object, transport: str, rotation: int | None) -> None:
    report = parse_smartctl({"device": device, "smart_status": {"passed": True}})
    assert (report.transport, report.rotation_rpm) == (transport, rotation)


def test_wwn_is_zero_padded_to_64_bits() -> None:
    report = parse_smartctl({"wwn": {"naa": 5, "oui": 0x0014EE, "id": 0x1}})
    assert report.wwn == "naa.50014ee000000001"
    nvme_ns = {"nvme_namespaces": [{"id": 1, "eui64": {"oui": 0x2538, "ext_id": 0x1}}]}
    assert parse_smartctl(nvme_ns).wwn == "eui.0025380000000001"
    nguid = {"nvme_namespaces": [{"id": 1, "nguid": "0025385B-91B0-E1BC-0000-000000000001"}]}
    assert parse_smartctl(nguid).wwn == "eui.0025385b91b0e1bc0000000000000001"


# --- raw values and wrong types ----------------------------------------------------------------

def test_temperature_prefers_top_level_then_low_byte_of_194_then_190() -> None:
    packed_194 = (48 << 32) | (19 << 16) | 36        # smartctl shows "36 (Min/Max 19/48)"
    assert parse_smartctl(ata((194, packed_194), temperature={"current": 40})).temperature_c == 40
    assert parse_smartctl(ata((194, packed_194), (190, 55))).temperature_c == 36
    assert parse_smartctl(ata((190, (30 << 24) | 33))).temperature_c == 33
    assert parse_smartctl(ata((190, (30 << 8) | 33))).temperature_c == 33     # a minimum packed in byte 1
    assert parse_smartctl(ata((194, packed_194), temperature={"current": 0})).temperature_c == 36  # 0 = no sensor


def test_power_on_hours_prefers_top_level_and_unpacks_attribute_9() -> None:
    packed = (0x97EA << 32) | 2725
    assert parse_smartctl(ata((9, packed), power_on_time={"hours": 2800})).power_on_hours == 2800
    assert parse_smartctl(ata((9, packed))).power_on_hours == 2725
    doc = ata((9, packed))
    doc["ata_smart_attributes"]["table"][0]["raw"]["string"] = "2725h+12m+03.456s"
    assert parse_smartctl(doc).power_on_hours == 2725


def test_packed_counter_uses_the_decoded_first_number() -> None:
    doc = ata((5, (0x3095 << 32) | 0x83F))
    doc["ata_smart_attributes"]["table"][0]["raw"]["string"] = "2111 (12437 0)"
    assert parse_smartctl(doc).reallocated_sectors == 2111


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param(True, None, id="bool-is-not-a-count"),
    pytest.param(-5, None, id="negative"),
    pytest.param(2**70, None, id="beyond-64-bit"),
    pytest.param("12", 12, id="digit-string"),
    pytest.param(" 7 ", 7, id="padded-digit-string"),
    pytest.param("-3", None, id="negative-string"),
    pytest.param("١٢", None, id="non-ascii-digits"),
    pytest.param(12.0, 12, id="integral-float"),
    pytest.param(12.5, None, id="fractional-float"),
    pytest.param(math.nan, None, id="nan"),
    pytest.param(math.inf, None, id="inf"),
    pytest.param([5], None, id="list"),
    pytest.param({"value": 5}, None, id="dict"),
])
def test_wrong_types_in_counters_read_as_unknown(raw: object, expected: int | None) -> None:
    doc = ata((5, 0))
    doc["ata_smart_attributes"]["table"][0]["raw"] = {"value": raw}
    report = parse_smartctl(doc)
    assert report.reallocated_sectors == expected


@pytest.mark.parametrize("doc", [
    pytest.param({"smart_status": {"passed": 1}}, id="passed-as-int"),
    pytest.param({"smart_status": {"passed": "true"}}, id="passed-as-string"),
    pytest.param({"smart_status": [True]}, id="status-as-list"),
    pytest.param({"ata_smart_attributes": {"table": {"id": 5}}}, id="table-as-dict"),
    pytest.param({"ata_smart_attributes": {"table": [5, "x", None, [1]]}}, id="rows-not-objects"),
    pytest.param({"ata_smart_attributes": [{"table": []}]}, id="attributes-as-list"),
    pytest.param({"nvme_smart_health_information_log": "ok"}, id="nvme-log-as-string"),
    pytest.param({"smartctl": {"exit_status": "2"}, "device": "nvme"}, id="strings-for-objects"),
    pytest.param({"smartctl": {"exit_status": -1}}, id="negative-exit-status"),
    pytest.param({"smartctl": {"exit_status": 4096}}, id="exit-status-beyond-8-bits"),
    pytest.param({"wwn": {"naa": 5, "oui": -1, "id": 1}, "user_capacity": {"bytes": -1}}, id="negative-identity"),
])
def test_wrong_types_give_unknown_without_raising(doc: dict[str, Any]) -> None:
    report = parse_smartctl(doc)
    assert report.verdict is Health.UNKNOWN
    assert report.smart_passed is None
    assert report.wwn == ""
    assert report.capacity_bytes is None


def test_exit_status_is_kept_even_when_other_fields_are_garbage() -> None:
    report = parse_smartctl({"smartctl": {"exit_status": 2, "messages": "not a list"}, "device": [1, 2]})
    assert report.smartctl_exit_status == 2
    assert report.reason_codes() == ("device_open_failed",)


# --- the report as data --------------------------------------------------------------------------

def walk(node: object) -> Iterator[object]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_to_json_is_json_safe_and_complete(name: str) -> None:
    report = parse_smartctl((DATA / name).read_bytes())
    out = report.to_json()
    text = json.dumps(out, allow_nan=False)
    assert not any(isinstance(node, float) for node in walk(json.loads(text)))
    assert set(out) == {field.name for field in dataclasses.fields(SmartReport)}
    assert out["verdict"] == report.verdict.value
    assert out["reasons"] == [{"level": r.level.value, "code": r.code, "text": r.text} for r in report.reasons]
    assert all(type(value) in (str, int, bool, list, type(None)) for value in out.values())


def test_report_is_immutable() -> None:
    report = parse_smartctl(load("smart-ata.json"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.verdict = Health.FAIL  # type: ignore[misc]
    assert isinstance(report.reasons, tuple)


# --- fuzz: random types in random places ---------------------------------------------------------

FUZZ_VALUES: list[Callable[[random.Random], object]] = [
    lambda _: None, lambda _: True, lambda _: False, lambda _: 0, lambda _: -1,
    lambda r: r.randint(-(2**70), 2**70), lambda _: 2**64, lambda _: 1.5, lambda _: math.nan, lambda _: -math.inf,
    lambda _: "", lambda _: "garbage", lambda _: "123", lambda _: "now", lambda _: "\x00\x1b[31m",
    lambda _: [], lambda _: [1, "x", None], lambda _: {}, lambda _: {"value": "x", "string": 5, "passed": "yes"},
    lambda r: "x" * r.randint(300, 5000),
]


def paths(node: object, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position in a JSON document, leaves and containers alike."""
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def replace(doc: Any, path: tuple[Any, ...], value: object) -> None:
    node = doc
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return   # an earlier replacement removed this branch
    if isinstance(node, dict) or (isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node)):
        node[path[-1]] = value


def check_sane(report: SmartReport) -> None:
    assert isinstance(report.verdict, Health)
    assert report.reasons
    assert all(isinstance(reason.level, Health) for reason in report.reasons)
    assert report.verdict is worst(reason.level for reason in report.reasons)
    assert "parser_error" not in report.reason_codes()
    for field in dataclasses.fields(report):
        value = getattr(report, field.name)
        if isinstance(value, int) and not isinstance(value, bool):
            assert 0 <= value <= MAX_COUNT, field.name
    json.dumps(report.to_json(), allow_nan=False)


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_fuzz_random_types_never_raise(name: str) -> None:
    original = load(name)
    positions = list(paths(original))
    rng = random.Random(f"smart-fuzz-{name}")
    for _ in range(300):
        doc = copy.deepcopy(original)
        for path in rng.sample(positions, k=min(len(positions), rng.randint(1, 6))):
            replace(doc, path, rng.choice(FUZZ_VALUES)(rng))
        check_sane(parse_smartctl(doc))


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_truncated_sample_is_unknown(name: str) -> None:
    raw = (DATA / name).read_bytes().rstrip()
    rng = random.Random(f"smart-cut-{name}")
    for cut in [1, 2, len(raw) - 1, *rng.sample(range(3, len(raw) - 1), k=40)]:
        report = parse_smartctl(raw[:cut])
        assert report.verdict is Health.UNKNOWN
        assert report.reason_codes() == ("truncated_json",), cut
