"""The sanitisation methods the bench can run, what each one achieves on which media, and the
rule that picks one for a drive (domain.md §1.2–1.3, §1.9, §2.2).

Pure data and functions: no I/O, no drivers. The drive's firmware capabilities come in as a plain
mapping (drivers.block.firmware.probe.Capabilities.to_mapping() gives one):
``{"known": bool, "supported": [method names], "frozen": bool, "locked": bool, "hint": str}``.

What a method achieves depends on the media: NIST SP 800-88 Rev. 1 Appendix A calls an ATA
Enhanced Security Erase a Purge on a hard disk but only a Clear on flash, and an overwrite never
reaches a flash drive's over-provisioned or retired blocks. The table below is the allow-list
that keeps an operator from calling an SSD overwrite a Purge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.i18n import QT_TRANSLATE_NOOP

CLEAR, PURGE = "Clear", "Purge"
HDD, SSD, USB_FLASH, VIRTUAL, UNKNOWN_MEDIA = "hdd", "ssd", "usb-flash", "virtual", "unknown"
MEDIA = (HDD, SSD, USB_FLASH, VIRTUAL, UNKNOWN_MEDIA)
FIRMWARE_TRANSPORTS = {"ata": ("sata", "ata", "usb"), "nvme": ("nvme",), "scsi": ("sas", "scsi")}


@dataclass(frozen=True)
class Method:
    """One method. ``categories`` maps each media it may be used on to the NIST Rev. 1 category
    it achieves there; media not listed are not allowed. ``interface`` is "" for methods that go
    through ordinary writes (any block device), else the command set it needs."""

    name: str
    label: str
    technique: str                 # Rev. 1 Appendix G "Method Used": Overwrite / Block Erase / Crypto Erase
    ieee2883: str                  # the IEEE 2883-2022 (and so Rev. 2) name of the technique
    interface: str                 # "" | "ata" | "nvme" | "scsi"
    categories: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def firmware(self) -> bool:
        return bool(self.interface)

    def category_for(self, media: str) -> str | None:
        return self.categories.get(media)


_OVERWRITE_MEDIA = {HDD: CLEAR, SSD: CLEAR, USB_FLASH: CLEAR, VIRTUAL: CLEAR, UNKNOWN_MEDIA: CLEAR}
_FLASH_PURGE = {SSD: PURGE, UNKNOWN_MEDIA: PURGE}
_ANY_PURGE = {HDD: PURGE, SSD: PURGE, UNKNOWN_MEDIA: PURGE}

METHODS: Mapping[str, Method] = {m.name: m for m in (
    Method("overwrite-zeros", QT_TRANSLATE_NOOP("EraseMethod", "Overwrite with zeros"), "Overwrite",
           "Clear: overwrite of all user-addressable LBAs",
           "", _OVERWRITE_MEDIA, "one verified pass of 0x00"),
    Method("overwrite-ones", QT_TRANSLATE_NOOP("EraseMethod", "Overwrite with ones"), "Overwrite",
           "Clear: overwrite of all user-addressable LBAs",
           "", _OVERWRITE_MEDIA, "one verified pass of 0xFF"),
    Method("overwrite-random", QT_TRANSLATE_NOOP("EraseMethod", "Overwrite with random data"), "Overwrite",
           "Clear: overwrite of all user-addressable LBAs", "", _OVERWRITE_MEDIA,
           "one verified pass of a seeded pseudo-random stream"),
    Method("ata-sanitize-crypto", QT_TRANSLATE_NOOP("EraseMethod", "ATA SANITIZE crypto scramble"), "Crypto Erase",
           "Purge: SANITIZE CRYPTO SCRAMBLE EXT (cryptographic erase)", "ata", _ANY_PURGE,
           "changes the internal encryption key; seconds"),
    Method("ata-sanitize-block", QT_TRANSLATE_NOOP("EraseMethod", "ATA SANITIZE block erase"), "Block Erase",
            "Purge: SANITIZE BLOCK ERASE EXT",
           "ata", _FLASH_PURGE, "erases every flash block, spare and retired ones included"),
    Method("ata-sanitize-overwrite", QT_TRANSLATE_NOOP("EraseMethod", "ATA SANITIZE overwrite"), "Overwrite",
            "Purge: SANITIZE OVERWRITE EXT",
           "ata", {HDD: PURGE, UNKNOWN_MEDIA: PURGE}, "the drive overwrites every sector itself, reallocated ones too"),
    Method("ata-secure-erase-enhanced", QT_TRANSLATE_NOOP("EraseMethod", "ATA Enhanced Security Erase"), "Overwrite",
           "Clear on flash, Purge on magnetic media: SECURITY ERASE UNIT (enhanced)", "ata",
           {HDD: PURGE, SSD: CLEAR, UNKNOWN_MEDIA: CLEAR}, "vendor-defined pattern; sets a temporary password"),
    Method("nvme-sanitize-crypto", QT_TRANSLATE_NOOP("EraseMethod", "NVMe Sanitize crypto erase"), "Crypto Erase",
           "Purge: NVMe Sanitize, Crypto Erase (SANACT 100b)", "nvme", _FLASH_PURGE,
           "whole NVM subsystem, caches included"),
    Method("nvme-sanitize-block", QT_TRANSLATE_NOOP("EraseMethod", "NVMe Sanitize block erase"), "Block Erase",
           "Purge: NVMe Sanitize, Block Erase (SANACT 010b)", "nvme", _FLASH_PURGE, "whole NVM subsystem"),
    Method("nvme-sanitize-overwrite", QT_TRANSLATE_NOOP("EraseMethod", "NVMe Sanitize overwrite"), "Overwrite",
           "Purge: NVMe Sanitize, Overwrite (SANACT 011b)", "nvme", _FLASH_PURGE,
           "wears flash; offered only where block and crypto erase are missing"),
    Method("nvme-format-crypto", QT_TRANSLATE_NOOP("EraseMethod", "NVMe Format, cryptographic erase"), "Crypto Erase",
           "Purge: Format NVM with Secure Erase Setting 010b (cryptographic erase)", "nvme", _FLASH_PURGE,
           "namespace-scoped unless the controller says otherwise (FNA)"),
    Method("nvme-format-user-data", QT_TRANSLATE_NOOP("EraseMethod", "NVMe Format, user data erase"), "Block Erase",
           "Purge: Format NVM with Secure Erase Setting 001b (user data erase)", "nvme", _FLASH_PURGE,
           "namespace-scoped unless the controller says otherwise (FNA)"),
    Method("scsi-sanitize-crypto", QT_TRANSLATE_NOOP("EraseMethod", "SCSI SANITIZE cryptographic erase"),
            "Crypto Erase",
           "Purge: SANITIZE service action CRYPTOGRAPHIC ERASE", "scsi", _ANY_PURGE, "cannot be aborted once started"),
    Method("scsi-sanitize-block", QT_TRANSLATE_NOOP("EraseMethod", "SCSI SANITIZE block erase"), "Block Erase",
           "Purge: SANITIZE service action BLOCK ERASE", "scsi", _FLASH_PURGE, "cannot be aborted once started"),
    Method("scsi-sanitize-overwrite", QT_TRANSLATE_NOOP("EraseMethod", "SCSI SANITIZE overwrite"), "Overwrite",
           "Purge: SANITIZE service action OVERWRITE", "scsi", {HDD: PURGE, UNKNOWN_MEDIA: PURGE},
           "cannot be aborted once started"),
)}

# Preference, best first, per media. Crypto erase first on flash: it reaches every block (spare,
# over-provisioned, retired) in seconds and wears nothing; block erase next; overwrite last,
# because on flash it cannot reach what the controller hides (domain.md fact 2).
_PREFERENCE: Mapping[str, tuple[str, ...]] = {
    SSD: ("nvme-sanitize-crypto", "ata-sanitize-crypto", "scsi-sanitize-crypto", "nvme-sanitize-block",
          "ata-sanitize-block", "scsi-sanitize-block", "nvme-format-crypto", "nvme-format-user-data",
          "nvme-sanitize-overwrite", "ata-secure-erase-enhanced", "overwrite-random", "overwrite-zeros",
          "overwrite-ones"),
    # A magnetic disk: the firmware overwrite also reaches reallocated sectors; the host overwrite is
    # the dependable Clear when the firmware will not help.
    HDD: ("ata-sanitize-overwrite", "scsi-sanitize-overwrite", "ata-sanitize-crypto", "scsi-sanitize-crypto",
          "ata-secure-erase-enhanced", "overwrite-zeros", "overwrite-random", "overwrite-ones"),
    USB_FLASH: ("overwrite-random", "overwrite-zeros", "overwrite-ones"),
    VIRTUAL: ("overwrite-zeros", "overwrite-random", "overwrite-ones"),
    UNKNOWN_MEDIA: ("nvme-sanitize-crypto", "ata-sanitize-crypto", "scsi-sanitize-crypto", "nvme-sanitize-block",
                    "ata-sanitize-block", "scsi-sanitize-block", "ata-sanitize-overwrite", "scsi-sanitize-overwrite",
                    "nvme-format-crypto", "overwrite-random", "overwrite-zeros", "overwrite-ones"),
}


@dataclass(frozen=True)
class MethodChoice:
    """The rules' answer. ``recommended`` is None when nothing can run (a locked drive refuses
    even ordinary writes); ``alternatives`` are the other allowed methods, best first;
    ``blocked`` names methods the drive has but cannot run now, with why."""

    recommended: str | None
    category: str | None
    alternatives: tuple[str, ...]
    reason: str
    hint: str = ""
    blocked: tuple[tuple[str, str], ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        return ((self.recommended,) if self.recommended else ()) + self.alternatives


def method(name: str) -> Method:
    try:
        return METHODS[name]
    except KeyError:
        raise KeyError(f"unknown erase method {name!r} (known: {', '.join(METHODS)})") from None


def media_for(rotational: bool | None, transport: str, *, removable: bool = False) -> str:
    """The media kind from what sysfs says about a disk."""
    if transport in ("loop", "virtio"):
        return VIRTUAL
    if transport == "nvme" or rotational is False:
        return USB_FLASH if removable and transport == "usb" else SSD
    if rotational:
        return HDD
    return UNKNOWN_MEDIA


def _interfaces(transport: str) -> set[str]:
    return {iface for iface, transports in FIRMWARE_TRANSPORTS.items() if transport in transports}


def record(name: str, media: str) -> dict[str, Any]:
    """The method's part of an erasure record / certificate for this media."""
    m = method(name)
    return {"name": m.name, "label": m.label, "category": m.category_for(media), "technique": m.technique,
            "ieee2883": m.ieee2883, "standard_basis": ["NIST SP 800-88 Rev. 1", "IEEE 2883-2022"],
            "firmware": m.firmware}


