"""The facility's daily production report as a portrait A4 PDF and as CSV.

Both print the lines of app/core/daily_report.py: units per stage, per station and per operator (with
units per active hour), erasures, time per stage, yields and the failing tests. The CSV is one figure
per row (section, key, name, measure, value), so two days, or the bench and the hub, diff line by line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from reportlab.lib.colors import Color  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from app.core.daily_report import DailyLine, daily_lines
from app.core.kpi_snapshot import DashboardSnapshot
from app.reports.pdf_text import fit

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
FONT, BOLD = "Helvetica", "Helvetica-Bold"
LINE = 13.0
GREY = Color(0.35, 0.35, 0.35)
BAND = Color(0.9, 0.9, 0.9)
BLACK = Color(0, 0, 0)

# section -> (title, column titles, measures shown as columns after the name)
SECTIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "stage": ("Units per stage", ("Stage", "Units"), ("units",)),
    "station": ("Per station", ("Station", "Units", "Units / active hour"), ("units", "units_per_hour")),
    "operator": ("Per operator", ("Operator", "Units", "Units / active hour"), ("units", "units_per_hour")),
    "erasures": ("Erasures", ("Erasures", "Value"), ("count", "fraction")),
    "stage_time": ("Time per stage", ("Stage", "Units", "Median (min)", "p90 (min)"), ("units", "median_s", "p90_s")),
    "grade_yield": ("Graded units by cosmetic grade", ("Grade", "Units"), ("units",)),
    "route_yield": ("Graded units by route", ("Route", "Units"), ("units",)),
    "failures": ("Failing tests (most failures first)", ("Test on model", "Failures", "Runs"), ("failures", "runs")),
}
COLUMN_X = (0.0, 230.0, 320.0, 420.0)

Item = tuple[str, tuple[str, ...]]   # ("title" | "columns" | "row" | "none", cells)


def daily_report_csv(snapshot: DashboardSnapshot) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("day", "section", "key", "name", "measure", "value"))
    day = (snapshot.scope.start or "")[:10]
    for line in daily_lines(snapshot):
        writer.writerow((day, line.section, line.key, line.name, line.measure, line.value))
    return out.getvalue().encode("utf-8")


def _cell(measure: str, value: str) -> str:
    if value == "":
        return "no data"
    if measure in ("median_s", "p90_s"):
        return f"{float(value) / 60:.1f}"
    if measure == "fraction":
        return f"{float(value) * 100:.1f} %"
    return value


def _items(lines: Sequence[DailyLine]) -> list[Item]:
    items: list[Item] = []
    for section, (title, columns, measures) in SECTIONS.items():
        if items:
            items.append(("gap", ()))
        items.append(("title", (title,)))
        items.append(("columns", columns))
        rows: dict[str, dict[str, str]] = {}
        names: dict[str, str] = {}
        for line in lines:
            if line.section == section:
                rows.setdefault(line.key, {})[line.measure] = line.value
                names[line.key] = line.name
        if not rows:
            items.append(("none", ("none that day",)))
        for key, values in rows.items():
            shown = [_cell(m, values[m]) for m in measures if m in values]
            items.append(("row", (names[key], *shown)))
    return items


def render_daily_report(snapshot: DashboardSnapshot) -> bytes:
    """The PDF bytes of one day's report; equal snapshots give equal bytes."""
    day = (snapshot.scope.start or "")[:10]
    station = snapshot.scope.station_id or "all stations"
    per_page = int((PAGE_H - 2 * MARGIN - 60) // LINE)
    items = _items(daily_lines(snapshot))
    pages = [items[i:i + per_page] for i in range(0, len(items), per_page)]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    canvas.setTitle(f"Daily production report {day}")
    canvas.setAuthor("Refurb Bench")
    canvas.setCreator("Refurb Bench")
    weekday = dt.date.fromisoformat(day).strftime("%A") if day else ""
    for number, page in enumerate(pages, start=1):
        top = PAGE_H - MARGIN
        canvas.setFillColor(BLACK)
        canvas.setFont(BOLD, 15)
        canvas.drawString(MARGIN, top - 14, f"Daily production report · {weekday} {day}")
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, top - 28, f"{station} · 00:00–24:00 UTC · figures as defined for the floor "
                          "dashboard")
        canvas.drawRightString(PAGE_W - MARGIN, top - 14, f"Page {number} / {len(pages)}")
        y = top - 50
        for kind, cells in page:
            y -= LINE
            _draw(canvas, y, kind, cells)
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, MARGIN - 4, f"Daily production report {day} · {station} · page {number} of "
                          f"{len(pages)} · Refurb Bench")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw(canvas: Canvas, y: float, kind: str, cells: tuple[str, ...]) -> None:
    if kind == "gap":
        return
    if kind == "title":
        canvas.setFillColor(BLACK)
        canvas.setFont(BOLD, 10.5)
        canvas.drawString(MARGIN, y, cells[0])
        return
    if kind == "columns":
        canvas.setFillColor(BAND)
        canvas.rect(MARGIN, y - 3, PAGE_W - 2 * MARGIN, LINE - 1, stroke=0, fill=1)
    canvas.setFillColor(GREY if kind == "none" else BLACK)
    canvas.setFont(BOLD if kind == "columns" else FONT, 8.5)
    for x, value in zip(COLUMN_X, cells, strict=False):
        width = (COLUMN_X[1] - 6) if x == 0 else 90
        canvas.drawString(MARGIN + x + 2, y, fit(value, FONT, 8.5, width, 1)[0])
