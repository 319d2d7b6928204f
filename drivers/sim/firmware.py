"""A simulated drive that answers hdparm / nvme / sg3_utils the way real drives do, with faults.

A scenario is plain JSON: the device the fake firmware "erases" and a list of rules, each matching
a command line and giving the replies to its 1st, 2nd, ... call (the last one repeats). A reply
can write to the device (zeros, or random bytes for a crypto erase), exit non-zero, or hang.
``replay`` is the one interpreter of that JSON: the stand-in executables of the tests call it
from a separate process (keeping the call counters in a state file), ``SimulatedRunner`` calls
it in-process for ``--simulate``.

Scenario names pick a drive and a fault: frozen, locked, command rejected, sanitize never
finishes, tool hangs, read-back mismatch (the drive says done but changed nothing).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drivers.block.firmware.runner import Transcript

CHUNK = 1 << 20
DEFAULT_SECTORS = 976773168


@dataclass(frozen=True)
class FirmwareFaults:
    frozen: bool = False
    locked: bool = False
    reject_command: bool = False
    never_finishes: bool = False
    hang: str = ""            # "start" (the erase command hangs) or "status" (the status command hangs)
    readback_mismatch: bool = False
    polls_to_finish: int = 3


@dataclass(frozen=True)
class DriveSpec:
    transport: str            # "ata" | "nvme" | "scsi" | "usb"
    model: str
    serial: str
    rotational: bool = False
    methods: frozenset[str] = field(default_factory=frozenset)  # firmware methods the drive supports


_SSD = DriveSpec("ata", "Samsung SSD 870 EVO 500GB", "S6PWNX0T512345A",
                 methods=frozenset({"ata-sanitize-crypto", "ata-sanitize-block", "ata-secure-erase-enhanced"}))
_HDD = DriveSpec("ata", "WDC WD10EZEX-08WN4A0", "WD-WCC6Y7HXKZ12", rotational=True,
                 methods=frozenset({"ata-sanitize-overwrite", "ata-secure-erase-enhanced"}))
_NVME = DriveSpec("nvme", "Samsung SSD 980 PRO 1TB", "S5GXNF0R123456W",
                  methods=frozenset({"nvme-sanitize-crypto", "nvme-sanitize-block", "nvme-format-crypto",
                                     "nvme-format-user-data"}))
_SAS = DriveSpec("scsi", "SEAGATE  ST600MM0006", "S0M1ABCD0000K409", rotational=True,
                 methods=frozenset({"scsi-sanitize-overwrite", "scsi-sanitize-crypto"}))
_USB = DriveSpec("usb", "JMicron bridge", "")

SCENARIOS: dict[str, tuple[DriveSpec, FirmwareFaults, str]] = {
    "sata-ssd": (_SSD, FirmwareFaults(), "a SATA SSD with SANITIZE crypto scramble and block erase"),
    "sata-ssd-frozen": (_SSD, FirmwareFaults(frozen=True), "the SATA SSD, frozen by the BIOS at boot"),
    "sata-ssd-locked": (_SSD, FirmwareFaults(locked=True), "the SATA SSD, locked by its previous owner"),
    "sata-ssd-rejects": (_SSD, FirmwareFaults(reject_command=True), "the SATA SSD refusing the erase command"),
    "sata-ssd-never-finishes": (_SSD, FirmwareFaults(never_finishes=True), "a sanitize that stays in progress"),
    "sata-ssd-hangs": (_SSD, FirmwareFaults(hang="start"), "hdparm hangs when the erase is sent"),
    "sata-ssd-status-hangs": (_SSD, FirmwareFaults(hang="status"), "hdparm hangs when asked for the status"),
    "sata-ssd-readback-mismatch": (_SSD, FirmwareFaults(readback_mismatch=True),
                                   "the drive reports done but the data is still there"),
    "sata-hdd": (_HDD, FirmwareFaults(), "a SATA hard disk with SANITIZE overwrite and enhanced security erase"),
    "nvme": (_NVME, FirmwareFaults(), "an NVMe SSD with Sanitize crypto/block erase and Format crypto erase"),
    "nvme-readback-mismatch": (_NVME, FirmwareFaults(readback_mismatch=True), "NVMe that says done, erased nothing"),
    "sas": (_SAS, FirmwareFaults(), "a SAS hard disk with SANITIZE overwrite and cryptographic erase"),
    "usb-bridge": (_USB, FirmwareFaults(), "a USB dock that blocks ATA pass-through"),
}


def _reply(stdout: str = "", stderr: str = "", exit_code: int = 0, *, effect: str = "",
           hang: bool = False) -> dict[str, Any]:
    return {"stdout": stdout, "stderr": stderr, "exit": exit_code, "effect": effect, "hang": hang}


def _bit(on: bool | None, name: str, star: bool = True) -> str:
    return f"\t   {'*' if star else ' '}\t{name}\n" if on else ""


def hdparm_identify(spec: DriveSpec, faults: FirmwareFaults, *, sectors: int = DEFAULT_SECTORS,
                    security_enabled: bool = False) -> str:
    """``hdparm -I`` as hdparm 9.65 prints it, for the fields the bench reads and their neighbours."""
    m = spec.methods
    sanitize = any(x.startswith("ata-sanitize-") for x in m)
    rotation = "7200" if spec.rotational else "Solid State Device"
    enabled = security_enabled or faults.locked

    def flag(on: bool, name: str) -> str:
        return f"\t\t{name}\n" if on else f"\tnot\t{name}\n"

    security = ("Security: \n\tMaster password revision code = 65534\n" + flag(True, "supported")
                + flag(enabled, "enabled") + flag(faults.locked, "locked") + flag(faults.frozen, "frozen")
                + flag(False, "expired: security count")
                + flag("ata-secure-erase-enhanced" in m, "supported: enhanced erase")
                + ("\tSecurity level high\n" if enabled else "")
                + ("\t120min for SECURITY ERASE UNIT. 120min for ENHANCED SECURITY ERASE UNIT.\n" if spec.rotational
                   else "\t2min for SECURITY ERASE UNIT. 2min for ENHANCED SECURITY ERASE UNIT.\n"))
    return (f"\n/dev/sdX:\n\nATA device, with non-removable media\n\tModel Number:       {spec.model:<40}\n"
            f"\tSerial Number:      {spec.serial:<20}\n\tFirmware Revision:  SVT02B6Q\n"
            "\tTransport:          Serial, ATA8-AST, SATA 1.0a, SATA II Extensions, SATA Rev 2.5, SATA Rev 2.6, "
            "SATA Rev 3.0\nStandards:\n\tUsed: unknown (minor revision code 0x005e) \n\tSupported: 11 8 7 6 5 \n"
            f"\tLikely used: 11\nConfiguration:\n\tLBA48  user addressable sectors:  {sectors}\n"
            "\tLogical  Sector size:                   512 bytes\n\tPhysical Sector size:                  512 bytes\n"
            f"\tNominal Media Rotation Rate: {rotation}\nCommands/features:\n\tEnabled\tSupported:\n"
            + _bit(True, "SMART feature set") + _bit(True, "Security Mode feature set", star=enabled)
            + _bit(True, "Host Protected Area feature set") + _bit(True, "48-bit Address feature set")
            + _bit(spec.rotational, "Device Configuration Overlay feature set")
            + _bit("ata-sanitize-overwrite" in m, "OVERWRITE_EXT command")
            + _bit("ata-sanitize-block" in m, "BLOCK_ERASE_EXT command")
            + _bit("ata-sanitize-crypto" in m, "CRYPTO_SCRAMBLE_EXT command")
            + _bit(sanitize, "SANITIZE feature set")
            + security + "Logical Unit WWN Device Identifier: 5002538e40a1b2c3\nChecksum: correct\n")


def nvme_id_ctrl(spec: DriveSpec) -> str:
    m = spec.methods
    sanicap = (("nvme-sanitize-crypto" in m) * 1) | (("nvme-sanitize-block" in m) * 2) | (
        ("nvme-sanitize-overwrite" in m) * 4)
    fna = 0x4 if "nvme-format-crypto" in m else 0
    oacs = 0x17 if "nvme-format-user-data" in m else 0x15
    return json.dumps({"vid": 5197, "ssvid": 5197, "sn": f"{spec.serial:<20}", "mn": f"{spec.model:<40}",
                       "fr": "5B2QGXA7", "oacs": oacs, "fna": fna, "sanicap": sanicap, "nn": 1}, indent=2)


def nvme_sanitize_log(status: int, sprog: int, action: int) -> str:
    names = {0: "Never Sanitized", 1: "Sanitize Operation Completed Successfully", 2: "Sanitize in Progress",
             3: "Sanitize Operation Failed"}
    return json.dumps({"nvme0": {"sprog": sprog, "sstat": {"global_erased": int(status == 1), "no_cmplted_passes":
                                 int(status == 1), "status": f"({status}) {names[status]}"}, "cdw10_info": action,
                                 "time_over_write": 4294967295, "time_block_erase": 120, "time_crypto_erase": 5}},
                      indent=2)


def _ata_rules(spec: DriveSpec, faults: FirmwareFaults) -> list[dict[str, Any]]:
    done = _reply("\n/dev/sdX:\nIssuing SANITIZE_STATUS command\nSanitize status:\n    State:    SD0 Sanitize Idle\n"
                  "    Last Sanitize Operation Completed Without Error\n")
    progress = [_reply("\n/dev/sdX:\nIssuing SANITIZE_STATUS command\nSanitize status:\n    State:    SD2 Sanitize "
                       f"operation In Process\n    Progress: 0x{p:x} ({100 * (p + 1) // 0xFFFF}%)\n")
                for p in (0x1000, 0x5fa5, 0xbb27)][:max(0, faults.polls_to_finish - 1)]
    status = progress + ([] if faults.never_finishes and progress else [done])
    if faults.hang == "status":
        status = [_reply(hang=True)]
    effect = "" if faults.readback_mismatch else "zero"
    if faults.frozen:
        start = _reply("\n/dev/sdX:\nIssuing SANITIZE_CRYPTO_SCRAMBLE command\n",
                       "SANITIZE failed: Input/output error\nSANITIZE device error reason: Device in FROZEN state\n",
                       5)
    elif faults.reject_command:
        start = _reply("\n/dev/sdX:\n", "SANITIZE failed: Input/output error\n"
                       "SANITIZE device error reason: Unsupported command\n", 5)
    else:
        start = _reply("\n/dev/sdX:\nIssuing SANITIZE command\nOperation started in background\n"
                       "You may use `--sanitize-status` to check progress\n", effect=effect,
                       hang=faults.hang == "start")
    crypto = dict(start, effect="" if faults.readback_mismatch else "random") if start["effect"] else start
    return [
        {"when": ["hdparm", "-I"], "replies": [_reply(hdparm_identify(spec, faults))]},
        {"when": ["hdparm", "-N"], "replies": [_reply(" max sectors   = 976773168/976773168, HPA is disabled\n")]},
        {"when": ["hdparm", "--dco-identify"], "replies": [_reply("DCO Revision: 0x0002\nThe following features can "
                                                                  "be selectively disabled via DCO:\n\tReal max "
                                                                  "sectors: 976773168\n")]},
        {"when": ["hdparm", "--sanitize-status"], "replies": status},
        {"when": ["hdparm", "--sanitize-crypto-scramble"], "replies": [crypto]},
        {"when": ["hdparm", "--sanitize-block-erase"], "replies": [start]},
        {"when": ["hdparm", "--sanitize-overwrite"], "replies": [start]},
        {"when": ["hdparm", "--security-set-pass"], "replies": [
            _reply(" Issuing SECURITY_SET_PASS command, password=\"...\", user=user, mode=high\n")
            if not (faults.frozen or faults.locked) else _reply("", "SECURITY_SET_PASS: Input/output error\n", 5)]},
        {"when": ["hdparm", "--security-erase-enhanced"], "replies": [
            _reply(" Issuing SECURITY_ERASE command, password=\"...\", user=user\n", effect=effect,
                   hang=faults.hang == "start")]},
    ]


def _nvme_rules(spec: DriveSpec, faults: FirmwareFaults) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {"when": ["nvme", "id-ctrl"], "replies": [_reply(nvme_id_ctrl(spec))]},
        {"when": ["nvme", "id-ns"], "replies": [_reply(json.dumps({"nsze": 1953525168, "ncap": 1953525168,
                                                                    "nuse": 1953525168, "nlbaf": 0, "flbas": 0}))]},
    ]
    effect = "" if faults.readback_mismatch else "zero"
    for action, effect_for in ((4, "random"), (2, effect), (3, effect)):
        polls = [_reply(nvme_sanitize_log(2, p, action))
                 for p in (4096, 24000, 48000)][:max(0, faults.polls_to_finish - 1)]
        final = polls[-1:] if faults.never_finishes and polls else [_reply(nvme_sanitize_log(1, 65535, action))]
        rules.append({"when": ["nvme", "sanitize", f"--sanact={action}"],
                      "replies": [_reply("", effect=effect_for if not faults.readback_mismatch else "",
                                         hang=faults.hang == "start")] if f"nvme-sanitize-{_ACTION[action]}" in
                      spec.methods else [_reply("", "NVMe status: Invalid Field in Command: A reserved coded value "
                                                "or an unsupported value in a defined field(0x2)\n", 2)],
                      "after": f"sanitize-{action}"})
        rules.append({"when": ["nvme", "sanitize-log"], "requires": f"sanitize-{action}", "replies": [*polls, *final]})
    rules.append({"when": ["nvme", "sanitize-log"], "replies": [_reply(nvme_sanitize_log(0, 65535, 0))]})
    for ses in (1, 2):
        supported = "nvme-format-crypto" in spec.methods if ses == 2 else "nvme-format-user-data" in spec.methods
        rules.append({"when": ["nvme", "format", f"--ses={ses}"], "replies": [
            _reply("Success formatting namespace:1\n", effect=effect, hang=faults.hang == "start") if supported
            else _reply("", "NVMe status: Invalid Format: The LBA Format specified is not supported(0x10a)\n", 10)]})
    return rules


_ACTION = {2: "block", 3: "overwrite", 4: "crypto"}


def _scsi_rules(spec: DriveSpec, faults: FirmwareFaults) -> list[dict[str, Any]]:
    vendor, product = spec.model.split(maxsplit=1)
    inquiry = ("standard INQUIRY:\n  PQual=0  PDT=0  RMB=0  LU_CONG=0  hot_pluggable=0  version=0x06  [SPC-4]\n"
               "    length=148 (0x94)   Peripheral device type: disk\n"
               f" Vendor identification: {vendor:<8}\n Product identification: {product:<16}\n"
               f" Product revision level: B001\n Unit serial number: {spec.serial}\n")
    names = {"scsi-sanitize-overwrite": ("1", "overwrite"), "scsi-sanitize-block": ("2", "block erase"),
             "scsi-sanitize-crypto": ("3", "cryptographic erase")}
    opcodes = (f"  {vendor:<8}  {product:<16}  B001\n  Peripheral device type: disk\n\nOpcode  Service    CDB    Name\n"
               "(hex)   action(h)  size\n-----------------------------------------------\n"
               " 00                  6    Test Unit Ready\n 03                  6    Request Sense\n"
               " 12                  6    Inquiry\n 28                 10    Read(10)\n"
               + "".join(f" 48        {sa}        10    Sanitize, {name}\n" for key, (sa, name) in names.items()
                         if key in spec.methods)
               + " 88                 16    Read(16)\n")
    effect = "" if faults.readback_mismatch else "zero"
    polls = [_reply(f"Progress indication: {p:.2f}% done\n")
             for p in (6.25, 37.5, 73.0)][:max(0, faults.polls_to_finish - 1)]
    final = polls[-1:] if faults.never_finishes and polls else [_reply("")]
    start = (_reply("", "Sanitize command: Illegal request, Invalid field in cdb\n", 5) if faults.reject_command else
             _reply(f"    {vendor}  {product}  B001\n", effect=effect, hang=faults.hang == "start"))
    crypto = dict(start, effect="random") if start["effect"] else start
    return [{"when": ["sg_inq"], "replies": [_reply(inquiry)]}, {"when": ["sg_opcodes"], "replies": [_reply(opcodes)]},
            {"when": ["sg_sanitize", "--crypto"], "replies": [crypto]},
            {"when": ["sg_sanitize"], "replies": [start]}, {"when": ["sg_requests"], "replies": [*polls, *final]}]


def build_scenario(name: str, device: str, *, serial: str = "") -> dict[str, Any]:
    """The replay JSON for scenario ``name`` acting on ``device`` (the file the fake firmware writes);
    ``serial``, when given, replaces the scenario drive's own serial number in every reply."""
    try:
        spec, faults, description = SCENARIOS[name]
    except KeyError:
        raise ValueError(f"no firmware scenario {name!r} (known: {', '.join(SCENARIOS)})") from None
    if serial:
        spec = replace(spec, serial=serial)
    if spec.transport == "ata":
        rules = _ata_rules(spec, faults)
    elif spec.transport == "nvme":
        rules = _nvme_rules(spec, faults)
    elif spec.transport == "scsi":
        rules = _scsi_rules(spec, faults)
    else:  # a bridge that does not translate ATA pass-through
        refused = ("SG_IO: bad/missing sense data, sb[]:  70 00 05 00 00 00 00 0a 00 00 00 00 20 00 00 00 00 00\n"
                   " HDIO_DRIVE_CMD(identify) failed: Invalid argument\n")
        rules = [{"when": ["hdparm"], "replies": [_reply("\n/dev/sdX:\n", refused, 22)]}]
    return {"name": name, "description": description, "device": device, "rules": rules}