def choose_method(media: str, transport: str, capabilities: Mapping[str, Any] | None = None) -> MethodChoice:
    """The method the rules pick for a drive, the other allowed ones, and why in words.

    ``media`` is one of MEDIA; ``transport`` the sysfs transport (sata, sas, scsi, nvme, usb, loop,
    ...); ``capabilities`` the probe's mapping (missing or ``known`` false: firmware unknown).
    """
    if media not in MEDIA:
        raise ValueError(f"unknown media {media!r} (known: {', '.join(MEDIA)})")
    caps = capabilities or {}
    known = bool(caps.get("known"))
    supported: Iterable[str] = caps.get("supported") or ()
    reported = set(supported) if known else set()
    frozen, locked = bool(caps.get("frozen")), bool(caps.get("locked"))
    hint = str(caps.get("hint") or "")
    ifaces = _interfaces(transport)
    if locked:
        return MethodChoice(None, None, (), "The drive is security-locked: it refuses every read, write and erase "
                            "command until it is unlocked.", hint)

    allowed: list[str] = []
    blocked: list[tuple[str, str]] = []
    for name in _PREFERENCE[media]:
        m = METHODS[name]
        if m.category_for(media) is None:
            continue
        if not m.firmware:
            allowed.append(name)
        elif m.interface in ifaces and name in reported:
            if frozen and m.interface == "ata":
                blocked.append((name, "the drive is frozen"))
            else:
                allowed.append(name)
    if transport == "usb":
        # Bridges often drop or time out long pass-through commands, leaving a drive half-sanitized:
        # firmware methods stay available, but the overwrite is what the rules recommend.
        allowed.sort(key=lambda n: METHODS[n].firmware)
    recommended = allowed[0] if allowed else None
    category = METHODS[recommended].category_for(media) if recommended else None
    reason = _reason(media, transport, known, frozen, recommended, category)
    return MethodChoice(recommended, category, tuple(allowed[1:]), reason, hint if blocked or frozen else "",
                        tuple(blocked))


