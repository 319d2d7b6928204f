"""Activation Lock, management, carrier lock and jailbreak signs, each with the evidence it was judged on."""

from __future__ import annotations

from collections.abc import Callable

from drivers.android.models import BlockerKind, BlockerStatus
from drivers.ios import ACTIVATION_LOCK, JAILBREAK, IPhone
from drivers.sim.ios import SimulatedIPhone

Plug = Callable[..., tuple[IPhone, SimulatedIPhone]]


def test_clean_iphone_has_no_holds(plug: Plug) -> None:
    report = plug("iphone13-paired")[0].blockers()
    assert report.holds == ()
    assert report.get(ACTIVATION_LOCK).status is BlockerStatus.ABSENT
    assert "IsAssociated=false" in report.get(ACTIVATION_LOCK).evidence
    mdm = report.get(BlockerKind.MDM)
    assert mdm.status is BlockerStatus.ABSENT
    assert "cloud configuration without enrolment" in mdm.evidence
    assert "not supervised" in mdm.evidence
    assert "0 removable profile(s)" in mdm.evidence
    assert report.get(BlockerKind.CARRIER_LOCK).status is BlockerStatus.UNKNOWN
    assert report.get(JAILBREAK).status is BlockerStatus.ABSENT
    assert "10 apps listed" in report.get(JAILBREAK).evidence


def test_activation_lock_is_reported_with_evidence(plug: Plug) -> None:
    phone, _ = plug("iphone12-activation-lock")
    assert phone.identity().model == "iPhone 12"
    report = phone.blockers()
    lock = report.get(ACTIVATION_LOCK)
    assert lock.status is BlockerStatus.PRESENT
    assert "Activation Lock is on (com.apple.fmip IsAssociated=true)" in lock.evidence
    assert "iCloud.com/find" in lock.evidence
    assert report.holds == (lock,)


def test_mdm_enrolment_is_reported_with_evidence(plug: Plug) -> None:
    report = plug("iphone14-mdm")[0].blockers()
    mdm = report.get(BlockerKind.MDM)
    assert mdm.status is BlockerStatus.PRESENT
    assert "assigned to Northwind Logistics by Automated Device Enrollment" in mdm.evidence
    assert "https://mdm.northwind-logistics.example/enroll" in mdm.evidence
    assert "supervised" in mdm.evidence
    assert "“Northwind Device Management” from Northwind Logistics" in mdm.evidence
    assert "NWL Warehouse Wi-Fi" not in mdm.evidence  # a removable profile is not what holds the unit
    assert [b.kind for b in report.holds] == [BlockerKind.MDM]


def test_carrier_lock_from_a_refused_sim(plug: Plug) -> None:
    lock = plug("iphone13-carrier-locked")[0].blockers().get(BlockerKind.CARRIER_LOCK)
    assert lock.status is BlockerStatus.PRESENT
    assert "kCTSIMSupportSIMStatusOperatorLocked" in lock.evidence


def test_jailbreak_signs(plug: Plug) -> None:
    jailbreak = plug("iphone8-jailbroken")[0].blockers().get(JAILBREAK)
    assert jailbreak.status is BlockerStatus.PRESENT
    assert jailbreak.evidence == "jailbreak apps installed: org.coolstar.SileoStore, com.tigisoftware.Filza"


def test_malformed_answers_are_unknown_never_absent(plug: Plug) -> None:
    report = plug("iphone-se3-malformed")[0].blockers()
    assert report.get(ACTIVATION_LOCK).status is BlockerStatus.UNKNOWN
    assert "'maybe'" in report.get(ACTIVATION_LOCK).evidence
    assert report.get(BlockerKind.MDM).status is BlockerStatus.UNKNOWN
    assert "not in the MCInstall format" in report.get(BlockerKind.MDM).evidence
    assert report.get(JAILBREAK).status is BlockerStatus.UNKNOWN
    assert all(b.status is not BlockerStatus.ABSENT for b in report.blockers)
