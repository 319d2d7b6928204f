"""iPhones over usbmux: identity, battery, blockers, automatic checks, verified erase.

The driver speaks to phones only through a :class:`LockdownService` (``drivers.ios.service``):
:class:`~drivers.ios.usbmux_service.UsbmuxLockdown` for real phones (pymobiledevice3 through usbmuxd,
pair records in the bench's own folder), ``drivers.sim.ios.SimulatedLockdown`` for recorded ones::

    service = UsbmuxLockdown(records_dir=data_dir / "pair-records")
    for attached in service.devices(timeout=5):
        phone = IPhone(service, attached.udid, Timeouts(command=8.0))
        phone.pair(wait=120, on_state=show_hint)   # "Trust This Computer?": hint_for(state) says what to do
        phone.identity()          -> IPhoneIdentity (a PhoneIdentity: Apple, model, part number, serial,
                                                     Luhn-checked IMEIs, iOS version, capacity, colour)
        phone.battery()           -> BatteryReport  (level, capacity %, cycles, gauge failure flag)
        phone.blockers()          -> BlockerReport  (Activation Lock in the FRP slot, MDM, carrier lock,
                                                     jailbreak in the ROOT slot; present/absent/unknown + evidence)
        phone.automatic_checks()  -> tuple[CheckResult, ...]
        phone.factory_reset()     -> ResetReport    (EraseDevice, back at the setup screen, verified)

The result types are the Android driver's, and every error is also its Android counterpart
(:class:`DeviceGone`, :class:`ServiceTimeout` as ``ShellTimeout``, :class:`NotTrusted` as
``DeviceOffline`` with state ``unauthorized``, :class:`EraseRefused` as ``ResetRefused``), so the bench
handles an iPhone as it handles an Android phone.
"""

from drivers.ios.errors import (
    DENIED_HINT,
    TRUST_HINT,
    UNLOCK_HINT,
    DeviceGone,
    EraseRefused,
    IosDriverError,
    NotTrusted,
    ServiceFailure,
    ServiceTimeout,
)
from drivers.ios.models import ACTIVATION_LOCK, JAILBREAK, IPhoneIdentity
from drivers.ios.phone import IPhone, LinkState, Timeouts, attached_iphones, hint_for
from drivers.ios.service import AttachedIPhone, LockdownService, PairingState

__all__ = [
    "ACTIVATION_LOCK", "DENIED_HINT", "JAILBREAK", "TRUST_HINT", "UNLOCK_HINT", "AttachedIPhone", "DeviceGone",
    "EraseRefused", "IPhone", "IPhoneIdentity", "IosDriverError", "LinkState", "LockdownService", "NotTrusted",
    "PairingState", "ServiceFailure", "ServiceTimeout", "Timeouts", "attached_iphones", "hint_for",
]