def _matches(rule: dict[str, Any], argv: Sequence[str], marks: Sequence[str]) -> bool:
    tool, *tokens = rule["when"]
    if os.path.basename(argv[0]) != tool or not all(token in argv[1:] for token in tokens):
        return False
    return "requires" not in rule or rule["requires"] in marks


def replay(scenario: dict[str, Any], state: dict[str, Any], argv: Sequence[str]) -> dict[str, Any]:
    """The reply to ``argv``; updates ``state`` (call counts per rule, and marks such as "a
    sanitize with action 4 was sent", which later rules may require)."""
    counts: dict[str, int] = state.setdefault("counts", {})
    marks: list[str] = state.setdefault("marks", [])
    for index, rule in enumerate(scenario["rules"]):
        if _matches(rule, argv, marks):
            n = counts.get(str(index), 0)
            counts[str(index)] = n + 1
            reply: dict[str, Any] = rule["replies"][min(n, len(rule["replies"]) - 1)]
            if "after" in rule and reply["exit"] == 0:
                marks.insert(0, rule["after"])  # the newest sanitize is the one the log describes
                for other in scenario["rules"]:  # its log starts again from the first report
                    if other.get("requires") == rule["after"]:
                        counts.pop(str(scenario["rules"].index(other)), None)
            return reply
    return _reply("", f"{os.path.basename(argv[0])}: the simulated drive does not know {' '.join(argv[1:])!r}\n", 1)


