"""Projections are a pure function of the event log, written in the event's own transaction; plus the station
key's file mode, canonical JSON and database backups."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pysqlite3.dbapi2 as sqlite3
import pytest

from app.core import events as ev
from app.core import events_rigs as rev
from app.core.canonical import canonical_json
from app.core.errors import OperatorError
from app.core.lifecycle import UnitState
from app.core.models import PartyKind
from app.services.drives import DriveService
from app.services.intake import IntakeService, Outcome
from app.services.lot_certificate import issue_lot_certificate
from app.store import audit, eventlog, queries
from app.store.db import backup_to
from app.store.keys import KEY_FILE
from app.store.migrations import PROJECTION_TABLES
from app.store.store import Store
from tests.core.test_events_phones import GOOD as PHONE_EVENTS
from tests.services.grading_support import grade_route_print_and_pack

ON_MANIFEST = "490154203237518"
ALSO_ON_MANIFEST = "356938035643809"
OFF_MANIFEST = "353918057412344"
MANIFEST = f"IMEI,Model,Condition\n{ON_MANIFEST},Pixel 7,B\n{ALSO_ON_MANIFEST},iPhone 12,A\n".encode()
GS1_WITH_SERIAL = "(01)09501101530003(21)C02XK1ABJGH5"
GS1_SERIAL_AND_ASSET = "(01)09501101530003(21)C02XK1ABJGH5(8004)AT-77"


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every projection table, in a stable order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in PROJECTION_TABLES:
        columns = [r[1] for r in store.db.execute(f"PRAGMA table_info({table})")]
        order = ", ".join(columns)
        tables[table] = store.db.execute(f"SELECT {order} FROM {table} ORDER BY {order}").fetchall()
    return tables


def event_count(store: Store) -> int:
    return int(store.db.execute("SELECT count(*) FROM events").fetchone()[0])


@pytest.fixture
def worked(intake: IntakeService) -> IntakeService:
    """A realistic morning: log in, create a lot, import its manifest, scan units in (expected, unexpected,
    GS1 with a serial, then the same serial with an asset tag), one unit outside any lot, state changes."""
    intake.handle_scan("OP-0002")
    lot = intake.create_lot("LOT-2026-0042", PartyKind.CUSTOMER, "Contoso Ltd", "po-9", 3)
    intake.import_manifest_file(lot, MANIFEST, "contoso.csv")
    assert intake.handle_scan(lot.code).outcome is Outcome.LOT_SELECTED
    first = intake.handle_scan(ON_MANIFEST)
    assert first.outcome is Outcome.UNIT_CREATED
    assert first.received_expected is True
    assert intake.handle_scan(OFF_MANIFEST).received_expected is False
    assert intake.handle_scan(GS1_WITH_SERIAL).outcome is Outcome.UNIT_CREATED
    reopened = intake.handle_scan(GS1_SERIAL_AND_ASSET)
    assert reopened.outcome is Outcome.UNIT_OPENED
    assert reopened.unit is not None
    assert reopened.unit.identifier("asset_tag") == "AT-77"
    intake.logout()
    intake.handle_scan("OP-0001")
    loose = intake.handle_scan("SN-LOOSE-0001").unit
    assert loose is not None
    assert loose.lot_id is None
    assert first.unit is not None
    unit = intake.set_state(first.unit, UnitState.IDENTIFIED)
    intake.set_state(unit, UnitState.TESTING, reason="battery check")
    intake.set_state(loose, UnitState.ON_HOLD, reason="no charger port")
    drives = DriveService(intake.store)
    drives.assign_bay(1, "pci0000:00/0000:00:17.0/ata1", "dock 1")
    drives.assign_bay(2, "pci0000:00/0000:00:17.0/ata2")
    drives.assign_bay(1, "pci0000:00/0000:00:17.0/ata3")  # bay 1 moved to another port
    drives.clear_bay(2)
    # an erasure of the loose unit, recorded as the erase service records one (the drive itself is
    # exercised in tests/services/test_erasure.py)
    store = intake.store
    device = {"path": "/dev/sdb", "serial": "SN-LOOSE-0001", "size_bytes": 4 * 2**30, "bay": 1}
    store.record(ev.ERASURE_STARTED, {"erasure_id": "E-1", "device": device, "method": {"pattern": "zeros"},
                                      "verification": "full", "seed_hex": "", "sample_seed": 1}, unit_id=loose.unit_id)
    store.record(ev.ERASURE_CHECKPOINT, {"erasure_id": "E-1", "next_offset": 2 * 2**30}, unit_id=loose.unit_id)
    store.record(ev.ERASURE_COMPLETED, {
        "erasure_id": "E-1", "outcome": "failed", "device": device, "method": {}, "verification": {},
        "result": {"summary": "2 ranges could not be written"}, "station": {},
        "started_at": "2026-11-22T06:00:00.000Z", "finished_at": "2026-11-22T06:10:00.000Z",
    }, unit_id=loose.unit_id)
    issue_lot_certificate(store, lot.code)  # changes no projection, but must replay like every other event
    # a rig bay map and a test-plan run, as the rig services record them (tests/services/test_rig_tests.py
    # records real runs against the simulated rigs)
    store.record(rev.RIG_BOUND, {"bay": 1, "role": "load", "port": "/dev/serial/by-id/usb-load", "protocol": "scpi"})
    store.record(rev.RIG_BOUND, {"bay": 1, "role": "dmm", "port": "/dev/serial/by-id/usb-dmm", "protocol": "scpi",
                                 "identity": "RBSIM DMM-6500, firmware 1.1.0"})
    store.record(rev.RIG_UNBOUND, {"bay": 1, "role": "load"})
    run = {"run_id": "R-1", "plan_id": "laptop-charger-65w", "plan_version": 1}
    store.record(rev.RIG_TEST_STARTED, {**run, "plan_name": "Charger", "device_class": "laptop-charger", "bay": 1,
                                        "rigs": {"dmm": {"port": "/dev/serial/by-id/usb-dmm"}},
                                        "grading_tests": ["power_output"]}, unit_id=unit.unit_id)
    store.record(rev.RIG_STEP_RECORDED, {"run_id": "R-1", "index": 0, "name": "Volts", "kind": "measure",
                                         "verdict": "pass", "message": "20 V within 19–21 V", "value": "20",
                                         "unit": "V", "low": "19", "high": "21", "millis": 3, "cleanup": False},
                 unit_id=unit.unit_id)
    store.record(rev.RIG_TEST_COMPLETED, {**run, "verdict": "pass", "summary": "1 of 1 steps passed",
                                          "counts": {"pass": 1}, "identifiers": {}, "grading_tests": ["power_output"]},
                 unit_id=unit.unit_id)
    # a phone's facts, one of each kind (tests/services/test_phones.py records real ones from emulated phones)
    for event_type, body in PHONE_EVENTS.items():
        store.record(event_type, body, unit_id=unit.unit_id)
    grade_route_print_and_pack(intake)
    return intake


# --- rebuild ------------------------------------------------------------------------------------


def test_realistic_sequence_fills_every_projection(worked: IntakeService) -> None:
    tables = snapshot(worked.store)
    for table in PROJECTION_TABLES:
        assert tables[table], f"{table} is empty; the rebuild test would prove nothing about it"
    types = {r[0] for r in worked.store.db.execute("SELECT DISTINCT type FROM events")}
    assert types == set(ev.CURRENT_VERSION), "the sequence should exercise every event type"


def test_rebuild_gives_the_same_rows(worked: IntakeService) -> None:
    store = worked.store
    before = snapshot(store)
    events_before = event_count(store)
    assert store.rebuild_projections() == events_before
    assert snapshot(store) == before
    assert event_count(store) == events_before, "a rebuild appends nothing"
    assert audit.verify(store.db, store.public_key).ok


def test_rebuild_repairs_damaged_projections(worked: IntakeService) -> None:
    store = worked.store
    before = snapshot(store)
    with store.transaction():
        store.db.execute("DELETE FROM lot_receipts")
        store.db.execute("DELETE FROM lot_manifest")
        store.db.execute("UPDATE units SET state = 'shipped', model = 'wrong', updated_at = 'never'")
        store.db.execute("UPDATE operators SET role = 'admin', active = 0")
        store.db.execute("INSERT INTO lots (lot_id, code, party_kind, party, po, expected_count, created_at)"
                         " VALUES ('L-GHOST', 'LOT-GHOST', 'supplier', 'x', '', 0, 'now')")
    assert snapshot(store) != before
    store.rebuild_projections()
    assert snapshot(store) == before


def test_rebuild_in_a_second_store_on_a_copy_matches(worked: IntakeService, tmp_path: Path) -> None:
    """Rebuilding from a backup (another connection, another process's view) gives the same tables."""
    store = worked.store
    before = snapshot(store)
    copy_dir = tmp_path / "restored"
    copy_dir.mkdir(mode=0o700)
    backup_to(store.db, copy_dir / "bench.sqlite3")
    key = (store.data_dir / KEY_FILE).read_bytes()
    fd = os.open(copy_dir / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    with Store(copy_dir) as restored:
        restored.rebuild_projections()
        assert snapshot(restored) == before
        assert audit.verify(restored.db, restored.public_key).ok


# --- one transaction ------------------------------------------------------------------------------


def test_failing_projection_leaves_neither_event_nor_rows(worked: IntakeService) -> None:
    store = worked.store
    head = store.meta("chain_head")
    count = event_count(store)
    before = snapshot(store)
    # The IMEI belongs to a unit already: the event validates, but its projection breaks the primary key.
    body = {"identifiers": [{"kind": "serial", "value": "SN-FRESH-0001"}, {"kind": "imei", "value": ON_MANIFEST}],
            "source": "cli"}
    with pytest.raises(sqlite3.IntegrityError):
        store.record(ev.UNIT_CREATED, body, unit_id="U-DUPLICATE01")
    assert not store.db.conn.in_transaction
    assert event_count(store) == count
    assert store.meta("chain_head") == head
    assert snapshot(store) == before
    assert queries.get_unit(store.db, "U-DUPLICATE01") is None
    # The log carries on without a gap.
    event = store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "serial", "value": "SN-FRESH-0001"}],
                                           "source": "cli"}, unit_id="U-FRESH000001")
    assert event.seq == count + 1
    assert audit.verify(store.db, store.public_key).ok


