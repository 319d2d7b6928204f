"""Draw labels as PDF with reportlab, one page per label at the label's own size.

Same elements as the ZPL backend: Code 128 for the IMEI or serial, a QR code for 2D data (a GS1 QR
code, FNC1 in first position, when the data is a GS1 element string: zbar and phone cameras read
QR, and reportlab has no GS1-aware DataMatrix), text in Helvetica (DejaVu Sans when a character
is outside Latin-1), and the lithium mark with its red hatched border.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

from reportlab.lib.colors import Color, black, white  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from app.reports.labels import code128, qr
from app.reports.labels.layout import CAP_HEIGHT_EM, Code128, Label, LithiumMark, Text, TwoD

_RED = Color(0.85, 0.1, 0.1)
# Code 128 module of 0.25 mm, as the ZPL backend (2 dots at 203 dpi): a 15-digit IMEI is ~39 mm wide.
MODULE_MM = 0.25
QUIET_MODULES = 10
QR_QUIET_MODULES = 4


def _text(canvas: Canvas, element: Text, page_h: float) -> None:
    size = element.height / CAP_HEIGHT_EM * mm
    canvas.setFont("Helvetica-Bold" if element.bold else "Helvetica", size)
    canvas.setFillColor(black)
    canvas.drawString(element.x * mm, page_h - (element.y + element.height) * mm, element.text)


def _code128(canvas: Canvas, element: Code128, page_h: float) -> None:
    # The bars as one path in module units, rather than a rectangle call (each with its own number
    # formatting) per bar.
    dark, _ = code128.bars(element.data, QUIET_MODULES)
    bottom = page_h - (element.y + element.height) * mm
    canvas.setFillColor(black)
    canvas.addLiteral(f"q {MODULE_MM * mm:.4f} 0 0 {element.height * mm:.4f} {element.x * mm:.3f} {bottom:.3f} cm "
                      + " ".join(f"{x} 0 {width} 1 re" for x, width in dark) + " f Q")


def _qr(canvas: Canvas, element: TwoD, page_h: float) -> None:
    symbol = qr.encode(element.data.encode("utf-8"), gs1=element.gs1)
    # The symbol plus a 4-module quiet zone on each side fills the slot.
    module = element.size * mm / (symbol.size + 2 * QR_QUIET_MODULES)
    left = element.x * mm + QR_QUIET_MODULES * module
    top = page_h - element.y * mm - QR_QUIET_MODULES * module
    # The modules as a 1-bit inline image mask, one sample per module, scaled to the module size with
    # no interpolation: a few hundred bytes per label written straight into the page, instead of a
    # rectangle per module.
    canvas.setFillColor(black)
    canvas.addLiteral(f"q {module * symbol.size:.4f} 0 0 {module * symbol.size:.4f} {left:.3f} "
                      f"{top - module * symbol.size:.3f} cm BI /W {symbol.size} /H {symbol.size} /BPC 1 /IM true "
                      f"/D [1 0] /F /AHx ID {symbol.row_bytes().hex()}> EI Q")


def _lithium_shape(canvas: Canvas, element: LithiumMark, page_h: float) -> None:
    x, y = element.x * mm, page_h - (element.y + element.height) * mm
    w, h = element.width * mm, element.height * mm
    border = min(w, h) * 0.08
    canvas.saveState()
    path = canvas.beginPath()
    path.rect(x, y, w, h)
    canvas.clipPath(path, stroke=0, fill=0)
    # The hatching as one path of diagonal lines (one stroke), not a line call each.
    step = border * 0.9
    hatch = []
    offset = -h
    while offset < w:
        hatch.append(f"{x + offset:.2f} {y:.2f} m {x + offset + h:.2f} {y + h:.2f} l")
        offset += step
    canvas.setStrokeColor(_RED)
    canvas.setLineWidth(border * 0.35)
    canvas.addLiteral(" ".join(hatch) + " S")
    canvas.setFillColor(white)
    canvas.rect(x + border, y + border, w - 2 * border, h - 2 * border, stroke=0, fill=1)
    canvas.restoreState()
    canvas.setFillColor(black)
    inner_h = h - 2 * border
    canvas.setFont("Helvetica-Bold", inner_h * 0.34)
    canvas.drawString(x + border * 1.4, y + border + inner_h * 0.55, element.un_number)
    canvas.setFont("Helvetica", inner_h * 0.15)
    canvas.drawString(x + border * 1.4, y + border + inner_h * 0.33, "Lithium ion battery")
    if element.phone:
        canvas.setFont("Helvetica", inner_h * 0.12)
        canvas.drawString(x + border * 1.4, y + border + inner_h * 0.1, f"Tel {element.phone}")


def _lithium(canvas: Canvas, element: LithiumMark, page_h: float) -> None:
    # The mark is the same on every label of a job: drawn once as a form, each page refers to it.
    key = f"{element.x}|{element.y}|{element.width}|{element.height}|{page_h}|{element.un_number}|{element.phone}"
    name = "Lithium" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]  # a plain PDF name
    forms: set[str] = canvas.__dict__.setdefault("_refurb_forms", set())
    if name not in forms:
        canvas.beginForm(name)
        _lithium_shape(canvas, element, page_h)
        canvas.endForm()
        forms.add(name)
    canvas.doForm(name)


def draw(canvas: Canvas, label: Label) -> None:
    """Draw ``label`` on the current page of ``canvas`` (already sized to the label)."""
    page_h = label.height_mm * mm
    for element in label.elements:
        if isinstance(element, Text):
            _text(canvas, element, page_h)
        elif isinstance(element, Code128):
            _code128(canvas, element, page_h)
        elif isinstance(element, TwoD):
            _qr(canvas, element, page_h)
        else:
            _lithium(canvas, element, page_h)


def to_pdf(labels: Sequence[Label], title: str = "Labels") -> bytes:
    """All ``labels`` in one PDF, a page each, every page the size of its label."""
    if not labels:
        raise ValueError("no labels to render")
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(labels[0].width_mm * mm, labels[0].height_mm * mm), invariant=True)
    canvas.setTitle(title)
    for label in labels:
        canvas.setPageSize((label.width_mm * mm, label.height_mm * mm))
        draw(canvas, label)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
