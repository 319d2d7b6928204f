"""The facility's daily production report of the recorded floor week (tests/core/kpi_floor.py): the figures
of Friday 2026-12-04 as CSV, and as a PDF rendered with pdftoppm and read back with pdftotext."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest

from app.core.daily_report import parse_day
from app.core.errors import OperatorError
from app.reports.daily_report import daily_report_csv, render_daily_report
from app.services.reports import daily_snapshot
from app.store.store import Store
from tests.core.kpi_floor import SettableClock, record_floor

FRIDAY = dt.date(2026, 12, 4)


def _figures(data: bytes) -> dict[tuple[str, str, str], str]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert {r["day"] for r in rows} == {"2026-12-04"}
    return {(r["section"], r["key"], r["measure"]): r["value"] for r in rows}


def test_daily_csv_has_the_days_figures(tmp_path: Path) -> None:
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock)
        figures = _figures(daily_report_csv(daily_snapshot(store, FRIDAY)))
        station = store.station_id
    # Friday: U1, U2, U3 received; U1 and U2 tested, sanitised, graded and shipped (box BX-1)
    assert [figures[("stage", s, "units")] for s in ("received", "tested", "sanitised", "graded", "shipped")] == [
        "3", "2", "2", "2", "2"]
    assert figures[("operator", "OP-ALICE", "units")] == "3"
    assert figures[("operator", "OP-BOB", "units")] == "2"
    assert figures[("station", station, "units")] == "3"
    # three erasures started (E1, E2a, E2b): two passed, one failed its verification
    assert [figures[("erasures", k, "count")] for k in ("started", "passed", "failed", "verification_failed")] == [
        "3", "2", "1", "1"]
    assert figures[("erasures", "success_rate", "fraction")] == "0.6667"
    assert figures[("failures", "speaker|Pixel 7", "failures")] == "2"
    assert figures[("failures", "touchscreen|iPhone 13", "runs")] == "1"
    assert figures[("route_yield", "repair", "units")] == "1"


def test_a_quiet_day_says_no_data_rather_than_zero(tmp_path: Path) -> None:
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock)
        snapshot = daily_snapshot(store, dt.date(2026, 12, 3))   # Thursday: nothing happened
    rows = list(csv.DictReader(io.StringIO(daily_report_csv(snapshot).decode("utf-8"))))
    assert {r["day"] for r in rows} == {"2026-12-03"}
    by_key = {(r["section"], r["key"], r["measure"]): r["value"] for r in rows}
    assert by_key[("stage", "received", "units")] == "0"
    assert by_key[("erasures", "success_rate", "fraction")] == ""   # no erasure finished: no rate
    assert not any(r["section"] == "failures" for r in rows)


def test_daily_pdf_renders_the_figures(tmp_path: Path) -> None:
    clock = SettableClock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_floor(store, clock)
        pdf = render_daily_report(daily_snapshot(store, FRIDAY))
    path = tmp_path / "daily.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True, timeout=120)
    assert len(list(tmp_path.glob("page-*.png"))) == 1
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    assert "Daily production report · Friday 2026-12-04" in text
    assert "Page 1 / 1" in text
    for line in ("Alice", "Bob", "speaker on Pixel 7", "touchscreen on iPhone 13", "66.7 %", "verification failed"):
        assert line in text, line


def test_a_day_that_is_not_a_date_is_refused_with_a_hint() -> None:
    assert parse_day(" 2026-12-04 ") == FRIDAY
    with pytest.raises(OperatorError) as caught:
        parse_day("2026-13-01")
    assert "YYYY-MM-DD" in (caught.value.hint or "")