def test_failure_late_in_a_transaction_undoes_the_earlier_records(worked: IntakeService) -> None:
    store = worked.store
    count = event_count(store)
    before = snapshot(store)
    seen_inside: list[int] = []

    def three_records() -> None:
        with store.transaction():
            store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "serial", "value": "SN-FIRST-0001"}],
                                           "source": "cli"}, unit_id="U-FIRST0000001")
            store.record(ev.UNIT_STATE_CHANGED, {"from": "received", "to": "identified"}, unit_id="U-FIRST0000001")
            seen_inside.append(event_count(store))
            store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "imei", "value": ON_MANIFEST}], "source": "cli"},
                         unit_id="U-SECOND000001")

    with pytest.raises(sqlite3.IntegrityError):
        three_records()
    assert seen_inside == [count + 2]  # the first two were written inside the transaction...
    assert event_count(store) == count  # ...and are gone with it
    assert snapshot(store) == before
    assert audit.verify(store.db, store.public_key).ok


def test_invalid_body_is_refused_before_anything_is_written(store: Store) -> None:
    count = event_count(store)
    with pytest.raises(ValueError, match="unknown fields"):
        store.record(ev.UNIT_STATE_CHANGED, {"from": "received", "to": "testing", "colour": "red"}, unit_id="U-1")
    with pytest.raises(ValueError, match="needs a unit"):
        store.record(ev.UNIT_STATE_CHANGED, {"from": "received", "to": "testing"})
    with pytest.raises(ValueError, match="unknown event type"):
        store.record("unit.teleported", {}, unit_id="U-1")
    assert event_count(store) == count


