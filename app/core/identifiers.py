"""Classify one scanned or typed identifier: IMEI, MEID, serial, GS1 element string or a facility code.

A USB barcode scanner is a keyboard: whatever it sends arrives as a string, sometimes with an AIM
symbology identifier in front (``]C1``), a GS character (``\\x1d``) standing in for FNC1, and a
trailing CR/LF. :func:`classify` turns that string into a :class:`Scan` or raises
:class:`~app.core.errors.InvalidScan` with a one-line message and a hint for the technician.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.errors import InvalidScan
from app.core.i18n import QT_TRANSLATE_NOOP

GS = "\x1d"

# Only these are trimmed from the ends. str.strip() with no argument would also eat the GS
# character (Python counts \x1d as whitespace), and a trailing GS can be meaningful to GS1 parsing.
_EDGE_WHITESPACE = " \t\r\n"

# ]C1 GS1-128, ]d2 GS1 DataMatrix, ]Q3 GS1 QR, ]e0 GS1 DataBar, ]J1 GS1 DotCode.
GS1_SYMBOLOGIES = frozenset({"]C1", "]d2", "]Q3", "]e0", "]J1"})

_AIM_PREFIX = re.compile(r"\][A-Za-z][0-9]")
_BRACKETED_START = re.compile(r"\((\d{2,4})\)")
_CODE_BODY = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SERIAL_CHARS = re.compile(r"[A-Za-z0-9_./-]+")
_HEX14 = re.compile(r"[0-9A-Fa-f]{14}")
# GS1 "character set 82": what may appear inside an alphanumeric AI value.
_GS1_TEXT = re.compile(r"""[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*""")

_GTIN_LENGTHS = frozenset({8, 12, 13, 14})
_MAX_SHOWN = 40

# Hints are marked for translation; the screens show them in their language (app/ui/i18n.py).
_HINT_EMPTY = QT_TRANSLATE_NOOP("OperatorError", "Scan the barcode again; if this keeps happening, check the scanner "
        "is set to send data")
_HINT_UNKNOWN = QT_TRANSLATE_NOOP(
    "OperatorError",
    "This does not look like an IMEI, serial, asset tag, lot or badge — "
    "check the barcode or the scanner's settings"
)
_HINT_IMEI = QT_TRANSLATE_NOOP("OperatorError", "Rescan the label or type the IMEI from *#06# — one digit is probably "
        "misread")
_HINT_GS1_DIGIT = QT_TRANSLATE_NOOP("OperatorError", "Rescan the barcode; one digit is probably misread. If it keeps "
        "failing, the label is bad")
_HINT_GS1 = QT_TRANSLATE_NOOP("OperatorError", "Rescan the barcode; if it keeps failing, check the scanner sends the "
        "GS separator (FNC1)")
_HINT_GS1_AI = QT_TRANSLATE_NOOP("OperatorError", "Scan another barcode on the label (GTIN, serial or lot) or type "
        "the identifier by hand")
_HINT_BRACKETED = QT_TRANSLATE_NOOP("OperatorError", "Type it as (01)09501101530003(21)SERIAL — each AI in brackets, "
        "then its value")
_HINT_CODE = QT_TRANSLATE_NOOP("OperatorError", "After the prefix only letters, digits, '-' and '_' are allowed (up "
        "to 32) — rescan or retype it")


class IdentifierKind(enum.StrEnum):
    """What a scan turned out to be."""

    IMEI = "imei"
    MEID = "meid"
    SERIAL = "serial"
    ASSET_TAG = "asset_tag"
    GS1 = "gs1"
    LOT = "lot"
    PO = "po"
    OPERATOR_BADGE = "operator_badge"


@dataclass(frozen=True)
class GS1Element:
    """One application identifier (AI) and its value from a GS1 element string."""

    ai: str
    value: str
    title: str


@dataclass(frozen=True)
class ScanRules:
    """Facility-specific prefixes and serial-number limits used by :func:`classify`."""

    badge_prefix: str = "OP-"
    lot_prefix: str = "LOT-"
    po_prefix: str = "PO-"
    asset_prefix: str = "AT-"
    serial_min: int = 5
    serial_max: int = 24


DEFAULT_RULES = ScanRules()


@dataclass(frozen=True)
class Scan:
    """A classified scan.

    ``raw`` is exactly what arrived; ``value`` is the normalised identifier to store and compare.
    For GS1 scans ``value`` is the bracketed human-readable form and ``gs1`` holds the elements.
    """

    raw: str
    kind: IdentifierKind
    value: str
    gs1: tuple[GS1Element, ...] = ()
    symbology: str | None = None

    def gs1_value(self, ai: str) -> str | None:
        """Return the value of the first element with application identifier ``ai``, or None."""
        return next((element.value for element in self.gs1 if element.ai == ai), None)


# --- check digits -------------------------------------------------------------------------------


def _require_digits(digits: str) -> None:
    # A programming error, not an operator one: callers validate input before asking for a digit.
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"expected a non-empty string of digits 0-9, got {digits!r}")


def luhn_check_digit(digits: str) -> int:
    """Return the Luhn check digit for ``digits`` (the payload without its check digit).

    For an IMEI pass the first 14 digits; the result is the 15th. Raises ValueError on non-digits.
    """
    _require_digits(digits)
    total = 0
    # The digit next to the check digit is doubled, then every second one going left.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def gtin_check_digit(digits_without_check: str) -> int:
    """Return the GS1 mod-10 check digit (GTIN-8/12/13/14, SSCC, GLN...) for the given payload.

    Raises ValueError on non-digits.
    """
    _require_digits(digits_without_check)
    # Weights alternate 3,1,3... starting from the digit next to the check digit.
    total = sum(
        int(char) * (3 if position % 2 == 0 else 1)
        for position, char in enumerate(reversed(digits_without_check))
    )
    return (10 - total % 10) % 10


def is_valid_imei(value: str) -> bool:
    """True when ``value`` is exactly 15 ASCII digits whose last digit is the correct Luhn check digit."""
    if len(value) != 15 or not (value.isascii() and value.isdigit()):
        return False
    return luhn_check_digit(value[:14]) == int(value[14])


# --- GS1 ------------------------------------------------------------------------------------------


class _Content(enum.Enum):
    CHECKED = "checked"  # digits ending in a GS1 mod-10 check digit (GTIN, SSCC)
    DATE = "date"  # YYMMDD, day 01-31
    DATE_ZERO_DAY = "date_zero_day"  # YYMMDD, day 00 means "end of month"
    TEXT = "text"  # GS1 character set 82


@dataclass(frozen=True)
class _AISpec:
    title: str
    fixed: int | None  # fixed length, or None for a variable-length field
    max_length: int
    content: _Content


_AIS: dict[str, _AISpec] = {
    "00": _AISpec("SSCC", 18, 18, _Content.CHECKED),
    "01": _AISpec("GTIN", 14, 14, _Content.CHECKED),
    "02": _AISpec("Contained GTIN", 14, 14, _Content.CHECKED),
    "10": _AISpec("Batch/lot", None, 20, _Content.TEXT),
    "11": _AISpec("Production date", 6, 6, _Content.DATE),
    "13": _AISpec("Packaging date", 6, 6, _Content.DATE),
    "15": _AISpec("Best before date", 6, 6, _Content.DATE_ZERO_DAY),
    "17": _AISpec("Expiry date", 6, 6, _Content.DATE_ZERO_DAY),
    "21": _AISpec("Serial", None, 20, _Content.TEXT),
    "240": _AISpec("Additional product ID", None, 30, _Content.TEXT),
    "241": _AISpec("Customer part number", None, 30, _Content.TEXT),
    "400": _AISpec("Customer PO", None, 30, _Content.TEXT),
    "8004": _AISpec("GIAI", None, 30, _Content.TEXT),
}

# The GS1 specifications fix an AI's length by its first two digits; used only to name an AI we do
# not support, so the operator sees "AI 8005" rather than "AI 80".
_AI_LENGTH_BY_PREFIX = {
    **dict.fromkeys(("23", "24", "25", "40", "41", "42", "43", "71"), 3),
    **dict.fromkeys(("31", "32", "33", "34", "35", "36", "39", "70", "80", "81", "82"), 4),
}

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _shown(text: str) -> str:
    """Make ``text`` safe to put in a one-line message: visible control characters, bounded length."""
    visible = "".join(
        char if char.isprintable() else "<GS>" if char == GS else f"<{ord(char):02X}>" for char in text
    )
    return visible if len(visible) <= _MAX_SHOWN else visible[: _MAX_SHOWN - 1] + "…"


def _check_value(ai: str, spec: _AISpec, value: str) -> None:
    """Raise InvalidScan unless ``value`` is acceptable for ``ai``."""
    label = f"GS1 {spec.title} (AI {ai})"
    if not value:
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "{label} is empty"),
            hint=_HINT_GS1,
            values={"label": label},
        )
    if spec.fixed is not None and len(value) != spec.fixed:
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "{label} should have {fixed} digits, not {count}: {shown}"),
            hint=_HINT_GS1,
            values={"label": label, "fixed": spec.fixed, "count": len(value), "shown": _shown(value)},
        )
    if len(value) > spec.max_length:
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "{label} is {count} characters long; at most {max_length} are allowed"),
            hint=_HINT_GS1,
            values={"label": label, "count": len(value), "max_length": spec.max_length},
        )
    if spec.content is _Content.TEXT:
        bad = next((char for char in value if not _GS1_TEXT.fullmatch(char)), None)
        if bad is not None:
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "{label} contains a character GS1 does not allow: {shown}"),
                hint=_HINT_GS1,
                values={"label": label, "shown": _shown(bad)},
            )
        return
    if not (value.isascii() and value.isdigit()):
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "{label} must be digits only, got {shown}"),
            hint=_HINT_GS1,
            values={"label": label, "shown": _shown(value)},
        )
    if spec.content is _Content.CHECKED:
        expected = gtin_check_digit(value[:-1])
        if expected != int(value[-1]):
            name = "GTIN" if ai == "01" else spec.title
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "{name} {value} fails its check digit: last digit should be "
                        "{expected}, not {value2}"),
                hint=_HINT_GS1_DIGIT,
                values={"name": name, "value": value, "expected": expected, "value2": value[-1]},
            )
        return
    year, month, day = int(value[:2]), int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "{label} {value} is not a date: there is no month {value2}"),
            hint=_HINT_GS1,
            values={"label": label, "value": value, "value2": value[2:4]},
        )
    # Two-digit years fall in 2000-2099 in practice, where every fourth year is a leap year.
    last_day = 28 if month == 2 and year % 4 else _DAYS_IN_MONTH[month - 1]
    zero_ok = spec.content is _Content.DATE_ZERO_DAY
    if day > last_day or (day == 0 and not zero_ok):
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "{label} {value} is not a date: month {value2} has no day {value3}"),
            hint=_HINT_GS1,
            values={"label": label, "value": value, "value2": value[2:4], "value3": value[4:6]},
        )


def _unknown_ai(ai: str) -> InvalidScan:
    return InvalidScan(
        QT_TRANSLATE_NOOP("OperatorError", "Unknown GS1 application identifier (AI {ai}) in this barcode"),
        hint=_HINT_GS1_AI,
        values={"ai": ai},
    )


def _parse_separated(text: str) -> list[tuple[str, str]]:
    """Split a GS-separated element string (FNC1 form) into (AI, value) pairs."""
    pairs: list[tuple[str, str]] = []
    pos = 0
    while True:
        # Leading FNC1, the separator after a variable field, a stray one after a fixed field and a
        # trailing one are all just GS characters here; none of them carries data.
        while pos < len(text) and text[pos] == GS:
            pos += 1
        if pos >= len(text):
            return pairs
        ai = next((text[pos : pos + n] for n in (2, 3, 4) if text[pos : pos + n] in _AIS), None)
        if ai is None:
            head = text[pos : pos + 2]
            if not (len(head) == 2 and head.isascii() and head.isdigit()):
                raise InvalidScan(
                    QT_TRANSLATE_NOOP("OperatorError", "GS1 barcode has {shown} where an application identifier (AI) "
                            "should be"),
                    hint=_HINT_GS1,
                    values={"shown": _shown(text[pos : pos + 8])},
                )
            raise _unknown_ai(text[pos : pos + _AI_LENGTH_BY_PREFIX.get(head, 2)])
        spec = _AIS[ai]
        start = pos + len(ai)
        # A fixed field cut short by a GS keeps its short value, so the length check names the problem.
        end = text.find(GS, start) if spec.fixed is None else start + spec.fixed
        value = text[start : len(text) if end < 0 else end].split(GS)[0]
        pairs.append((ai, value))
        pos = start + len(value)


def _parse_bracketed(text: str) -> list[tuple[str, str]]:
    """Split the human-readable form ``(01)...(21)...`` into (AI, value) pairs."""
    pairs: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _BRACKETED_START.match(text, pos)
        if match is None:
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "GS1 text in brackets is malformed near {shown}"),
                hint=_HINT_BRACKETED,
                values={"shown": _shown(text[pos:])},
            )
        ai = match.group(1)
        if ai not in _AIS:
            raise _unknown_ai(ai)
        end = text.find("(", match.end())
        end = len(text) if end < 0 else end
        # Someone may paste bracketed text copied from a GS-separated source; separators are noise here.
        pairs.append((ai, text[match.end() : end].strip(GS)))
        pos = end
    return pairs


def parse_gs1(text: str) -> tuple[GS1Element, ...]:
    """Parse a GS1 element string into its elements.

    Accepts the FNC1 form (fields separated by the GS character, optionally starting with one) and
    the bracketed human-readable form ``(01)09501101530003(21)SN1``. The AIM symbology identifier
    must already be removed. Raises InvalidScan for unknown AIs, bad lengths, bad check digits,
    impossible dates and repeated AIs.
    """
    pairs = _parse_bracketed(text) if _BRACKETED_START.match(text) else _parse_separated(text)
    if not pairs:
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "GS1 barcode contains no data"),
            hint=_HINT_EMPTY,
        )
    elements: list[GS1Element] = []
    for ai, value in pairs:
        spec = _AIS[ai]
        _check_value(ai, spec, value)
        if any(element.ai == ai for element in elements):
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "GS1 {title} (AI {ai}) appears twice in one barcode"),
                hint=_HINT_GS1,
                values={"title": spec.title, "ai": ai},
            )
        elements.append(GS1Element(ai, value, spec.title))
    return tuple(elements)


def gs1_human_readable(elements: Iterable[GS1Element]) -> str:
    """Render elements the way they are printed under a barcode: ``(01)09501101530003(21)SN12345``."""
    return "".join(f"({element.ai}){element.value}" for element in elements)


def _parse_gs1_scan(text: str, gs1_symbology: bool) -> tuple[GS1Element, ...]:
    """Parse GS1 data from a scan, allowing a bare GTIN when the scanner said the symbol is GS1."""
    bare_gtin = gs1_symbology and len(text) in _GTIN_LENGTHS and text.isascii() and text.isdigit()
    if not bare_gtin:
        return parse_gs1(text)
    # A bare GTIN and an AI string can look alike ("10..." is also a batch). GS1 company prefixes
    # 100-139 make such GTINs common, so a GTIN whose check digit holds wins.
    expected = gtin_check_digit(text[:-1])
    if expected == int(text[-1]):
        return (GS1Element("01", text.zfill(14), _AIS["01"].title),)
    try:
        return parse_gs1(text)
    except InvalidScan:
        # "17261331" is an expiry date with month 13, not a GTIN: keep the element error when the text
        # starts with a date or text AI (00/01/02 cannot fit in 14 digits, so those mean a bad GTIN).
        lead = next((text[:n] for n in (2, 3, 4) if text[:n] in _AIS), None)
        if lead is not None and _AIS[lead].content is not _Content.CHECKED:
            raise
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "GTIN {text} fails its check digit: last digit should be {expected}, "
                    "not {text2}"),
            hint=_HINT_GS1_DIGIT,
            values={"text": text, "expected": expected, "text2": text[-1]},
        ) from None


# --- classification -----------------------------------------------------------------------------


def _classify_prefixed(text: str, rules: ScanRules) -> tuple[IdentifierKind, str] | None:
    """Match a facility prefix (badge, lot, PO, asset tag); return (kind, value) or None."""
    candidates = [
        (rules.badge_prefix, IdentifierKind.OPERATOR_BADGE, "Operator badge"),
        (rules.lot_prefix, IdentifierKind.LOT, "Lot code"),
        (rules.po_prefix, IdentifierKind.PO, "Purchase order"),
        (rules.asset_prefix, IdentifierKind.ASSET_TAG, "Asset tag"),
    ]
    # Longest prefix first so that a facility using both "P-" and "PO-" gets the specific one.
    for prefix, kind, name in sorted(candidates, key=lambda item: -len(item[0])):
        if not prefix or text[: len(prefix)].upper() != prefix.upper():
            continue
        body = text[len(prefix) :]
        if not _CODE_BODY.fullmatch(body):
            reason = "contains characters that are not allowed"
            if not body or len(body) > 32:
                reason = f"has {len(body)} characters after the prefix; 1 to 32 are allowed"
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "{name} {shown} {reason}"),
                hint=_HINT_CODE,
                values={"name": name, "shown": _shown(text), "reason": reason},
            )
        return kind, prefix.upper() + body.upper()
    return None


def _is_decimal_meid(digits: str) -> bool:
    # The decimal form is the 32-bit manufacturer code as 10 digits and the 24-bit serial as 8.
    return int(digits[:10]) <= 0xFFFFFFFF and int(digits[10:]) <= 0xFFFFFF


def _classify_digits(text: str) -> tuple[IdentifierKind, str] | None:
    """Classify an all-decimal string as IMEI or MEID; None means "treat it as a serial"."""
    if len(text) == 15:
        expected = luhn_check_digit(text[:14])
        if expected != int(text[14]):
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "IMEI {text} fails its check digit: last digit should be "
                        "{expected}, not {text2}"),
                hint=_HINT_IMEI,
                values={"text": text, "expected": expected, "text2": text[14]},
            )
        return IdentifierKind.IMEI, text
    if len(text) == 16:
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "{text} has 16 digits and looks like an IMEISV (IMEI + software "
                    "version), not an IMEI"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "Scan the 15-digit IMEI instead; it is usually printed next to "
                    "the IMEISV"),
            values={"text": text},
        )
    # 99xxxxxx is the MEID range shared with IMEIs (dual-mode phones): the IMEI minus its check digit.
    if (len(text) == 14 and text.startswith("99")) or (len(text) == 18 and _is_decimal_meid(text)):
        return IdentifierKind.MEID, text
    return None


def _check_serial(text: str, rules: ScanRules) -> str:
    """Return the normalised serial or raise InvalidScan saying why ``text`` is not one."""
    shown = _shown(text)
    if not text.isprintable():
        reason = f"{shown} contains an invisible or control character"
    elif " " in text:
        reason = f"{shown} contains a space"
    elif not _SERIAL_CHARS.fullmatch(text):
        bad = next(char for char in text if not _SERIAL_CHARS.fullmatch(char))
        reason = f"{shown} contains '{bad}', which is not allowed in a serial number"
    elif not rules.serial_min <= len(text) <= rules.serial_max:
        size = "short" if len(text) < rules.serial_min else "long"
        reason = (
            f"{shown} is too {size} for a serial number: {len(text)} characters, "
            f"{rules.serial_min} to {rules.serial_max} expected"
        )
    else:
        return text.upper()
    raise InvalidScan(reason, _HINT_UNKNOWN)


def classify(raw: str, rules: ScanRules = DEFAULT_RULES) -> Scan:
    """Classify one scanned or typed string; raise InvalidScan with a message and hint if it is unusable.

    Order: AIM symbology identifier, GS1, facility prefixes (badge, lot, PO, asset tag), IMEI and
    MEID, then serial number.
    """
    text = raw.strip(_EDGE_WHITESPACE)
    if not text:
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "Empty scan"),
            hint=_HINT_EMPTY,
        )

    symbology: str | None = None
    if _AIM_PREFIX.match(text):
        symbology, text = text[:3], text[3:]
        if not text.strip(_EDGE_WHITESPACE + GS):
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "The scanner sent its symbology code {symbology} but no data"),
                hint=_HINT_EMPTY,
                values={"symbology": symbology},
            )

    gs1_symbology = symbology in GS1_SYMBOLOGIES
    if gs1_symbology or GS in text or _BRACKETED_START.match(text):
        elements = _parse_gs1_scan(text, gs1_symbology)
        return Scan(raw, IdentifierKind.GS1, gs1_human_readable(elements), elements, symbology)

    prefixed = _classify_prefixed(text, rules)
    if prefixed is not None:
        return Scan(raw, prefixed[0], prefixed[1], symbology=symbology)

    if text.isascii() and text.isdigit():
        numeric = _classify_digits(text)
        if numeric is not None:
            return Scan(raw, numeric[0], numeric[1], symbology=symbology)
    elif _HEX14.fullmatch(text) and int(text[:2], 16) >= 0xA0:
        # The A0-FF manufacturer-code range is what makes 14 hex characters an MEID, not a serial.
        return Scan(raw, IdentifierKind.MEID, text.upper(), symbology=symbology)

    return Scan(raw, IdentifierKind.SERIAL, _check_serial(text, rules), symbology=symbology)
