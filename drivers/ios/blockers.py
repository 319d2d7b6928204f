"""What stops an iPhone's resale: Activation Lock, device management, carrier lock, jailbreak signs.

Each is present, absent or unknown with the evidence it was judged on. Absent needs a readable answer
that shows nothing; an answer of the wrong shape, or a service that refused, is unknown, never absent.

* Activation Lock: lockdown ``com.apple.fmip`` ``IsAssociated`` (Find My has tied the phone to an
  Apple Account; it survives any erase).
* Management: the cloud configuration (an Automated Device Enrollment record re-enrols the phone after
  every erase until the organisation releases it), supervision (``com.apple.mobile.chaperone``
  ``DeviceIsChaperoned``) and installed configuration profiles the user may not remove.
* Carrier lock: lockdown does not tell reliably; a SIM the phone refuses shows as ``SIMStatus``
  ``kCTSIMSupportSIMStatusOperatorLocked``/``…NetworkLocked``, anything else stays unknown.
* Jailbreak: package managers and exploit-only apps among the installed bundles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drivers.android.models import Blocker, BlockerKind, BlockerReport, BlockerStatus
from drivers.ios.errors import ServiceFailure
from drivers.ios.identity import text_value
from drivers.ios.models import ACTIVATION_LOCK, JAILBREAK, JAILBREAK_BUNDLES

_SIM_LOCKED = ("kCTSIMSupportSIMStatusOperatorLocked", "kCTSIMSupportSIMStatusNetworkLocked")


@dataclass(frozen=True)
class BlockerSources:
    """What the phone answered to each question, or the failure that answered instead."""

    values: Mapping[str, Any]
    find_my: Mapping[str, Any] | ServiceFailure
    supervision: Mapping[str, Any] | ServiceFailure
    cloud_configuration: Mapping[str, Any] | ServiceFailure
    profiles: Mapping[str, Any] | ServiceFailure
    apps: tuple[str, ...] | ServiceFailure


def read_blockers(sources: BlockerSources) -> BlockerReport:
    return BlockerReport((_activation_lock(sources.find_my), _management(sources),
                          _carrier_lock(sources.values), _jailbreak(sources.apps)))


def _activation_lock(find_my: Mapping[str, Any] | ServiceFailure) -> Blocker:
    if isinstance(find_my, ServiceFailure):
        return Blocker(ACTIVATION_LOCK, BlockerStatus.UNKNOWN, f"Find My state not readable: {find_my}")
    associated = find_my.get("IsAssociated")
    if associated is True:
        return Blocker(ACTIVATION_LOCK, BlockerStatus.PRESENT,
                       "Activation Lock is on (com.apple.fmip IsAssociated=true): Find My ties the iPhone to an "
                       "Apple Account and any erase keeps it; the owner must remove it at iCloud.com/find")
    if associated is False:
        return Blocker(ACTIVATION_LOCK, BlockerStatus.ABSENT, "Find My is off (com.apple.fmip IsAssociated=false)")
    return Blocker(ACTIVATION_LOCK, BlockerStatus.UNKNOWN,
                   f"com.apple.fmip IsAssociated is {associated!r}, not true or false")


def _management(sources: BlockerSources) -> Blocker:
    present: list[str] = []
    seen: list[str] = []
    unread: list[str] = []
    cloud = sources.cloud_configuration
    if isinstance(cloud, ServiceFailure):
        unread.append(f"cloud configuration: {cloud}")
    else:
        config = cloud.get("CloudConfiguration")
        if config is None or (isinstance(config, Mapping) and not config):
            seen.append("no Automated Device Enrollment record")
        elif isinstance(config, Mapping):
            org = config.get("OrganizationName") or config.get("OrganizationDepartment") or "an organisation"
            url = config.get("ConfigurationURL")
            if url or config.get("IsMDMUnremovable") or config.get("IsMandatory"):
                present.append(f"assigned to {org} by Automated Device Enrollment ({url or 'no URL shown'}"
                               f"{', MDM not removable' if config.get('IsMDMUnremovable') else ''}): it re-enrols "
                               "after every erase until the organisation releases it in Apple Business/School Manager")
            else:
                seen.append(f"cloud configuration without enrolment ({', '.join(sorted(config))})")
        else:
            unread.append(f"cloud configuration is {type(config).__name__}, not a dictionary")
    supervision = sources.supervision
    if isinstance(supervision, ServiceFailure):
        unread.append(f"supervision: {supervision}")
    elif supervision.get("DeviceIsChaperoned") is True:
        present.append("supervised (com.apple.mobile.chaperone DeviceIsChaperoned=true)")
    elif supervision.get("DeviceIsChaperoned") in (False, None):
        seen.append("not supervised")
    _profiles(sources.profiles, present, seen, unread)
    if present:
        return Blocker(BlockerKind.MDM, BlockerStatus.PRESENT, "managed: " + "; ".join(present))
    if unread:
        return Blocker(BlockerKind.MDM, BlockerStatus.UNKNOWN, "; ".join(unread))
    return Blocker(BlockerKind.MDM, BlockerStatus.ABSENT, "; ".join(seen))


def _profiles(answer: Mapping[str, Any] | ServiceFailure, present: list[str], seen: list[str],
              unread: list[str]) -> None:
    if isinstance(answer, ServiceFailure):
        unread.append(f"configuration profiles: {answer}")
        return
    metadata = answer.get("ProfileMetadata", {})
    ordered = answer.get("OrderedIdentifiers", [])
    if not isinstance(metadata, Mapping) or not isinstance(ordered, list):
        unread.append("the profile list is not in the MCInstall format")
        return
    locked, removable = [], []
    for identifier in ordered:
        meta = metadata.get(identifier, {})
        name = meta.get("PayloadDisplayName", identifier) if isinstance(meta, Mapping) else identifier
        org = meta.get("PayloadOrganization") if isinstance(meta, Mapping) else None
        described = f"“{name}”" + (f" from {org}" if org else "")
        if isinstance(meta, Mapping) and meta.get("PayloadRemovalDisallowed") is True:
            locked.append(described)
        else:
            removable.append(described)
    if locked:
        present.append("profile the user may not remove: " + ", ".join(locked))
    seen.append(f"{len(removable)} removable profile(s){': ' + ', '.join(removable) if removable else ''}")


def _carrier_lock(values: Mapping[str, Any]) -> Blocker:
    sim = text_value(values, "SIMStatus")
    if sim in _SIM_LOCKED:
        return Blocker(BlockerKind.CARRIER_LOCK, BlockerStatus.PRESENT,
                       f"SIMStatus {sim}: the inserted SIM is refused by a carrier lock")
    if sim == "kCTSIMSupportSIMStatusReady":
        return Blocker(BlockerKind.CARRIER_LOCK, BlockerStatus.UNKNOWN,
                       "the inserted SIM is accepted; only a foreign-carrier SIM shows a lock")
    return Blocker(BlockerKind.CARRIER_LOCK, BlockerStatus.UNKNOWN,
                   f"SIMStatus {sim or 'not reported'}: insert a foreign-carrier SIM to test for a lock")


def _jailbreak(apps: tuple[str, ...] | ServiceFailure) -> Blocker:
    if isinstance(apps, ServiceFailure):
        return Blocker(JAILBREAK, BlockerStatus.UNKNOWN, f"installed apps not listed: {apps}")
    if not apps:
        return Blocker(JAILBREAK, BlockerStatus.UNKNOWN, "the installation proxy listed no apps at all")
    found = [bundle for bundle in JAILBREAK_BUNDLES if bundle in apps]
    if found:
        return Blocker(JAILBREAK, BlockerStatus.PRESENT, "jailbreak apps installed: " + ", ".join(found))
    return Blocker(JAILBREAK, BlockerStatus.ABSENT, f"{len(apps)} apps listed, none from a jailbreak")