def test_append_outside_a_transaction_is_refused(store: Store) -> None:
    with pytest.raises(RuntimeError, match="inside a write transaction"):
        eventlog.append(store.db, store._key, stream_id=store.stream_id, event_type=ev.OPERATOR_LOGGED_OUT,
                        body={}, occurred_at=store.now(), operator_id="O-1")
    assert event_count(store) == 1


# --- the station key ---------------------------------------------------------------------------------


def test_station_key_is_private(store: Store) -> None:
    key_path = store.data_dir / KEY_FILE
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.data_dir.stat().st_mode) == 0o700


def test_readable_station_key_is_refused_with_a_hint(data_dir: Path) -> None:
    Store(data_dir).close()
    key_path = data_dir / KEY_FILE
    os.chmod(key_path, 0o644)
    with pytest.raises(OperatorError) as caught:
        Store(data_dir)
    assert "readable by other users" in caught.value.message
    assert "644" in caught.value.message
    assert caught.value.hint == f"Run: chmod 600 {key_path}"
    os.chmod(key_path, 0o640)
    with pytest.raises(OperatorError, match="640"):
        Store(data_dir)
    os.chmod(key_path, 0o600)
    with Store(data_dir) as reopened:
        assert audit.verify(reopened.db, reopened.public_key).ok