def apply_effect(effect: str, device: str) -> None:
    """What the fake firmware does to the media: "zero" fills it with zeros, "random" with noise
    (what a crypto erase looks like when read through the new key)."""
    if not effect:
        return
    fd = os.open(device, os.O_WRONLY | os.O_CLOEXEC)
    try:
        size = os.lseek(fd, 0, os.SEEK_END)
        for offset in range(0, size, CHUNK):
            length = min(CHUNK, size - offset)
            os.pwrite(fd, bytes(length) if effect == "zero" else os.urandom(length), offset)
        os.fsync(fd)
    finally:
        os.close(fd)


class SimulatedRunner:
    """An in-process Runner answering from a scenario (for ``--simulate``): a hang is reported as
    a timeout at once instead of being waited out."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.scenario = scenario
        self.state: dict[str, Any] = {}

    def __call__(self, argv: Sequence[str], *, timeout_s: float) -> Transcript:
        started = time.monotonic()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        reply = replay(self.scenario, self.state, argv)
        if reply["hang"]:
            return Transcript(tuple(argv), None, "", "", timeout_s, True, stamp)
        apply_effect(reply["effect"], self.scenario["device"])
        return Transcript(tuple(argv), int(reply["exit"]), reply["stdout"], reply["stderr"],
                          time.monotonic() - started, False, stamp)


# ------------------------------------------------------------------------------- simulated drive bays

@dataclass(frozen=True)
class SimulatedDrive:
    """A drive sitting in ``bay`` of a simulated bench, answering as firmware scenario ``scenario``."""

    bay: int
    scenario: str
    size_bytes: int = 32 << 20


# How the kernel would name the transport of each simulated kind of drive.
_SYSFS_TRANSPORT = {"ata": "sata", "nvme": "nvme", "scsi": "sas", "usb": "usb"}
_CUSTOMER_DATA = b"previous owner's files: invoices, photos, mail archive; " * 73


class SimulatedDriveBay:
    """Simulated drives as image files in ``folder``, one per bay, each with the identity of its
    firmware scenario. The images hold a previous owner's data until something erases them; a
    firmware erase changes them through ``runner_for`` exactly as the stand-in tools do."""

    def __init__(self, folder: Path, drives: Sequence[SimulatedDrive]) -> None:
        self.folder = folder
        self.drives = {self.image(d): d for d in drives}
        for drive in drives:
            if drive.scenario not in SCENARIOS:
                raise ValueError(f"no firmware scenario {drive.scenario!r} (known: {', '.join(SCENARIOS)})")
        self._identities = self._distinct_identities(drives)

    @staticmethod
    def _distinct_identities(drives: Sequence[SimulatedDrive]) -> dict[int, DriveSpec]:
        """Each bay's drive identity. Two bays may run the same scenario (a good SSD and a frozen one
        of the same model), but real drives never share a serial number and the bench keys units by
        it, so the first drive keeps its scenario's serial and later ones get their bay worked in."""
        identities: dict[int, DriveSpec] = {}
        seen: set[str] = set()
        for drive in sorted(drives, key=lambda d: d.bay):
            spec = SCENARIOS[drive.scenario][0]
            if spec.serial and spec.serial in seen:
                spec = replace(spec, serial=f"{spec.serial[:-3]}B{drive.bay:02d}")
            seen.add(spec.serial)
            identities[drive.bay] = spec
        return identities

    def image(self, drive: SimulatedDrive) -> str:
        return str(self.folder / f"bay{drive.bay}-{drive.scenario}.img")

    @staticmethod
    def bay_key(drive: SimulatedDrive) -> str:
        return f"simulated/bay{drive.bay}"

    def create_images(self) -> None:
        """Write each drive's image with its previous owner's data, unless it is already there."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for path, drive in self.drives.items():
            if os.path.exists(path) and os.path.getsize(path) == drive.size_bytes:
                continue
            block = (_CUSTOMER_DATA * (CHUNK // len(_CUSTOMER_DATA) + 1))[:CHUNK]
            with open(path, "wb") as handle:
                for offset in range(0, drive.size_bytes, CHUNK):
                    handle.write(block[:min(CHUNK, drive.size_bytes - offset)])

    def specs(self) -> list[tuple[str, SimulatedDrive, DriveSpec]]:
        """(image path, drive, its identity) for every drive, by bay."""
        found = [(path, drive, self._identities[drive.bay]) for path, drive in self.drives.items()]
        return sorted(found, key=lambda item: item[1].bay)

    @staticmethod
    def transport(spec: DriveSpec) -> str:
        return _SYSFS_TRANSPORT[spec.transport]

    def runner_for(self, path: str) -> SimulatedRunner:
        """A fresh runner for one job on the drive at ``path`` (its calls counted from the start)."""
        drive = self.drives.get(path)
        if drive is None:
            raise ValueError(f"{path} is not a simulated drive")
        return SimulatedRunner(build_scenario(drive.scenario, path, serial=self._identities[drive.bay].serial))
