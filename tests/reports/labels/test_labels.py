"""Unit and box labels: the PDF, rendered by pdftoppm, scans with zbarimg to the exact identifiers;
the ZPL reads back (with the simulator's ZPL reader) to the same fields at 203 and 300 dpi.

pdftoppm and zbarimg are part of what is tested: a missing tool fails these tests, it does not skip them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.reports.labels import (
    BoxLabelData,
    ManifestLine,
    UnitLabelData,
    box_label,
    manifest_code,
    manifest_csv,
    manifest_pdf,
    to_pdf,
    to_zpl,
    unit_label,
)
from drivers.sim.printer import parse_zpl
from tests.reports.labels.support import ALL, PHONE, SERIAL_ONLY, WITH_GTIN, decode_pages, run

GS = "\x1d"


@pytest.mark.parametrize("data", ALL, ids=lambda d: d.model)
@pytest.mark.parametrize("dpi", [203, 300])
def test_unit_label_pdf_scans_to_the_exact_identifiers(tmp_path: Path, data: UnitLabelData, dpi: int) -> None:
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(to_pdf([unit_label(data)]))
    (symbols,) = decode_pages(pdf, dpi)
    assert sorted(symbols) == sorted([("CODE-128", data.barcode), ("QR-Code", data.gs1_elements or data.barcode)])


def test_unit_label_pdf_text(tmp_path: Path) -> None:
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(to_pdf([unit_label(WITH_GTIN), unit_label(SERIAL_ONLY)]))
    text = run("pdftotext", "-layout", pdf, "-").stdout.decode("utf-8")
    for expected in ("iPhone 13 128GB", "Grade B / 0 · R2 F5-C5", "Lot LOT-2026-0042 · 2026-11-22",
                     "Data sanitised · C-ABCDEFGHJKLMNPQR", "IMEI 490154203237518",
                     "(01)09501101530003(21)490154203237518", "UN3481", f"Tel {PHONE}",
                     "ThinkPad T14 Gen 3 512GB", "S/N PF3K9Z2Q"):
        assert expected in text
    # No lithium mark or sanitisation line where the unit has neither.
    second_page = text.split("\f")[1]
    assert "UN3481" not in second_page
    assert "Data sanitised" not in second_page


@pytest.mark.parametrize("dpi", [203, 300])
def test_unit_label_zpl_carries_the_fields(dpi: int) -> None:
    (label,) = parse_zpl(to_zpl(unit_label(WITH_GTIN), dpi))
    assert (label.width, label.length) == ((609, 406) if dpi == 203 else (900, 600))
    (code128,) = label.of_kind("code128")
    assert code128.data == "490154203237518"
    (matrix,) = label.of_kind("datamatrix")
    assert matrix.gs1
    assert matrix.data == "0109501101530003" + "21490154203237518"
    assert matrix.params[2] == "200"
    texts = label.texts()
    for expected in ("iPhone 13 128GB", "Grade B / 0 · R2 F5-C5", "Data sanitised · C-ABCDEFGHJKLMNPQR", "UN3481",
                     f"Tel {PHONE}", "IMEI 490154203237518"):
        assert expected in texts
    assert not label.unknown


def test_serial_only_label_has_a_qr_code_and_no_lithium_mark() -> None:
    (label,) = parse_zpl(to_zpl(unit_label(SERIAL_ONLY), 203))
    assert [f.data for f in label.of_kind("qr")] == ["PF3K9Z2Q"]
    assert not label.of_kind("datamatrix")
    assert not label.of_kind("box")
    assert "UN3481" not in label.texts()


def test_zpl_escapes_command_characters_and_keeps_utf8() -> None:
    tricky = UnitLabelData(model="Phone ^XZ~JR \\ under_score", colour="Crème brûlée", grade="A", route="r",
                           lot="L", date="d", serial="AB_12")
    (label,) = parse_zpl(to_zpl(unit_label(tricky), 300))
    assert "Phone ^XZ~JR \\ under_score " in label.texts()
    assert "Crème brûlée" in label.texts()
    assert label.of_kind("code128")[0].data == "AB_12"


def test_gs1_serial_with_underscore_is_escaped_in_the_datamatrix() -> None:
    from tests.reports.labels.support import SERIAL_AND_GTIN

    (label,) = parse_zpl(to_zpl(unit_label(SERIAL_AND_GTIN), 203))
    assert label.of_kind("datamatrix")[0].data == SERIAL_AND_GTIN.gs1_elements
    assert "_1" + "01" in to_zpl(unit_label(SERIAL_AND_GTIN), 203)
    assert "R52T30ABCDE__9" in to_zpl(unit_label(SERIAL_AND_GTIN), 203)


def test_bad_label_data_is_refused() -> None:
    with pytest.raises(ValueError, match="not a valid IMEI"):
        UnitLabelData(model="m", grade="A", route="r", lot="l", date="d", imei="490154203237519")
    with pytest.raises(ValueError, match="wrong check digit"):
        UnitLabelData(model="m", grade="A", route="r", lot="l", date="d", serial="S1", gtin="09501101530004")
    with pytest.raises(ValueError, match="needs an IMEI or a serial"):
        UnitLabelData(model="m", grade="A", route="r", lot="l", date="d")
    with pytest.raises(ValueError, match="dpi"):
        to_zpl(unit_label(WITH_GTIN), 600)


def _manifest(count: int) -> list[ManifestLine]:
    return [ManifestLine(f"3567890123456{i:02d}", "iPhone 13", "128GB", "B / 0", "Resale · Back Market Good",
                         f"C-{i:016d}") for i in range(count)]


def test_box_label_and_manifest(tmp_path: Path) -> None:
    lines = [*_manifest(3), ManifestLine("=HYPERLINK(1)", "x", "", "D", "recycle")]
    code = manifest_code("BX-000123", lines)
    data = BoxLabelData(box_id="BX-000123", route="Resale · Back Market Good", units=len(lines), date="2026-11-22",
                        manifest_code=code, un_number="UN3481", phone=PHONE,
                        air_note="Damaged battery inside: ground transport only")
    pdf = tmp_path / "box.pdf"
    pdf.write_bytes(to_pdf([box_label(data)]))
    (symbols,) = decode_pages(pdf, 203)
    assert sorted(symbols) == [("CODE-128", "BX-000123"), ("QR-Code", code)]
    text = run("pdftotext", "-layout", pdf, "-").stdout.decode("utf-8")
    assert "UN3481" in text
    assert "ground transport only" in text
    (zpl,) = parse_zpl(to_zpl(box_label(data), 203))
    assert (zpl.width, zpl.length) == (812, 1218)
    assert zpl.of_kind("code128")[0].data == "BX-000123"
    assert zpl.of_kind("qr")[0].data == code

    rows = list(csv.reader(io.StringIO(manifest_csv(lines))))
    assert rows[0] == ["Line", "Identifier", "Model", "Storage", "Grade", "Route", "Certificate"]
    assert rows[1] == ["1", "356789012345600", "iPhone 13", "128GB", "B / 0", "Resale · Back Market Good",
                       "C-0000000000000000"]
    assert rows[4][1] == "'=HYPERLINK(1)"
    assert code.startswith("RBBOX:1:BX-000123:4:")

    long = tmp_path / "manifest.pdf"
    long.write_bytes(manifest_pdf("BX-000123", "Resale · Back Market Good", "2026-11-22", _manifest(70)))
    pages = run("pdftotext", "-layout", long, "-").stdout.decode("utf-8").split("\f")
    assert "page 1 of 2" in pages[0]
    assert "356789012345669" in pages[1]
    assert len([p for p in pages if p.strip()]) == 2
