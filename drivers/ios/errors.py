"""What the iPhone driver raises.

The Android driver's error classes are the phone errors the bench already handles (a bay that says
"unplugged", "hung", "waiting on the phone's screen"), so each iPhone error also *is* its Android
counterpart: ``except DeviceGone`` written for Android phones catches a pulled iPhone too, and
``except AndroidDriverError`` covers every phone driver. Messages name the iPhone and what was being
done, in words a technician can act on.
"""

from __future__ import annotations

from drivers.android.errors import AndroidDriverError, DeviceOffline, ShellTimeout
from drivers.android.errors import DeviceGone as AndroidDeviceGone
from drivers.android.reset import ResetRefused

TRUST_HINT = ("Unlock the iPhone and tap “Trust” on “Trust This Computer?”, then enter its passcode; "
              "if no question shows, unplug and replug it")
UNLOCK_HINT = "Unlock the iPhone (enter its passcode) so it can ask “Trust This Computer?”"
DENIED_HINT = ("The iPhone answered “Don’t Trust”: unplug it, replug it and tap “Trust” this time "
               "(or reset Location & Privacy in Settings if the question no longer shows)")


class IosDriverError(AndroidDriverError):
    """Base of everything the iPhone driver raises."""


class DeviceGone(IosDriverError, AndroidDeviceGone):
    """The iPhone is no longer attached: it was unplugged, or it dropped off during a request."""


class ServiceTimeout(IosDriverError, ShellTimeout):
    """A lockdown service did not answer within its time limit (a hung service or a wedged phone)."""

    def __init__(self, message: str, service: str, timeout: float) -> None:
        ShellTimeout.__init__(self, message, service, timeout)
        self.service = service


class NotTrusted(IosDriverError, DeviceOffline):
    """The iPhone has not trusted this bench: the request needs a pairing it does not have.

    ``state`` says why (the same word the Android driver uses for a phone waiting on its screen is
    ``unauthorized``): ``unauthorized`` (the Trust question is waiting for a tap), ``passcode_locked``
    (the phone must be unlocked before it can ask), ``denied`` (someone tapped Don't Trust).
    ``hint`` is what the technician should do.
    """

    def __init__(self, message: str, state: str, hint: str) -> None:
        DeviceOffline.__init__(self, message, state)
        self.hint = hint


class ServiceFailure(IosDriverError):
    """A lockdown service answered with an error, or with something that is not its protocol."""


class EraseRefused(IosDriverError, ResetRefused):
    """The iPhone must not or cannot be erased from the bench; the message says why and what to do."""
