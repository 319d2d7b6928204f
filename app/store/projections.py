"""Projection tables: what the views read, derived from events and rebuildable from them.

Each handler applies one event to the tables. Handlers must be deterministic functions of the
event alone (no clocks, no lookups outside the database) so a rebuild gives the same tables.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from app.core import events as ev
from app.core import events_phones
from app.core.models import Event
from app.store import grading_queries, rig_queries
from app.store.eventlog import iter_events
from app.store.migrations import PROJECTION_TABLES

Handler = Callable[[sqlite_utils.Database, Event], None]


def _operator_added(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute(
        "INSERT INTO operators (operator_id, name, name_key, badge, role, pin_hash, active, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
        [b["operator_id"], b["name"], b["name"].casefold(), b["badge"], b["role"], b["pin_hash"], e.occurred_at],
    )


def _unit_created(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute(
        "INSERT INTO units (unit_id, state, model, gtin, created_at, updated_at) VALUES (?, 'received', ?, ?, ?, ?)",
        [e.unit_id, b.get("model", ""), b.get("gtin", ""), e.occurred_at, e.occurred_at],
    )
    for ident in b["identifiers"]:
        db.execute(
            "INSERT INTO unit_identifiers (value, kind, unit_id) VALUES (?, ?, ?)",
            [ident["value"], ident["kind"], e.unit_id],
        )


def _unit_identifier_added(db: sqlite_utils.Database, e: Event) -> None:
    db.execute(
        "INSERT INTO unit_identifiers (value, kind, unit_id) VALUES (?, ?, ?)",
        [e.body["value"], e.body["kind"], e.unit_id],
    )
    _touch(db, e)


def _unit_state_changed(db: sqlite_utils.Database, e: Event) -> None:
    db.execute("UPDATE units SET state = ?, updated_at = ? WHERE unit_id = ?", [e.body["to"], e.occurred_at, e.unit_id])


def _lot_created(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute(
        "INSERT INTO lots (lot_id, code, party_kind, party, po, expected_count, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [b["lot_id"], b["code"], b["party_kind"], b["party"], b["po"], b["expected_count"], e.occurred_at],
    )


def _lot_manifest_imported(db: sqlite_utils.Database, e: Event) -> None:
    db.conn.executemany(
        "INSERT OR REPLACE INTO lot_manifest (lot_id, kind, value, model, description) VALUES (?, ?, ?, ?, ?)",
        [
            (e.body["lot_id"], line["kind"], line["value"], line.get("model", ""), line.get("description", ""))
            for line in e.body["lines"]
        ],
    )
    # Units received before the manifest arrived were unexpected then; listed now, they are expected.
    db.execute(
        "UPDATE lot_receipts SET expected = 1 WHERE lot_id = ? AND expected = 0 AND unit_id IN ("
        " SELECT i.unit_id FROM unit_identifiers i JOIN lot_manifest m ON m.value = i.value AND m.lot_id = ?)",
        [e.body["lot_id"], e.body["lot_id"]],
    )


def _lot_unit_received(db: sqlite_utils.Database, e: Event) -> None:
    db.execute(
        "INSERT OR REPLACE INTO lot_receipts (lot_id, unit_id, expected, received_at) VALUES (?, ?, ?, ?)",
        [e.body["lot_id"], e.unit_id, int(e.body["expected"]), e.occurred_at],
    )
    db.execute(
        "UPDATE units SET lot_id = ?, updated_at = ? WHERE unit_id = ?", [e.body["lot_id"], e.occurred_at, e.unit_id]
    )


def _erasure_started(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    device, method = b["device"], b["method"]
    db.execute(
        "INSERT INTO erasures (erasure_id, unit_id, device_path, device_serial, bay, pattern, verification,"
        " seed_hex, sample_seed, state, next_offset, total_bytes, started_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)",
        [b["erasure_id"], e.unit_id, device.get("path", ""), device.get("serial", ""), device.get("bay"),
         method.get("pattern", ""), b["verification"], b["seed_hex"], b["sample_seed"],
         int(method.get("start_offset", 0)), int(device.get("size_bytes", 0)), e.occurred_at],
    )
    _touch(db, e)


def _erasure_checkpoint(db: sqlite_utils.Database, e: Event) -> None:
    db.execute(
        "UPDATE erasures SET next_offset = ? WHERE erasure_id = ?", [e.body["next_offset"], e.body["erasure_id"]]
    )


def _erasure_completed(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    state = {"passed": "passed", "failed": "failed", "interrupted": "interrupted"}[b["outcome"]]
    db.execute(
        "UPDATE erasures SET state = ?, certificate_id = ?, finished_at = ?, detail = ?,"
        " next_offset = coalesce(?, next_offset) WHERE erasure_id = ?",
        [state, b.get("certificate_id"), b["finished_at"], str(b["result"].get("summary", "")),
         b["result"].get("next_offset"), b["erasure_id"]],
    )
    _touch(db, e)


def _bay_assigned(db: sqlite_utils.Database, e: Event) -> None:
    # A port belongs to one bay and a bay to one port: reassigning moves it.
    db.execute("DELETE FROM bays WHERE bay = ? OR bay_key = ?", [e.body["bay"], e.body["bay_key"]])
    db.execute("INSERT INTO bays (bay, bay_key, label) VALUES (?, ?, ?)",
               [e.body["bay"], e.body["bay_key"], e.body.get("label", "")])


def _bay_cleared(db: sqlite_utils.Database, e: Event) -> None:
    db.execute("DELETE FROM bays WHERE bay = ?", [e.body["bay"]])


def _touch(db: sqlite_utils.Database, e: Event) -> None:
    if e.unit_id:
        db.execute("UPDATE units SET updated_at = ? WHERE unit_id = ?", [e.occurred_at, e.unit_id])


def _nothing(db: sqlite_utils.Database, e: Event) -> None:
    """Events that are part of the record but change no projection (logins, station start)."""


HANDLERS: dict[str, Handler] = {
    ev.STATION_INITIALISED: _nothing,
    ev.OPERATOR_ADDED: _operator_added,
    ev.OPERATOR_LOGGED_IN: _nothing,
    ev.OPERATOR_LOGGED_OUT: _nothing,
    ev.UNIT_CREATED: _unit_created,
    ev.UNIT_IDENTIFIER_ADDED: _unit_identifier_added,
    ev.UNIT_STATE_CHANGED: _unit_state_changed,
    ev.LOT_CREATED: _lot_created,
    ev.LOT_MANIFEST_IMPORTED: _lot_manifest_imported,
    ev.LOT_UNIT_RECEIVED: _lot_unit_received,
    ev.BAY_ASSIGNED: _bay_assigned,
    ev.ERASURE_STARTED: _erasure_started,
    ev.ERASURE_CHECKPOINT: _erasure_checkpoint,
    ev.ERASURE_COMPLETED: _erasure_completed,
    ev.BAY_CLEARED: _bay_cleared,
    ev.LOT_CERTIFICATE_ISSUED: _nothing,  # the certificate is the event itself; no table reads it
}
HANDLERS.update(rig_queries.HANDLERS)
HANDLERS.update(grading_queries.HANDLERS)
HANDLERS.update(dict.fromkeys(events_phones.TYPES, _nothing))  # read from the unit's events


def apply(db: sqlite_utils.Database, event: Event) -> None:
    """Apply one event to the projection tables (inside the event's own transaction)."""
    HANDLERS[event.type](db, event)


def rebuild(db: sqlite_utils.Database) -> int:
    """Empty every projection table and replay the whole log; returns the number of events replayed.

    The caller holds the write transaction, so readers see either the old tables or the new ones.
    """
    for table in PROJECTION_TABLES:
        db.execute(f"DELETE FROM {table}")
    count = 0
    for event in iter_events(db):
        apply(db, event)
        count += 1
    return count
