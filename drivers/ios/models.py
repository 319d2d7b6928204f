"""Names and result types of the iPhone driver.

The driver returns the Android driver's result types (identity, battery, blockers, checks, reset
report), so the bench handles both kinds of phone alike; :class:`IPhoneIdentity` adds what only an
iPhone has. Activation Lock takes the account-lock slot (``BlockerKind.FRP``) and a jailbreak the
``ROOT`` slot; each blocker's evidence says which lock it is in the phone's own terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.android.models import BlockerKind, PhoneIdentity

ACTIVATION_LOCK = BlockerKind.FRP  # Find My / Activation Lock: the phone is tied to someone's Apple Account
JAILBREAK = BlockerKind.ROOT

# ProductType → marketing name (Apple's own names, as printed on the box).
MARKETING_NAMES = {
    "iPhone10,1": "iPhone 8", "iPhone10,4": "iPhone 8", "iPhone10,2": "iPhone 8 Plus", "iPhone10,5": "iPhone 8 Plus",
    "iPhone10,3": "iPhone X", "iPhone10,6": "iPhone X", "iPhone11,2": "iPhone XS", "iPhone11,4": "iPhone XS Max",
    "iPhone11,6": "iPhone XS Max", "iPhone11,8": "iPhone XR", "iPhone12,1": "iPhone 11",
    "iPhone12,3": "iPhone 11 Pro", "iPhone12,5": "iPhone 11 Pro Max", "iPhone12,8": "iPhone SE (2nd generation)",
    "iPhone13,1": "iPhone 12 mini", "iPhone13,2": "iPhone 12", "iPhone13,3": "iPhone 12 Pro",
    "iPhone13,4": "iPhone 12 Pro Max", "iPhone14,4": "iPhone 13 mini", "iPhone14,5": "iPhone 13",
    "iPhone14,2": "iPhone 13 Pro", "iPhone14,3": "iPhone 13 Pro Max", "iPhone14,6": "iPhone SE (3rd generation)",
    "iPhone14,7": "iPhone 14", "iPhone14,8": "iPhone 14 Plus", "iPhone15,2": "iPhone 14 Pro",
    "iPhone15,3": "iPhone 14 Pro Max", "iPhone15,4": "iPhone 15", "iPhone15,5": "iPhone 15 Plus",
    "iPhone16,1": "iPhone 15 Pro", "iPhone16,2": "iPhone 15 Pro Max", "iPhone17,3": "iPhone 16",
    "iPhone17,4": "iPhone 16 Plus", "iPhone17,1": "iPhone 16 Pro", "iPhone17,2": "iPhone 16 Pro Max",
    "iPhone17,5": "iPhone 16e",
}

# Bundle identifiers of jailbreak package managers and of apps that only run on a jailbroken or
# sideload-exploited phone.
JAILBREAK_BUNDLES = ("com.saurik.Cydia", "org.coolstar.SileoStore", "xyz.willy.Zebra", "me.apptapp.installer",
                     "com.opa334.TrollStore", "com.opa334.Dopamine", "com.tigisoftware.Filza",
                     "com.electrateam.chimera", "science.xnu.undecimus", "com.coolstar.odyssey")


@dataclass(frozen=True)
class IPhoneIdentity(PhoneIdentity):
    """A :class:`PhoneIdentity` (``adb_serial`` holds the UDID, the name the phone's transport uses) plus
    the iPhone's own identifiers."""

    udid: str = ""
    product_type: str | None = None  # iPhone14,5
    hardware_model: str | None = None  # D17AP
    build_version: str | None = None  # 21F90
    activation_state: str | None = None  # Activated / Unactivated (at the setup screen after an erase)
    paired: bool = True  # False: read before the phone trusted the bench, so only public values are in it