def _reason(media: str, transport: str, known: bool, frozen: bool, chosen: str | None, category: str | None) -> str:
    if chosen is None:
        return "No method is allowed for this media."
    m = METHODS[chosen]
    what = f"{m.label} ({category} under NIST SP 800-88 Rev. 1; IEEE 2883: {m.ieee2883})"
    if media == VIRTUAL:
        return f"{what}: a virtual disk has no firmware erase, so it is overwritten."
    if transport == "usb":
        return (f"{what}: USB bridges usually block or time out ATA/SCSI pass-through, so the drive is "
                "erased by overwrite through the bridge.")
    if media == USB_FLASH:
        return (f"{what}: removable flash has no standard Purge command; overwrite is a Clear "
                "(destroy the media when Purge is required).")
    if frozen and not m.firmware:
        return f"{what}: the drive is frozen, so its firmware erase commands are refused until it is power-cycled."
    if not known and not m.firmware:
        return f"{what}: the drive's firmware capabilities could not be read, so only overwrite is offered."
    if m.firmware and media == SSD:
        return (f"{what}: on flash a firmware sanitize reaches over-provisioned and retired blocks that an "
                "overwrite cannot.")
    if m.firmware:
        return f"{what}: the drive's own erase also reaches sectors the host cannot address (reallocated, spare)."
    if media == SSD:
        return (f"{what}: the drive reports no firmware Purge command; an overwrite of flash is only a Clear, "
                "as it cannot reach over-provisioned blocks.")
    return f"{what}: a verified overwrite of every addressable sector."
