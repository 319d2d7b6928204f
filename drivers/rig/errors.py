"""Failures talking to a rig. Each says what went wrong and what the technician should check.

``RigError`` means the conversation failed (cable, baud rate, a silent or garbled device): the
step that hit it can never pass. A device that answers clearly but refuses a command raises
``RigCommandError`` (a subclass) with the device's own error text.
"""

from __future__ import annotations


class RigError(Exception):
    """The rig could not be talked to properly. ``check`` tells the operator where to look."""

    def __init__(self, message: str, check: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.check = check

    def __str__(self) -> str:
        return f"{self.message} — check {self.check}" if self.check else self.message


class RigTimeout(RigError):
    """No complete answer within the allowed time (a silent device, or a partial line)."""


class RigGarbled(RigError):
    """Bytes that cannot be a line of this protocol: noise, or the wrong baud rate."""


class RigNoise(RigGarbled):
    """Bytes no text protocol sends arrived on the wire: the wrong baud rate, or electrical noise."""


class RigDisconnected(RigError):
    """The port went away (cable pulled, adapter reset) or could not be opened."""


class RigCommandError(RigError):
    """The device understood the request and refused it (SCPI error queue, AT ERROR / +CME ERROR).

    ``code`` is the device's numeric error code when it gave one.
    """

    def __init__(self, message: str, check: str = "", code: int | None = None) -> None:
        super().__init__(message, check)
        self.code = code
