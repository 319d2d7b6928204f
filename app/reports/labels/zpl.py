"""Draw a :class:`~app.reports.labels.layout.Label` as ZPL II for a Zebra printer at 203 or 300 dpi.

Every field goes through ``^FH\\``, so its data is written with ``\\XX`` hex escapes for the
characters ZPL would otherwise read as commands (``^``, ``~``), for the escape itself and for
control characters; text is UTF-8 (``^CI28``). Code 128 uses mode A (the printer picks the
subsets, so an IMEI packs into digit pairs). A GS1 element string prints as a GS1 DataMatrix
(``^BX`` with ``_`` as its escape character, ``_1`` = FNC1); other 2D data as a QR code (``^BQ``).
"""

from __future__ import annotations

from app.reports.labels.layout import CAP_HEIGHT_EM, GS, Code128, Label, LithiumMark, Text, TwoD

DPI_CHOICES = (203, 300)


def _dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def escape_field(data: str) -> str:
    """Field data for ``^FH\\``: hex-escape ``\\``, ``^``, ``~``, ``_`` and control characters (as UTF-8 bytes)."""
    out = []
    for ch in data:
        if ch in "\\^~_" or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("".join(f"\\{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def _text(element: Text, dpi: int) -> str:
    # The layout gives cap height; a font's em is about 1/0.72 of that, as in the PDF backend.
    height = _dots(element.height / CAP_HEIGHT_EM, dpi)
    width = height if element.bold else round(height * 0.85)
    origin = f"^FO{_dots(element.x, dpi)},{_dots(element.y, dpi)}"
    return f"{origin}^A0N,{height},{width}^FH\\^FD{escape_field(element.text)}^FS"


def _code128(element: Code128, dpi: int) -> str:
    module = 2 if dpi < 300 else 3  # 0.25 mm at either resolution
    height = _dots(element.height, dpi)
    return (f"^FO{_dots(element.x + 2.5, dpi)},{_dots(element.y, dpi)}^BY{module},3,{height}"
            f"^BCN,{height},N,N,N,A^FH\\^FD{escape_field(element.data)}^FS")


def _two_d(element: TwoD, dpi: int) -> str:
    x, y = _dots(element.x, dpi), _dots(element.y, dpi)
    if element.gs1:
        module = max(2, _dots(element.size / 26, dpi))  # a 24x24 symbol plus its quiet zone fits the size
        # The escape character is set to "_" explicitly (firmware defaults differ): "_1" is FNC1 and
        # "__" a literal underscore. The leading FNC1 makes it a GS1 DataMatrix; a GS between fields
        # (after a variable-length AI) becomes FNC1 as well.
        body = "_1" + element.data.replace("_", "__").replace(GS, "_1")
        return f"^FO{x},{y}^BXN,{module},200,,,,_^FD{body}^FS"
    magnification = max(1, min(10, _dots(element.size / 33, dpi)))
    return f"^FO{x},{y}^BQN,2,{magnification}^FH\\^FDMA,{escape_field(element.data)}^FS"


def _lithium(element: LithiumMark, dpi: int) -> str:
    x, y = _dots(element.x, dpi), _dots(element.y, dpi)
    w, h = _dots(element.width, dpi), _dots(element.height, dpi)
    border = max(3, _dots(min(element.width, element.height) * 0.07, dpi))
    text_h = _dots(element.height * 0.22, dpi)
    parts = [f"^FO{x},{y}^GB{w},{h},{border}^FS",
             f"^FO{x + border * 2},{y + border * 2}^A0N,{text_h},{text_h}^FD{element.un_number}^FS",
             f"^FO{x + border * 2},{y + border * 2 + text_h + 4}^A0N,{text_h // 2},{text_h // 2}^FDLi-ion battery^FS"]
    if element.phone:
        phone_h = max(12, text_h // 2)
        parts.append(f"^FO{x + border * 2},{y + h - border * 2 - phone_h}^A0N,{phone_h},{phone_h}"
                     f"^FH\\^FDTel {escape_field(element.phone)}^FS")
    return "".join(parts)


def to_zpl(label: Label, dpi: int = 203, copies: int = 1) -> str:
    """One ``^XA`` … ``^XZ`` format for ``label`` at ``dpi`` (203 or 300)."""
    if dpi not in DPI_CHOICES:
        raise ValueError(f"dpi must be one of {DPI_CHOICES}, got {dpi}")
    lines = ["^XA^CI28", f"^PW{_dots(label.width_mm, dpi)}^LL{_dots(label.height_mm, dpi)}^LH0,0"]
    for element in label.elements:
        if isinstance(element, Text):
            lines.append(_text(element, dpi))
        elif isinstance(element, Code128):
            lines.append(_code128(element, dpi))
        elif isinstance(element, TwoD):
            lines.append(_two_d(element, dpi))
        else:
            lines.append(_lithium(element, dpi))
    lines.append(f"^PQ{copies}^XZ")
    return "\n".join(lines) + "\n"


def to_zpl_job(labels: list[Label], dpi: int = 203) -> bytes:
    """Several labels as one job, ready for a socket or /dev/usb/lp0."""
    return "".join(to_zpl(label, dpi) for label in labels).encode("utf-8")
