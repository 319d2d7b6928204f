"""Unit search: identifier prefixes in identifier order, then models (any case), then lots."""

from __future__ import annotations

from app.core.identifiers import IdentifierKind, luhn_check_digit
from app.core.lifecycle import UnitState
from app.core.models import PartyKind
from app.services.intake import IntakeService
from app.store import queries


def _imei(body14: str) -> str:
    return body14 + str(luhn_check_digit(body14))


def test_identifier_prefix_lists_in_identifier_order_and_stops_at_the_limit(intake: IntakeService) -> None:
    intake.login_badge("OP-0002")
    made = [_imei(f"3569380356438{n}") for n in (7, 2, 9, 0, 5)]
    for imei in made:
        intake.handle_scan(imei)
    found = queries.search_units(intake.store.db, "3569380356438")
    assert [u.label for u in found] == sorted(made)
    assert [u.label for u in queries.search_units(intake.store.db, "3569380356438", limit=2)] == sorted(made)[:2]


def test_models_match_anywhere_in_any_case_and_lots_by_code_prefix(intake: IntakeService) -> None:
    intake.login_badge("OP-0002")
    intake.add_unit(IdentifierKind.SERIAL, "C02XK1JHJG5J", model="MacBook Pro 13")
    intake.add_unit(IdentifierKind.SERIAL, "FVFXC2ABCD12", model="MACBOOK AIR")
    intake.add_unit(IdentifierKind.SERIAL, "5CG1234XYZ", model="HP EliteBook 840")
    lot = intake.create_lot("LOT-2026-0300", PartyKind.SUPPLIER, "Acme", "", 1)
    intake.add_unit(IdentifierKind.SERIAL, "R58M12ABCDE", lot_code=lot.code, model="Galaxy S10")
    db = intake.store.db
    assert {u.label for u in queries.search_units(db, "macbook")} == {"C02XK1JHJG5J", "FVFXC2ABCD12"}
    assert {u.label for u in queries.search_units(db, "book")} == {"C02XK1JHJG5J", "FVFXC2ABCD12", "5CG1234XYZ"}
    assert [u.label for u in queries.search_units(db, "LOT-2026-03")] == ["R58M12ABCDE"]
    assert [u.label for u in queries.search_units(db, "lot-2026-03")] == ["R58M12ABCDE"]
    # wildcards typed by a person are literal characters
    assert queries.search_units(db, "%") == []
    assert queries.search_units(db, "_") == []
    unit = queries.find_unit(db, "5CG1234XYZ")
    assert unit is not None
    assert [u.unit_id for u in queries.search_units(db, unit.unit_id)] == [unit.unit_id]


def test_state_and_lot_narrow_every_kind_of_match(intake: IntakeService) -> None:
    intake.login_badge("OP-0002")
    first, _ = intake.add_unit(IdentifierKind.SERIAL, "C02XK1JHJG5J", model="MacBook Pro 13")
    intake.add_unit(IdentifierKind.SERIAL, "C02XK1JHJG6K", model="MacBook Pro 13")
    intake.set_state(first, UnitState.IDENTIFIED)
    db = intake.store.db
    assert [u.label for u in queries.search_units(db, "C02XK1", state=UnitState.IDENTIFIED)] == ["C02XK1JHJG5J"]
    assert [u.label for u in queries.search_units(db, "macbook", state=UnitState.RECEIVED)] == ["C02XK1JHJG6K"]
    assert [u.label for u in queries.search_units(db, state=UnitState.IDENTIFIED)] == ["C02XK1JHJG5J"]
