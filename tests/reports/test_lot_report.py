"""The customer's ITAD lot report from a lot worked through the real intake service and Store.record:
every unit's row, the totals, the sustainability sub-totals per factor table version, the CSV and JSON
exports, and the PDF rendered with pdftoppm and read back with pdftotext."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.core.carbon_factors import load_factor_tables
from app.core.device_classes import load_class_mapping
from app.core.errors import NotFound
from app.core.identifiers import IdentifierKind
from app.core.lot_report import (
    ERASED,
    NOT_ERASED,
    NOT_RECEIVED,
    VERIFICATION_FAILED,
    LotNotFound,
    LotReport,
    build_lot_report,
)
from app.core.models import PartyKind, Role
from app.reports.lot_report_data import CSV_COLUMNS, lot_report_csv, lot_report_json
from app.reports.lot_report_pdf import render_lot_report
from app.services.intake import IntakeService
from app.services.reports import lot_report, price_tables
from app.store.report_queries import bench_lot_records
from app.store.store import Store
from tests.reports.lot_report_fixture import (
    IMEI_GALAXY,
    IMEI_IPHONE,
    IMEI_PIXEL,
    LOT_K,
    lot_clock,
    luhn_imei,
    record_lot,
)


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], LotReport]:
    """The fixture lot on one store (module scope: the tests below only read it)."""
    base = tmp_path_factory.mktemp("lot")
    clock = lot_clock()
    with Store(base / "data", clock=clock) as store:
        ids = record_lot(store, clock, base / "certs")
        return base / "data", ids, lot_report(store, LOT_K.lower())


def _pdf_text(pdf: bytes, folder: Path) -> list[str]:
    """The text of each page (pdftotext, layout kept), after pdftoppm rendered every page to PNG."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(folder / "page")], check=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, timeout=120,
                          text=True).stdout
    pages = text.split("\f")
    assert len(list(folder.glob("page-*.png"))) == len([p for p in pages if p.strip()])
    return [p for p in pages if p.strip()]


def test_every_unit_with_its_erasure_grade_and_route(worked: tuple[Path, dict[str, str], LotReport]) -> None:
    _, ids, report = worked
    rows = {u.unit_id or u.identifier: u for u in report.units}
    assert [u.unit_id for u in report.units] == [ids["drive"], ids["pixel"], ids["iphone"], ids["galaxy"], ""]
    drive, pixel, iphone, missing = (rows[ids["drive"]], rows[ids["pixel"]], rows[ids["iphone"]], rows["WD-K0404"])
    assert (drive.identifier, drive.model, drive.serial, drive.erasure) == ("WD-K0001", "WD10EZEX", "WD-K0001", ERASED)
    assert (drive.method, drive.category, drive.verification, drive.certificate_id) == (
        "Overwrite, 1 pass zeros", "Clear", "full read passed", "C-K0001")
    assert (drive.route, drive.grade, drive.state) == ("resale", "", "received")
    # the serial added later is the label a person finds; both identifiers are listed
    assert pixel.identifier == "PX7-SERIAL-9"
    assert pixel.identifiers == (("imei", IMEI_PIXEL), ("serial", "PX7-SERIAL-9"))
    assert (pixel.erasure, pixel.certificate_id, pixel.erasure_attempts) == (VERIFICATION_FAILED, "", 1)
    assert (pixel.grade, pixel.route, pixel.factor_version, pixel.co2e_avoided_kg) == ("B", "resale", "2025.1", "27")
    # overrides win; the closed box ships it
    assert (iphone.identifier, iphone.grade, iphone.route, iphone.state) == (IMEI_IPHONE, "B", "repair", "shipped")
    assert (iphone.method, iphone.category, iphone.certificate_id) == ("Cryptographic erase", "Purge", "PR-K2")
    assert (iphone.factor_version, iphone.co2e_avoided_kg) == ("2026.1", "79.95")
    assert (missing.erasure, missing.model, missing.unit_id) == (NOT_RECEIVED, "ST1000DM010", "")
    galaxy = rows[ids["galaxy"]]
    assert (galaxy.erasure, galaxy.route, galaxy.co2e_avoided_kg, galaxy.factor_version) == (
        NOT_ERASED, "parts_harvest", "0", "2026.1")


def test_lot_totals_and_certificate(worked: tuple[Path, dict[str, str], LotReport]) -> None:
    _, ids, report = worked
    assert (report.lot.code, report.lot.party, report.lot.po, report.lot.party_kind) == (
        LOT_K, "Acme Leasing", "PO-7781", "customer")
    assert report.lot_certificates == (ids["certificate"],)
    assert dict(report.totals) == {
        "expected": 4, "units": 5, "received": 4, "not_received": 1, "erased": 2, "not_erased": 2,
        "erasure_failed": 1, "erasure_interrupted": 0, "erasure_in_progress": 0, "shipped": 1, "on_hold": 0,
        "route_resale": 2, "route_repair": 1, "route_parts_harvest": 1, "grade_B": 2}
    assert report.as_of == "2026-01-07T09:00:00.000Z"  # the lot certificate, the newest fact read


def test_sustainability_subtotals_per_factor_table_version(worked: tuple[Path, dict[str, str], LotReport]) -> None:
    summary = worked[2].sustainability
    assert summary is not None
    assert summary.factor_versions == ("2025.1", "2026.1")
    old, new = summary.by_version
    # 2025.1: the Pixel (27 kg, TU Berlin) and the drive (no published factor, counted as missing)
    assert (old.units, old.co2e_avoided_kg, old.units_without_co2e, old.units_without_mass) == (2, Decimal(27), 1, 1)
    # 2026.1: the iPhone repaired (79.95 kg) and the Galaxy harvested for parts (0 by the method)
    assert (new.units, new.units_reused, new.co2e_avoided_kg, new.ewaste_diverted_kg) == (
        2, 1, Decimal("79.95"), Decimal("0.15"))
    # two of the four parts the packaged price table values for a Galaxy S21
    assert (summary.parts_harvested, summary.parts_harvestable, summary.parts_reuse_rate) == (2, 4, Decimal("0.5"))
    disclosures = worked[2].disclosures
    assert disclosures["2025.1"][0].startswith("Carbon factor table 2025.1 (in force from 2025-01-01")
    assert any("ademe-2022" in line for line in disclosures["2026.1"])


