"""Grades, routes, repair tasks, harvested parts, printed labels and boxes: projection tables and reads.

Every table here is rebuilt from the ``grade.*``, ``route.*``, ``label.printed`` and ``box.*`` events
(app/core/events_grading.py). A unit's current grade and route are its newest rows; an override
updates the row it names and leaves the event that first set it as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from app.core import events_grading as gev
from app.core.models import Event

# The tables are created by migration m007_grading_routes_labels_boxes (app/store/migrations.py).
TABLES = ("box_units", "boxes", "labels", "parts", "repair_tasks", "routes", "unit_grades")

# --- records ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradeRow:
    grade_id: str
    unit_id: str
    ruleset: str
    cosmetic: str
    functional: str
    rec: str
    channels: dict[str, str | None]
    summary: str
    reasons: tuple[str, ...]
    overridden: str
    graded_at: str


@dataclass(frozen=True)
class RouteRow:
    route_id: str
    unit_id: str
    grade_id: str
    route: str
    channel: str
    grade: str
    value: str
    currency: str
    ships_with_battery: bool
    un_number: str
    air_forbidden: str
    battery_removal: bool
    recycle_weight_g: float
    reasons: tuple[str, ...]
    overridden: str
    routed_at: str

    @property
    def text(self) -> str:
        """The route as a label or a list shows it: ``Resale · backmarket Good``, ``Repair · battery``."""
        if self.route == "resale":
            return f"Resale · {self.channel} {self.grade}".rstrip()
        return {"repair": "Repair", "parts_harvest": "Parts harvest", "recycle": "Recycle"}[self.route]


@dataclass(frozen=True)
class BoxRow:
    box_id: str
    route: str
    channel: str
    ship_mode: str
    state: str
    created_at: str
    closed_at: str | None
    manifest_sha256: str
    manifest_code: str
    un_number: str
    marks: tuple[str, ...]
    units: int

    @property
    def route_text(self) -> str:
        words = {"resale": "Resale", "repair": "Repair", "parts_harvest": "Parts harvest", "recycle": "Recycle"}
        return f"{words[self.route]}{' · ' + self.channel if self.channel else ''} · by {self.ship_mode}"


@dataclass(frozen=True)
class TaskRow:
    task_id: str
    part: str
    cost: str
    state: str


@dataclass(frozen=True)
class PartRow:
    part_id: str
    donor_unit_id: str
    part: str
    grade: str
    value: str
    state: str


# --- projection handlers ---------------------------------------------------------------------------------

def _reasons(body: dict[str, Any]) -> list[str]:
    return [*body["cosmetic"]["reasons"], *body["functional"]["reasons"]]


def _grade_assigned(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    channels = {c["scale"]: c["grade"] for c in b["channels"]}
    db.execute(
        "INSERT INTO unit_grades (grade_id, unit_id, ruleset, cosmetic, functional, rec, channels, summary, reasons,"
        " graded_at, operator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [b["grade_id"], e.unit_id, f"{b['ruleset']['id']}@{b['ruleset']['version']}", b["cosmetic"]["grade"] or "",
         b["functional"]["code"], _rec_text(b["r2"]), json.dumps(channels), b["summary"], json.dumps(_reasons(dict(b))),
         e.occurred_at, e.operator_id])
    _touch(db, e)


def _rec_text(r2: dict[str, Any]) -> str:
    parts = [p for p in (r2.get("functional"), r2.get("cosmetic")) if p]
    return "-".join(parts) + (" (controlled stream)" if r2.get("controlled_stream") else "")


def _grade_overridden(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    note = f"{b['scale']} {b['from']} → {b['to']}: {b['reason']}"
    if b["scale"] == "cosmetic":
        db.execute("UPDATE unit_grades SET cosmetic = ?, overridden = ? WHERE grade_id = ?",
                   [b["to"], note, b["grade_id"]])
    else:
        row = db.execute("SELECT channels FROM unit_grades WHERE grade_id = ?", [b["grade_id"]]).fetchone()
        channels = json.loads(row[0]) if row else {}
        channels[b["scale"]] = b["to"]
        db.execute("UPDATE unit_grades SET channels = ?, overridden = ? WHERE grade_id = ?",
                   [json.dumps(channels), note, b["grade_id"]])
    _touch(db, e)


def _work_items(db: sqlite_utils.Database, e: Event, route_id: str, repairs: list[Any], parts: list[Any]) -> None:
    for task in repairs:
        db.execute("INSERT INTO repair_tasks (task_id, unit_id, route_id, part, cost, state, created_at)"
                   " VALUES (?, ?, ?, ?, ?, 'open', ?)",
                   [task["task_id"], e.unit_id, route_id, task["part"], task["cost"], e.occurred_at])
    for part in parts:
        db.execute("INSERT INTO parts (part_id, donor_unit_id, route_id, part, grade, value, state, created_at)"
                   " VALUES (?, ?, ?, ?, ?, ?, 'to_harvest', ?)",
                   [part["part_id"], e.unit_id, route_id, part["part"], part["grade"], part["value"], e.occurred_at])


def _route_assigned(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute(
        "INSERT INTO routes (route_id, unit_id, grade_id, route, channel, grade, value, currency, ships_with_battery,"
        " un_number, air_forbidden, battery_removal, recycle_weight_g, reasons, routed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [b["route_id"], e.unit_id, b["grade_id"], b["route"], b.get("channel", ""), b.get("grade", ""), b["value"],
         b["currency"], int(b["ships_with_battery"]), b.get("un_number", ""), b.get("air_forbidden", ""),
         int(b["battery_removal"]), b["recycle_weight_g"], json.dumps(b["reasons"]), e.occurred_at])
    _work_items(db, e, b["route_id"], b["repairs"], b["parts"])
    _touch(db, e)


def _route_overridden(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    note = f"{b['from']} → {b['to']}: {b['reason']}"
    db.execute("UPDATE routes SET route = ?, channel = ?, grade = ?, overridden = ?, ships_with_battery = ?,"
               " un_number = ? WHERE route_id = ?",
               [b["to"], b.get("channel", ""), b.get("grade", ""), note, int(b["ships_with_battery"]),
                b.get("un_number", ""), b["route_id"]])
    db.execute("UPDATE repair_tasks SET state = 'cancelled' WHERE route_id = ? AND state = 'open'", [b["route_id"]])
    db.execute("UPDATE parts SET state = 'cancelled' WHERE route_id = ? AND state = 'to_harvest'", [b["route_id"]])
    _work_items(db, e, b["route_id"], b["repairs"], b["parts"])
    _touch(db, e)


def _label_printed(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute("INSERT INTO labels (job_id, kind, subject, printer, format, reprint, printed_at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)",
               [b["job_id"], b["kind"], b["subject"], b["printer"], b["format"], int(b["reprint"]), e.occurred_at])


def _box_created(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute("INSERT INTO boxes (box_id, route, channel, ship_mode, state, created_at)"
               " VALUES (?, ?, ?, ?, 'open', ?)",
               [b["box_id"], b["route"], b.get("channel", ""), b["ship_mode"], e.occurred_at])


def _box_unit_added(db: sqlite_utils.Database, e: Event) -> None:
    db.execute("INSERT INTO box_units (box_id, unit_id, line, added_at) VALUES (?, ?, ?, ?)",
               [e.body["box_id"], e.unit_id, e.body["line"], e.occurred_at])
    _touch(db, e)


def _box_unit_removed(db: sqlite_utils.Database, e: Event) -> None:
    db.execute("DELETE FROM box_units WHERE box_id = ? AND unit_id = ?", [e.body["box_id"], e.unit_id])
    _touch(db, e)


def _box_closed(db: sqlite_utils.Database, e: Event) -> None:
    b = e.body
    db.execute("UPDATE boxes SET state = 'closed', closed_at = ?, manifest_sha256 = ?, manifest_code = ?,"
               " un_number = ?, marks = ? WHERE box_id = ?",
               [e.occurred_at, b["manifest_sha256"], b["manifest_code"], b.get("un_number", ""),
                json.dumps(b["marks"]), b["box_id"]])


def _touch(db: sqlite_utils.Database, e: Event) -> None:
    if e.unit_id:
        db.execute("UPDATE units SET updated_at = ? WHERE unit_id = ?", [e.occurred_at, e.unit_id])


HANDLERS = {
    gev.GRADE_ASSIGNED: _grade_assigned,
    gev.GRADE_OVERRIDDEN: _grade_overridden,
    gev.ROUTE_ASSIGNED: _route_assigned,
    gev.ROUTE_OVERRIDDEN: _route_overridden,
    gev.LABEL_PRINTED: _label_printed,
    gev.BOX_CREATED: _box_created,
    gev.BOX_UNIT_ADDED: _box_unit_added,
    gev.BOX_UNIT_REMOVED: _box_unit_removed,
    gev.BOX_CLOSED: _box_closed,
}


# --- reads -----------------------------------------------------------------------------------------------

_GRADE_COLS = ("grade_id, unit_id, ruleset, cosmetic, functional, rec, channels, summary, reasons, overridden,"
               " graded_at")
_ROUTE_COLS = ("route_id, unit_id, grade_id, route, channel, grade, value, currency, ships_with_battery, un_number,"
               " air_forbidden, battery_removal, recycle_weight_g, reasons, overridden, routed_at")


def _grade(row: Any) -> GradeRow:
    return GradeRow(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7],
                    tuple(json.loads(row[8])), row[9], row[10])


def _route(row: Any) -> RouteRow:
    return RouteRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], bool(row[8]), row[9], row[10],
                    bool(row[11]), float(row[12]), tuple(json.loads(row[13])), row[14], row[15])


def current_grade(db: sqlite_utils.Database, unit_id: str) -> GradeRow | None:
    row = db.execute(f"SELECT {_GRADE_COLS} FROM unit_grades WHERE unit_id = ? ORDER BY rowid DESC LIMIT 1",
                     [unit_id]).fetchone()
    return _grade(row) if row else None


def current_route(db: sqlite_utils.Database, unit_id: str) -> RouteRow | None:
    row = db.execute(f"SELECT {_ROUTE_COLS} FROM routes WHERE unit_id = ? ORDER BY rowid DESC LIMIT 1",
                     [unit_id]).fetchone()
    return _route(row) if row else None


def route_by_id(db: sqlite_utils.Database, route_id: str) -> RouteRow | None:
    row = db.execute(f"SELECT {_ROUTE_COLS} FROM routes WHERE route_id = ?", [route_id]).fetchone()
    return _route(row) if row else None


def repair_tasks(db: sqlite_utils.Database, unit_id: str) -> list[TaskRow]:
    rows = db.execute("SELECT task_id, part, cost, state FROM repair_tasks WHERE unit_id = ? ORDER BY rowid",
                      [unit_id]).fetchall()
    return [TaskRow(*r) for r in rows]


def harvest_parts(db: sqlite_utils.Database, donor_unit_id: str) -> list[PartRow]:
    rows = db.execute("SELECT part_id, donor_unit_id, part, grade, value, state FROM parts WHERE donor_unit_id = ?"
                      " ORDER BY rowid", [donor_unit_id]).fetchall()
    return [PartRow(*r) for r in rows]


def label_count(db: sqlite_utils.Database, subject: str) -> int:
    return int(db.execute("SELECT count(*) FROM labels WHERE subject = ?", [subject]).fetchone()[0])


_BOX_COLS = ("b.box_id, b.route, b.channel, b.ship_mode, b.state, b.created_at, b.closed_at, b.manifest_sha256,"
             " b.manifest_code, b.un_number, b.marks, (SELECT count(*) FROM box_units u WHERE u.box_id = b.box_id)")


def _box(row: Any) -> BoxRow:
    return BoxRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                  tuple(json.loads(row[10])), int(row[11]))


def get_box(db: sqlite_utils.Database, box_id: str) -> BoxRow | None:
    row = db.execute(f"SELECT {_BOX_COLS} FROM boxes b WHERE b.box_id = ?", [box_id]).fetchone()
    return _box(row) if row else None


def open_boxes(db: sqlite_utils.Database) -> list[BoxRow]:
    rows = db.execute(f"SELECT {_BOX_COLS} FROM boxes b WHERE b.state = 'open' ORDER BY b.created_at").fetchall()
    return [_box(r) for r in rows]


def box_of_unit(db: sqlite_utils.Database, unit_id: str) -> str | None:
    row = db.execute("SELECT box_id FROM box_units WHERE unit_id = ?", [unit_id]).fetchone()
    return str(row[0]) if row else None


def box_unit_ids(db: sqlite_utils.Database, box_id: str) -> list[str]:
    return [str(r[0]) for r in db.execute("SELECT unit_id FROM box_units WHERE box_id = ? ORDER BY line", [box_id])]


def box_count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM boxes").fetchone()[0])
