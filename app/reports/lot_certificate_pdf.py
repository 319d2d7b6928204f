"""A lot's Certificate of Data Destruction as a landscape A4 PDF, with the signed document attached.

Every page repeats the header (title, lot, customer, certificate id, a QR code with the certificate
id and the event hash) and the table's column titles, so a single page taken out of the stack
still says what it belongs to. The first page adds the totals, the statement and the signature
block; the table then lists every unit of the lot, erased or not, one fixed-height row each, so the
page count is known before drawing and each footer can say "page i of n".

As with the drive certificate, the printed text is a rendering: the signed JSON document travels
inside the PDF as a file attachment, and ``refurb-bench cert verify`` checks that.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.graphics import renderPDF  # type: ignore[import-untyped]
from reportlab.graphics.barcode.qr import QrCodeWidget  # type: ignore[import-untyped]
from reportlab.graphics.shapes import Drawing  # type: ignore[import-untyped]
from reportlab.lib.colors import Color  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from app.core.certificate import LOT_SCHEMA, check
from app.reports.certificate_pdf import embed_document
from app.reports.pdf_text import fit

QR_PREFIX = "RBLOT:1"
PAGE_W, PAGE_H = landscape(A4)
MARGIN = 12 * mm
QR_SYMBOL = 30 * mm
QR_QUIET = 4
HEADER_H = QR_SYMBOL + 8 * mm        # everything above the table on every page
FOOTER_Y = MARGIN - 4
TABLE_BOTTOM = MARGIN + 6
FONT, BOLD, MONO = "Helvetica", "Helvetica-Bold", "Courier"
SIZE, LINE = 7.0, 8.2                 # table text
HASH_SIZE = 5.6                       # 32 hex digits of Courier at 5.6 pt fit the certificate column
ROW_H = 3 * LINE + 4                  # three lines: a value that wraps once, or a certificate id and its hash
TITLE_ROW_H = 14
GREY = Color(0.35, 0.35, 0.35)
BAND = Color(0.88, 0.88, 0.88)
RULE = Color(0.75, 0.75, 0.75)
BLACK = Color(0, 0, 0)

# (title, key in the row, width in points); the widths add up to the table width (A4 landscape minus margins).
COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("#", "", 22), ("Unit", "identifier", 88), ("Model", "model", 88), ("Serial", "serial", 92),
    ("Method", "method", 80), ("Verification", "verification", 60), ("Outcome", "outcome", 96),
    ("Certificate id / hash", "certificate_id", 112), ("Erased (UTC)", "erased_at", 64), ("Operator", "operator", 68),
)


def render_lot_certificate(doc: Mapping[str, Any]) -> bytes:
    """The PDF of a signed lot certificate document; equal documents give equal bytes.

    Raises ValueError for anything that is not a lot certificate whose signature matches its own key.
    """
    body, envelope = _parts(doc)
    checked = check(dict(doc))
    if not checked.ok:
        raise ValueError("the lot certificate does not verify: " + "; ".join(checked.problems))
    cert_id = str(body.get("certificate_id", ""))
    units: Sequence[Mapping[str, Any]] = body.get("units") or []
    pages = paginate(len(units))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    lot: Mapping[str, Any] = body.get("lot") or {}
    canvas.setTitle(f"Certificate of Data Destruction {cert_id} (lot {_text(lot.get('code'))})")
    canvas.setAuthor(f"Refurb Bench station {_text((body.get('station') or {}).get('station_id'))}")
    canvas.setSubject("Lot-level certificate of data destruction (NIST SP 800-88)")
    canvas.setCreator("Refurb Bench")
    embed_document(canvas, doc, cert_id)
    for number, (first, last) in enumerate(pages, start=1):
        y = _header(canvas, body, envelope, cert_id)
        if number == 1:
            y = _summary(canvas, y, body, envelope, doc)
        y = _column_titles(canvas, y)
        for index in range(first, last):
            _row(canvas, y - (index - first) * ROW_H, index + 1, units[index])
        _footer(canvas, cert_id, number, len(pages))
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def qr_payload(doc: Mapping[str, Any]) -> str:
    """``RBLOT:1:<lot certificate id>:<event hash>``, as printed in the QR code on every page."""
    body, envelope = _parts(doc)
    return f"{QR_PREFIX}:{body.get('certificate_id', '')}:{envelope.get('hash', '')}"


def paginate(count: int) -> list[tuple[int, int]]:
    """Row index ranges per page: the first page holds fewer rows (it carries the summary)."""
    first = _rows_fitting(_first_page_table_top())
    later = _rows_fitting(PAGE_H - MARGIN - HEADER_H)
    pages = [(0, min(count, first))]
    start = pages[0][1]
    while start < count:
        pages.append((start, min(count, start + later)))
        start = pages[-1][1]
    return pages


def _rows_fitting(table_top: float) -> int:
    return max(1, int((table_top - TITLE_ROW_H - TABLE_BOTTOM) // ROW_H))


# --- content helpers ----------------------------------------------------------------------------------------

def _parts(doc: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    body, envelope = (doc.get("certificate"), doc.get("event")) if isinstance(doc, Mapping) else (None, None)
    if not isinstance(body, Mapping) or not isinstance(envelope, Mapping) or doc.get("schema") != LOT_SCHEMA:
        raise ValueError("not a Refurb Bench lot certificate document")
    return body, envelope


def _text(value: Any, missing: str = "not recorded") -> str:
    if value is None or value == "":
        return missing
    return " ".join(str(value).split())


def _when(value: Any) -> str:
    """2026-11-22T07:07:19.438Z -> 2026-11-22 07:07:19 UTC."""
    text = _text(value, "")
    return text.replace("T", " ")[:19] + " UTC" if text.endswith("Z") else text


# --- drawing ---------------------------------------------------------------------------------------------------

def _header(canvas: Canvas, body: Mapping[str, Any], envelope: Mapping[str, Any], cert_id: str) -> float:
    top = PAGE_H - MARGIN
    lot: Mapping[str, Any] = body.get("lot") or {}
    canvas.setFillColor(BLACK)
    canvas.setFont(BOLD, 18)
    canvas.drawString(MARGIN, top - 16, "Certificate of Data Destruction")
    canvas.setFont(FONT, 9)
    party = f"{_text(lot.get('party_kind'), 'party')} {_text(lot.get('party'))}"
    canvas.drawString(MARGIN, top - 31, f"Lot {_text(lot.get('code'))}  ·  {party}  ·  PO {_text(lot.get('po'), '-')}"
                      f"  ·  issued {_when(body.get('issued_at'))}")
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 7.5)
    canvas.drawString(MARGIN, top - 43, "Every unit of the lot, erased or not. Sanitization per NIST SP 800-88 "
                      "(Rev. 1 categories; Rev. 2 / IEEE 2883-2022 terms); each erased unit has its own signed "
                      "certificate.")
    canvas.drawString(MARGIN, top - 62, "LOT CERTIFICATE ID")
    canvas.setFillColor(BLACK)
    canvas.setFont("Courier-Bold", 14)
    canvas.drawString(MARGIN + 78, top - 63, cert_id)

    widget = QrCodeWidget(f"{QR_PREFIX}:{cert_id}:{envelope.get('hash', '')}", barLevel="M", barBorder=QR_QUIET)
    widget.qr.make()
    quiet = QR_SYMBOL / widget.qr.getModuleCount() * QR_QUIET
    widget.barWidth = widget.barHeight = QR_SYMBOL + 2 * quiet
    drawing = Drawing(widget.barWidth, widget.barHeight)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, PAGE_W - MARGIN - QR_SYMBOL - quiet, top - QR_SYMBOL - quiet)
    canvas.setFont(FONT, 6)
    canvas.setFillColor(GREY)
    canvas.drawRightString(PAGE_W - MARGIN - QR_SYMBOL - quiet - 4, top - QR_SYMBOL + 2,
                           "QR: lot certificate id + event hash")
    canvas.setFillColor(BLACK)
    return float(top - HEADER_H)


def _summary_lines(body: Mapping[str, Any], envelope: Mapping[str, Any], doc: Mapping[str, Any]) \
        -> list[tuple[str, str, str]]:
    totals: Mapping[str, Any] = body.get("totals") or {}
    categories = ", ".join(f"{k.removeprefix('by_category_').capitalize()} {v}" for k, v in sorted(totals.items())
                           if k.startswith("by_category_"))
    counts = (f"{totals.get('units', 0)} unit(s) listed: {totals.get('erased', 0)} erased and verified"
              + (f" ({categories})" if categories else "")
              + f", {totals.get('not_erased', 0)} not erased, {totals.get('not_received', 0)} not received")
    operator = body.get("operator")
    issuer = (f"{_text(operator.get('name'))} ({_text(operator.get('role'))})" if isinstance(operator, Mapping)
              else "not recorded (issued without a logged-in operator)")
    station: Mapping[str, Any] = body.get("station") or {}
    return [
        ("Totals", counts, FONT),
        ("Statement", _text(body.get("statement")), FONT),
        ("Issued by", f"{issuer} on station {_text(station.get('station_id'))}", FONT),
        ("Event hash (SHA-256)", _text(envelope.get("hash")), MONO),
        ("Signature (Ed25519)", _text(envelope.get("signature")), MONO),
        ("Station public key", _text(doc.get("station_public_key")), MONO),
        ("Verify", "The signature covers the data attached to this PDF, not the printed text: run "
                   "refurb-bench cert verify on this file.", FONT),
    ]


SUMMARY_LABEL_W = 34 * mm


def _first_page_table_top() -> float:
    # The summary's height does not depend on its text beyond the wrapped statement (at most 3 lines).
    return float(PAGE_H - MARGIN - HEADER_H - (9 * 10.5 + 34))


def _summary(canvas: Canvas, y: float, body: Mapping[str, Any], envelope: Mapping[str, Any],
             doc: Mapping[str, Any]) -> float:
    bottom = _first_page_table_top()
    width = PAGE_W - 2 * MARGIN
    value_x = MARGIN + SUMMARY_LABEL_W
    for label, value, font in _summary_lines(body, envelope, doc):
        size = 6.5 if font == MONO else 8.0
        lines = fit(value, font, size, width - SUMMARY_LABEL_W, 3 if label == "Statement" else 1)
        y -= 10.5
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, y, label)
        canvas.setFillColor(BLACK)
        canvas.setFont(font, size)
        for i, line in enumerate(lines):
            canvas.drawString(value_x, y - i * 9.5, line)
        y -= 9.5 * (len(lines) - 1)
    # Hand-signed attestation, as on the drive certificate's validation block.
    y -= 20
    canvas.setFont(BOLD, 8)
    canvas.setLineWidth(0.5)
    third = width / 3
    for i, label in enumerate(("Name / title", "Signature", "Date")):
        x = MARGIN + i * third
        canvas.setFillColor(GREY)
        canvas.drawString(x, y, label)
        canvas.setFillColor(BLACK)
        canvas.line(x + canvas.stringWidth(label, BOLD, 8) + 4, y - 2, x + third - 10, y - 2)
    return bottom


def _column_titles(canvas: Canvas, y: float) -> float:
    canvas.setFillColor(BAND)
    canvas.rect(MARGIN, y - TITLE_ROW_H, PAGE_W - 2 * MARGIN, TITLE_ROW_H, stroke=0, fill=1)
    canvas.setFillColor(BLACK)
    canvas.setFont(BOLD, 7.5)
    x = MARGIN
    for title, _key, width in COLUMNS:
        canvas.drawString(x + 2, y - TITLE_ROW_H + 4.5, title)
        x += width
    return y - TITLE_ROW_H


def _row(canvas: Canvas, top: float, number: int, unit: Mapping[str, Any]) -> None:
    x = MARGIN
    baseline = top - LINE
    erased = unit.get("outcome") == "erased"
    for _title, key, width in COLUMNS:
        inner = width - 4
        if key == "":
            cells = [str(number)]
        elif key == "certificate_id":
            cells = []
        elif key == "method":
            method, category = _text(unit.get("method"), "—"), _text(unit.get("category"), "")
            cells = fit(f"{method} ({category})" if category else method, FONT, SIZE, inner, 3)
        elif key == "outcome":
            # A unit that was not erased stands out: its state in capitals, then why, smaller.
            cells = ["erased"] if erased else [*fit(_text(unit.get("outcome")).upper(), BOLD, SIZE, inner, 1),
                                               *fit(_text(unit.get("detail"), ""), FONT, SIZE - 1, inner, 2)]
        elif key == "erased_at":
            cells = fit(_when(unit.get(key)) or "—", FONT, SIZE, inner, 2)
        else:
            cells = fit(_text(unit.get(key), "—"), FONT, SIZE, inner, 3)
        if key == "certificate_id":
            _certificate_cell(canvas, x + 2, baseline, unit)
        else:
            for i, line in enumerate(cells):
                small = key == "outcome" and not erased and i > 0
                canvas.setFont(BOLD if key == "outcome" and not erased and i == 0 else FONT,
                               SIZE - 1 if small else SIZE)
                canvas.drawString(x + 2, baseline - i * LINE, line)
        x += width
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, top - ROW_H, PAGE_W - MARGIN, top - ROW_H)
    canvas.setStrokeColor(BLACK)


def _certificate_cell(canvas: Canvas, x: float, baseline: float, unit: Mapping[str, Any]) -> None:
    cert_id, digest = str(unit.get("certificate_id") or ""), str(unit.get("certificate_hash") or "")
    if not cert_id:
        canvas.setFont(FONT, SIZE)
        canvas.drawString(x, baseline, "none issued")
        return
    canvas.setFont(MONO, SIZE)
    canvas.drawString(x, baseline, cert_id)
    canvas.setFont(MONO, HASH_SIZE)
    canvas.drawString(x, baseline - LINE, digest[:32])
    canvas.drawString(x, baseline - 2 * LINE, digest[32:])


def _footer(canvas: Canvas, cert_id: str, number: int, total: int) -> None:
    canvas.setFont(FONT, 7)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, FOOTER_Y, f"Lot certificate {cert_id} · page {number} of {total} · Refurb Bench")
    canvas.drawRightString(PAGE_W - MARGIN, FOOTER_Y, "The attached signed data, not this printout, is the record.")
    canvas.setFillColor(BLACK)