def test_events_in_any_order_give_the_same_report(worked: tuple[Path, dict[str, str], LotReport]) -> None:
    data, _, report = worked
    with Store(data) as store:
        records = bench_lot_records(store.path, LOT_K)
        prices = price_tables(store)
    random.Random(7).shuffle(records)
    again = build_lot_report(records, LOT_K, tables=load_factor_tables(), mapping=load_class_mapping(),
                             price_tables=prices)
    assert lot_report_json(again) == lot_report_json(report)
    assert render_lot_report(again) == render_lot_report(report)


def test_an_unknown_lot_is_named_with_a_hint(worked: tuple[Path, dict[str, str], LotReport]) -> None:
    with Store(worked[0]) as store, pytest.raises(NotFound) as caught:
        lot_report(store, "LOT-2099-0001")
    assert "LOT-2099-0001" in caught.value.message
    assert caught.value.hint
    with pytest.raises(LotNotFound):
        build_lot_report([], "LOT-2099-0001")


def test_csv_has_one_row_per_unit(worked: tuple[Path, dict[str, str], LotReport]) -> None:
    _, _ids, report = worked
    data = lot_report_csv(report)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["identifier"] for r in rows] == ["WD-K0001", "PX7-SERIAL-9", IMEI_IPHONE, IMEI_GALAXY, "WD-K0404"]
    assert rows[1]["identifiers"] == f"imei:{IMEI_PIXEL} serial:PX7-SERIAL-9"
    assert (rows[2]["certificate_id"], rows[2]["route"], rows[2]["factor_version"]) == ("PR-K2", "repair", "2026.1")
    assert {r["lot_code"] for r in rows} == {LOT_K}
    assert lot_report_csv(report) == data


def test_json_is_sorted_and_stable(worked: tuple[Path, dict[str, str], LotReport]) -> None:
    _, ids, report = worked
    text = lot_report_json(report)
    doc: dict[str, Any] = json.loads(text)
    assert text.decode("utf-8") == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert doc["schema"] == "refurb-bench/lot-report/1"
    assert doc["totals"]["erased"] == 2
    assert [u["unit_id"] for u in doc["units"]] == [ids["drive"], ids["pixel"], ids["iphone"], ids["galaxy"], ""]
    assert doc["sustainability"]["parts_reuse_rate"] == "0.5000"
    versions = doc["sustainability"]["by_version"]
    assert [(v["factor_version"], v["co2e_avoided_kg"]) for v in versions] == [("2025.1", "27"), ("2026.1", "79.95")]
    assert doc["sustainability"]["co2e_avoided_kg"] == "106.95"
    assert versions[1]["disclosure"][0].startswith("Carbon factor table 2026.1")


def test_pdf_summary_page_and_unit_rows(worked: tuple[Path, dict[str, str], LotReport], tmp_path: Path) -> None:
    pages = _pdf_text(render_lot_report(worked[2]), tmp_path)
    assert len(pages) == 2
    summary, table = pages
    assert "ITAD lot report · LOT-2025-0900" in summary
    assert "Page 1 / 2" in summary
    assert "Customer Acme Leasing · PO PO-7781" in summary
    assert "5 unit(s) listed (4 expected): 4 received, 1 listed on the manifest but never received." in summary
    assert "parts reuse rate 50.0 %" in summary
    assert "Erasure: 2 erased and verified, 1 failed" in summary
    assert re.search(r"Factor table 2025\.1 \(SHA-256 [0-9a-f]{16}\): 2 unit\(s\), 2 reused, CO2e avoided 27\.00 kg",
                     summary)
    assert "Factor table 2026.1" in summary
    assert "[ademe-2022]" in summary
    assert worked[1]["certificate"] in summary
    assert "Page 2 / 2" in table
    assert "Lot LOT-2025-0900 · Acme Leasing · page 2 of 2" in table
    for expected in ("WD-K0001", "C-K0001", "Cryptographic erase", "PR-K2", "verification failed", "not received",
                     "PX7-SERIAL-9", IMEI_IPHONE):
        assert expected in table, expected


def test_a_long_lot_paginates_with_the_header_on_every_page(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        intake = IntakeService(store)
        intake.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
        intake.login_badge("OP-0001")
        intake.create_lot("LOT-2026-0070", PartyKind.CUSTOMER, "Big Bank", "PO-70", 70)
        imeis = [luhn_imei(f"3560002{i:07d}") for i in range(70)]
        for imei in imeis:
            intake.add_unit(IdentifierKind.IMEI, imei, lot_code="LOT-2026-0070", model="Galaxy S22")
        report = lot_report(store, "LOT-2026-0070")
    pages = _pdf_text(render_lot_report(report), tmp_path)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in page
        assert "ITAD lot report · LOT-2026-0070" in page
        assert "Customer Big Bank" in page
        if number > 1:
            assert "Identifier" in page
            assert "Certificate id" in page
    listed = [imei for imei in imeis if any(imei in page for page in pages[1:])]
    assert listed == imeis
    assert "70 unit(s) listed (70 expected): 70 received" in pages[0]
    assert "No unit of this lot has a route yet" in pages[0]
