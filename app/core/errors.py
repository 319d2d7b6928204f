"""Errors the operator can fix carry a hint; anything else is a bug."""

from __future__ import annotations

from collections.abc import Mapping


class OperatorError(Exception):
    """A condition the person at the bench can fix: bad input, a missing device, a full disk.

    ``message`` says what went wrong in one line; ``hint`` says what to do about it.
    The CLI prints them as they are (English). When ``values`` are given, ``message`` and ``hint``
    are templates with ``{name}`` placeholders marked with QT_TRANSLATE_NOOP (app/core/i18n.py), so
    the UI can translate the template and fill the values in after; ``template`` and
    ``hint_template`` keep them.
    """

    def __init__(self, message: str, hint: str = "", values: Mapping[str, object] | None = None) -> None:
        self.template, self.hint_template = message, hint
        self.values: Mapping[str, object] = dict(values or {})
        if values:
            message, hint = message.format(**values), hint.format(**values)
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
