"""A customer's ITAD lot report as a landscape A4 PDF.

The first page(s) hold the summary: the lot, its totals, the sustainability figures with a sub-total
per carbon factor table version, and the disclosure of each version used (factors, method, sources).
The pages after list every unit, one fixed-height row each, so the page count is known before drawing
and every footer says "page i of n"; every page repeats the lot, the customer and the column titles, so
a page taken out of the stack still says what it belongs to. Equal reports give equal bytes.

This is a report, not a certificate: the signed per-unit certificates and the lot's certificate of data
destruction (app/reports/lot_certificate_pdf.py) are the records it names.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from reportlab.lib.colors import Color  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from app.core.lot_report import ERASED, LotReport, ReportUnit
from app.core.sustainability import SustainabilitySummary
from app.reports.pdf_text import fit, text, when

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 12 * mm
HEADER_H = 40
FOOTER_Y = MARGIN - 4
FONT, BOLD, MONO = "Helvetica", "Helvetica-Bold", "Courier"
SIZE, LINE = 7.0, 8.2
ROW_H = 2 * LINE + 3
TITLE_ROW_H = 13
SUMMARY_LINE = 10.0
TABLE_W = PAGE_W - 2 * MARGIN
GREY = Color(0.35, 0.35, 0.35)
BAND = Color(0.88, 0.88, 0.88)
RULE = Color(0.78, 0.78, 0.78)
ALERT = Color(0.7, 0.1, 0.1)
BLACK = Color(0, 0, 0)

# (title, ReportUnit attribute, width in points); the widths add up to TABLE_W (A4 landscape minus margins).
COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("#", "", 26), ("Identifier", "identifier", 92), ("Model", "model", 86), ("Serial", "serial", 78),
    ("Erasure", "erasure", 64), ("Method (category)", "method", 97), ("Verification", "verification", 62),
    ("Certificate id", "certificate_id", 84), ("Erased (UTC)", "erased_at", 56), ("Grade", "grade", 30),
    ("Route", "route", 52), ("State", "state", 46),
)


def render_lot_report(report: LotReport) -> bytes:
    """The PDF bytes of ``report``."""
    summary_pages = _paginate_lines(summary_lines(report), _lines_per_page())
    per_page = rows_per_page()
    table_pages = [report.units[i:i + per_page] for i in range(0, len(report.units), per_page)]
    total = len(summary_pages) + len(table_pages)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    canvas.setTitle(f"Lot report {report.lot.code} ({report.lot.party})")
    canvas.setAuthor("Refurb Bench")
    canvas.setSubject("ITAD lot report: every unit, its erasure, grade and route; lot totals; sustainability")
    canvas.setCreator("Refurb Bench")
    number = 0
    for lines in summary_pages:
        number += 1
        y = _header(canvas, report, number, total)
        for font, size, line in lines:
            y -= SUMMARY_LINE
            canvas.setFont(font, size)
            canvas.setFillColor(GREY if font == FONT and size < 8 else BLACK)
            canvas.drawString(MARGIN, y, line)
        canvas.showPage()
    first_row = 0
    for page in table_pages:
        number += 1
        y = _column_titles(canvas, _header(canvas, report, number, total))
        for i, unit in enumerate(page):
            _row(canvas, y - i * ROW_H, first_row + i + 1, unit)
        first_row += len(page)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def rows_per_page() -> int:
    """Unit rows on each table page."""
    return int((PAGE_H - MARGIN - HEADER_H - TITLE_ROW_H - (MARGIN + 6)) // ROW_H)


def _lines_per_page() -> int:
    return int((PAGE_H - MARGIN - HEADER_H - (MARGIN + 6)) // SUMMARY_LINE)


def _paginate_lines(lines: list[tuple[str, float, str]], per_page: int) -> list[list[tuple[str, float, str]]]:
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]


def _kg(value: Decimal) -> str:
    return f"{value:,.2f}"


def _pct(value: Decimal | None) -> str:
    return "not known" if value is None else f"{value * 100:.1f} %"


def summary_lines(report: LotReport) -> list[tuple[str, float, str]]:
    """The summary pages' lines as (font, size, text), already wrapped to the page width."""
    lines: list[tuple[str, float, str]] = []

    def head(title: str) -> None:
        if lines:
            lines.append((FONT, 8.5, ""))   # a blank line between sections
        lines.append((BOLD, 10.0, title))

    def body(value: str, font: str = FONT, size: float = 8.5) -> None:
        lines.extend((font, size, part) for part in fit(value, font, size, TABLE_W, 20))

    lot, totals = report.lot, report.totals
    head("Lot")
    body(f"Lot {lot.code} · {lot.party_kind} {lot.party} · PO {text(lot.po)} · created {when(lot.created_at)}"
         f" · facts up to {when(report.as_of)}")
    certificates = ", ".join(report.lot_certificates) or "none issued yet"
    body(f"Certificate(s) of data destruction for this lot: {certificates}")
    head("Totals")
    body(f"{totals.get('units', 0)} unit(s) listed ({totals.get('expected', 0)} expected): "
         f"{totals.get('received', 0)} received, {totals.get('not_received', 0)} listed on the manifest but never "
         "received.")
    body(f"Erasure: {totals.get('erased', 0)} erased and verified, {totals.get('erasure_failed', 0)} failed, "
         f"{totals.get('erasure_interrupted', 0)} interrupted, {totals.get('erasure_in_progress', 0)} in progress, "
         f"{totals.get('not_erased', 0)} received unit(s) not erased in all.")
    routes = ", ".join(f"{k.removeprefix('route_')} {v}" for k, v in totals.items() if k.startswith("route_"))
    grades = ", ".join(f"{k.removeprefix('grade_')} {v}" for k, v in totals.items() if k.startswith("grade_"))
    body(f"Routes: {routes or 'none decided yet'}. Cosmetic grades: {grades or 'none yet'}.")
    body(f"Shipped: {totals.get('shipped', 0)}. On hold: {totals.get('on_hold', 0)}.")
    head("Sustainability")
    _sustainability(report.sustainability, report.disclosures, body)
    return lines


