"""Every parse of recorded tool output, and every method's command line."""

from __future__ import annotations

import pytest

from drivers.block.firmware import commands as c
from drivers.block.firmware.hidden_areas import parse_dco, parse_hpa
from drivers.block.firmware.probe import (
    FROZEN_HINT,
    LOCKED_HINT,
    nvme_controller,
    nvme_current_lbaf,
    parse_hdparm_identify,
    parse_nvme_id_ctrl,
    parse_scsi,
)
from drivers.block.firmware.runner import Transcript
from drivers.sim.firmware import SCENARIOS, build_scenario
from tests.drivers.firmware.conftest import data


def transcript(stdout: str = "", stderr: str = "", exit_code: int = 0) -> Transcript:
    return Transcript(("tool",), exit_code, stdout, stderr, 0.01, False, "2026-01-01T00:00:00+00:00")


def test_sata_ssd_identify() -> None:
    caps = parse_hdparm_identify(data("hdparm-I-sata-ssd.txt"))
    assert caps.known
    assert caps.transport == "ata"
    assert (caps.model, caps.serial, caps.firmware) == ("Samsung SSD 870 EVO 500GB", "S6PWNX0T512345A", "SVT02B6Q")
    assert caps.rotational is False
    assert caps.security_supported
    assert caps.enhanced_erase_supported
    assert not caps.security_enabled
    assert not caps.locked
    assert not caps.frozen
    assert not caps.security_count_expired
    assert (caps.erase_minutes, caps.enhanced_erase_minutes) == (2, 2)
    assert caps.sanitize_supported
    assert caps.sanitize_crypto
    assert caps.sanitize_block
    assert not caps.sanitize_overwrite
    assert caps.supported == ("ata-sanitize-crypto", "ata-sanitize-block", "ata-secure-erase-enhanced")
    assert caps.blockers == ()
    assert caps.hint == ""
    assert caps.dco_supported is False
    assert caps.hpa_supported is True


def test_frozen_hdd_gets_the_suspend_or_replug_hint() -> None:
    caps = parse_hdparm_identify(data("hdparm-I-frozen-hdd.txt"))
    assert caps.rotational is True
    assert caps.frozen
    assert not caps.locked
    assert caps.supported == ("ata-sanitize-overwrite", "ata-secure-erase-enhanced")
    assert caps.enhanced_erase_minutes == 176
    assert caps.blockers == ("frozen",)
    assert caps.hint == FROZEN_HINT
    assert "suspend" in caps.hint
    assert "plug it back in" in caps.hint
    mapping = caps.to_mapping()
    assert mapping["frozen"] is True
    assert mapping["known"] is True
    assert "ata-sanitize-overwrite" in mapping["supported"]


def test_locked_drive_gets_the_unlock_hint() -> None:
    caps = parse_hdparm_identify(data("hdparm-I-locked.txt"))
    assert caps.security_enabled
    assert caps.locked
    assert not caps.frozen
    assert caps.enhanced_erase_supported is False
    assert caps.erase_minutes == 508
    assert caps.supported == ()
    assert caps.blockers == ("locked",)
    assert caps.hint == LOCKED_HINT
    assert "--security-unlock" in caps.hint


@pytest.mark.parametrize("name", ["garbage.txt", "sg_opcodes-unsupported.txt", "usb-bridge-hdparm-I.stderr"])
def test_garbage_is_unknown_not_an_exception(name: str) -> None:
    text = data(name)
    assert not parse_hdparm_identify(text).known
    assert not parse_nvme_id_ctrl(text).known
    assert not parse_scsi(text, text).known


def test_truncated_identify_keeps_what_it_has() -> None:
    caps = parse_hdparm_identify(data("hdparm-I-truncated.txt"))
    assert caps.known
    assert caps.sanitize_crypto
    assert caps.security_supported is True
    assert caps.security_frozen is None
    assert caps.blockers == ()


def test_nvme_with_crypto_and_block_sanitize() -> None:
    caps = parse_nvme_id_ctrl(data("nvme-id-ctrl-crypto-block.json"))
    assert caps.known
    assert caps.transport == "nvme"
    assert caps.model == "Samsung SSD 980 PRO 1TB"
    assert (caps.sanicap, caps.fna) == (3, 5)
    assert caps.sanitize_crypto
    assert caps.sanitize_block
    assert not caps.sanitize_overwrite
    assert caps.format_supported
    assert caps.format_crypto_erase
    assert caps.format_all_namespaces
    assert caps.supported == ("nvme-sanitize-crypto", "nvme-sanitize-block", "nvme-format-crypto",
                              "nvme-format-user-data")


