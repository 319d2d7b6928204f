"""Read-side queries over the projection tables, returning domain records."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from app.core.lifecycle import UnitState
from app.core.models import Identifier, Lot, LotProgress, ManifestLine, Operator, PartyKind, Role, Unit

_UNIT_COLS = "u.unit_id, u.state, u.created_at, u.updated_at, u.model, u.lot_id"


def _identifiers(db: sqlite_utils.Database, unit_ids: list[str]) -> dict[str, tuple[Identifier, ...]]:
    found: dict[str, list[Identifier]] = {uid: [] for uid in unit_ids}
    if not unit_ids:
        return {}
    marks = ",".join("?" * len(unit_ids))
    for value, kind, unit_id in db.execute(
        f"SELECT value, kind, unit_id FROM unit_identifiers WHERE unit_id IN ({marks}) ORDER BY kind, value",
        unit_ids,
    ):
        found[unit_id].append(Identifier(kind, value))
    return {uid: tuple(idents) for uid, idents in found.items()}


def _units(db: sqlite_utils.Database, rows: list[Any]) -> list[Unit]:
    idents = _identifiers(db, [r[0] for r in rows])
    return [
        Unit(unit_id=r[0], state=UnitState(r[1]), created_at=r[2], updated_at=r[3], model=r[4], lot_id=r[5],
             identifiers=idents.get(r[0], ()))
        for r in rows
    ]


def get_unit(db: sqlite_utils.Database, unit_id: str) -> Unit | None:
    rows = db.execute(f"SELECT {_UNIT_COLS} FROM units u WHERE u.unit_id = ?", [unit_id]).fetchall()
    units = _units(db, rows)
    return units[0] if units else None


def find_unit(db: sqlite_utils.Database, value: str) -> Unit | None:
    """The unit that owns identifier ``value`` (of any kind)."""
    row = db.execute("SELECT unit_id FROM unit_identifiers WHERE value = ? LIMIT 1", [value]).fetchone()
    return get_unit(db, row[0]) if row else None


def _prefix_bounds(prefix: str) -> tuple[str, str]:
    # Range scan on the primary key: every string that starts with prefix sorts in [prefix, prefix+U+10FFFF).
    return prefix, prefix + "\U0010ffff"


def search_units(
    db: sqlite_utils.Database,
    text: str = "",
    *,
    state: UnitState | None = None,
    lot_id: str | None = None,
    limit: int = 200,
) -> list[Unit]:
    """Units whose identifier starts with ``text``, or whose model contains it, or whose lot code
    starts with it; optionally narrowed by state or lot. Newest first."""
    text = text.strip()
    where: list[str] = []
    params: list[Any] = []
    if text:
        low, high = _prefix_bounds(text.upper())
        where.append(
            "(u.unit_id IN (SELECT unit_id FROM unit_identifiers WHERE value >= ? AND value < ?)"
            " OR u.model LIKE ? ESCAPE '\\'"
            " OR u.lot_id IN (SELECT lot_id FROM lots WHERE code >= ? AND code < ?)"
            " OR u.unit_id = ?)"
        )
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [low, high, like, low, high, text]
    if state is not None:
        where.append("u.state = ?")
        params.append(str(state))
    if lot_id is not None:
        where.append("u.lot_id = ?")
        params.append(lot_id)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = db.execute(
        f"SELECT {_UNIT_COLS} FROM units u {clause} ORDER BY u.updated_at DESC, u.unit_id LIMIT ?",
        [*params, limit],
    ).fetchall()
    return _units(db, rows)


def count_units(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM units").fetchone()[0])


# --- operators ---------------------------------------------------------------------------------

_OP_COLS = "operator_id, name, badge, role, active"


def _operator(row: Any) -> Operator:
    return Operator(operator_id=row[0], name=row[1], badge=row[2], role=Role(row[3]), active=bool(row[4]))


def operator_by_badge(db: sqlite_utils.Database, badge: str) -> Operator | None:
    row = db.execute(f"SELECT {_OP_COLS} FROM operators WHERE badge = ?", [badge]).fetchone()
    return _operator(row) if row else None


def operator_by_name(db: sqlite_utils.Database, name: str) -> tuple[Operator, str] | None:
    """The operator with this name (case-insensitive) and their stored PIN hash."""
    row = db.execute(
        f"SELECT {_OP_COLS}, pin_hash FROM operators WHERE name_key = ?", [name.strip().casefold()]
    ).fetchone()
    return (_operator(row), str(row[5])) if row else None


def operator_by_id(db: sqlite_utils.Database, operator_id: str) -> Operator | None:
    row = db.execute(f"SELECT {_OP_COLS} FROM operators WHERE operator_id = ?", [operator_id]).fetchone()
    return _operator(row) if row else None


def list_operators(db: sqlite_utils.Database) -> list[Operator]:
    return [_operator(r) for r in db.execute(f"SELECT {_OP_COLS} FROM operators ORDER BY name_key")]


# --- lots --------------------------------------------------------------------------------------

_LOT_COLS = "lot_id, code, party_kind, party, po, expected_count, created_at"


def _lot(row: Any) -> Lot:
    return Lot(lot_id=row[0], code=row[1], party_kind=PartyKind(row[2]), party=row[3], po=row[4],
               expected_count=row[5], created_at=row[6])


def lot_by_code(db: sqlite_utils.Database, code: str) -> Lot | None:
    row = db.execute(f"SELECT {_LOT_COLS} FROM lots WHERE code = ?", [code]).fetchone()
    return _lot(row) if row else None


def lot_by_id(db: sqlite_utils.Database, lot_id: str) -> Lot | None:
    row = db.execute(f"SELECT {_LOT_COLS} FROM lots WHERE lot_id = ?", [lot_id]).fetchone()
    return _lot(row) if row else None


def list_lots(db: sqlite_utils.Database) -> list[Lot]:
    return [_lot(r) for r in db.execute(f"SELECT {_LOT_COLS} FROM lots ORDER BY created_at DESC")]


def manifest_match(db: sqlite_utils.Database, lot_id: str, values: list[str]) -> bool:
    """True when any of ``values`` is on the lot's manifest."""
    if not values:
        return False
    marks = ",".join("?" * len(values))
    row = db.execute(
        f"SELECT 1 FROM lot_manifest WHERE lot_id = ? AND value IN ({marks}) LIMIT 1", [lot_id, *values]
    ).fetchone()
    return row is not None


