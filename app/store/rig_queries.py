"""The serial rigs' projection tables and what the bench reads from them.

``rig_bindings`` is the rig bay map: which serial port (its stable ``/dev/serial/by-id`` or
``by-path`` name, or a simulator's pty path) is which rig role of which bay. ``rig_runs`` has one
row per plan run on a unit, ``running`` until its ``rig.test_completed`` arrives. The steps of a
run are read from the events themselves, which keep every value exactly as it was recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from app.core import events_rigs as rev
from app.core.models import Event

RUNNING = "running"


@dataclass(frozen=True)
class RigBinding:
    bay: int
    role: str
    port: str
    protocol: str
    identity: str


@dataclass(frozen=True)
class RigRun:
    """One plan run on a unit; ``verdict`` is RUNNING until it completed (or the app died under it)."""

    run_id: str
    unit_id: str
    plan_id: str
    plan_version: int
    device_class: str
    bay: int | None
    verdict: str
    summary: str
    started_at: str
    finished_at: str
    grading_tests: tuple[str, ...]


# --- projection handlers (deterministic functions of the event) --------------------------------------


def _bound(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    # A port is one rig of one bay, and a bay's role is one port: binding again moves it.
    db.execute("DELETE FROM rig_bindings WHERE (bay = ? AND role = ?) OR port = ?", [b["bay"], b["role"], b["port"]])
    db.execute("INSERT INTO rig_bindings (bay, role, port, protocol, identity, bound_at) VALUES (?, ?, ?, ?, ?, ?)",
               [b["bay"], b["role"], b["port"], b["protocol"], b.get("identity", ""), e.occurred_at])


def _unbound(db: sqlite_utils.Database, e: Event) -> None:
    db.execute("DELETE FROM rig_bindings WHERE bay = ? AND role = ?", [e.body["bay"], e.body["role"]])


def _test_started(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute(
        "INSERT INTO rig_runs (run_id, unit_id, plan_id, plan_version, device_class, bay, verdict, summary,"
        " started_at, finished_at, grading_tests) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, '', ?)",
        [b["run_id"], e.unit_id, b["plan_id"], b["plan_version"], b["device_class"], b.get("bay"), RUNNING,
         e.occurred_at, json.dumps(b["grading_tests"])],
    )
    _touch(db, e)


def _test_completed(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute("UPDATE rig_runs SET verdict = ?, summary = ?, finished_at = ? WHERE run_id = ?",
               [b["verdict"], b["summary"], e.occurred_at, b["run_id"]])
    _touch(db, e)


def _step_recorded(db: sqlite_utils.Database, e: Event) -> None:
    """Steps are read from the log itself (see ``run_steps``); they only mark the unit as touched."""
    _touch(db, e)


def _touch(db: sqlite_utils.Database, e: Event) -> None:
    if e.unit_id:
        db.execute("UPDATE units SET updated_at = ? WHERE unit_id = ?", [e.occurred_at, e.unit_id])


HANDLERS = {
    rev.RIG_BOUND: _bound,
    rev.RIG_UNBOUND: _unbound,
    rev.RIG_TEST_STARTED: _test_started,
    rev.RIG_STEP_RECORDED: _step_recorded,
    rev.RIG_TEST_COMPLETED: _test_completed,
}


# --- queries --------------------------------------------------------------------------------------------


def bindings(db: sqlite_utils.Database, bay: int | None = None) -> list[RigBinding]:
    """The rig bay map, by bay then role (one bay's when ``bay`` is given)."""
    where, params = ("WHERE bay = ?", [bay]) if bay is not None else ("", [])
    rows = db.execute(f"SELECT bay, role, port, protocol, identity FROM rig_bindings {where} ORDER BY bay, role",
                      params).fetchall()
    return [RigBinding(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]


def binding_for_port(db: sqlite_utils.Database, port: str) -> RigBinding | None:
    row = db.execute("SELECT bay, role, port, protocol, identity FROM rig_bindings WHERE port = ?", [port]).fetchone()
    return RigBinding(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4])) if row else None


def _run(row: Any) -> RigRun:
    return RigRun(str(row[0]), str(row[1]), str(row[2]), int(row[3]), str(row[4]),
                  None if row[5] is None else int(row[5]), str(row[6]), str(row[7]), str(row[8]), str(row[9]),
                  tuple(json.loads(row[10])))


_RUN_COLUMNS = ("run_id, unit_id, plan_id, plan_version, device_class, bay, verdict, summary, started_at,"
                " finished_at, grading_tests")


def unit_runs(db: sqlite_utils.Database, unit_id: str) -> list[RigRun]:
    """Every plan run on the unit, oldest first."""
    rows = db.execute(f"SELECT {_RUN_COLUMNS} FROM rig_runs WHERE unit_id = ? ORDER BY started_at, rowid",
                      [unit_id]).fetchall()
    return [_run(r) for r in rows]


def get_run(db: sqlite_utils.Database, run_id: str) -> RigRun | None:
    row = db.execute(f"SELECT {_RUN_COLUMNS} FROM rig_runs WHERE run_id = ?", [run_id]).fetchone()
    return _run(row) if row else None


def run_steps(db: sqlite_utils.Database, unit_id: str, run_id: str) -> list[dict[str, Any]]:
    """The recorded step bodies of one run, in the order they were recorded."""
    rows = db.execute("SELECT body FROM events WHERE unit_id = ? AND type = ? ORDER BY seq",
                      [unit_id, rev.RIG_STEP_RECORDED]).fetchall()
    bodies = [json.loads(r[0]) for r in rows]
    return [b for b in bodies if b.get("run_id") == run_id]


def last_device_class(db: sqlite_utils.Database, unit_id: str) -> str | None:
    """The device class the unit's latest run was tested as (a retest offers the same plan)."""
    row = db.execute("SELECT device_class FROM rig_runs WHERE unit_id = ? ORDER BY started_at DESC, rowid DESC"
                     " LIMIT 1", [unit_id]).fetchone()
    return str(row[0]) if row else None


def last_plan_in_bay(db: sqlite_utils.Database, bay: int) -> str | None:
    """The plan run last in this bay: a bench testing chargers all day is offered the charger plan."""
    row = db.execute("SELECT plan_id FROM rig_runs WHERE bay = ? ORDER BY started_at DESC, rowid DESC LIMIT 1",
                     [bay]).fetchone()
    return str(row[0]) if row else None
