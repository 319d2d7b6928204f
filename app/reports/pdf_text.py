"""Text helpers shared by the report PDFs: how a missing value, a time and a wrapped cell read."""

from __future__ import annotations

from typing import Any

from reportlab.lib.utils import simpleSplit  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]


def text(value: Any, missing: str = "—") -> str:
    if value is None or value == "":
        return missing
    return " ".join(str(value).split())


def when(value: Any) -> str:
    """2026-11-22T07:07:19.438Z -> 2026-11-22 07:07 UTC ("—" when missing)."""
    t = text(value, "")
    if not t:
        return "—"
    return t.replace("T", " ")[:16] + " UTC" if t.endswith("Z") else t


def fit(value: str, font: str, size: float, width: float, lines: int) -> list[str]:
    """``value`` wrapped to ``width``, at most ``lines`` lines, the last cut with an ellipsis if needed;
    a word longer than the column (a serial) is broken between characters rather than overflowing."""
    if stringWidth(value, font, size) <= width:   # the common case, without the wrapping machinery
        return [value]
    wrapped: list[str] = []
    for line in simpleSplit(value, font, size, width) or [""]:
        while stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            wrapped.append(line[:cut])
            line = line[cut:]
        wrapped.append(line)
    if len(wrapped) <= lines:
        return wrapped
    last = wrapped[lines - 1]
    while last and stringWidth(last + "…", font, size) > width:
        last = last[:-1]
    return [*wrapped[:lines - 1], last + "…"]