def _sustainability(summary: SustainabilitySummary | None, disclosures: Mapping[str, Sequence[str]],
                    body: Callable[..., None]) -> None:
    if summary is None or not summary.units:
        body("No unit of this lot has a route yet: no sustainability figure.")
        return
    body(f"{summary.units} unit(s) with an outcome, {summary.units_reused} reused (reuse rate "
         f"{_pct(summary.reuse_rate)}): CO2e avoided {_kg(summary.co2e_avoided_kg)} kg, e-waste diverted "
         f"{_kg(summary.ewaste_diverted_kg)} kg, {summary.device_years:,.1f} device-years of life added; parts reuse "
         f"rate {_pct(summary.parts_reuse_rate)}.")
    if summary.unknown_class or summary.no_table:
        body(f"Without a figure: {summary.unknown_class} unit(s) of unknown device class, {summary.no_table} decided "
             "before the first factor table took effect.")
    for v in summary.by_version:
        missing = (f"; reused without a published factor: CO2e {v.units_without_co2e}, mass {v.units_without_mass},"
                   f" second life {v.units_without_years}") if (v.units_without_co2e or v.units_without_mass
                                                                or v.units_without_years) else ""
        body(f"Factor table {v.factor_version} (SHA-256 {v.table_digest[:16]}): {v.units} unit(s), {v.units_reused} "
             f"reused, CO2e avoided {_kg(v.co2e_avoided_kg)} kg, e-waste diverted {_kg(v.ewaste_diverted_kg)} kg, "
             f"{v.device_years:,.1f} device-years{missing}.", BOLD, 8.5)
        _disclosure(disclosures.get(v.factor_version, ()), body)


def _disclosure(lines: Sequence[str], body: Callable[..., None]) -> None:
    """A version's disclosure (the lot's device classes only, app/core/lot_report_disclosure.py): the table's
    line, one bulleted line per class, then its sources under a heading, so the eye finds each part."""
    if not lines:
        return
    body(lines[0], FONT, 7.5)
    factors = [line for line in lines[1:] if not line.startswith("[")]
    sources = [line for line in lines[1:] if line.startswith("[")]
    for line in factors:
        body(f"\u2022 {line}", FONT, 7.5)
    if sources:
        body("Sources:", BOLD, 7.5)
        for line in sources:
            body(line, FONT, 7.5)


def _header(canvas: Canvas, report: LotReport, number: int, total: int) -> float:
    top = PAGE_H - MARGIN
    lot = report.lot
    canvas.setFillColor(BLACK)
    canvas.setFont(BOLD, 15)
    canvas.drawString(MARGIN, top - 14, f"ITAD lot report · {lot.code}")
    canvas.setFont(FONT, 9)
    canvas.drawString(MARGIN, top - 28, f"{lot.party_kind.capitalize()} {lot.party} · PO {text(lot.po)} · "
                      f"{report.totals.get('units', 0)} unit(s) · facts up to {when(report.as_of)}")
    canvas.setFont(FONT, 9)
    canvas.drawRightString(PAGE_W - MARGIN, top - 14, f"Page {number} / {total}")
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top - 34, PAGE_W - MARGIN, top - 34)
    _footer(canvas, report, number, total)
    return float(top - HEADER_H)


def _footer(canvas: Canvas, report: LotReport, number: int, total: int) -> None:
    canvas.setFont(FONT, 7)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, FOOTER_Y, f"Lot {report.lot.code} · {report.lot.party} · page {number} of {total}"
                      " · Refurb Bench")
    canvas.drawRightString(PAGE_W - MARGIN, FOOTER_Y, "Each erased unit's signed certificate is the record of its "
                           "erasure; this report lists them.")
    canvas.setFillColor(BLACK)


def _column_titles(canvas: Canvas, y: float) -> float:
    canvas.setFillColor(BAND)
    canvas.rect(MARGIN, y - TITLE_ROW_H, TABLE_W, TITLE_ROW_H, stroke=0, fill=1)
    canvas.setFillColor(BLACK)
    canvas.setFont(BOLD, 7.2)
    x = MARGIN
    for title, _key, width in COLUMNS:
        canvas.drawString(x + 2, y - TITLE_ROW_H + 4, title)
        x += width
    return y - TITLE_ROW_H


def _cell(unit: ReportUnit, key: str, number: int) -> str:
    if key == "":
        return str(number)
    if key == "method":
        return f"{unit.method} ({unit.category})" if unit.category else text(unit.method)
    if key == "erased_at":
        return when(unit.erased_at)
    if key == "certificate_id":
        return text(unit.certificate_id, "none")
    return text(getattr(unit, key))


def _row(canvas: Canvas, top: float, number: int, unit: ReportUnit) -> None:
    x = MARGIN
    baseline = top - LINE
    for _title, key, width in COLUMNS:
        font = MONO if key == "certificate_id" and unit.certificate_id else FONT
        alert = key == "erasure" and unit.erasure != ERASED
        if alert:   # a unit not erased stands out in the erasure column
            font = BOLD
            canvas.setFillColor(ALERT)
        canvas.setFont(font, SIZE)
        for i, line in enumerate(fit(_cell(unit, key, number), font, SIZE, width - 4, 2)):
            canvas.drawString(x + 2, baseline - i * LINE, line)
        if alert:
            canvas.setFillColor(BLACK)
        x += width
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, top - ROW_H, PAGE_W - MARGIN, top - ROW_H)
