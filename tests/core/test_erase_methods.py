"""The method catalogue and the rule that picks a method for a drive."""

from __future__ import annotations

import pytest

from app.core import erase_methods as em


def caps(*supported: str, frozen: bool = False, locked: bool = False, known: bool = True) -> dict[str, object]:
    return {"known": known, "supported": list(supported), "frozen": frozen, "locked": locked,
            "hint": "power-cycle it" if frozen else ("unlock it" if locked else "")}


def test_every_method_has_its_category_technique_and_ieee_term() -> None:
    assert len(em.METHODS) == 15
    for m in em.METHODS.values():
        assert m.technique in ("Overwrite", "Block Erase", "Crypto Erase")
        assert m.ieee2883.split(":")[0] in ("Clear", "Purge", "Clear on flash, Purge on magnetic media")
        assert set(m.categories) <= set(em.MEDIA)
        assert set(m.categories.values()) <= {em.CLEAR, em.PURGE}
    assert all(em.method(n).category_for(em.VIRTUAL) == em.CLEAR for n in ("overwrite-zeros", "overwrite-random"))


def test_allow_list_keeps_an_ssd_overwrite_a_clear() -> None:
    assert em.method("overwrite-random").category_for(em.SSD) == em.CLEAR
    assert em.method("ata-secure-erase-enhanced").category_for(em.SSD) == em.CLEAR
    assert em.method("ata-secure-erase-enhanced").category_for(em.HDD) == em.PURGE
    assert em.method("ata-sanitize-block").category_for(em.HDD) is None  # block erase is for flash
    assert em.record("nvme-sanitize-crypto", em.SSD)["category"] == em.PURGE
    with pytest.raises(KeyError, match="unknown erase method"):
        em.method("degauss")


def test_sata_ssd_prefers_crypto_then_block_purge() -> None:
    choice = em.choose_method(em.SSD, "sata", caps("ata-sanitize-crypto", "ata-sanitize-block",
                                                   "ata-secure-erase-enhanced"))
    assert choice.recommended == "ata-sanitize-crypto"
    assert choice.category == em.PURGE
    assert choice.alternatives[:2] == ("ata-sanitize-block", "ata-secure-erase-enhanced")
    assert "overwrite-random" in choice.alternatives
    assert "over-provisioned" in choice.reason


def test_ssd_without_firmware_purge_gets_overwrite_clear_and_says_so() -> None:
    choice = em.choose_method(em.SSD, "sata", caps())
    assert choice.recommended == "overwrite-random"
    assert choice.category == em.CLEAR
    assert "only a Clear" in choice.reason


def test_nvme() -> None:
    full = em.choose_method(em.SSD, "nvme", caps("nvme-sanitize-crypto", "nvme-sanitize-block", "nvme-format-crypto",
                                                 "nvme-format-user-data"))
    assert full.recommended == "nvme-sanitize-crypto"
    assert full.alternatives[:3] == ("nvme-sanitize-block", "nvme-format-crypto", "nvme-format-user-data")
    no_sanitize = em.choose_method(em.SSD, "nvme", caps("nvme-format-user-data"))
    assert no_sanitize.recommended == "nvme-format-user-data"
    assert no_sanitize.category == em.PURGE
    # ATA methods never apply to an NVMe drive, whatever the mapping claims
    assert "ata-sanitize-crypto" not in em.choose_method(em.SSD, "nvme", caps("ata-sanitize-crypto")).allowed


def test_hdd_prefers_firmware_overwrite_else_host_overwrite() -> None:
    with_sanitize = em.choose_method(em.HDD, "sata", caps("ata-sanitize-overwrite", "ata-secure-erase-enhanced"))
    assert with_sanitize.recommended == "ata-sanitize-overwrite"
    assert with_sanitize.category == em.PURGE
    assert with_sanitize.alternatives[0] == "ata-secure-erase-enhanced"
    plain = em.choose_method(em.HDD, "sata", caps())
    assert plain.recommended == "overwrite-zeros"
    assert plain.category == em.CLEAR
    sas = em.choose_method(em.HDD, "sas", caps("scsi-sanitize-overwrite", "scsi-sanitize-crypto"))
    assert sas.recommended == "scsi-sanitize-overwrite"


def test_frozen_drive_blocks_ata_methods_with_the_hint() -> None:
    choice = em.choose_method(em.SSD, "sata", caps("ata-sanitize-crypto", "ata-sanitize-block", frozen=True))
    assert choice.recommended == "overwrite-random"
    assert ("ata-sanitize-crypto", "the drive is frozen") in choice.blocked
    assert choice.hint == "power-cycle it"
    assert "frozen" in choice.reason


def test_locked_drive_has_no_method() -> None:
    choice = em.choose_method(em.HDD, "sata", caps(locked=True))
    assert choice.recommended is None
    assert choice.allowed == ()
    assert choice.hint == "unlock it"


def test_usb_bridge_recommends_overwrite() -> None:
    unknown = em.choose_method(em.SSD, "usb", caps(known=False))
    assert unknown.recommended == "overwrite-random"
    assert "USB bridges" in unknown.reason
    passes = em.choose_method(em.SSD, "usb", caps("ata-sanitize-crypto"))
    assert passes.recommended == "overwrite-random"
    assert "ata-sanitize-crypto" in passes.alternatives
    stick = em.choose_method(em.USB_FLASH, "usb", caps())
    assert stick.allowed == ("overwrite-random", "overwrite-zeros", "overwrite-ones")


def test_loop_device_is_overwrite_only() -> None:
    choice = em.choose_method(em.VIRTUAL, "loop", caps("ata-sanitize-crypto"))
    assert choice.allowed == ("overwrite-zeros", "overwrite-random", "overwrite-ones")
    assert "virtual" in choice.reason


def test_unknown_capabilities_offer_overwrite_only() -> None:
    choice = em.choose_method(em.HDD, "sata", None)
    assert all(not em.METHODS[m].firmware for m in choice.allowed)
    assert "could not be read" in choice.reason


def test_media_for() -> None:
    assert em.media_for(True, "sata") == em.HDD
    assert em.media_for(False, "sata") == em.SSD
    assert em.media_for(None, "nvme") == em.SSD
    assert em.media_for(False, "usb", removable=True) == em.USB_FLASH
    assert em.media_for(None, "loop") == em.VIRTUAL
    assert em.media_for(None, "sata") == em.UNKNOWN_MEDIA
    with pytest.raises(ValueError, match="unknown media"):
        em.choose_method("tape", "sas", None)
