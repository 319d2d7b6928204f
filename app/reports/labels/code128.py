"""Code 128 as bars in module units, for every backend that draws bars itself (PDF, on-screen preview).

reportlab encodes (it picks subset C for runs of digits, so an IMEI packs into digit pairs); this
turns its pattern into (first module, width) bars after a quiet zone of ``quiet`` modules.
"""

from __future__ import annotations

from reportlab.graphics.barcode.code128 import Code128 as _Code128  # type: ignore[import-untyped]


def bars(data: str, quiet: int = 10) -> tuple[list[tuple[int, int]], int]:
    """The dark bars of ``data`` and the symbol's whole width (quiet zones included), in modules."""
    symbol = _Code128(data)
    symbol.validate()
    symbol.encode()
    dark, x = [], quiet
    for ch in symbol.decompose():  # upper case: a bar, lower case: a space, of 1-4 modules
        width = ord(ch.lower()) - ord("a") + 1
        if ch.isupper():
            dark.append((x, width))
        x += width
    return dark, x + quiet
