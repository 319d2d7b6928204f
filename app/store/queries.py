"""Read-side queries over the projection tables, returning domain records."""

from __future__ import annotations

from dataclasses import dataclass
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


def unit_gtin(db: sqlite_utils.Database, unit_id: str) -> str:
    """The unit's GTIN from its manifest line, or "" when none was given."""
    row = db.execute("SELECT gtin FROM units WHERE unit_id = ?", [unit_id]).fetchone()
    return str(row[0] or "") if row else ""


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
    """Units found by ``text``, optionally narrowed by state or lot.

    Without text: newest first. With text, in this order: the unit whose id it is; units with
    an identifier starting with it (by identifier — a technician typing the start of a serial
    reads the list like an index); units whose model contains it; units of lots whose code starts
    with it (newest first). Each part is one index range scan that stops at ``limit``, so a search
    costs the same with a thousand units or a million.
    """
    text = text.strip()
    narrow, narrow_params = _narrowing(state, lot_id)
    if not text:
        where = ("WHERE " + " AND ".join(narrow)) if narrow else ""
        rows = db.execute(
            f"SELECT {_UNIT_COLS} FROM units u {where} ORDER BY u.updated_at DESC, u.unit_id DESC LIMIT ?",
            [*narrow_params, limit],
        ).fetchall()
        return _units(db, rows)
    extra = "".join(f" AND {n}" for n in narrow)
    low, high = _prefix_bounds(text.upper())
    found: dict[str, None] = {}  # ordered set of unit ids

    def collect(sql: str, params: list[Any]) -> None:
        if len(found) < limit:
            for (unit_id,) in db.execute(sql, [*params, *narrow_params, limit]):
                found.setdefault(unit_id, None)

    collect(f"SELECT u.unit_id FROM units u WHERE u.unit_id = ?{extra} LIMIT ?", [text])
    collect(
        "SELECT i.unit_id FROM unit_identifiers i JOIN units u ON u.unit_id = i.unit_id"
        f" WHERE i.value >= ? AND i.value < ?{extra} ORDER BY i.value LIMIT ?", [low, high],
    )
    models = _models_containing(db, text)
    if models:
        marks = ",".join("?" * len(models))
        collect(
            f"SELECT u.unit_id FROM units u WHERE u.model COLLATE NOCASE IN ({marks}){extra}"
            " ORDER BY u.updated_at DESC LIMIT ?", models,
        )
    collect(
        "SELECT u.unit_id FROM lots l JOIN units u ON u.lot_id = l.lot_id"
        f" WHERE l.code >= ? AND l.code < ?{extra} ORDER BY u.updated_at DESC LIMIT ?", [low, high],
    )
    ids = list(found)[:limit]
    units = {u.unit_id: u for u in _units_by_id(db, ids)}
    return [units[i] for i in ids if i in units]


def _narrowing(state: UnitState | None, lot_id: str | None) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if state is not None:
        clauses.append("u.state = ?")
        params.append(str(state))
    if lot_id is not None:
        clauses.append("u.lot_id = ?")
        params.append(lot_id)
    return clauses, params


def _models_containing(db: sqlite_utils.Database, text: str) -> list[str]:
    """Distinct model names containing ``text`` (any case). A facility has hundreds of models, not
    millions, so walking the distinct names by index (a skip scan) is cheap where LIKE over every
    unit is not."""
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.execute(
        "WITH RECURSIVE names(m) AS ("
        " SELECT (SELECT min(model COLLATE NOCASE) FROM units WHERE model COLLATE NOCASE > '')"
        " UNION ALL SELECT (SELECT min(model COLLATE NOCASE) FROM units WHERE model COLLATE NOCASE > names.m)"
        " FROM names WHERE names.m IS NOT NULL)"
        " SELECT m FROM names WHERE m LIKE ? ESCAPE '\\'",
        [like],
    ).fetchall()
    return [r[0] for r in rows]


def _units_by_id(db: sqlite_utils.Database, unit_ids: list[str]) -> list[Unit]:
    if not unit_ids:
        return []
    marks = ",".join("?" * len(unit_ids))
    rows = db.execute(f"SELECT {_UNIT_COLS} FROM units u WHERE u.unit_id IN ({marks})", unit_ids).fetchall()
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


# --- bays ----------------------------------------------------------------------------------------


def bay_map(db: sqlite_utils.Database) -> dict[str, int]:
    """Port key -> bay number."""
    return {str(key): int(bay) for bay, key in db.execute("SELECT bay, bay_key FROM bays ORDER BY bay")}


def list_bays(db: sqlite_utils.Database) -> list[tuple[int, str, str]]:
    """(bay, port key, label) in bay order."""
    return [(int(b), str(k), str(lbl)) for b, k, lbl in db.execute("SELECT bay, bay_key, label FROM bays ORDER BY bay")]


@dataclass(frozen=True)
class UnfinishedErasure:
    """An erasure that never ended (the app was killed: still 'running') or was stopped part-way
    ('interrupted'), and is still the newest erasure of its unit: it can be resumed."""

    erasure_id: str
    unit_id: str
    identifier: str      # the unit's serial (or other) identifier: what the drive's label says
    device_path: str
    device_serial: str
    bay: int | None
    pattern: str
    verification: str
    state: str
    next_offset: int
    total_bytes: int
    started_at: str

    @property
    def percent(self) -> int:
        return 100 * self.next_offset // self.total_bytes if self.total_bytes else 0


def unfinished_erasures(db: sqlite_utils.Database) -> list[UnfinishedErasure]:
    """Every unit's newest erasure when it is still 'running' or 'interrupted', by bay then start time.

    A resumed erasure leaves its predecessor 'interrupted' for the record; only the newest counts."""
    rows = db.execute(
        "SELECT e.erasure_id, e.unit_id, coalesce((SELECT i.value FROM unit_identifiers i WHERE i.unit_id = e.unit_id"
        "  ORDER BY i.kind != 'serial', i.kind, i.value LIMIT 1), ''),"
        " e.device_path, e.device_serial, e.bay, e.pattern, e.verification, e.state, e.next_offset, e.total_bytes,"
        " e.started_at FROM erasures e WHERE e.state IN ('running', 'interrupted') AND NOT EXISTS ("
        "  SELECT 1 FROM erasures later WHERE later.unit_id = e.unit_id AND (later.started_at > e.started_at"
        "  OR (later.started_at = e.started_at AND later.rowid > e.rowid)))"
        " ORDER BY e.bay IS NULL, e.bay, e.started_at",
    ).fetchall()
    return [UnfinishedErasure(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]),
                              None if r[5] is None else int(r[5]), str(r[6]), str(r[7]), str(r[8]), int(r[9]),
                              int(r[10]), str(r[11])) for r in rows]


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