def manifest_line(db: sqlite_utils.Database, lot_id: str, values: list[str]) -> ManifestLine | None:
    """The lot's manifest line for any of ``values``, if listed."""
    if not values:
        return None
    marks = ",".join("?" * len(values))
    row = db.execute(
        f"SELECT kind, value, model, description FROM lot_manifest WHERE lot_id = ? AND value IN ({marks}) LIMIT 1",
        [lot_id, *values],
    ).fetchone()
    return ManifestLine(*row) if row else None


def manifest_size(db: sqlite_utils.Database, lot_id: str) -> int:
    return int(db.execute("SELECT count(*) FROM lot_manifest WHERE lot_id = ?", [lot_id]).fetchone()[0])


def lot_progress(db: sqlite_utils.Database, lot: Lot, *, missing_limit: int = 500) -> LotProgress:
    """Expected (the manifest, or the lot's expected count without one) vs received vs unexpected."""
    listed = manifest_size(db, lot.lot_id)
    expected = listed or lot.expected_count
    received_expected, unexpected = db.execute(
        "SELECT coalesce(sum(expected), 0), coalesce(sum(1 - expected), 0) FROM lot_receipts WHERE lot_id = ?",
        [lot.lot_id],
    ).fetchone()
    missing_rows = db.execute(
        "SELECT m.kind, m.value, m.model, m.description FROM lot_manifest m WHERE m.lot_id = ? AND NOT EXISTS ("
        " SELECT 1 FROM unit_identifiers i JOIN lot_receipts r ON r.unit_id = i.unit_id AND r.lot_id = m.lot_id"
        " WHERE i.value = m.value) ORDER BY m.value LIMIT ?",
        [lot.lot_id, missing_limit],
    ).fetchall()
    return LotProgress(
        lot=lot, expected=expected, received_expected=int(received_expected), unexpected=int(unexpected),
        missing=tuple(ManifestLine(*r) for r in missing_rows),
    )
