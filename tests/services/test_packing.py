"""Packing: only labelled units routed the box's way go in, a swollen battery never goes into an air box
(and says why), a closed box has its manifest as CSV and PDF and a label that scans to its id and manifest."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.core.errors import OperatorError
from app.core.lifecycle import UnitState
from app.core.models import Operator
from app.core.packing import PackRefused
from app.reports.labels import box_label, to_pdf, to_zpl
from app.services.grading import GradingService
from app.services.intake import IntakeService
from app.services.labels import LabelTarget, unit_print_job
from app.services.packing import PackingService
from app.services.print_queue import PrintSpool
from app.store import queries
from app.store.store import Store
from drivers.sim.printer import parse_zpl
from tests.reports.labels.support import decode_pages, run
from tests.services.grading_support import imei, inspection, login, scan_unit


def _ready(intake: IntakeService, n: int, tech: Operator, *, label: bool = True, **changes: object) -> str:
    """A unit graded, routed and (by default) with its label printed to a file standing for /dev/usb/lp0."""
    store = intake.store
    unit = scan_unit(intake, n)
    GradingService(store).grade(unit.unit_id, inspection(**changes), tech)
    if label:
        node = store.data_dir / "lp0"
        node.touch()
        fresh = queries.get_unit(store.db, unit.unit_id)
        assert fresh is not None
        assert PrintSpool(store).send_now(unit_print_job(store, fresh, LabelTarget(f"file://{node}", "zpl", 203),
                                                         tech.operator_id)) == ""
    return unit.unit_id


def _unit(store: Store, unit_id: str):  # type: ignore[no-untyped-def]
    found = queries.get_unit(store.db, unit_id)
    assert found is not None
    return found


def test_only_matching_labelled_units_go_in(store: Store, intake: IntakeService) -> None:
    tech = login(intake)
    packing = PackingService(store)
    sold = _ready(intake, 1, tech)
    repair = _ready(intake, 2, tech, battery={"health_pct": 71})
    unlabelled = _ready(intake, 3, tech, label=False)
    box = packing.create("resale", tech, channel="backmarket", ship_mode="air")
    with pytest.raises(PackRefused, match=r"is routed to repair; box .* is for resale on backmarket"):
        packing.add(box.box_id, _unit(store, repair), tech)
    with pytest.raises(PackRefused, match="has no printed label"):
        packing.add(box.box_id, _unit(store, unlabelled), tech)
    box = packing.add(box.box_id, _unit(store, sold), tech)
    assert box.units == 1
    assert _unit(store, sold).state is UnitState.PACKED
    with pytest.raises(PackRefused, match="already in box"):
        packing.add(box.box_id, _unit(store, sold), tech)
    other = packing.create("resale", tech, channel="backmarket")
    with pytest.raises(PackRefused, match=f"already packed in box {box.box_id}"):
        packing.add(other.box_id, _unit(store, sold), tech)


def test_a_swollen_battery_never_flies(store: Store, intake: IntakeService) -> None:
    tech = login(intake)
    packing = PackingService(store)
    swollen = _ready(intake, 1, tech, battery={"condition": "swollen"})
    route = packing.unit_for_box(_unit(store, swollen))
    air = packing.create(route.route or "", tech, ship_mode="air")
    with pytest.raises(PackRefused) as refused:
        packing.add(air.box_id, _unit(store, swollen), tech)
    assert "battery swollen: damaged or defective lithium batteries may not go by air" in refused.value.message
    assert "road or sea box" in (refused.value.hint or "")
    road = packing.create(route.route or "", tech, ship_mode="road")
    packing.add(road.box_id, _unit(store, swollen), tech)
    closed = packing.close(road.box_id, tech, phone="+44 20 7946 0000")
    assert "DAMAGED/DEFECTIVE LITHIUM ION BATTERIES (SP 376, P908)" in closed.box.marks
    assert "never by air" in closed.label.air_note


def test_closing_writes_the_manifest_and_the_label_scans(store: Store, intake: IntakeService, tmp_path: Path) -> None:
    tech = login(intake)
    packing = PackingService(store)
    units = [_ready(intake, n, tech) for n in (1, 2, 3)]
    box = packing.create("resale", tech, channel="backmarket", ship_mode="road")
    with pytest.raises(OperatorError, match="is empty"):
        packing.close(box.box_id, tech)
    for unit_id in units:
        packing.add(box.box_id, _unit(store, unit_id), tech)
    packing.remove(box.box_id, _unit(store, units[2]), tech, "screen smudge found")
    assert _unit(store, units[2]).state is UnitState.LABELLED
    closed = packing.close(box.box_id, tech, phone="+44 20 7946 0000")
    rows = list(csv.reader(io.StringIO(closed.csv_path.read_text("utf-8"))))
    assert rows[0][:3] == ["Line", "Identifier", "Model"]
    assert [r[1] for r in rows[1:]] == [imei(1), imei(2)]
    assert rows[1][6] == "C-ABCDEFGHJKLMNPQR"
    text = run("pdftotext", "-layout", closed.pdf_path, "-").stdout.decode("utf-8")
    assert f"Box {box.box_id}" in text
    assert imei(2) in text
    assert closed.box.state == "closed"
    assert closed.box.un_number == "UN3481"
    pdf = tmp_path / "box.pdf"
    pdf.write_bytes(to_pdf([box_label(closed.label)]))
    (symbols,) = decode_pages(pdf, 203)
    assert sorted(symbols) == [("CODE-128", box.box_id), ("QR-Code", closed.box.manifest_code)]
    (zpl,) = parse_zpl(to_zpl(box_label(closed.label), 203))
    assert "UN3481" in zpl.texts()
    with pytest.raises(PackRefused, match="is closed"):
        packing.add(box.box_id, _unit(store, units[2]), tech)
    assert packing.label_data(box.box_id).manifest_code == closed.box.manifest_code


def test_bad_boxes_are_refused(store: Store, intake: IntakeService) -> None:
    tech = login(intake)
    packing = PackingService(store)
    with pytest.raises(OperatorError, match="not a route"):
        packing.create("landfill", tech)
    with pytest.raises(OperatorError, match="not a transport mode"):
        packing.create("recycle", tech, ship_mode="rocket")
    with pytest.raises(OperatorError, match="Only resale boxes have a channel"):
        packing.create("recycle", tech, channel="backmarket")
    with pytest.raises(OperatorError, match="No box BX-NOPE"):
        packing.box("BX-NOPE")
