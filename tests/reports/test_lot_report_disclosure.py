"""A lot report discloses, per factor table version, only the device classes its units were figured with
and the sources those cite; page 1 of the PDF shows them as a short, bulleted list (rendered and read back)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from app.core.carbon_factors import DeviceClass, load_factor_tables, table_by_version
from app.core.lot_report_disclosure import lot_disclosure
from app.core.sustainability import disclosure
from app.reports.lot_report_pdf import render_lot_report
from app.services.reports import lot_report
from app.store.store import Store
from tests.reports.lot_report_fixture import LOT_K, lot_clock, record_lot


def test_only_the_lots_classes_and_their_sources(tmp_path: Path) -> None:
    clock = lot_clock()
    with Store(tmp_path / "data", clock=clock) as store:
        record_lot(store, clock, tmp_path / "certs")
        report = lot_report(store, LOT_K)
    old, new = report.disclosures["2025.1"], report.disclosures["2026.1"]
    # 2025.1 figured the Pixel (smartphone) and the drive (hdd); 2026.1 the iPhone and the Galaxy (smartphones)
    assert [line.split(":")[0] for line in old[1:3]] == ["smartphone", "hdd"]
    assert [line[:line.index("]") + 1] for line in old[3:]] == ["[ademe-2022]", "[tu-berlin-reuse]"]
    assert new[0].startswith("Carbon factor table 2026.1")
    assert new[1].startswith("smartphone: ")
    assert [line[:line.index("]") + 1] for line in new[2:]] == ["[ademe-2022]"]
    whole = disclosure(table_by_version(load_factor_tables(), "2026.1"))  # type: ignore[arg-type]
    assert len(whole) > len(new) + 5   # every class and every source of the table
    assert set(new) <= set(whole)      # the same words, fewer lines

    out = tmp_path / "lot.pdf"
    out.write_bytes(render_lot_report(report))
    page1 = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(out), "-"], capture_output=True,
                           text=True, check=True, timeout=60).stdout
    assert page1.count("\u2022 smartphone:") == 2
    assert "\u2022 hdd:" in page1
    assert "laptop:" not in page1
    assert "tablet:" not in page1
    assert "fraunhofer" not in page1
    assert page1.count("Sources:") == 2
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
                   check=True, timeout=60)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_a_class_without_factors_keeps_the_tables_line() -> None:
    table = load_factor_tables()[0]
    lines = lot_disclosure(table, set())
    assert lines == (disclosure(table)[0],)
    every = lot_disclosure(table, set(DeviceClass))
    assert every == disclosure(table)   # all classes: the whole table, nothing lost