def test_damaged_station_key_is_refused(data_dir: Path) -> None:
    Store(data_dir).close()
    (data_dir / KEY_FILE).write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    with pytest.raises(OperatorError, match="damaged") as caught:
        Store(data_dir)
    assert "do not create a new one" in caught.value.hint


# Regression test; the bug it was written for: keys.load_or_create_key silently creates a new station key when
# station_key.pem is missing from a data folder whose database already holds signed events; every old event then fails
# audit verify
def test_missing_key_of_an_existing_station_is_refused(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.record(ev.OPERATOR_LOGGED_OUT, {"reason": "test"}, operator_id="O-1")
    (data_dir / KEY_FILE).unlink()
    with pytest.raises(OperatorError, match="key"):
        Store(data_dir).close()


def test_reopened_store_keeps_its_identity_and_key(data_dir: Path) -> None:
    with Store(data_dir) as first:
        identity = (first.station_id, first.stream_id, first.meta("public_key"))
    with Store(data_dir) as second:
        assert (second.station_id, second.stream_id, second.meta("public_key")) == identity
        assert event_count(second) == 1


# --- canonical JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1.5, {"a": 0.0}, {"a": [1, 2, 3.25]}, [{"b": {"c": float("nan")}}], (1, 2.0)])
def test_canonical_json_refuses_floats(value: object) -> None:
    with pytest.raises(TypeError, match="floats are not allowed"):
        canonical_json(value)


def test_canonical_json_form() -> None:
    value = {"b": [1, True, None], "a": {"z": "é", "y": -2}}
    assert canonical_json(value) == '{"a":{"y":-2,"z":"\\u00e9"},"b":[1,true,null]}'


def test_float_in_a_body_is_refused_and_nothing_is_stored(store: Store) -> None:
    # The schema only says "identifiers is a list", so it is canonical_json that stops the float.
    with pytest.raises(TypeError, match="floats"):
        store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "imei", "value": 4.9e14}], "source": "cli"},
                     unit_id="U-FLOAT")
    assert event_count(store) == 1
    assert queries.count_units(store.db) == 0


# --- backups --------------------------------------------------------------------------------------


@contextlib.contextmanager
def raw_db(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def test_backup_is_a_checked_copy(worked: IntakeService, tmp_path: Path) -> None:
    store = worked.store
    target = tmp_path / "backup.sqlite3"
    assert backup_to(store.db, target) == target
    with raw_db(target) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == event_count(store)
        assert conn.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()[0] == store.meta("chain_head")
        copied_units = conn.execute("SELECT * FROM units ORDER BY unit_id").fetchall()
    assert copied_units == store.db.execute("SELECT * FROM units ORDER BY unit_id").fetchall()


def test_backup_refuses_to_overwrite(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    backup_to(store.db, target)
    store.record(ev.OPERATOR_LOGGED_OUT, {"reason": "test"}, operator_id="O-1")
    first = target.read_bytes()
    with pytest.raises(OperatorError, match="already exists") as caught:
        backup_to(store.db, target)
    assert caught.value.hint
    assert target.read_bytes() == first


def test_backup_into_a_missing_folder_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(OperatorError, match="does not exist"):
        backup_to(store.db, tmp_path / "no-such-folder" / "backup.sqlite3")
    assert not (tmp_path / "no-such-folder").exists()
