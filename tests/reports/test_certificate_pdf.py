"""The printable certificate: poppler renders it, zbar reads its QR code, its text carries the Appendix G
sections, and the signed document inside it verifies (and names the field when edited).

The external tools are part of what is tested: a missing pdftoppm, pdftotext, pdfdetach or zbarimg
fails these tests rather than skipping them (install poppler-utils and zbar-tools).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen.canvas import Canvas

from app.core import events as ev
from app.core.certificate import check, document, with_field_digests
from app.reports.certificate_pdf import embedded_document, qr_payload, render_certificate
from app.services.intake import IntakeService
from app.store.keys import public_key_text
from app.store.store import Store

SERIAL = "WD-WCC4N1234567"
MODEL = "WDC WD10EZEX-08WN4A0"
SECTIONS = ("Person performing sanitization", "Media information", "Sanitization details", "Media destination",
            "Signature", "Validation")


def _run(tool: str, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    path = shutil.which(tool)
    assert path, f"{tool} is not installed; these tests need poppler-utils and zbar-tools"
    return subprocess.run([path, *map(str, args)], capture_output=True, check=True, timeout=60)


def _body(unit_serial: str, **overrides: Any) -> dict[str, Any]:
    """An erasure.completed body shaped as app/services/erasure.py records one (a 1 TB SATA drive)."""
    body: dict[str, Any] = {
        "erasure_id": "E-0123456789abcdef", "outcome": "passed", "certificate_id": "C-ABCDEFGHJKLMNPQR",
        "device": {"path": "/dev/sdb", "model": MODEL, "serial": unit_serial, "wwn": "0x50014ee2b5c8d9e0",
                   "transport": "sata", "size_bytes": 1_000_204_886_016, "logical_sector": 512,
                   "media_type": "magnetic", "bay": 2, "bay_key": "pci0000:00/0000:00:17.0/ata2",
                   "label_identifier": ""},
        "method": {"name": "overwrite-zeros", "category": "Clear", "technique": "Overwrite", "pattern": "zeros",
                   "passes": 1, "standard": "NIST SP 800-88 Rev. 1 Clear (single overwrite pass, verified); "
                   "IEEE 2883-2022 Clear", "tool": "Refurb Bench overwrite engine", "tool_version": "0.1.0",
                   "start_offset": 0},
        "verification": {"method": "full", "verified_bytes": 1_000_204_886_016, "sample_ranges": 0,
                         "sample_seed": 0, "result": "passed", "mismatches": 0},
        "result": {"summary": "1,000.20 GB overwritten with zeros, full verification passed",
                   "written_bytes": 1_000_204_886_016, "bad_ranges": 0, "elapsed_ms": 7_412_000,
                   "next_offset": 1_000_204_886_016},
        "operator": {"id": "OP-0002", "name": "Sam Okafor", "role": "technician"},
        "started_at": "2026-11-22T05:10:00.123Z", "finished_at": "2026-11-22T07:13:32.123Z", "destination": "reuse",
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        elif value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _certificate(store: Store, serial: str = SERIAL, **overrides: Any) -> dict[str, Any]:
    """A signed certificate document, recorded through the store as the erase service records one."""
    unit_id = "U-" + serial.replace("-", "")[:12]
    store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "serial", "value": serial}], "source": "cli",
                                   "model": MODEL}, unit_id=unit_id)
    body = _body(serial, **overrides)
    body["station"] = {"station_id": store.station_id, "public_key": public_key_text(store.public_key)}
    event = store.record(ev.ERASURE_COMPLETED, with_field_digests(body), unit_id=unit_id)
    return document(event, public_key_text(store.public_key))


@pytest.fixture
def doc(intake: IntakeService) -> dict[str, Any]:
    return _certificate(intake.store)


@pytest.fixture
def pdf(doc: dict[str, Any]) -> bytes:
    return render_certificate(doc)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    return " ".join(_run("pdftotext", "-layout", path, "-").stdout.decode("utf-8").split())


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


# --- rendering and reading back -------------------------------------------------------------------------


def test_poppler_renders_one_a4_page_whose_qr_code_decodes(pdf: bytes, doc: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "cert.pdf").write_bytes(pdf)
    _run("pdftoppm", "-r", "100", "-png", tmp_path / "cert.pdf", tmp_path / "page")
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1, "a certificate is exactly one page"
    assert _png_size(pages[0]) == (827, 1170), "A4 at 100 dpi (poppler rounds 1169.3 up)"
    decoded = _run("zbarimg", "--raw", "-q", pages[0]).stdout.decode("ascii").strip()
    expected = f"RBCERT:1:{doc['certificate']['certificate_id']}:{doc['event']['hash']}"
    assert decoded == expected
    assert qr_payload(doc) == expected


def test_qr_code_is_big_enough_to_scan_from_paper(pdf: bytes, tmp_path: Path) -> None:
    (tmp_path / "cert.pdf").write_bytes(pdf)
    _run("pdftoppm", "-r", "100", "-gray", tmp_path / "cert.pdf", tmp_path / "page")
    (page,) = tmp_path.glob("page*.pgm")
    magic, width, height, _maxval, pixels = page.read_bytes().split(maxsplit=4)
    assert magic == b"P5"
    w, h = int(width), int(height)
    # The code is the black block in the top-right corner, right of the outcome box and above the first section;
    # the grey caption under it never gets this dark.
    dark = [(x, y) for y in range(0, h // 4) for x in range(w * 72 // 100, w) if pixels[y * w + x] < 60]
    xs, ys = [x for x, _ in dark], [y for _, y in dark]
    size_mm = (max(xs) - min(xs) + 1) * 25.4 / 100, (max(ys) - min(ys) + 1) * 25.4 / 100
    assert min(size_mm) >= 35, f"the QR code is only {size_mm[0]:.1f} x {size_mm[1]:.1f} mm"


def test_text_carries_the_record_and_every_appendix_g_section(pdf: bytes, tmp_path: Path) -> None:
    text = _text(pdf, tmp_path)
    for expected in ("Certificate of Sanitization", "NIST SP 800-88 Rev. 1 Appendix G", "IEEE 2883-2022",
                     "C-ABCDEFGHJKLMNPQR", SERIAL, MODEL, "0x50014ee2b5c8d9e0", "Overwrite (overwrite-zeros)",
                     "Clear", "pattern zeros, 1 pass", "Full: every byte read back", "passed (0 mismatching ranges)",
                     "1,000.20 GB (1,000,204,886,016 bytes)", "Sam Okafor", "technician", "Reuse",
                     "2026-11-22 05:10:00.123 UTC", "PASSED", *SECTIONS):
        assert expected in text, f"{expected!r} is missing from the printed certificate"


def test_values_the_body_does_not_record_are_not_invented(intake: IntakeService, tmp_path: Path) -> None:
    sata = _text(render_certificate(_certificate(intake.store)), tmp_path)
    assert "HPA / DCO not checked" in sata
    assert "Make / vendor not reported by the device" in sata
    loop = _certificate(intake.store, "LOOPLABEL0001", operator=None,
                        device={"transport": "loop", "serial": "", "wwn": "", "model": "", "path": "/dev/loop0",
                                "label_identifier": "LOOPLABEL0001"})
    text = _text(render_certificate(loop), tmp_path)
    assert "HPA / DCO not applicable (virtual device)" in text
    assert "LOOPLABEL0001 (from the drive label, entered by the operator)" in text
    assert "Name not recorded (no operator was logged in" in text
    assert "WWN not reported" in text


def test_embedded_document_is_the_signed_certificate(pdf: bytes, doc: dict[str, Any], intake: IntakeService,
                                                     tmp_path: Path) -> None:
    embedded = embedded_document(pdf)
    assert embedded == doc
    assert check(embedded, public_key_text(intake.store.public_key)).ok
    # It is a standard PDF attachment: poppler saves it as the very file `cert verify` reads.
    (tmp_path / "cert.pdf").write_bytes(pdf)
    assert b"C-ABCDEFGHJKLMNPQR.json" in _run("pdfdetach", "-list", tmp_path / "cert.pdf").stdout
    _run("pdfdetach", "-save", "1", "-o", tmp_path / "attached.json", tmp_path / "cert.pdf")
    assert json.loads((tmp_path / "attached.json").read_text()) == doc


@pytest.mark.parametrize("replacement", [b'"serial": "WD-WCC4N7654321"', b'"serial": "SOMEOTHERDRIVE-0001"'])
def test_an_edited_embedded_certificate_names_the_field(pdf: bytes, intake: IntakeService,
                                                        replacement: bytes) -> None:
    original = f'"serial": "{SERIAL}"'.encode()
    assert pdf.count(original) == 1, "the certificate JSON should sit in the PDF uncompressed"
    edited = embedded_document(pdf.replace(original, replacement))  # the second edit also breaks /Length
    assert edited is not None
    result = check(edited, public_key_text(intake.store.public_key))
    assert not result.ok
    assert "field 'device.serial' was altered" in result.problems


def test_rendering_is_byte_for_byte_deterministic(pdf: bytes, doc: dict[str, Any]) -> None:
    assert render_certificate(doc) == pdf
    reordered = json.loads(json.dumps(doc, sort_keys=True))  # same content, other key order
    assert render_certificate(reordered) == pdf


# --- refusals and damaged files -----------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["failed", "interrupted"])
def test_only_a_passed_erasure_is_rendered(intake: IntakeService, outcome: str) -> None:
    doc = _certificate(intake.store, outcome=outcome, certificate_id=None)
    with pytest.raises(ValueError, match=f"outcome is '{outcome}'"):
        render_certificate(doc)


def test_a_document_that_does_not_verify_is_not_rendered(doc: dict[str, Any]) -> None:
    forged = json.loads(json.dumps(doc))
    forged["certificate"]["device"]["serial"] = "SOMEONE-ELSES"
    with pytest.raises(ValueError, match=r"device\.serial"):
        render_certificate(forged)
    with pytest.raises(ValueError, match="not a Refurb Bench erasure certificate"):
        render_certificate({"schema": "something/else", "certificate": {}, "event": {}})


def _plain_pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.drawString(72, 720, "no attachment here")
    canvas.save()
    return out.getvalue()


@pytest.mark.parametrize("damage", ["half", "no_eof", "empty", "garbage", "plain_pdf", "broken_json"])
def test_damaged_or_foreign_pdfs_have_no_embedded_document(pdf: bytes, damage: str) -> None:
    damaged = {
        "half": pdf[: len(pdf) // 2],
        "no_eof": pdf[:-8],
        "empty": b"",
        "garbage": b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n",
        "plain_pdf": _plain_pdf(),
        "broken_json": pdf.replace(b'"schema": "refurb-bench', b'"schema"; "refurb-bench'),
    }[damage]
    assert embedded_document(damaged) is None


# --- layout --------------------------------------------------------------------------------------------------

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def test_long_values_wrap_without_overlapping_or_leaving_the_page(intake: IntakeService, tmp_path: Path) -> None:
    long = _certificate(
        intake.store, "S" * 20,
        operator={"id": "OP-0002", "name": "Maximiliane Alexandra von Hohenzollern-Sigmaringen", "role": "supervisor"},
        device={"model": "Very Long Enterprise Model Name " * 3, "label_identifier": "ASSET-TAG-" * 6},
        method={"standard": "Customer specification 'Data Destruction Requirements for Leased Equipment' " * 3},
        result={"summary": "overwritten with zeros and verified in full, every range read back and compared " * 3},
    )
    path = tmp_path / "long.pdf"
    path.write_bytes(render_certificate(long))
    _run("pdftoppm", "-r", "50", "-png", path, tmp_path / "page")
    assert len(list(tmp_path.glob("page*.png"))) == 1
    html = _run("pdftotext", "-bbox", path, "-").stdout.decode("utf-8")
    words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(html)]
    text = " ".join(w[4] for w in words)
    for expected in ("Hohenzollern-Sigmaringen", "Location", "Date", "printout,"):
        assert expected in text, f"{expected!r} is not on the page"
    footer_top = min(y0 for _, y0, _, _, word in words if word == "printout,")
    for i, (x0, y0, x1, y1, word) in enumerate(words):
        assert x0 >= 0, f"{word!r} leaves the page"
        assert x1 <= 595.3, f"{word!r} leaves the page"
        assert y0 >= 0, f"{word!r} leaves the page"
        assert y1 <= 841.9, f"{word!r} leaves the page"
        assert y1 <= footer_top + 1 or y0 >= footer_top - 1, f"{word!r} runs into the footer"
        for a0, b0, a1, b1, other in words[i + 1:]:
            # poppler's boxes include the font's line gap; a real collision overlaps by more than a point
            overlap = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
            assert not (overlap[0] > 1 and overlap[1] > 1), f"{word!r} overlaps {other!r}"


def test_health_hidden_areas_and_override_fit_on_the_one_page(intake: IntakeService, tmp_path: Path) -> None:
    worn = {"verdict": "warn", "reasons": [
        {"level": "warn", "code": "reallocated_sectors", "text": "8 reallocated sectors (limit 0 for a pass)"},
        {"level": "warn", "code": "pending_sectors", "text": "2 sectors pending reallocation (unreadable at last try)"},
        {"level": "warn", "code": "power_on_hours", "text": "52114 power-on hours (warn over 50000)"},
        {"level": "warn", "code": "smartctl_error_log", "text": "the drive's error log has recorded errors"}],
        "model": "ST2000DM001-1CH164", "serial": "Z1E0ABCD", "firmware": "CC26", "power_on_hours": 52114,
        "temperature_c": 41, "reallocated_sectors": 8, "pending_sectors": 2, "offline_uncorrectable": 0,
        "smartctl_version": "7.3", "smartctl_exit_status": 96}
    before = {"hpa": "present", "dco": "absent", "visible_sectors": 3_907_029_168 - 2048,
              "native_sectors": 3_907_029_168, "dco_max_sectors": 3_907_029_168,
              "detail": "max sectors = 3907027120/3907029168, HPA is enabled"}
    after = {**before, "hpa": "absent", "visible_sectors": 3_907_029_168,
             "detail": "max sectors = 3907029168/3907029168, HPA is disabled"}
    override = {"by": {"id": "O-1", "name": "Maximiliane Alexandra von Hohenzollern-Sigmaringen", "role": "supervisor"},
                "reason": "dock 5 was rewired this morning and the bay map update is pending the site survey " * 2,
                "refusals": [{"code": "not_in_bay_map", "text": "/dev/sdb is not in a bay of this bench"}]}
    doc = _certificate(intake.store, smart=worn, hidden_areas={"before": before, "after": after}, override=override,
                       device={"model": "Very Long Enterprise Model Name " * 3})
    path = tmp_path / "full.pdf"
    path.write_bytes(render_certificate(doc))
    _run("pdftoppm", "-r", "100", "-png", path, tmp_path / "page")
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    assert _run("zbarimg", "--raw", "-q", pages[0]).stdout.decode().strip() == qr_payload(doc)
    text = _text(path.read_bytes(), tmp_path)
    for expected in ("Drive health (read before erasure) and hidden areas", "WARN (smartctl 7.3, exit status 96): 8",
                     "power-on 52,114 h", "temperature 41 °C",
                     "HPA present → absent; DCO absent → absent (before → after erasure)",
                     "visible 3,907,027,120 sectors, native 3,907,029,168 sectors", "HPA is enabled", "HPA is disabled",
                     "Interlock override by Maximiliane", "not in a bay of this bench", "Validation"):
        assert expected in text, f"{expected!r} is missing"
    html = _run("pdftotext", "-bbox", path, "-").stdout.decode("utf-8")
    words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(html)]
    footer_top = min(y0 for _, y0, _, _, word in words if word == "printout,")
    for i, (x0, y0, x1, y1, word) in enumerate(words):
        assert y1 <= footer_top + 1 or y0 >= footer_top - 1, f"{word!r} runs into the footer"
        for a0, b0, a1, b1, other in words[i + 1:]:
            overlap = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
            assert not (overlap[0] > 1 and overlap[1] > 1), f"{word!r} overlaps {other!r}"
