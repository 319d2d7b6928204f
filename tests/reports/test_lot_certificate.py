"""The lot's certificate of data destruction: every unit listed (erased or not, received or not), signed
like a drive certificate, printed over as many pages as it takes with the header on each, and any edit
to the JSON or to the PDF's attachment named down to the cell.

pdftoppm, pdftotext and zbarimg are part of what is tested (poppler-utils, zbar-tools).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from app.core import certificate
from app.core.errors import NotFound, OperatorError
from app.core.identifiers import IdentifierKind
from app.core.models import Lot, PartyKind
from app.reports.certificate_pdf import embedded_document
from app.reports.lot_certificate_pdf import paginate, qr_payload, render_lot_certificate
from app.services.drives import DriveService
from app.services.erasure import EraseRequest, EraseService
from app.services.intake import IntakeService
from app.services.lot_certificate import issue_lot_certificate
from app.store.keys import public_key_text
from drivers.block.overwrite import VerifyMode
from tests.drivers.loop_devices import loop_device

MIB = 1024 * 1024
LOT = "LOT-2026-0077"
MANIFEST = b"Serial,Model\nWD-L0001,WD10EZEX\nWD-L0002,WD10EZEX\nWD-L0003,ST1000DM010\nWD-L0404,ST1000DM010\n"


def _run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(a) for a in args], capture_output=True, check=True, timeout=120)


def _lot(intake: IntakeService, count: int = 0) -> Lot:
    intake.login_badge("OP-0001")
    return intake.create_lot(LOT, PartyKind.CUSTOMER, "Acme Leasing", "PO-7781", count or 4)


@pytest.fixture
def worked_lot(intake: IntakeService, tmp_path: Path) -> dict[str, Any]:
    """Four drives on the manifest: one erased and certified, one whose erasure was stopped, one never
    erased, one never received."""
    lot = _lot(intake)
    intake.import_manifest_file(lot, MANIFEST, "acme.csv")
    for serial in ("WD-L0001", "WD-L0002", "WD-L0003"):
        intake.add_unit(IdentifierKind.SERIAL, serial, lot_code=LOT)
    store = intake.store
    operator = intake.operator
    with loop_device(tmp_path / "one.img", 8 * MIB) as one, loop_device(tmp_path / "two.img", 8 * MIB) as two:
        for bay, path in enumerate((one, two), start=1):
            DriveService(store).assign_bay(bay, f"virtual/{os.path.basename(path)}")
        passed = EraseService(store, operator).erase(
            EraseRequest(one, "overwrite-zeros", VerifyMode.FULL, allow_loop=True, unit_identifier="WD-L0001"),
            threading.Event())
        stopped = threading.Event()
        stopped.set()  # the operator cancelled before the first block
        interrupted = EraseService(store, operator).erase(
            EraseRequest(two, "overwrite-random", VerifyMode.SAMPLE, allow_loop=True, unit_identifier="WD-L0002"),
            stopped)
    assert passed.outcome == "passed"
    assert interrupted.outcome == "interrupted"
    assert passed.certificate_path is not None
    drive_doc = json.loads(Path(passed.certificate_path).read_text())
    issued = issue_lot_certificate(store, LOT.lower(), tmp_path / "out", operator)
    return {"issued": issued, "drive_doc": drive_doc, "store": store}


def test_every_unit_of_the_lot_is_listed_with_what_happened_to_it(worked_lot: dict[str, Any]) -> None:
    issued, drive_doc = worked_lot["issued"], worked_lot["drive_doc"]
    body = issued.document["certificate"]
    rows = {row["identifier"]: row for row in body["units"]}
    assert list(rows) == ["WD-L0001", "WD-L0002", "WD-L0003", "WD-L0404"]
    erased = rows["WD-L0001"]
    assert erased["outcome"] == "erased"
    assert erased["certificate_id"] == drive_doc["certificate"]["certificate_id"]
    assert erased["certificate_hash"] == drive_doc["event"]["hash"]  # the drive certificate's own signed hash
    assert (erased["method"], erased["category"], erased["verification"]) == ("overwrite-zeros", "Clear",
                                                                               "full passed")
    assert erased["operator"] == "Alex Martin"
    assert erased["erased_at"] == drive_doc["certificate"]["finished_at"]
    assert rows["WD-L0002"]["outcome"] == "erasure interrupted"
    assert rows["WD-L0002"]["certificate_id"] == ""
    assert rows["WD-L0003"]["outcome"] == "not erased"
    assert rows["WD-L0003"]["detail"] == "no erasure recorded"
    assert rows["WD-L0404"]["outcome"] == "not received"
    assert body["totals"] == {"units": 4, "erased": 1, "not_erased": 2, "not_received": 1, "by_category_clear": 1}
    assert (body["lot"]["code"], body["lot"]["party"]) == (LOT, "Acme Leasing")
    assert "not covered by this certificate" in body["statement"]
    store = worked_lot["store"]
    assert certificate.check(issued.document, public_key_text(store.public_key)).ok
    assert json.loads(issued.json_path.read_text()) == issued.document
    assert store.db.execute("SELECT count(*) FROM events WHERE type = 'lot.certificate_issued'").fetchone()[0] == 1


@pytest.mark.parametrize(("field", "edit"), [
    ("units[2].outcome", lambda b: b["units"][2].update(outcome="erased")),
    ("units[0].serial", lambda b: b["units"][0].update(serial="WD-SOMEONE-ELSE")),
    ("totals.erased", lambda b: b["totals"].update(erased=3)),
    ("lot.party", lambda b: b["lot"].update(party="Another Customer")),
])
def test_an_edited_lot_certificate_names_the_altered_field(worked_lot: dict[str, Any], field: str, edit: Any) -> None:
    doc = json.loads(json.dumps(worked_lot["issued"].document))
    edit(doc["certificate"])
    result = certificate.check(doc, public_key_text(worked_lot["store"].public_key))
    assert not result.ok
    assert result.problems == (f"field '{field}' was altered",)  # that one cell, nothing else


def test_a_removed_row_is_named(worked_lot: dict[str, Any]) -> None:
    doc = json.loads(json.dumps(worked_lot["issued"].document))
    del doc["certificate"]["units"][1]  # hide the unit whose erasure was stopped
    problems = certificate.check(doc, public_key_text(worked_lot["store"].public_key)).problems
    assert "field 'units[3]' was removed" in problems


def test_the_pdf_renders_its_qr_decodes_and_its_attachment_verifies(worked_lot: dict[str, Any],
                                                                    tmp_path: Path) -> None:
    issued = worked_lot["issued"]
    _run("pdftoppm", "-r", "110", "-png", issued.pdf_path, tmp_path / "page")
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    decoded = _run("zbarimg", "--raw", "-q", pages[0]).stdout.decode().strip()
    assert decoded == f"RBLOT:1:{issued.certificate_id}:{issued.document['event']['hash']}" == qr_payload(
        issued.document)
    text = " ".join(_run("pdftotext", "-layout", issued.pdf_path, "-").stdout.decode().split())
    drive = worked_lot["drive_doc"]
    for expected in ("Certificate of Data Destruction", LOT, "Acme Leasing", "PO-7781", issued.certificate_id,
                     "WD-L0001", "WD-L0002", "WD-L0003", "WD-L0404", "NOT ERASED", "ERASURE INTERRUPTED",
                     "NOT RECEIVED", "overwrite-zeros (Clear)", drive["certificate"]["certificate_id"],
                     drive["event"]["hash"][:32], drive["event"]["hash"][32:],
                     "4 unit(s) listed: 1 erased and verified (Clear 1)", "page 1 of 1"):
        assert expected in text, f"{expected!r} is missing from the printed lot certificate"
    pdf = issued.pdf_path.read_bytes()
    assert embedded_document(pdf, certificate.SCHEMAS) == issued.document
    assert embedded_document(pdf) is None, "a drive-certificate reader does not take a lot certificate for one"
    assert render_lot_certificate(issued.document) == pdf, "equal documents give equal bytes"


def test_an_edited_pdf_attachment_names_the_field(worked_lot: dict[str, Any]) -> None:
    pdf = worked_lot["issued"].pdf_path.read_bytes()
    original = b'"serial": "WD-L0003"'
    assert pdf.count(original) == 1
    edited = embedded_document(pdf.replace(original, b'"serial": "WD-L0333"'), certificate.SCHEMAS)
    assert edited is not None
    result = certificate.check(edited, public_key_text(worked_lot["store"].public_key))
    assert "field 'units[2].serial' was altered" in result.problems
    with pytest.raises(ValueError, match=r"units\[2\]\.serial"):
        render_lot_certificate(edited)


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def test_a_big_lot_runs_over_pages_with_the_header_on_each(intake: IntakeService, tmp_path: Path) -> None:
    lot = _lot(intake, 70)
    for n in range(70):
        intake.add_unit(IdentifierKind.SERIAL, f"BIG-{n:04d}-" + "X" * (n % 3) * 7, lot_code=lot.code,
                        model="Very Long Enterprise Drive Model Name " * (1 + n % 2))
    issued = issue_lot_certificate(intake.store, LOT, tmp_path / "out")
    expected_pages = len(paginate(70))
    assert expected_pages >= 4
    _run("pdftoppm", "-r", "110", "-png", issued.pdf_path, tmp_path / "page")
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == expected_pages
    payload = f"RBLOT:1:{issued.certificate_id}:{issued.document['event']['hash']}"
    for page in (pages[0], pages[-1]):
        assert _run("zbarimg", "--raw", "-q", page).stdout.decode().strip() == payload
    for number in range(1, expected_pages + 1):
        text = " ".join(_run("pdftotext", "-f", str(number), "-l", str(number), "-layout", issued.pdf_path,
                             "-").stdout.decode().split())
        for header in ("Certificate of Data Destruction", f"Lot {LOT}", issued.certificate_id, "Certificate id / hash",
                       "Outcome", f"page {number} of {expected_pages}"):
            assert header in text, f"page {number} lacks {header!r}"
    everything = _run("pdftotext", "-layout", issued.pdf_path, "-").stdout.decode()
    assert all(f"BIG-{n:04d}" in everything for n in range(70)), "a unit went missing between pages"
    assert everything.count("NOT ERASED") == 70
    html = _run("pdftotext", "-bbox", issued.pdf_path, "-").stdout.decode()
    for page_html in html.split("<page ")[1:]:
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(page_html)]
        for i, (x0, y0, x1, y1, word) in enumerate(words):
            assert x0 >= 0, f"{word!r} leaves the page"
            assert y0 >= 0, f"{word!r} leaves the page"
            assert x1 <= 842, f"{word!r} leaves the page"
            assert y1 <= 596, f"{word!r} leaves the page"
            for a0, b0, a1, b1, other in words[i + 1:]:
                # long serials and model names wrap inside their column instead of running into the next
                overlap = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
                assert not (overlap[0] > 1 and overlap[1] > 1), f"{word!r} overlaps {other!r}"


def test_an_unknown_or_empty_lot_gets_no_certificate(intake: IntakeService, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(NotFound):
        issue_lot_certificate(intake.store, "LOT-NOPE", out)
    _lot(intake)
    with pytest.raises(OperatorError, match="no units and no manifest"):
        issue_lot_certificate(intake.store, LOT, out)
    assert not out.exists()