def test_nvme_without_sanitize_still_formats() -> None:
    caps = parse_nvme_id_ctrl(data("nvme-id-ctrl-no-sanitize.json"))
    assert caps.sanitize_supported is False
    assert not caps.format_crypto_erase
    assert caps.supported == ("nvme-format-user-data",)


def test_nvme_id_ns_lba_format_and_controller_name() -> None:
    assert nvme_current_lbaf(data("nvme-id-ns.json")) == 1
    assert nvme_current_lbaf('{"flbas": 33}') == 17  # bits 6:5 extend the index past 16 formats
    assert nvme_current_lbaf("nope") is None
    assert nvme_controller("/dev/nvme3n1") == "/dev/nvme3"
    assert nvme_controller("/dev/sda") == "/dev/sda"


def test_sas_sanitize_actions_from_opcodes() -> None:
    caps = parse_scsi(data("sg_inq-sas.txt"), data("sg_opcodes-sas.txt"))
    assert caps.known
    assert caps.model == "SEAGATE ST600MM0006"
    assert caps.serial == "S0M1ABCD0000K409XYZ"
    assert caps.sanitize_overwrite
    assert caps.sanitize_crypto
    assert not caps.sanitize_block
    assert caps.supported == ("scsi-sanitize-overwrite", "scsi-sanitize-crypto")
    assert not caps.ata_behind_scsi


def test_scsi_without_opcode_report_is_unknown_sanitize() -> None:
    caps = parse_scsi(data("sg_inq-sas.txt"), "")
    assert caps.known
    assert caps.sanitize_supported is None
    assert caps.supported == ()
    assert "supported commands" in caps.detail
    assert parse_scsi(data("sg_inq-sata-behind-sas.txt"), "").ata_behind_scsi


@pytest.mark.parametrize(("name", "state", "visible", "native"), [
    ("hdparm-N-hpa.txt", "present", 976771055, 976773168),
    ("hdparm-N-no-hpa.txt", "absent", 1953525168, 1953525168),
    ("hdparm-N-ama.txt", "absent", 7814037168, 7814037168),
    ("hdparm-N-bridge.txt", "unknown", None, None),
    ("garbage.txt", "unknown", None, None),
])
def test_hpa_states(name: str, state: str, visible: int | None, native: int | None) -> None:
    got, seen, top, detail = parse_hpa(data(name))
    assert (got, seen, top) == (state, visible, native)
    assert detail


def test_dco_states() -> None:
    assert parse_dco(data("hdparm-dco-identify-same.txt"), 976773168)[:2] == ("absent", 976773168)
    state, real, detail = parse_dco(data("hdparm-dco-identify-hidden.txt"), 976773168)
    assert (state, real) == ("present", 1953525168)
    assert "hides 976752000 sectors" in detail
    assert parse_dco(data("hdparm-dco-identify-same.txt"), None)[0] == "unknown"
    assert parse_dco("Real max sectors: 1\n", 100)[0] == "unknown"
    assert parse_dco(data("garbage.txt"), 100)[0] == "unknown"


def test_ata_sanitize_status_reports() -> None:
    progress = c.parse_ata_sanitize_status(transcript(data("hdparm-sanitize-status-progress.txt")))
    assert progress.state == c.IN_PROGRESS
    assert progress.fraction == pytest.approx(0x41c2 / 0xFFFF)
    assert c.parse_ata_sanitize_status(transcript(data("hdparm-sanitize-status-done.txt"))).state == c.DONE
    assert c.parse_ata_sanitize_status(transcript(data("hdparm-sanitize-status-frozen.txt"))).state == c.FROZEN
    failed = c.parse_ata_sanitize_status(transcript("", data("hdparm-sanitize-failed.stderr"), 5))
    assert failed.state == c.FAILED
    assert "completed unsuccessfully" in failed.detail
    assert c.parse_ata_sanitize_status(transcript(data("garbage.txt"))).state == c.UNKNOWN


def test_nvme_sanitize_log_reports() -> None:
    progress = c.parse_nvme_sanitize_log(transcript(data("nvme-sanitize-log-progress.json")))
    assert progress.state == c.IN_PROGRESS
    assert progress.fraction == 0.25
    assert c.parse_nvme_sanitize_log(transcript(data("nvme-sanitize-log-done.json")), action=4).state == c.DONE
    # the log describes an older sanitize (crypto, action 4), not the block erase we sent
    assert c.parse_nvme_sanitize_log(transcript(data("nvme-sanitize-log-done.json")), action=2).state == c.IDLE
    old = c.parse_nvme_sanitize_log(transcript(data("nvme-sanitize-log-old-int.json")), action=2)
    assert old.state == c.FAILED  # 259 & 7 == 3
    assert c.parse_nvme_sanitize_log(transcript(data("garbage.txt"))).state == c.UNKNOWN


