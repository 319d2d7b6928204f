"""Errors the operator can fix carry a hint; anything else is a bug."""

from __future__ import annotations


class OperatorError(Exception):
    """A condition the person at the bench can fix: bad input, a missing device, a full disk.

    ``message`` says what went wrong in one line; ``hint`` says what to do about it.
    Both are shown verbatim to the operator and printed by the CLI.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InvalidScan(OperatorError):
    """A barcode or typed identifier that cannot be accepted as it is."""


class IllegalTransition(OperatorError):
    """A unit was asked to move to a lifecycle state its current state does not allow."""


class NotFound(OperatorError):
    """An identifier, lot or operator that the bench does not know."""


class PermissionDenied(OperatorError):
    """The logged-in operator's role does not allow the action."""
