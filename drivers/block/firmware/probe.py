"""What a drive's firmware says it can do, read from the tools' own output.

ATA from ``hdparm -I`` (the "Security:" block and the SANITIZE lines of "Commands/features"),
NVMe from ``nvme id-ctrl -o json`` (SANICAP, FNA, OACS), SCSI/SAS from ``sg_inq`` (who answers:
an "ATA" vendor means a SATA drive behind a SAS HBA or bridge) and ``sg_opcodes`` (REPORT
SUPPORTED OPERATION CODES lists the SANITIZE service actions). Parsers take text and never raise:
output they cannot read gives ``known=False`` with the reason in ``detail``.

The supported methods are named as in the application's catalogue, so the rules that choose a
method can take ``Capabilities.to_mapping()`` without knowing any of this.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from drivers.block.firmware.runner import Runner, Transcript, run

PROBE_TIMEOUT_S = 30.0

FROZEN_HINT = ("The drive is security-frozen (the computer's firmware froze it at power-on), so it refuses "
               "erase commands until it is power-cycled: suspend and resume the bench (rtcwake -m mem -s 5), "
               "or unplug the drive and plug it back in while the bench is running, then probe it again.")
LOCKED_HINT = ("The drive is locked with a password set by its previous owner: unlock it with the known user or "
               "master password (hdparm --user-master u|m --security-unlock PASSWORD), or route it to destruction.")
EXPIRED_HINT = ("The drive has refused too many wrong passwords (security count expired): power-cycle it before "
                "trying to unlock it again.")
BRIDGE_HINT = ("The USB dock or bridge does not pass ATA commands through to the drive: connect the drive to a "
               "SATA/SAS port of the bench to use its firmware erase, or erase it by overwrite.")


@dataclass(frozen=True)
class Capabilities:
    """A drive's erase features. ``None`` means the output did not say (unknown), never "no".

    ``supported`` holds the catalogue names of the firmware methods the drive reports, whether or
    not it would accept them right now; ``blockers`` says why it would not (frozen, locked) and
    ``hint`` what the operator can do about it.
    """

    transport: str                       # "ata" | "nvme" | "scsi" | "none"
    known: bool
    detail: str = ""
    model: str = ""
    serial: str = ""
    firmware: str = ""
    rotational: bool | None = None
    # ATA security feature set
    security_supported: bool | None = None
    security_enabled: bool | None = None
    security_locked: bool | None = None
    security_frozen: bool | None = None
    security_count_expired: bool | None = None
    enhanced_erase_supported: bool | None = None
    erase_minutes: int | None = None             # SECURITY ERASE UNIT, as the drive estimates it
    enhanced_erase_minutes: int | None = None
    hpa_supported: bool | None = None
    dco_supported: bool | None = None
    # SANITIZE (ATA feature set / NVMe SANICAP / SCSI service actions)
    sanitize_supported: bool | None = None
    sanitize_crypto: bool | None = None
    sanitize_block: bool | None = None
    sanitize_overwrite: bool | None = None
    # NVMe Format NVM
    format_supported: bool | None = None
    format_crypto_erase: bool | None = None      # FNA bit 2: crypto erase as a secure erase setting
    format_all_namespaces: bool | None = None    # FNA bit 0/1: format / secure erase reach every namespace
    sanicap: int | None = None
    fna: int | None = None
    ata_behind_scsi: bool = False                # a SATA drive answering through SAT
    supported: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    hint: str = ""

    @property
    def frozen(self) -> bool:
        return bool(self.security_frozen)

    @property
    def locked(self) -> bool:
        return bool(self.security_locked)

    def to_mapping(self) -> dict[str, Any]:
        """The plain mapping app.core.erase_methods.choose_method reads."""
        return {"known": self.known, "transport": self.transport, "supported": list(self.supported),
                "frozen": self.frozen, "locked": self.locked, "blockers": list(self.blockers), "hint": self.hint,
                "detail": self.detail}

    def to_json(self) -> dict[str, Any]:
        return {name: (list(value) if isinstance(value, tuple) else value)
                for name, value in self.__dict__.items()}


def unknown(transport: str, detail: str, hint: str = "") -> Capabilities:
    return Capabilities(transport=transport, known=False, detail=detail, hint=hint)


def _with_verdict(caps: Capabilities) -> Capabilities:
    """Fills ``blockers`` and ``hint`` from the security state."""
    blockers: list[str] = []
    hints: list[str] = []
    if caps.security_locked:
        blockers.append("locked")
        hints.append(LOCKED_HINT)
    if caps.security_count_expired:
        blockers.append("password attempts exhausted")
        hints.append(EXPIRED_HINT)
    if caps.security_frozen:
        blockers.append("frozen")
        hints.append(FROZEN_HINT)
    return replace(caps, blockers=tuple(blockers), hint=" ".join(hints))


# ----------------------------------------------------------------------------------------- ATA

_SECURITY_FLAGS = {
    "supported": "security_supported",
    "enabled": "security_enabled",
    "locked": "security_locked",
    "frozen": "security_frozen",
    "expired: security count": "security_count_expired",
    "supported: enhanced erase": "enhanced_erase_supported",
}
_ERASE_TIME = re.compile(r"(?:more than )?(\d+)min for (ENHANCED )?SECURITY ERASE UNIT")
_FEATURE_LINE = re.compile(r"^\s*(\*?)\s*(\S.*?)\s*$")


def _field(text: str, label: str) -> str:
    match = re.search(rf"^\s*{label}:\s*(.*?)\s*$", text, re.MULTILINE)
    return match.group(1) if match else ""


def _features(text: str) -> set[str]:
    """The names listed under "Commands/features:" (enabled or merely supported)."""
    section = text.split("Commands/features:", 1)
    if len(section) < 2:
        return set()
    names: set[str] = set()
    for line in section[1].splitlines()[1:]:
        if line and not line[0].isspace():
            break  # the next top-level heading ("Security:", "Logical Unit WWN ...")
        match = _FEATURE_LINE.match(line)
        if match:
            names.add(match.group(2))
    return names


def _security(text: str) -> dict[str, Any]:
    section = text.split("Security:", 1)
    if len(section) < 2:
        return {}
    found: dict[str, Any] = {}
    for line in section[1].splitlines()[1:]:
        if line and not line[0].isspace():
            break
        words = line.strip()
        negated = words.startswith("not\t") or words.startswith("not ")
        flag = words[3:].strip() if negated else words
        if flag in _SECURITY_FLAGS:
            found[_SECURITY_FLAGS[flag]] = not negated
        for minutes, enhanced in _ERASE_TIME.findall(words):
            # "more than 508min" is the field's ceiling: keep the number, it is a lower bound.
            found["enhanced_erase_minutes" if enhanced else "erase_minutes"] = int(minutes)
    return found


def parse_hdparm_identify(text: str) -> Capabilities:
    """``hdparm -I DEVICE`` output to Capabilities (``known=False`` when it is not an identify page)."""
    if "Model Number:" not in text and "Commands/features:" not in text:
        reason = text.strip().splitlines()[-1] if text.strip() else "no output"
        return unknown("ata", f"hdparm -I gave no ATA identify data ({reason[:200]})")
    features = _features(text)
    security = _security(text)
    rotation = _field(text, "Nominal Media Rotation Rate")
    rotational = None if not rotation else (False if "Solid State" in rotation else rotation.isdigit() or None)
    sanitize = "SANITIZE feature set" in features
    caps = Capabilities(
        transport="ata", known=True, model=_field(text, "Model Number"), serial=_field(text, "Serial Number"),
        firmware=_field(text, "Firmware Revision"), rotational=rotational,
        hpa_supported="Host Protected Area feature set" in features,
        dco_supported="Device Configuration Overlay feature set" in features,
        sanitize_supported=sanitize,
        sanitize_crypto=sanitize and "CRYPTO_SCRAMBLE_EXT command" in features,
        sanitize_block=sanitize and "BLOCK_ERASE_EXT command" in features,
        sanitize_overwrite=sanitize and "OVERWRITE_EXT command" in features,
        **security,
    )
    if "security_supported" not in security:
        # No "Security:" block at all: hdparm prints it only when the feature set is there.
        caps = replace(caps, security_supported="Security Mode feature set" in features or None,
                       enhanced_erase_supported=False if "Security Mode feature set" not in features else None)
    methods = [name for name, present in (
        ("ata-sanitize-crypto", caps.sanitize_crypto), ("ata-sanitize-block", caps.sanitize_block),
        ("ata-sanitize-overwrite", caps.sanitize_overwrite),
        ("ata-secure-erase-enhanced", caps.security_supported and caps.enhanced_erase_supported)) if present]
    return _with_verdict(replace(caps, supported=tuple(methods)))


# ---------------------------------------------------------------------------------------- NVMe

def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _int_field(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):  # some nvme-cli versions print hex strings
        try:
            return int(value, 0)
        except ValueError:
            return None
    return None


def parse_nvme_id_ctrl(text: str) -> Capabilities:
    """``nvme id-ctrl CTRL -o json`` output to Capabilities."""
    data = _json_object(text)
    if data is None:
        return unknown("nvme", "nvme id-ctrl did not print a JSON object")
    sanicap, fna, oacs = _int_field(data, "sanicap"), _int_field(data, "fna"), _int_field(data, "oacs")
    if sanicap is None and fna is None and oacs is None:
        return unknown("nvme", "nvme id-ctrl JSON has none of sanicap, fna, oacs")
    def bit(value: int | None, n: int) -> bool | None:
        return None if value is None else bool(value >> n & 1)
    format_ok = bit(oacs, 1)
    crypto = bit(fna, 2)
    caps = Capabilities(
        transport="nvme", known=True, model=str(data.get("mn", "")).strip(), serial=str(data.get("sn", "")).strip(),
        firmware=str(data.get("fr", "")).strip(), rotational=False, sanicap=sanicap, fna=fna,
        sanitize_supported=None if sanicap is None else bool(sanicap & 0x7),
        sanitize_crypto=bit(sanicap, 0), sanitize_block=bit(sanicap, 1), sanitize_overwrite=bit(sanicap, 2),
        format_supported=format_ok, format_crypto_erase=bool(format_ok and crypto) if format_ok is not None else None,
        format_all_namespaces=None if fna is None else bool(fna & 0x3),
        security_supported=False,
    )
    methods = [name for name, present in (
        ("nvme-sanitize-crypto", caps.sanitize_crypto), ("nvme-sanitize-block", caps.sanitize_block),
        ("nvme-sanitize-overwrite", caps.sanitize_overwrite), ("nvme-format-crypto", caps.format_crypto_erase),
        ("nvme-format-user-data", caps.format_supported)) if present]
    return replace(caps, supported=tuple(methods))


def nvme_current_lbaf(text: str) -> int | None:
    """The LBA format in use, from ``nvme id-ns NS -o json`` (FLBAS bits 3:0, and 6:5 above 16 formats)."""
    data = _json_object(text)
    flbas = None if data is None else _int_field(data, "flbas")
    if flbas is None:
        return None
    return (flbas & 0xF) | ((flbas >> 5 & 0x3) << 4)


# ---------------------------------------------------------------------------------------- SCSI

_SANITIZE_ACTIONS = {"overwrite": "scsi-sanitize-overwrite", "block erase": "scsi-sanitize-block",
                     "cryptographic erase": "scsi-sanitize-crypto"}


def parse_scsi(inquiry: str, opcodes: str) -> Capabilities:
    """``sg_inq DEVICE`` and ``sg_opcodes DEVICE`` output to Capabilities.

    SANITIZE support is only exposed by REPORT SUPPORTED OPERATION CODES; a device that does not
    implement that command (many USB bridges, older drives) leaves it unknown.
    """
    vendor = _field(inquiry, "Vendor identification")
    product = _field(inquiry, "Product identification")
    if not vendor and not product:
        return unknown("scsi", "sg_inq gave no standard INQUIRY data")
    caps = Capabilities(transport="scsi", known=True, model=f"{vendor} {product}".strip(),
                        serial=_field(inquiry, "Unit serial number"),
                        firmware=_field(inquiry, "Product revision level"),
                        ata_behind_scsi=vendor.upper() == "ATA")
    if "Sanitize" not in opcodes and not re.search(r"^\s*[0-9a-fA-F]{2}\s", opcodes, re.MULTILINE):
        return replace(caps, detail="the device does not report its supported commands (sg_opcodes)")
    found = {action: bool(re.search(rf"^\s*48\s+[0-9a-fA-F]+\s+\d+\s+Sanitize, {action}\s*$", opcodes,
                                    re.MULTILINE | re.IGNORECASE)) for action in _SANITIZE_ACTIONS}
    return replace(caps, sanitize_supported=any(found.values()), sanitize_overwrite=found["overwrite"],
                   sanitize_block=found["block erase"], sanitize_crypto=found["cryptographic erase"],
                   supported=tuple(name for action, name in _SANITIZE_ACTIONS.items() if found[action]))


# --------------------------------------------------------------------------------------- probe

def nvme_controller(device: str) -> str:
    """/dev/nvme0n1 -> /dev/nvme0 (Sanitize and id-ctrl address the controller); others unchanged."""
    match = re.fullmatch(r"(/dev/nvme\d+)n\d+", device)
    return match.group(1) if match else device


@dataclass(frozen=True)
class ProbeResult:
    """The capabilities and the transcripts they were read from (evidence for the record)."""

    capabilities: Capabilities
    transcripts: tuple[Transcript, ...] = field(default=())


def probe(device: str, transport: str, *, runner: Runner = run, timeout_s: float = PROBE_TIMEOUT_S,
          controller: str | None = None) -> ProbeResult:
    """Asks the drive what it can do. ``transport`` is the sysfs one (sata, sas, scsi, usb, nvme,
    loop, ...). Raises ToolMissing when the tool is not installed; every answer of the drive,
    including none at all, becomes Capabilities."""
    if transport == "nvme":
        t = runner(["nvme", "id-ctrl", controller or nvme_controller(device), "-o", "json"], timeout_s=timeout_s)
        caps = parse_nvme_id_ctrl(t.stdout) if t.ok else unknown("nvme", _failure("nvme id-ctrl", t))
        return ProbeResult(caps, (t,))
    if transport in ("sata", "ata", "usb"):
        t = runner(["hdparm", "-I", device], timeout_s=timeout_s)
        caps = parse_hdparm_identify(t.stdout) if t.ok else unknown("ata", _failure("hdparm -I", t))
        if transport == "usb" and not caps.known:
            caps = replace(caps, detail=f"{caps.detail}; the USB bridge probably blocks ATA pass-through",
                           hint=BRIDGE_HINT)
        return ProbeResult(caps, (t,))
    if transport in ("sas", "scsi"):
        inq = runner(["sg_inq", device], timeout_s=timeout_s)
        if not inq.ok:
            return ProbeResult(unknown("scsi", _failure("sg_inq", inq)), (inq,))
        ops = runner(["sg_opcodes", device], timeout_s=timeout_s)
        caps = parse_scsi(inq.stdout, ops.stdout if ops.ok else "")
        transcripts: tuple[Transcript, ...] = (inq, ops)
        if caps.ata_behind_scsi:  # a SATA drive on a SAS HBA: its ATA features are the ones that count
            ata = probe(device, "sata", runner=runner, timeout_s=timeout_s)
            if ata.capabilities.known:
                return ProbeResult(replace(ata.capabilities, ata_behind_scsi=True), transcripts + ata.transcripts)
        return ProbeResult(caps, transcripts)
    return ProbeResult(Capabilities(transport="none", known=True,
                                    detail=f"a {transport or 'unknown'} device has no firmware erase commands"))


def _failure(what: str, t: Transcript) -> str:
    if t.timed_out:
        return f"{what} did not answer within {t.duration_s:.0f} s"
    said = (t.stderr.strip() or t.stdout.strip()).splitlines()
    return f"{what} failed (exit {t.exit_code}): {said[-1][:200] if said else 'no output'}"