def test_sg_requests_progress() -> None:
    running = c.parse_sg_requests_progress(transcript(data("sg_requests-progress.txt")))
    assert running.state == c.IN_PROGRESS
    assert running.fraction == 0.375
    assert c.parse_sg_requests_progress(transcript("")).state == c.DONE
    assert c.parse_sg_requests_progress(transcript("", "device busy", 2)).state == c.UNKNOWN


EXPECTED_COMMANDS = {
    "ata-sanitize-crypto": [["hdparm", "--yes-i-know-what-i-am-doing", "--sanitize-crypto-scramble", "/dev/sdb"]],
    "ata-sanitize-block": [["hdparm", "--yes-i-know-what-i-am-doing", "--sanitize-block-erase", "/dev/sdb"]],
    "ata-sanitize-overwrite": [["hdparm", "--yes-i-know-what-i-am-doing", "--sanitize-overwrite-passes", "1",
                                "--sanitize-overwrite", "hex:00000000", "/dev/sdb"]],
    "ata-secure-erase-enhanced": [["hdparm", "--user-master", "u", "--security-set-pass", "PW", "/dev/sdb"],
                                  ["hdparm", "--user-master", "u", "--security-erase-enhanced", "PW", "/dev/sdb"]],
    "nvme-sanitize-block": [["nvme", "sanitize", "/dev/nvme0", "--sanact=2"]],
    "nvme-sanitize-overwrite": [["nvme", "sanitize", "/dev/nvme0", "--sanact=3", "--ovrpat=0", "--owpass=1"]],
    "nvme-sanitize-crypto": [["nvme", "sanitize", "/dev/nvme0", "--sanact=4"]],
    "nvme-format-user-data": [["nvme", "format", "/dev/nvme0n1", "--ses=1", "--lbaf=1", "--force"]],
    "nvme-format-crypto": [["nvme", "format", "/dev/nvme0n1", "--ses=2", "--lbaf=1", "--force"]],
    "scsi-sanitize-overwrite": [["sg_sanitize", "--quick", "--early", "--overwrite", "--zero", "/dev/sdb"]],
    "scsi-sanitize-block": [["sg_sanitize", "--quick", "--early", "--block", "/dev/sdb"]],
    "scsi-sanitize-crypto": [["sg_sanitize", "--quick", "--early", "--crypto", "/dev/sdb"]],
}


@pytest.mark.parametrize("method", sorted(c.METHODS))
def test_every_method_command_line(method: str) -> None:
    device = "/dev/nvme0n1" if method.startswith("nvme") else "/dev/sdb"
    got = c.start_commands(method, device, controller=nvme_controller(device), password="PW", lbaf=1)
    assert [list(argv) for argv in got] == EXPECTED_COMMANDS[method]
    status = c.status_command(method, device, controller=nvme_controller(device))
    if c.METHODS[method].synchronous:
        assert status is None
    else:
        assert status is not None
        assert status[0] in ("hdparm", "nvme", "sg_requests")


def test_command_table_refuses_what_it_cannot_build() -> None:
    with pytest.raises(ValueError, match="not a firmware erase method"):
        c.start_commands("overwrite-zeros", "/dev/sdb")
    with pytest.raises(ValueError, match="password"):
        c.start_commands("ata-secure-erase-enhanced", "/dev/sdb")
    with pytest.raises(ValueError, match="LBA format"):
        c.start_commands("nvme-format-crypto", "/dev/nvme0n1")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_simulated_drives_parse_like_real_ones(name: str) -> None:
    from drivers.sim.firmware import replay

    spec, faults, _ = SCENARIOS[name]
    scenario = build_scenario(name, "/dev/null")
    if spec.transport == "ata":
        caps = parse_hdparm_identify(replay(scenario, {}, ["hdparm", "-I", "/dev/sdb"])["stdout"])
        assert caps.known
        assert set(caps.supported) == spec.methods
        assert (caps.frozen, caps.locked) == (faults.frozen, faults.locked)
    elif spec.transport == "nvme":
        caps = parse_nvme_id_ctrl(replay(scenario, {}, ["nvme", "id-ctrl", "/dev/nvme0", "-o", "json"])["stdout"])
        assert set(caps.supported) == spec.methods
    elif spec.transport == "scsi":
        inq = replay(scenario, {}, ["sg_inq", "/dev/sdb"])["stdout"]
        ops = replay(scenario, {}, ["sg_opcodes", "/dev/sdb"])["stdout"]
        assert set(parse_scsi(inq, ops).supported) == spec.methods
    else:
        reply = replay(scenario, {}, ["hdparm", "-I", "/dev/sdb"])
        assert reply["exit"] != 0
        assert not parse_hdparm_identify(reply["stdout"]).known
