"""The grade, label and box commands end to end in a subprocess: grade from an inspection file (JSON out),
render a label that scans, print to the network printer simulator and to a printer that is off (queued,
exit 1, then sent by 'label queue --retry'), pack a box and close it, a supervisor's override."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from drivers.sim.printer import PrinterSimulator, parse_zpl
from tests.cli.test_cli import bad_input, ok, run
from tests.core.grading.support import clean_unit
from tests.reports.labels.support import decode_pages
from tests.services.grading_support import imei


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    ok("operators", "add", "--name", "Alex Martin", "--badge", "OP-0001", "--role", "admin", "--pin", "1234",
       data_dir=data_dir)
    ok("operators", "add", "--name", "Sam Okafor", "--badge", "OP-0002", "--role", "technician", "--pin", "2345",
       "--admin", "Alex Martin", "--admin-pin", "1234", data_dir=data_dir)
    return data_dir


def _graded(data_dir: Path, tmp_path: Path, n: int = 1, **changes: object) -> dict:  # type: ignore[type-arg]
    ok("units", "add", "--imei", imei(n), "--model", "iPhone 13", "--operator", "OP-0001", data_dir=data_dir)
    inspection = {**clean_unit(), **changes}
    path = tmp_path / f"inspection-{n}.json"
    path.write_text(json.dumps(inspection))
    return json.loads(ok("grade", imei(n), "--inspection", str(path), "--operator", "OP-0001", "--json",
                         data_dir=data_dir))


def test_grade_from_an_inspection_file(bench: Path, tmp_path: Path) -> None:
    out = _graded(bench, tmp_path)
    assert out["summary"] == "A / 0 · R2 F6-C7"
    assert out["grade"]["ruleset"]["id"] == "phones-ctia-r2"
    assert out["route"]["route"] == "resale"
    assert out["route"]["channel"] == "backmarket"
    text = ok("units", "show", imei(1), data_dir=bench)
    assert "Graded A / 0 · R2 F6-C7 (phones-ctia-r2 v1)" in text
    assert "Routed to resale on backmarket grade Premium (EUR 455.00)" in text


def test_bad_inspections_are_refused_in_one_line(bench: Path, tmp_path: Path) -> None:
    ok("units", "add", "--imei", imei(1), "--operator", "OP-0001", data_dir=bench)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert "is not JSON" in bad_input("grade", imei(1), "--inspection", str(broken), "--operator", "OP-0001",
                                      data_dir=bench)
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"device": {"model": "iPhone 13"}}))
    line = bad_input("grade", imei(1), "--inspection", str(partial), "--operator", "OP-0001", data_dir=bench)
    assert "Cannot grade yet: missing the cosmetic inspection" in line
    misspelt = tmp_path / "misspelt.json"
    misspelt.write_text(json.dumps({**clean_unit(), "batery": {}}))
    assert "batery" in bad_input("grade", imei(1), "--inspection", str(misspelt), "--operator", "OP-0001",
                                 data_dir=bench)


def test_label_render_zpl_and_pdf(bench: Path, tmp_path: Path) -> None:
    _graded(bench, tmp_path)
    pdf, zpl = tmp_path / "label.pdf", tmp_path / "label.zpl"
    ok("label", "render", imei(1), "--format", "pdf", "-o", str(pdf), data_dir=bench)
    ok("label", "render", imei(1), "--format", "zpl", "--dpi", "300", "-o", str(zpl), data_dir=bench)
    (symbols,) = decode_pages(pdf, 300)
    assert ("CODE-128", imei(1)) in symbols
    (label,) = parse_zpl(zpl.read_text("utf-8"))
    assert label.width == 900
    assert label.of_kind("code128")[0].data == imei(1)


def test_print_offline_queues_then_retry_prints(bench: Path, tmp_path: Path) -> None:
    _graded(bench, tmp_path)
    with PrinterSimulator() as printer:
        url = f"tcp://127.0.0.1:{printer.port}"
        printer.set_offline(True)
        refused = run("label", "print", imei(1), "--printer", url, "--operator", "OP-0001", data_dir=bench)
        assert refused.returncode == 1
        assert "not printed yet — no printer answers" in refused.stderr
        assert "queued" in refused.stderr
        listed = json.loads(ok("label", "queue", "--json", data_dir=bench))
        assert [j["printer"] for j in listed] == [url]
        printer.set_offline(False)
        assert "0 labels queued" in ok("label", "queue", "--retry", data_dir=bench)
        deadline = time.monotonic() + 5
        while not printer.printed:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert parse_zpl(printer.printed[0])[0].of_kind("code128")[0].data == imei(1)


def test_box_create_add_close(bench: Path, tmp_path: Path) -> None:
    for n in (1, 2):
        _graded(bench, tmp_path, n)
    lp0 = tmp_path / "lp0"
    lp0.touch()
    ok("label", "print", imei(1), "--printer", f"file://{lp0}", "--operator", "OP-0001", data_dir=bench)
    box = ok("box", "create", "--route", "resale", "--channel", "backmarket", "--operator", "OP-0001",
             data_dir=bench).strip()
    refused = run("box", "add", box, imei(1), imei(2), "--operator", "OP-0001", data_dir=bench)
    assert refused.returncode == 1  # the second unit has no printed label
    assert f"{imei(1)}: packed in {box} (line 1)" in refused.stdout
    assert f"{imei(2)}: {imei(2)} has no printed label" in refused.stderr
    closed = json.loads(ok("box", "close", box, "--printer", f"file://{lp0}", "--operator", "OP-0001", "--json",
                           data_dir=bench))
    assert closed["units"] == 1
    assert Path(closed["manifest_csv"]).read_text("utf-8").count("\n") == 2
    assert closed["label_error"] == ""
    printed = parse_zpl(lp0.read_text("utf-8"))
    assert [f.data for f in printed[-1].of_kind("code128")] == [box]


def test_a_supervisor_overrides(bench: Path, tmp_path: Path) -> None:
    _graded(bench, tmp_path)
    assert "Only a supervisor" in bad_input("grade", imei(1), "--override", "cosmetic=B", "--reason", "why not",
                                            "--operator", "OP-0002", data_dir=bench)
    assert "needs a reason" in bad_input("grade", imei(1), "--override", "cosmetic=B", "--operator", "OP-0001",
                                         data_dir=bench)
    ok("grade", imei(1), "--override", "cosmetic=B", "--reason", "scratch under the case", "--operator", "OP-0001",
       data_dir=bench)
    ok("grade", imei(1), "--override", "route=recycle", "--reason", "customer asked", "--operator", "OP-0001",
       data_dir=bench)
    text = ok("units", "show", imei(1), data_dir=bench)
    assert "Grade overridden on cosmetic: A → B (scratch under the case)" in text
    assert "Route overridden: resale → recycle (customer asked)" in text
