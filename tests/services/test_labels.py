"""Unit labels from the records, queued before they are sent: printed on the network printer simulator
they carry the unit's fields; a printer that is offline or out of labels keeps them queued, across a
restart, until it prints them — once each; a reprint is a copy of the last label."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.lifecycle import UnitState
from app.core.models import Operator
from app.services.grading import GradingService
from app.services.intake import IntakeService
from app.services.jobs import JobManager
from app.services.labels import LabelTarget, unit_label_data, unit_print_job
from app.services.print_queue import PrintQueueRunner, PrintSpool
from app.store import grading_queries as gq
from app.store import print_queue as pq
from app.store import queries
from app.store.store import Store
from drivers.sim.printer import PrinterSimulator, parse_zpl
from tests.reports.labels.support import decode_pages
from tests.services.grading_support import imei, inspection, login, scan_unit

PHONE = "+44 20 7946 0000"


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    with PrinterSimulator() as sim:
        yield sim


def _routed(intake: IntakeService, n: int = 1, **changes: object) -> tuple[str, Operator]:
    tech = login(intake)
    unit = scan_unit(intake, n)
    GradingService(intake.store).grade(unit.unit_id, inspection(**changes), tech)
    return unit.unit_id, tech


def _wait(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_label_fields_come_from_the_records(store: Store, intake: IntakeService) -> None:
    unit_id, _ = _routed(intake)
    unit = queries.get_unit(store.db, unit_id)
    assert unit is not None
    data = unit_label_data(store, unit, PHONE)
    assert (data.model, data.storage, data.colour) == ("iPhone 13", "128GB", "Midnight")
    assert data.imei == imei(1)
    assert data.grade == "A / 0 · R2 F6-C7"
    assert data.route == "Resale · backmarket Premium"
    assert data.certificate_id == "C-ABCDEFGHJKLMNPQR"
    assert (data.un_number, data.phone) == ("UN3481", PHONE)


def test_printed_zpl_carries_the_fields_and_labels_the_unit(
        store: Store, intake: IntakeService, printer: PrinterSimulator) -> None:
    unit_id, tech = _routed(intake)
    unit = queries.get_unit(store.db, unit_id)
    assert unit is not None
    job = unit_print_job(store, unit, LabelTarget(f"tcp://127.0.0.1:{printer.port}", "zpl", 300), tech.operator_id,
                         phone=PHONE)
    assert PrintSpool(store).send_now(job) == ""
    _wait(lambda: len(printer.printed) == 1)
    (label,) = parse_zpl(printer.printed[0])
    assert label.width == 900  # 3 in at 300 dpi
    assert label.of_kind("code128")[0].data == imei(1)
    texts = label.texts()
    for expected in ("iPhone 13 128GB", "Grade A / 0 · R2 F6-C7", "Resale · backmarket Premium", "UN3481",
                     f"Tel {PHONE}", "Data sanitised · C-ABCDEFGHJKLMNPQR"):
        assert expected in texts
    assert queries.get_unit(store.db, unit_id).state is UnitState.LABELLED  # type: ignore[union-attr]
    assert gq.label_count(store.db, unit_id) == 1
    assert pq.get(store.db, job.job_id).state == pq.PRINTED  # type: ignore[union-attr]


def test_pdf_label_without_a_printer_scans_to_the_imei(store: Store, intake: IntakeService, tmp_path: Path) -> None:
    unit_id, tech = _routed(intake)
    unit = queries.get_unit(store.db, unit_id)
    assert unit is not None
    folder = tmp_path / "labels"
    job = unit_print_job(store, unit, LabelTarget(f"file://{folder}", "pdf", 203), tech.operator_id)
    assert PrintSpool(store).send_now(job) == ""
    pdf = folder / f"{job.job_id}.pdf"
    (symbols,) = decode_pages(pdf, 300)
    assert ("CODE-128", imei(1)) in symbols


def test_offline_printer_queues_and_a_restart_prints_once(
        store: Store, intake: IntakeService, printer: PrinterSimulator, make_store: Callable[..., Store],
        qtbot: QtBot) -> None:
    unit_id, tech = _routed(intake)
    url = f"tcp://127.0.0.1:{printer.port}"
    printer.set_offline(True)
    unit = queries.get_unit(store.db, unit_id)
    assert unit is not None
    job = unit_print_job(store, unit, LabelTarget(url, "zpl", 203), tech.operator_id)
    error = PrintSpool(store).send_now(job)
    assert "no printer answers" in error
    queued = pq.get(store.db, job.job_id)
    assert queued is not None
    assert (queued.state, queued.attempts) == (pq.QUEUED, 1)
    assert queries.get_unit(store.db, unit_id).state is UnitState.ROUTED  # type: ignore[union-attr]
    store.close()  # the app stops with the label still queued

    printer.set_offline(False)
    reopened = make_store(store.data_dir)
    jobs = JobManager()
    runner = PrintQueueRunner(reopened, jobs, lambda: 2)
    with qtbot.waitSignal(runner.printed, timeout=10_000) as printed:
        runner.start()  # what the window does when it opens
    assert printed.args[0].job_id == job.job_id
    _wait(lambda: len(printer.printed) == 1)
    runner.stop()
    assert jobs.wait(5000)
    assert runner.pending() == 0
    assert queries.get_unit(reopened.db, unit_id).state is UnitState.LABELLED  # type: ignore[union-attr]
    assert gq.label_count(reopened.db, unit_id) == 1
    assert len(printer.printed) == 1


def test_out_of_labels_is_retried_until_it_prints(
        store: Store, intake: IntakeService, printer: PrinterSimulator, qtbot: QtBot) -> None:
    unit_id, tech = _routed(intake)
    printer.set_media_out(True)
    jobs = JobManager()
    runner = PrintQueueRunner(store, jobs, lambda: 2)
    said: list[tuple[str, str]] = []
    runner.status.connect(lambda text, tone: said.append((text, tone)))
    unit = queries.get_unit(store.db, unit_id)
    assert unit is not None
    job = unit_print_job(store, unit, LabelTarget(f"tcp://127.0.0.1:{printer.port}", "zpl", 203), tech.operator_id)
    runner.submit(job)
    qtbot.waitUntil(lambda: any("out of labels" in text for text, _ in said), timeout=10_000)
    assert ("1 label queued, not printed: the printer is out of labels — nothing is lost, they print when the "
            "printer is back (retried every 2 s)", "warn") in said
    assert not printer.printed
    printer.set_media_out(False)  # labels loaded
    with qtbot.waitSignal(runner.printed, timeout=10_000):
        pass  # the retry timer sends it
    runner.stop()
    assert jobs.wait(5000)
    assert len(printer.printed) == 1
    assert pq.get(store.db, job.job_id).attempts == 2  # type: ignore[union-attr]


def test_reprint_copies_the_last_label(store: Store, intake: IntakeService, printer: PrinterSimulator) -> None:
    unit_id, tech = _routed(intake)
    unit = queries.get_unit(store.db, unit_id)
    assert unit is not None
    spool = PrintSpool(store)
    first = unit_print_job(store, unit, LabelTarget(f"tcp://127.0.0.1:{printer.port}", "zpl", 203), tech.operator_id)
    assert spool.send_now(first) == ""
    again = spool.reprint(unit_id)
    assert again is not None
    assert again.reprint
    assert again.payload == first.payload
    assert spool.reprint("U-NOTHING") is None
    assert again.job_id in {j.job_id for j in spool.queued()}


def test_a_unit_without_a_route_has_no_label(store: Store, intake: IntakeService) -> None:
    from app.core.errors import OperatorError

    login(intake)
    unit = scan_unit(intake, 5)
    with pytest.raises(OperatorError, match="no grade and route yet"):
        unit_label_data(store, unit)
