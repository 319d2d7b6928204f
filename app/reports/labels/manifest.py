"""The packing list of a closed box, as CSV (for the customer's system) and as a printable A4 PDF.

The box label's QR code carries :func:`manifest_code`: the box id, the unit count and the start of
the CSV's SHA-256, so a scanned box can be matched with its manifest file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

COLUMNS = ("Line", "Identifier", "Model", "Storage", "Grade", "Route", "Certificate")


@dataclass(frozen=True)
class ManifestLine:
    identifier: str
    model: str
    storage: str
    grade: str
    route: str
    certificate_id: str = ""


def manifest_csv(lines: Sequence[ManifestLine]) -> str:
    """RFC 4180 CSV with a header row; a formula-looking cell is quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for number, line in enumerate(lines, start=1):
        cells = (line.identifier, line.model, line.storage, line.grade, line.route, line.certificate_id)
        # A spreadsheet would run "=…" as a formula; these cells are data.
        writer.writerow([str(number), *("'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells)])
    return out.getvalue()


def manifest_code(box_id: str, lines: Sequence[ManifestLine]) -> str:
    digest = hashlib.sha256(manifest_csv(lines).encode("utf-8")).hexdigest()[:16]
    return f"RBBOX:1:{box_id}:{len(lines)}:{digest}"


def _fit(canvas: Canvas, text: str, width: float) -> str:
    """``text`` as it fits the column at the current font, cut with an ellipsis only when it must be."""
    if canvas.stringWidth(text) <= width:
        return text
    while text and canvas.stringWidth(text + "…") > width:
        text = text[:-1]
    return text + "…"


def manifest_pdf(box_id: str, route: str, date: str, lines: Sequence[ManifestLine]) -> bytes:
    """An A4 packing list: header, one row per unit, page numbers; long lists run onto more pages."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)
    canvas.setTitle(f"Manifest {box_id}")
    width, height = A4
    # mm, 180 in all: a certificate id (18 characters) and a route text fit whole at 8 pt.
    widths = (9, 34, 29, 15, 13, 42, 38)
    row_h = 6 * mm
    rows_per_page = int((height - 60 * mm) // row_h)
    pages = max(1, -(-len(lines) // rows_per_page))
    for page in range(pages):
        canvas.setFont("Helvetica-Bold", 14)
        canvas.drawString(15 * mm, height - 20 * mm, f"Box {box_id} — packing list")
        canvas.setFont("Helvetica", 9)
        canvas.drawString(15 * mm, height - 27 * mm, f"{route} · {len(lines)} units · closed {date}")
        canvas.drawRightString(width - 15 * mm, height - 27 * mm, f"page {page + 1} of {pages}")
        y = height - 38 * mm
        canvas.setFont("Helvetica-Bold", 8)
        x = 15 * mm
        for title, w in zip(COLUMNS, widths, strict=True):
            canvas.drawString(x, y, title)
            x += w * mm
        canvas.line(15 * mm, y - 1.5 * mm, width - 15 * mm, y - 1.5 * mm)
        canvas.setFont("Helvetica", 8)
        chunk = lines[page * rows_per_page:(page + 1) * rows_per_page]
        for offset, line in enumerate(chunk):
            y -= row_h
            x = 15 * mm
            cells = (str(page * rows_per_page + offset + 1), line.identifier, line.model, line.storage, line.grade,
                     line.route, line.certificate_id)
            for cell, w in zip(cells, widths, strict=True):
                canvas.drawString(x, y, _fit(canvas, cell, w * mm - 1.5 * mm))
                x += w * mm
        canvas.showPage()
    canvas.save()
    return out.getvalue()
