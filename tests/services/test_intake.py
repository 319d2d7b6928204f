"""Tests for app.services.intake.IntakeService on a real store: logins, unit scans, lots, manifests,
lifecycle steps, the unit timeline and unit search."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core import events as ev
from app.core.errors import IllegalTransition, InvalidScan, NotFound, OperatorError, PermissionDenied
from app.core.identifiers import IdentifierKind
from app.core.lifecycle import UnitState
from app.core.manifest import ManifestError
from app.core.models import Event, Identifier, Lot, ManifestLine, Operator, PartyKind, Role, Unit
from app.services.intake import IntakeService, Outcome
from app.store import queries
from app.store.eventlog import iter_events, unit_events
from app.store.store import Store

GS = "\x1d"
# Valid IMEIs (Luhn check digit verified); BAD_IMEI is IMEI_A with its last digit changed.
IMEI_A = "490154203237518"
IMEI_B = "356938035643809"
IMEI_C = "353918057412344"
IMEI_D = "352914177763170"
BAD_IMEI = "490154203237519"
GTIN = "09501101530003"
SSCC = "106141411234567897"

ADMIN_BADGE, TECH_BADGE = "OP-0001", "OP-0002"


# --- helpers ------------------------------------------------------------------------------------------


def event_count(store: Store) -> int:
    return int(store.db.execute("SELECT count(*) FROM events").fetchone()[0])


def events_after(store: Store, seq: int) -> list[Event]:
    return list(iter_events(store.db, after_seq=seq))


def head(store: Store) -> int:
    return int(store.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])


def kinds(events: list[Event]) -> list[str]:
    return [e.type for e in events]


def operator_named(store: Store, name: str) -> Operator:
    found = queries.operator_by_name(store.db, name)
    assert found is not None
    return found[0]


@pytest.fixture
def tech(intake: IntakeService) -> IntakeService:
    """The intake service with the technician logged in by badge."""
    intake.handle_scan(TECH_BADGE)
    return intake


def make_lot(intake: IntakeService, code: str = "LOT-2026-0042", po: str = "PO-4711", expected: int = 0) -> Lot:
    return intake.create_lot(code, PartyKind.SUPPLIER, "Acme Phones", po, expected)


def manifest_bytes(rows: list[tuple[str, str]]) -> bytes:
    return ("IMEI,Model\n" + "".join(f"{imei},{model}\n" for imei, model in rows)).encode()


def refused_with_nothing_written(store: Store, error: type[OperatorError], call: Any, *args: Any,
                                 **kwargs: Any) -> OperatorError:
    """Run ``call`` expecting ``error``; check it carries a hint and that no event was stored."""
    before = event_count(store)
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    assert caught.value.hint.strip(), "an operator error needs a hint"
    assert event_count(store) == before, "a refused action must store nothing"
    return caught.value


# --- logging in -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(IMEI_A, id="imei"),
        pytest.param("C02XK1ABJG5J", id="serial"),
        pytest.param("LOT-2026-0042", id="lot"),
        pytest.param("PO-4711", id="po"),
    ],
)
def test_scan_before_login_is_refused(intake: IntakeService, raw: str) -> None:
    error = refused_with_nothing_written(intake.store, OperatorError, intake.handle_scan, raw)
    assert error.message == "Nobody is logged in"
    assert "badge" in error.hint
    assert queries.count_units(intake.store.db) == 0


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        pytest.param(TECH_BADGE, "Sam Okafor", id="technician"),
        pytest.param(ADMIN_BADGE, "Alex Martin", id="admin"),
        pytest.param("op-0002", "Sam Okafor", id="lower-case-badge"),
        pytest.param(" OP-0002\r\n", "Sam Okafor", id="badge-with-scanner-suffix"),
    ],
)
def test_badge_scan_logs_in_and_records_it(intake: IntakeService, raw: str, name: str) -> None:
    seq = head(intake.store)
    result = intake.handle_scan(raw)
    assert result.outcome is Outcome.OPERATOR_LOGGED_IN
    assert result.operator is not None
    assert result.operator.name == name
    assert intake.operator == result.operator
    assert result.message == f"{name} logged in"
    (event,) = events_after(intake.store, seq)
    assert event.type == ev.OPERATOR_LOGGED_IN
    assert event.operator_id == result.operator.operator_id
    assert dict(event.body) == {"method": "badge"}


def test_second_badge_switches_operator_and_records_logout_then_login(intake: IntakeService) -> None:
    admin = intake.handle_scan(ADMIN_BADGE).operator
    seq = head(intake.store)
    tech = intake.handle_scan(TECH_BADGE).operator
    assert admin is not None
    assert tech is not None
    assert intake.operator == tech
    logged_out, logged_in = events_after(intake.store, seq)
    assert (logged_out.type, logged_out.operator_id, dict(logged_out.body)) == (
        ev.OPERATOR_LOGGED_OUT, admin.operator_id, {"reason": "switched"}
    )
    assert (logged_in.type, logged_in.operator_id, dict(logged_in.body)) == (
        ev.OPERATOR_LOGGED_IN, tech.operator_id, {"method": "badge"}
    )
    assert logged_out.seq < logged_in.seq


def test_same_badge_again_records_no_logout(intake: IntakeService) -> None:
    intake.handle_scan(TECH_BADGE)
    seq = head(intake.store)
    intake.handle_scan(TECH_BADGE)
    assert kinds(events_after(intake.store, seq)) == [ev.OPERATOR_LOGGED_IN]


def test_unknown_badge_is_not_found(intake: IntakeService) -> None:
    intake.handle_scan(TECH_BADGE)
    error = refused_with_nothing_written(intake.store, NotFound, intake.handle_scan, "OP-9999")
    assert "OP-9999" in error.message
    assert intake.operator is not None
    assert intake.operator.name == "Sam Okafor", "a failed badge scan keeps the operator logged in"


def test_logout_records_it_and_forgets_operator_and_lot(tech: IntakeService) -> None:
    make_lot(tech)
    tech.handle_scan("LOT-2026-0042")
    operator = tech.operator
    assert operator is not None
    seq = head(tech.store)
    tech.logout()
    (event,) = events_after(tech.store, seq)
    assert (event.type, event.operator_id, dict(event.body)) == (
        ev.OPERATOR_LOGGED_OUT, operator.operator_id, {"reason": "logout"}
    )
    assert tech.operator is None
    assert tech.active_lot is None
    with pytest.raises(OperatorError, match="Nobody is logged in"):
        tech.handle_scan(IMEI_A)


@pytest.mark.parametrize(
    "name", [pytest.param("Sam Okafor", id="exact"), pytest.param("  sam okafor ", id="case-and-spaces")]
)
def test_login_pin_right(intake: IntakeService, name: str) -> None:
    seq = head(intake.store)
    operator = intake.login_pin(name, "2345")
    assert operator.name == "Sam Okafor"
    assert intake.operator == operator
    (event,) = events_after(intake.store, seq)
    assert (event.type, event.operator_id, dict(event.body)) == (
        ev.OPERATOR_LOGGED_IN, operator.operator_id, {"method": "pin"}
    )


@pytest.mark.parametrize(
    ("name", "pin"),
    [
        pytest.param("Sam Okafor", "1234", id="someone-elses-pin"),
        pytest.param("Sam Okafor", "2346", id="wrong-pin"),
        pytest.param("Sam Okafor", "", id="empty-pin"),
        pytest.param("Sam Okafo", "2345", id="unknown-name"),
        pytest.param("Nobody", "1234", id="unknown-name-2"),
    ],
)
def test_login_pin_wrong_gives_the_same_answer_for_name_and_pin(intake: IntakeService, name: str, pin: str) -> None:
    error = refused_with_nothing_written(intake.store, OperatorError, intake.login_pin, name, pin)
    assert type(error) is OperatorError
    assert error.message == "Name or PIN not recognised"
    assert error.hint == "Check both and try again, or scan your badge"
    assert intake.operator is None


# --- operators ------------------------------------------------------------------------------------------


def test_fixture_operators_are_stored_with_hashed_pins(intake: IntakeService) -> None:
    ops = {o.name: o for o in queries.list_operators(intake.store.db)}
    assert {(o.name, o.badge, o.role) for o in ops.values()} == {
        ("Alex Martin", ADMIN_BADGE, Role.ADMIN), ("Sam Okafor", TECH_BADGE, Role.TECHNICIAN)
    }
    found = queries.operator_by_name(intake.store.db, "Sam Okafor")
    assert found is not None
    assert found[1].startswith("scrypt$")
    assert "2345" not in found[1]


def test_admin_adds_an_operator(intake: IntakeService) -> None:
    intake.handle_scan(ADMIN_BADGE)
    admin = intake.operator
    assert admin is not None
    seq = head(intake.store)
    added = intake.add_operator("  Jo   Bloggs ", "op-0042", Role.SUPERVISOR, "98765", by=admin)
    assert (added.name, added.badge, added.role) == ("Jo Bloggs", "OP-0042", Role.SUPERVISOR)
    (event,) = events_after(intake.store, seq)
    assert event.type == ev.OPERATOR_ADDED
    assert event.operator_id == admin.operator_id
    assert event.body["badge"] == "OP-0042"
    assert "98765" not in str(dict(event.body))
    assert intake.login_pin("Jo Bloggs", "98765") == added
    assert queries.operator_by_badge(intake.store.db, "OP-0042") == added


@pytest.mark.parametrize(
    "by_name", [pytest.param("Sam Okafor", id="technician"), pytest.param(None, id="nobody")]
)
def test_add_operator_by_a_non_admin_is_denied(intake: IntakeService, by_name: str | None) -> None:
    by = operator_named(intake.store, by_name) if by_name else None
    error = refused_with_nothing_written(
        intake.store, PermissionDenied, intake.add_operator, "Jo Bloggs", "OP-0042", Role.TECHNICIAN, "9876", by=by
    )
    assert "admin" in error.message


def test_add_operator_by_a_supervisor_is_denied(intake: IntakeService) -> None:
    admin = operator_named(intake.store, "Alex Martin")
    supervisor = intake.add_operator("Kim Lee", "OP-0003", Role.SUPERVISOR, "3456", by=admin)
    refused_with_nothing_written(
        intake.store, PermissionDenied, intake.add_operator, "Jo Bloggs", "OP-0042", Role.TECHNICIAN, "9876",
        by=supervisor,
    )


@pytest.mark.parametrize(
    ("name", "badge", "pin", "error", "message"),
    [
        pytest.param("Jo Bloggs", "OP-0002", "9876", OperatorError, "Badge OP-0002 is already in use",
                     id="duplicate-badge"),
        pytest.param("Jo Bloggs", "op-0001", "9876", OperatorError, "Badge OP-0001 is already in use",
                     id="duplicate-badge-lower-case"),
        pytest.param("Sam Okafor", "OP-0042", "9876", OperatorError, "An operator named Sam Okafor exists",
                     id="duplicate-name"),
        pytest.param("SAM  OKAFOR", "OP-0042", "9876", OperatorError, "An operator named SAM OKAFOR exists",
                     id="duplicate-name-other-case"),
        pytest.param("   ", "OP-0042", "9876", OperatorError, "The operator needs a name", id="blank-name"),
        pytest.param("Jo Bloggs", "LOT-0042", "9876", InvalidScan, "'LOT-0042' is not an operator badge code",
                     id="lot-code-as-badge"),
        pytest.param("Jo Bloggs", "OP-0042", "123", OperatorError, "A PIN is 4 to 12 digits", id="short-pin"),
    ],
)
def test_add_operator_refusals(intake: IntakeService, name: str, badge: str, pin: str,
                               error: type[OperatorError], message: str) -> None:
    admin = operator_named(intake.store, "Alex Martin")
    refused = refused_with_nothing_written(
        intake.store, error, intake.add_operator, name, badge, Role.TECHNICIAN, pin, by=admin
    )
    assert refused.message == message
    assert len(queries.list_operators(intake.store.db)) == 2


def test_first_operator_of_a_fresh_station_needs_no_admin_but_must_be_one(store: Store) -> None:
    service = IntakeService(store)
    # a technician first would lock the station: nobody could add the next operator
    with pytest.raises(PermissionDenied, match="must be an admin"):
        service.add_operator("Set Up", "OP-0100", Role.TECHNICIAN, "1111")
    assert queries.list_operators(store.db) == []
    first = service.add_operator("Set Up", "OP-0100", Role.ADMIN, "1111")
    assert queries.list_operators(store.db) == [first]
    with pytest.raises(PermissionDenied):
        service.add_operator("Second", "OP-0101", Role.ADMIN, "1111")


# --- unit scans -------------------------------------------------------------------------------------------


def test_valid_imei_creates_one_unit_in_state_received(tech: IntakeService) -> None:
    seq = head(tech.store)
    result = tech.handle_scan(IMEI_A)
    assert result.outcome is Outcome.UNIT_CREATED
    unit = result.unit
    assert unit is not None
    assert unit.state is UnitState.RECEIVED
    assert unit.identifiers == (Identifier("imei", IMEI_A),)
    assert unit.unit_id.startswith("U-")
    assert result.received_expected is None
    assert result.message == f"New unit {IMEI_A}"
    assert queries.count_units(tech.store.db) == 1
    assert queries.find_unit(tech.store.db, IMEI_A) == unit
    (event,) = events_after(tech.store, seq)
    assert event.type == ev.UNIT_CREATED
    assert event.unit_id == unit.unit_id
    assert tech.operator is not None
    assert event.operator_id == tech.operator.operator_id
    assert dict(event.body) == {
        "identifiers": [{"kind": "imei", "value": IMEI_A}], "source": "scan", "raw_scan": IMEI_A,
    }


@pytest.mark.parametrize(
    "again", [pytest.param(IMEI_A, id="same-text"), pytest.param(IMEI_A + "\r\n", id="with-crlf")]
)
def test_second_scan_opens_the_same_unit(tech: IntakeService, again: str) -> None:
    first = tech.handle_scan(IMEI_A).unit
    assert first is not None
    seq = head(tech.store)
    result = tech.handle_scan(again)
    assert result.outcome is Outcome.UNIT_OPENED
    assert result.unit is not None
    assert result.unit.unit_id == first.unit_id
    assert result.message == f"Opened {IMEI_A}"
    assert queries.count_units(tech.store.db) == 1
    assert ev.UNIT_CREATED not in kinds(events_after(tech.store, seq))
    assert events_after(tech.store, seq) == []


def test_invalid_imei_is_refused_and_writes_no_event(tech: IntakeService) -> None:
    error = refused_with_nothing_written(tech.store, InvalidScan, tech.handle_scan, BAD_IMEI)
    assert "check digit" in error.message
    assert BAD_IMEI in error.message
    assert queries.count_units(tech.store.db) == 0


def test_gs1_scan_with_a_serial_creates_a_unit_by_serial_and_stores_the_gtin(tech: IntakeService) -> None:
    raw = "]C1" + "01" + GTIN + "21sn-12345" + GS + "10LOT7"
    seq = head(tech.store)
    result = tech.handle_scan(raw)
    assert result.outcome is Outcome.UNIT_CREATED
    unit = result.unit
    assert unit is not None
    assert [(i.kind, i.value) for i in unit.identifiers] == [("serial", "SN-12345")]
    stored_gtin = tech.store.db.execute("SELECT gtin FROM units WHERE unit_id = ?", [unit.unit_id]).fetchone()[0]
    assert stored_gtin == GTIN
    (event,) = events_after(tech.store, seq)
    assert event.body["gtin"] == GTIN
    assert event.body["raw_scan"] == raw
    # The same serial typed by hand finds the same unit.
    again = tech.handle_scan("sn-12345")
    assert again.outcome is Outcome.UNIT_OPENED
    assert again.unit is not None
    assert again.unit.unit_id == unit.unit_id


def test_gs1_scan_adds_an_asset_tag_to_a_known_unit(tech: IntakeService) -> None:
    unit = tech.handle_scan("SN12345").unit
    assert unit is not None
    seq = head(tech.store)
    result = tech.handle_scan(f"(01){GTIN}(21)SN12345(8004)ASSET-1")
    assert result.outcome is Outcome.UNIT_OPENED
    assert result.unit is not None
    assert result.unit.unit_id == unit.unit_id
    assert result.unit.identifier("asset_tag") == "ASSET-1"
    (event,) = events_after(tech.store, seq)
    assert (event.type, dict(event.body)) == (ev.UNIT_IDENTIFIER_ADDED, {"kind": "asset_tag", "value": "ASSET-1"})


def test_identifiers_of_two_units_in_one_scan_are_refused(tech: IntakeService) -> None:
    tech.handle_scan("SN12345")
    tech.add_unit(IdentifierKind.ASSET_TAG, "AT-0001")
    error = refused_with_nothing_written(
        tech.store, OperatorError, tech.handle_scan, f"(01){GTIN}(21)SN12345(8004)AT-0001"
    )
    assert "different units" in error.message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("]C1" + "01" + GTIN, "names the product but not the unit", id="gtin-only"),
        pytest.param(f"(01){GTIN}(10)LOT7", "names the product but not the unit", id="gtin-and-batch"),
        pytest.param("]C1" + "00" + SSCC, "SSCC", id="sscc"),
        pytest.param(f"(00){SSCC}", "SSCC", id="sscc-bracketed"),
    ],
)
def test_gs1_scan_without_a_unit_identifier_is_refused(tech: IntakeService, raw: str, message: str) -> None:
    error = refused_with_nothing_written(tech.store, InvalidScan, tech.handle_scan, raw)
    assert message in error.message
    assert queries.count_units(tech.store.db) == 0


# --- lots ---------------------------------------------------------------------------------------------------


def test_create_lot_normalises_and_records(tech: IntakeService) -> None:
    seq = head(tech.store)
    lot = tech.create_lot("lot-2026-0042", PartyKind.CUSTOMER, "  Big   Bank  ", " po-4711 ", 12)
    assert (lot.code, lot.party_kind, lot.party, lot.po, lot.expected_count) == (
        "LOT-2026-0042", PartyKind.CUSTOMER, "Big Bank", "PO-4711", 12
    )
    assert queries.lot_by_code(tech.store.db, "LOT-2026-0042") == lot
    (event,) = events_after(tech.store, seq)
    assert event.type == ev.LOT_CREATED
    assert event.body["lot_id"] == lot.lot_id


@pytest.mark.parametrize(
    ("code", "party", "count", "error", "message"),
    [
        pytest.param("2026-0042", "Acme", 1, InvalidScan, "'2026-0042' is not a lot code", id="no-prefix"),
        pytest.param("OP-0042", "Acme", 1, InvalidScan, "'OP-0042' is not a lot code", id="badge-code"),
        pytest.param("LOT-", "Acme", 1, InvalidScan, "Lot code", id="empty-body"),
        pytest.param("LOT-A B", "Acme", 1, InvalidScan, "Lot code", id="space"),
        pytest.param("LOT-2026-0042", "Acme", 1, OperatorError, "Lot LOT-2026-0042 already exists", id="duplicate"),
        pytest.param("lot-2026-0042", "Acme", 1, OperatorError, "Lot LOT-2026-0042 already exists",
                     id="duplicate-lower-case"),
        pytest.param("LOT-NEW", "   ", 1, OperatorError, "The lot needs a supplier or customer name",
                     id="empty-party"),
        pytest.param("LOT-NEW", "Acme", -1, OperatorError, "The expected count cannot be negative",
                     id="negative-count"),
    ],
)
def test_create_lot_validations(tech: IntakeService, code: str, party: str, count: int,
                                error: type[OperatorError], message: str) -> None:
    make_lot(tech)
    refused = refused_with_nothing_written(
        tech.store, error, tech.create_lot, code, PartyKind.SUPPLIER, party, "", count
    )
    assert message in refused.message
    assert len(queries.list_lots(tech.store.db)) == 1


def test_create_lot_with_zero_expected_is_allowed(tech: IntakeService) -> None:
    assert make_lot(tech, expected=0).expected_count == 0


@pytest.mark.parametrize(
    ("raw", "expected_code"),
    [
        pytest.param("LOT-2026-0042", "LOT-2026-0042", id="lot-code"),
        pytest.param("lot-2026-0042", "LOT-2026-0042", id="lot-code-lower-case"),
        pytest.param("PO-4711", "LOT-2026-0042", id="po-of-the-lot"),
        pytest.param("PO-9000", "LOT-OTHER", id="po-of-another-lot"),
    ],
)
def test_lot_or_po_scan_selects_the_lot(tech: IntakeService, raw: str, expected_code: str) -> None:
    make_lot(tech)
    make_lot(tech, code="LOT-OTHER", po="PO-9000")
    seq = head(tech.store)
    result = tech.handle_scan(raw)
    assert result.outcome is Outcome.LOT_SELECTED
    assert result.lot is not None
    assert result.lot.code == expected_code
    assert tech.active_lot == result.lot
    assert result.message == f"Receiving into lot {expected_code}"
    assert events_after(tech.store, seq) == [], "selecting a lot records nothing"


@pytest.mark.parametrize(
    "raw", [pytest.param("LOT-NOPE", id="unknown-lot"), pytest.param("PO-NOPE", id="unknown-po")]
)
def test_unknown_lot_or_po_is_not_found(tech: IntakeService, raw: str) -> None:
    make_lot(tech)
    error = refused_with_nothing_written(tech.store, NotFound, tech.handle_scan, raw)
    assert raw in error.message
    assert tech.active_lot is None


@pytest.fixture
def receiving(tech: IntakeService) -> tuple[IntakeService, Lot]:
    """A lot whose manifest lists IMEI_A, IMEI_B and IMEI_C, selected for receiving."""
    lot = make_lot(tech, expected=99)
    data = manifest_bytes([(IMEI_A, "Pixel 7"), (IMEI_B, "Galaxy S9"), (IMEI_C, "iPhone 12")])
    assert tech.import_manifest_file(lot, data, "acme.csv") == 3
    tech.handle_scan("LOT-2026-0042")
    return tech, lot


def test_manifest_import_records_one_event_with_the_file_hash(tech: IntakeService) -> None:
    lot = make_lot(tech)
    data = manifest_bytes([(IMEI_A, "Pixel 7"), (IMEI_B, "Galaxy S9")])
    seq = head(tech.store)
    assert tech.import_manifest_file(lot, data, "acme.csv") == 2
    (event,) = events_after(tech.store, seq)
    assert event.type == ev.LOT_MANIFEST_IMPORTED
    assert event.body["file_name"] == "acme.csv"
    assert event.body["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert queries.manifest_size(tech.store.db, lot.lot_id) == 2
    assert queries.manifest_line(tech.store.db, lot.lot_id, [IMEI_B]) == ManifestLine("imei", IMEI_B, "Galaxy S9", "")


def test_scanning_a_manifest_unit_is_received_as_expected(receiving: tuple[IntakeService, Lot]) -> None:
    intake, lot = receiving
    seq = head(intake.store)
    result = intake.handle_scan(IMEI_A)
    assert result.outcome is Outcome.UNIT_CREATED
    assert result.received_expected is True
    assert result.unit is not None
    assert result.unit.lot_id == lot.lot_id
    assert result.unit.model == "Pixel 7", "a listed unit starts with the manifest's model"
    assert result.message == f"New unit {IMEI_A}, received into {lot.code}"
    created, received = events_after(intake.store, seq)
    assert created.type == ev.UNIT_CREATED
    assert (received.type, dict(received.body)) == (
        ev.LOT_UNIT_RECEIVED, {"lot_id": lot.lot_id, "lot_code": lot.code, "expected": True}
    )


def test_scanning_an_unknown_unit_is_received_as_unexpected(receiving: tuple[IntakeService, Lot]) -> None:
    intake, lot = receiving
    result = intake.handle_scan(IMEI_D)
    assert result.received_expected is False
    assert result.unit is not None
    assert result.unit.lot_id == lot.lot_id
    assert result.unit.model == ""
    assert result.message == f"New unit {IMEI_D}, received into {lot.code} (not on its manifest)"


def test_lot_progress_counts(receiving: tuple[IntakeService, Lot]) -> None:
    intake, lot = receiving
    empty = intake.lot_progress(lot)
    assert (empty.expected, empty.received_expected, empty.unexpected, empty.received, empty.outstanding) == (
        3, 0, 0, 0, 3
    )
    assert [m.value for m in empty.missing] == sorted([IMEI_A, IMEI_B, IMEI_C])

    intake.handle_scan(IMEI_A)
    intake.handle_scan(IMEI_C)
    intake.handle_scan(IMEI_D)
    intake.handle_scan(IMEI_A)  # a second scan of a received unit counts once
    progress = intake.lot_progress(lot)
    assert progress.expected == 3, "the manifest, not the typed expected count (99), sets what is expected"
    assert progress.received_expected == 2
    assert progress.unexpected == 1
    assert progress.received == 3
    assert progress.outstanding == 1
    assert progress.missing == (ManifestLine("imei", IMEI_B, "Galaxy S9", ""),)


def test_lot_progress_without_a_manifest_uses_the_expected_count(tech: IntakeService) -> None:
    lot = make_lot(tech, expected=5)
    tech.handle_scan(lot.code)
    tech.handle_scan(IMEI_A)
    progress = tech.lot_progress(lot)
    assert (progress.expected, progress.received_expected, progress.unexpected, progress.outstanding) == (5, 0, 1, 5)
    assert progress.missing == ()


def test_rescanning_a_received_unit_records_nothing(receiving: tuple[IntakeService, Lot]) -> None:
    intake, _lot = receiving
    intake.handle_scan(IMEI_A)
    seq = head(intake.store)
    result = intake.handle_scan(IMEI_A)
    assert result.outcome is Outcome.UNIT_OPENED
    assert result.received_expected is True
    assert events_after(intake.store, seq) == []


def test_unit_received_into_one_lot_cannot_be_received_into_another(receiving: tuple[IntakeService, Lot]) -> None:
    intake, lot_a = receiving
    unit = intake.handle_scan(IMEI_A).unit
    assert unit is not None
    lot_b = make_lot(intake, code="LOT-B", po="PO-B")
    intake.handle_scan("LOT-B")
    error = refused_with_nothing_written(intake.store, OperatorError, intake.handle_scan, IMEI_A)
    assert error.message == f"{IMEI_A} was already received into lot {lot_a.code}"
    fresh = queries.get_unit(intake.store.db, unit.unit_id)
    assert fresh is not None
    assert fresh.lot_id == lot_a.lot_id
    assert intake.lot_progress(lot_b).received == 0


def test_unit_scanned_before_any_lot_can_be_received_later(tech: IntakeService) -> None:
    unit = tech.handle_scan(IMEI_A).unit
    assert unit is not None
    assert unit.lot_id is None
    lot = make_lot(tech)
    tech.handle_scan(lot.code)
    result = tech.handle_scan(IMEI_A)
    assert result.outcome is Outcome.UNIT_OPENED
    assert result.received_expected is False
    assert result.unit is not None
    assert result.unit.lot_id == lot.lot_id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(manifest_bytes([(IMEI_A, "Pixel"), (BAD_IMEI, "Galaxy")]), "line 3", id="bad-imei"),
        pytest.param(manifest_bytes([(IMEI_A, "Pixel"), (IMEI_A, "Pixel")]), "listed twice", id="duplicate"),
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"Model,Colour\nPixel,blue\n", "No identifier column", id="no-id-column"),
        pytest.param(b"IMEI\x00\n", "not a CSV text file", id="nul-bytes"),
    ],
)
def test_import_of_a_bad_manifest_file_stores_nothing(tech: IntakeService, data: bytes, message: str) -> None:
    lot = make_lot(tech)
    error = refused_with_nothing_written(tech.store, ManifestError, tech.import_manifest_file, lot, data, "bad.csv")
    assert message in error.message
    assert queries.manifest_size(tech.store.db, lot.lot_id) == 0


# --- lifecycle ---------------------------------------------------------------------------------------------


def test_set_state_follows_the_lifecycle_and_records_it(tech: IntakeService) -> None:
    unit = tech.handle_scan(IMEI_A).unit
    assert unit is not None
    seq = head(tech.store)
    testing = tech.set_state(unit, UnitState.TESTING, reason="bench 3")
    assert testing.state is UnitState.TESTING
    assert queries.get_unit(tech.store.db, unit.unit_id) == testing
    (event,) = events_after(tech.store, seq)
    assert event.type == ev.UNIT_STATE_CHANGED
    assert event.unit_id == unit.unit_id
    assert tech.operator is not None
    assert event.operator_id == tech.operator.operator_id
    assert dict(event.body) == {"from": "received", "to": "testing", "reason": "bench 3"}
    tested = tech.set_state(testing, UnitState.TESTED)
    assert tested.state is UnitState.TESTED
    assert dict(events_after(tech.store, event.seq)[0].body) == {"from": "testing", "to": "tested"}


@pytest.mark.parametrize(
    "target",
    [pytest.param(UnitState.SHIPPED, id="to-shipped"), pytest.param(UnitState.GRADED, id="to-graded"),
     pytest.param(UnitState.RECEIVED, id="to-received")],
)
def test_set_state_refuses_an_illegal_step(tech: IntakeService, target: UnitState) -> None:
    unit = tech.handle_scan(IMEI_A).unit
    assert unit is not None
    error = refused_with_nothing_written(tech.store, IllegalTransition, tech.set_state, unit, target)
    assert "identified" in error.hint
    fresh = queries.get_unit(tech.store.db, unit.unit_id)
    assert fresh is not None
    assert fresh.state is UnitState.RECEIVED


def test_set_state_needs_a_logged_in_operator(tech: IntakeService) -> None:
    unit = tech.handle_scan(IMEI_A).unit
    assert unit is not None
    tech.logout()
    error = refused_with_nothing_written(tech.store, OperatorError, tech.set_state, unit, UnitState.TESTING)
    assert error.message == "Nobody is logged in"


def test_set_state_with_a_stale_unit_checks_the_stored_state(tech: IntakeService) -> None:
    stale = tech.handle_scan(IMEI_A).unit
    assert stale is not None
    tech.set_state(stale, UnitState.TESTING)
    # testing -> identified is not allowed; the stale snapshot still says "received".
    with pytest.raises(IllegalTransition):
        tech.set_state(stale, UnitState.IDENTIFIED)


def test_manifest_imported_after_receiving_counts_the_unit_as_expected(tech: IntakeService) -> None:
    lot = make_lot(tech)
    tech.handle_scan(lot.code)
    tech.handle_scan(IMEI_A)
    tech.import_manifest_file(lot, manifest_bytes([(IMEI_A, "Pixel 7")]), "late.csv")
    progress = tech.lot_progress(lot)
    assert progress.outstanding == len(progress.missing)
    assert (progress.received_expected, progress.unexpected) == (1, 0)


# --- timeline and search --------------------------------------------------------------------------------------


def test_timeline_lists_a_units_events_in_order(receiving: tuple[IntakeService, Lot]) -> None:
    intake, lot = receiving
    unit = intake.handle_scan(IMEI_A).unit
    assert unit is not None
    other = intake.handle_scan(IMEI_D).unit  # another unit's events must not appear
    assert other is not None
    unit = intake.set_state(unit, UnitState.IDENTIFIED)
    intake.set_state(other, UnitState.TESTING)
    unit = intake.set_state(unit, UnitState.TESTING, reason="battery test")
    timeline = unit_events(intake.store.db, unit.unit_id)
    assert kinds(timeline) == [
        ev.UNIT_CREATED, ev.LOT_UNIT_RECEIVED, ev.UNIT_STATE_CHANGED, ev.UNIT_STATE_CHANGED,
    ]
    assert all(e.unit_id == unit.unit_id for e in timeline)
    seqs = [e.seq for e in timeline]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    assert [e.body.get("to") for e in timeline[2:]] == ["identified", "testing"]
    assert timeline[1].body["lot_code"] == lot.code


def test_timeline_of_an_unknown_unit_is_empty(store: Store) -> None:
    assert unit_events(store.db, "U-NOSUCHUNIT0") == []


@pytest.fixture
def catalogue(tech: IntakeService) -> dict[str, Unit]:
    """Four units: two from a lot with a manifest (models from it), one serial, one IMEI, one moved on."""
    lot = make_lot(tech)
    tech.import_manifest_file(lot, manifest_bytes([(IMEI_A, "Pixel 7 Pro"), (IMEI_B, "Galaxy S9")]), "acme.csv")
    tech.handle_scan(lot.code)
    pixel = tech.handle_scan(IMEI_A).unit
    galaxy = tech.handle_scan(IMEI_B).unit
    tech.logout()
    tech.handle_scan(TECH_BADGE)
    mac, _ = tech.add_unit(IdentifierKind.SERIAL, "C02XK1ABJG5J", model="MacBook Pro 13")
    loose = tech.handle_scan(IMEI_C).unit
    assert pixel is not None
    assert galaxy is not None
    assert loose is not None
    loose = tech.set_state(loose, UnitState.TESTING)
    return {"pixel": pixel, "galaxy": galaxy, "mac": mac, "loose": loose}


def found(store: Store, text: str = "", **kwargs: Any) -> set[str]:
    return {u.unit_id for u in queries.search_units(store.db, text, **kwargs)}


def ids(catalogue: dict[str, Unit], *names: str) -> set[str]:
    return {catalogue[n].unit_id for n in names}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(IMEI_A[:6], ["pixel"], id="imei-prefix"),
        pytest.param(IMEI_A, ["pixel"], id="whole-imei"),
        pytest.param("35", ["galaxy", "loose"], id="shared-imei-prefix"),
        pytest.param("c02xk", ["mac"], id="serial-prefix-lower-case"),
        pytest.param(IMEI_A[3:9], [], id="imei-middle-is-not-a-prefix"),
        pytest.param("galaxy", ["galaxy"], id="model-substring-lower-case"),
        pytest.param("Pro", ["pixel", "mac"], id="model-substring-in-two"),
        pytest.param("7 Pro", ["pixel"], id="model-substring-with-space"),
        pytest.param("LOT-2026", ["pixel", "galaxy"], id="lot-code-prefix"),
        pytest.param("  LOT-2026-0042  ", ["pixel", "galaxy"], id="lot-code-padded"),
        pytest.param("%", [], id="percent-is-literal"),
        pytest.param("_", [], id="underscore-is-literal"),
        pytest.param("nothing-like-this", [], id="no-match"),
    ],
)
def test_search_units_by_text(catalogue: dict[str, Unit], tech: IntakeService, text: str,
                              expected: list[str]) -> None:
    assert found(tech.store, text) == ids(catalogue, *expected)


def test_search_units_by_unit_id(catalogue: dict[str, Unit], tech: IntakeService) -> None:
    assert found(tech.store, catalogue["mac"].unit_id) == ids(catalogue, "mac")


def test_search_units_without_text_lists_all(catalogue: dict[str, Unit], tech: IntakeService) -> None:
    assert found(tech.store) == ids(catalogue, "pixel", "galaxy", "mac", "loose")


@pytest.mark.parametrize(
    ("text", "state", "expected"),
    [
        pytest.param("", UnitState.TESTING, ["loose"], id="testing"),
        pytest.param("", UnitState.RECEIVED, ["pixel", "galaxy", "mac"], id="received"),
        pytest.param("", UnitState.SHIPPED, [], id="shipped-none"),
        pytest.param("35", UnitState.RECEIVED, ["galaxy"], id="prefix-and-state"),
        pytest.param("35", UnitState.TESTING, ["loose"], id="prefix-and-other-state"),
    ],
)
def test_search_units_filters_by_state(catalogue: dict[str, Unit], tech: IntakeService, text: str,
                                       state: UnitState, expected: list[str]) -> None:
    assert found(tech.store, text, state=state) == ids(catalogue, *expected)
    assert all(u.state is state for u in queries.search_units(tech.store.db, text, state=state))


def test_search_units_filters_by_lot(catalogue: dict[str, Unit], tech: IntakeService) -> None:
    lot = queries.lot_by_code(tech.store.db, "LOT-2026-0042")
    assert lot is not None
    assert found(tech.store, lot_id=lot.lot_id) == ids(catalogue, "pixel", "galaxy")
    assert found(tech.store, "Pro", lot_id=lot.lot_id) == ids(catalogue, "pixel")


@pytest.fixture
def ticking_store(tmp_path: Path) -> Iterator[Store]:
    """A real store whose clock advances one second per reading, so update times never tie."""
    moments = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n) for n in itertools.count())
    with Store(tmp_path / "ticking", clock=lambda: next(moments)) as opened:
        yield opened


def test_search_units_newest_first_and_limited(ticking_store: Store) -> None:
    service = IntakeService(ticking_store)
    service.add_operator("Sam Okafor", TECH_BADGE, Role.ADMIN, "2345")
    service.handle_scan(TECH_BADGE)
    first = service.handle_scan(IMEI_A).unit
    second = service.handle_scan(IMEI_B).unit
    third = service.handle_scan(IMEI_C).unit
    assert first is not None
    assert second is not None
    assert third is not None
    order = [u.unit_id for u in queries.search_units(ticking_store.db)]
    assert order == [third.unit_id, second.unit_id, first.unit_id]
    service.set_state(first, UnitState.IDENTIFIED)  # a change makes it the newest
    order = [u.unit_id for u in queries.search_units(ticking_store.db)]
    assert order == [first.unit_id, third.unit_id, second.unit_id]
    assert [u.unit_id for u in queries.search_units(ticking_store.db, limit=2)] == order[:2]
