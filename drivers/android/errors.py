"""What the Android driver raises. Every message names the phone and what was being done, in words a
technician can act on; the bench turns them into bay states (offline, unplugged, hung)."""

from __future__ import annotations


class AndroidDriverError(Exception):
    """Base of everything the Android driver raises."""


class AdbServerUnavailable(AndroidDriverError):
    """Nothing answers on the adb server socket, or the server died."""


class AdbProtocolError(AndroidDriverError):
    """The adb server answered something that is not the host protocol."""


class DeviceNotFound(AndroidDriverError):
    """The adb server does not know this phone (never attached, or removed after a drop)."""


class DeviceOffline(AndroidDriverError):
    """The phone is attached but not usable: offline, unauthorized (the "Allow USB debugging" prompt is
    waiting on its screen) or in recovery/bootloader."""

    def __init__(self, message: str, state: str) -> None:
        super().__init__(message)
        self.state = state


class DeviceGone(AndroidDriverError):
    """The phone went away during a command: its link dropped before the command's exit status came."""


class ShellTimeout(AndroidDriverError):
    """A shell command did not finish within its time limit (a hung service or a wedged phone)."""

    def __init__(self, message: str, command: str, timeout: float) -> None:
        super().__init__(message)
        self.command = command
        self.timeout = timeout


class ConnectFailed(AndroidDriverError):
    """``adb connect`` did not end with the phone attached."""
