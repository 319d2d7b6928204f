"""Names and codes for table cells: recorded once, never changed, so cached after the first lookup.
A cell is painted many times; it must not cost a query each time."""

from __future__ import annotations

import sqlite_utils

from app.store import queries


class NameCache:
    """Operator names and lot codes by id."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        self._names: dict[str, str] = {}
        self._lot_codes: dict[str, str] = {}

    def operator_name(self, operator_id: str | None) -> str:
        if not operator_id:
            return "—"
        if operator_id not in self._names:
            op = queries.operator_by_id(self._db, operator_id)
            if op is None:
                return operator_id
            self._names[operator_id] = op.name
        return self._names[operator_id]

    def lot_code(self, lot_id: str | None) -> str:
        if not lot_id:
            return ""
        if lot_id not in self._lot_codes:
            lot = queries.lot_by_id(self._db, lot_id)
            if lot is None:
                return lot_id
            self._lot_codes[lot_id] = lot.code
        return self._lot_codes[lot_id]
