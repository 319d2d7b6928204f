"""Schema migrations: named, append-only, applied in one transaction after a backup copy.

Never edit a migration once it has shipped; add a new one. A database that has applied a
migration this build does not know comes from a newer version of the app and is refused.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from app.core.errors import OperatorError
from app.store.db import write_transaction

log = logging.getLogger("app.store")

MIGRATIONS = Migrations("refurb_bench")


@MIGRATIONS()
def m001_events_and_units(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- The event log: audit trail, sync outbox and the source of every projection below.
        CREATE TABLE events (
            seq            INTEGER PRIMARY KEY,
            stream_id      TEXT NOT NULL,
            event_id       TEXT NOT NULL UNIQUE,
            type           TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            occurred_at    TEXT NOT NULL,
            operator_id    TEXT,
            unit_id        TEXT,
            body           TEXT NOT NULL,
            prev_hash      TEXT NOT NULL,
            hash           TEXT NOT NULL UNIQUE,
            signature      TEXT NOT NULL
        );
        CREATE INDEX events_unit ON events (unit_id, seq);
        CREATE INDEX events_type ON events (type, seq);

        CREATE TABLE operators (
            operator_id TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            name_key    TEXT NOT NULL UNIQUE,
            badge       TEXT NOT NULL UNIQUE,
            role        TEXT NOT NULL,
            pin_hash    TEXT NOT NULL,
            active      INTEGER NOT NULL DEFAULT 1,
            created_at  TEXT NOT NULL
        );

        CREATE TABLE lots (
            lot_id         TEXT PRIMARY KEY,
            code           TEXT NOT NULL UNIQUE,
            party_kind     TEXT NOT NULL,
            party          TEXT NOT NULL,
            po             TEXT NOT NULL,
            expected_count INTEGER NOT NULL,
            created_at     TEXT NOT NULL
        );

        CREATE TABLE units (
            unit_id    TEXT PRIMARY KEY,
            state      TEXT NOT NULL,
            model      TEXT NOT NULL DEFAULT '',
            gtin       TEXT NOT NULL DEFAULT '',
            lot_id     TEXT REFERENCES lots (lot_id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX units_state ON units (state, updated_at);
        CREATE INDEX units_model ON units (model COLLATE NOCASE);
        CREATE INDEX units_lot ON units (lot_id);

        -- One identifier (of one kind) belongs to one unit for life; the primary key starts with
        -- the value so exact and prefix lookups by any identifier are one index range scan.
        CREATE TABLE unit_identifiers (
            value   TEXT NOT NULL,
            kind    TEXT NOT NULL,
            unit_id TEXT NOT NULL REFERENCES units (unit_id),
            PRIMARY KEY (value, kind)
        ) WITHOUT ROWID;
        CREATE INDEX unit_identifiers_unit ON unit_identifiers (unit_id);

        CREATE TABLE lot_manifest (
            lot_id      TEXT NOT NULL REFERENCES lots (lot_id),
            kind        TEXT NOT NULL,
            value       TEXT NOT NULL,
            model       TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (lot_id, value, kind)
        ) WITHOUT ROWID;
        CREATE INDEX lot_manifest_value ON lot_manifest (value);

        CREATE TABLE lot_receipts (
            lot_id      TEXT NOT NULL REFERENCES lots (lot_id),
            unit_id     TEXT NOT NULL REFERENCES units (unit_id),
            expected    INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (lot_id, unit_id)
        ) WITHOUT ROWID;
        """
    )


@MIGRATIONS()
def m002_units_by_recency(db: sqlite_utils.Database) -> None:
    # The unfiltered unit list is newest first; without this index that is a sort of every unit.
    db.execute("CREATE INDEX units_updated ON units (updated_at)")


@MIGRATIONS()
def m003_bays(db: sqlite_utils.Database) -> None:
    # The bay map: which physical port (sysfs/by-path key) is which numbered bay of the bench.
    db.executescript(
        """
        CREATE TABLE bays (
            bay     INTEGER PRIMARY KEY,
            bay_key TEXT NOT NULL UNIQUE,
            label   TEXT NOT NULL DEFAULT ''
        );
        """
    )


@MIGRATIONS()
def m004_erasures(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE erasures (
            erasure_id     TEXT PRIMARY KEY,
            unit_id        TEXT NOT NULL REFERENCES units (unit_id),
            device_path    TEXT NOT NULL,
            device_serial  TEXT NOT NULL,
            bay            INTEGER,
            pattern        TEXT NOT NULL,
            verification   TEXT NOT NULL,
            seed_hex       TEXT NOT NULL,
            sample_seed    INTEGER NOT NULL,
            state          TEXT NOT NULL,      -- running (or interrupted, if no job runs it), passed, failed
            next_offset    INTEGER NOT NULL DEFAULT 0,
            total_bytes    INTEGER NOT NULL,
            certificate_id TEXT,
            started_at     TEXT NOT NULL,
            finished_at    TEXT,
            detail         TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX erasures_unit ON erasures (unit_id, started_at);
        CREATE INDEX erasures_serial ON erasures (device_serial, state);
        CREATE UNIQUE INDEX erasures_certificate ON erasures (certificate_id) WHERE certificate_id IS NOT NULL;
        """
    )


@MIGRATIONS()
def m005_sync_cursor(db: sqlite_utils.Database) -> None:
    # The event log is the sync outbox; these tables only remember what the hub said about it.
    # They are not projections: a rebuild from the log must not forget the hub's receipts.
    db.executescript(
        """
        CREATE INDEX events_stream ON events (stream_id, seq);

        CREATE TABLE sync_streams (
            stream_id    TEXT PRIMARY KEY,
            hub_hwm      INTEGER NOT NULL DEFAULT 0,   -- the hub holds every seq up to here
            hub_hwm_hash TEXT NOT NULL DEFAULT '',
            hub_status   TEXT NOT NULL DEFAULT 'active',
            last_success TEXT,
            last_error   TEXT NOT NULL DEFAULT ''
        );

        -- Only events the hub did not take as they are: rejected or in conflict.
        CREATE TABLE sync_event_results (
            seq    INTEGER PRIMARY KEY,
            status TEXT NOT NULL,
            code   TEXT NOT NULL,
            detail TEXT NOT NULL,
            at     TEXT NOT NULL
        );

        -- The hub's countersignatures: after one, rewriting anything up to its hwm is provable.
        CREATE TABLE sync_receipts (
            stream_id  TEXT NOT NULL,
            hwm        INTEGER NOT NULL,
            hwm_hash   TEXT NOT NULL,
            ts         TEXT NOT NULL,
            server_sig TEXT NOT NULL,
            PRIMARY KEY (stream_id, hwm)
        );
        """
    )


@MIGRATIONS()
def m006_rigs_bindings_and_runs(db: sqlite_utils.Database) -> None:
    # The rig bay map (serial port by its stable by-id/by-path name -> bay and rig role) and one row
    # per test-plan run on a unit; the steps stay in the event log.
    db.executescript(
        """
        CREATE TABLE rig_bindings (
            bay      INTEGER NOT NULL,
            role     TEXT NOT NULL,
            port     TEXT NOT NULL UNIQUE,
            protocol TEXT NOT NULL,
            identity TEXT NOT NULL DEFAULT '',
            bound_at TEXT NOT NULL,
            PRIMARY KEY (bay, role)
        );

        CREATE TABLE rig_runs (
            run_id        TEXT PRIMARY KEY,
            unit_id       TEXT NOT NULL REFERENCES units (unit_id),
            plan_id       TEXT NOT NULL,
            plan_version  INTEGER NOT NULL,
            device_class  TEXT NOT NULL,
            bay           INTEGER,
            verdict       TEXT NOT NULL,      -- running (until completed), pass, fail, rig error, cancelled
            summary       TEXT NOT NULL,
            started_at    TEXT NOT NULL,
            finished_at   TEXT NOT NULL,
            grading_tests TEXT NOT NULL       -- JSON list of the ruleset tests the plan answers
        );
        CREATE INDEX rig_runs_unit ON rig_runs (unit_id, started_at);
        CREATE INDEX rig_runs_bay ON rig_runs (bay, started_at);
        """
    )


@MIGRATIONS()
def m007_grading_routes_labels_boxes(db: sqlite_utils.Database) -> None:
    # Grades, routes with their repair tasks and harvested parts, printed labels and outbound boxes are
    # projections of the grade.*, route.*, label.printed and box.* events (app/store/grading_queries.py).
    # print_jobs is the print queue (app/store/print_queue.py): work in progress, not a projection.
    db.executescript(
        """
        CREATE TABLE unit_grades (
            grade_id    TEXT PRIMARY KEY,
            unit_id     TEXT NOT NULL REFERENCES units (unit_id),
            ruleset     TEXT NOT NULL,            -- id@version
            cosmetic    TEXT NOT NULL DEFAULT '',
            functional  TEXT NOT NULL,
            rec         TEXT NOT NULL,
            channels    TEXT NOT NULL,            -- JSON {scale: grade or null}
            summary     TEXT NOT NULL,
            reasons     TEXT NOT NULL,            -- JSON list, cosmetic then functional
            overridden  TEXT NOT NULL DEFAULT '', -- the supervisor's reason, when a grade was overridden
            graded_at   TEXT NOT NULL,
            operator_id TEXT
        );
        CREATE INDEX unit_grades_unit ON unit_grades (unit_id, graded_at);

        CREATE TABLE routes (
            route_id           TEXT PRIMARY KEY,
            unit_id            TEXT NOT NULL REFERENCES units (unit_id),
            grade_id           TEXT NOT NULL,
            route              TEXT NOT NULL,
            channel            TEXT NOT NULL DEFAULT '',
            grade              TEXT NOT NULL DEFAULT '',
            value              TEXT NOT NULL,
            currency           TEXT NOT NULL,
            ships_with_battery INTEGER NOT NULL,
            un_number          TEXT NOT NULL DEFAULT '',
            air_forbidden      TEXT NOT NULL DEFAULT '',
            battery_removal    INTEGER NOT NULL,
            recycle_weight_g   REAL NOT NULL,
            reasons            TEXT NOT NULL,     -- JSON list
            overridden         TEXT NOT NULL DEFAULT '',
            routed_at          TEXT NOT NULL
        );
        CREATE INDEX routes_unit ON routes (unit_id, routed_at);

        CREATE TABLE repair_tasks (
            task_id    TEXT PRIMARY KEY,
            unit_id    TEXT NOT NULL REFERENCES units (unit_id),
            route_id   TEXT NOT NULL,
            part       TEXT NOT NULL,
            cost       TEXT NOT NULL,
            state      TEXT NOT NULL,             -- open, cancelled (the route was overridden)
            created_at TEXT NOT NULL
        );
        CREATE INDEX repair_tasks_unit ON repair_tasks (unit_id);

        -- Parts to recover from a donor unit: inventory records linked to the donor, with its grade.
        CREATE TABLE parts (
            part_id       TEXT PRIMARY KEY,
            donor_unit_id TEXT NOT NULL REFERENCES units (unit_id),
            route_id      TEXT NOT NULL,
            part          TEXT NOT NULL,
            grade         TEXT NOT NULL,
            value         TEXT NOT NULL,
            state         TEXT NOT NULL,          -- to_harvest, cancelled
            created_at    TEXT NOT NULL
        );
        CREATE INDEX parts_donor ON parts (donor_unit_id);

        CREATE TABLE labels (
            job_id     TEXT PRIMARY KEY,
            kind       TEXT NOT NULL,             -- unit, box
            subject    TEXT NOT NULL,             -- unit_id or box_id
            printer    TEXT NOT NULL,
            format     TEXT NOT NULL,
            reprint    INTEGER NOT NULL,
            printed_at TEXT NOT NULL
        );
        CREATE INDEX labels_subject ON labels (subject, printed_at);

        CREATE TABLE boxes (
            box_id          TEXT PRIMARY KEY,
            route           TEXT NOT NULL,
            channel         TEXT NOT NULL DEFAULT '',
            ship_mode       TEXT NOT NULL,
            state           TEXT NOT NULL,        -- open, closed
            created_at      TEXT NOT NULL,
            closed_at       TEXT,
            manifest_sha256 TEXT NOT NULL DEFAULT '',
            manifest_code   TEXT NOT NULL DEFAULT '',
            un_number       TEXT NOT NULL DEFAULT '',
            marks           TEXT NOT NULL DEFAULT '[]'
        );

        CREATE TABLE box_units (
            box_id   TEXT NOT NULL REFERENCES boxes (box_id),
            unit_id  TEXT NOT NULL REFERENCES units (unit_id),
            line     INTEGER NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (box_id, unit_id)
        ) WITHOUT ROWID;
        CREATE INDEX box_units_unit ON box_units (unit_id);

        CREATE TABLE print_jobs (
            job_id      TEXT PRIMARY KEY,
            created_at  TEXT NOT NULL,
            kind        TEXT NOT NULL,              -- unit, box
            subject     TEXT NOT NULL,              -- unit_id or box_id
            description TEXT NOT NULL,              -- for the operator: "label for 490154203237518"
            printer     TEXT NOT NULL,              -- tcp://host:9100, file:///dev/usb/lp0, cups://QUEUE, pdf:///folder
            format      TEXT NOT NULL,              -- zpl, pdf
            copies      INTEGER NOT NULL,
            payload     BLOB NOT NULL,              -- exactly the bytes to send
            fields      TEXT NOT NULL,              -- JSON: what the label says, for the label.printed event
            reprint     INTEGER NOT NULL,
            operator_id TEXT,
            state       TEXT NOT NULL,              -- queued, printed, cancelled
            attempts    INTEGER NOT NULL DEFAULT 0,
            last_error  TEXT NOT NULL DEFAULT '',
            printed_at  TEXT
        );
        CREATE INDEX print_jobs_state ON print_jobs (state, created_at);
        CREATE INDEX print_jobs_subject ON print_jobs (subject, created_at);
        """
    )


PROJECTION_TABLES = (
    "box_units", "boxes", "labels", "parts", "repair_tasks", "routes", "unit_grades",
    "rig_runs", "rig_bindings",
    "erasures", "bays", "lot_receipts", "lot_manifest", "unit_identifiers", "units", "lots", "operators",
)


class NewerDatabase(OperatorError):
    """The database was written by a newer version of the app."""


def migrate(db: sqlite_utils.Database, path: Path | None) -> list[str]:
    """Apply pending migrations; return their names.

    With a file path, a copy of the database is written beside it first, so a failed or
    regretted migration can be undone by hand.
    """
    known = {m.name for m in MIGRATIONS._migrations}
    unknown = [m.name for m in MIGRATIONS.applied(db) if m.name not in known]
    if unknown:
        raise NewerDatabase(
            f"This database was written by a newer Refurb Bench (it has migrations {', '.join(unknown)})",
            hint="Update Refurb Bench on this bench before opening this data folder",
        )
    pending = [m.name for m in MIGRATIONS.pending(db)]
    if not pending:
        return []
    has_data = bool(db.table_names())
    if path is not None and has_data:
        backup = _backup_name(path, pending[0])
        db.conn.execute("VACUUM INTO ?", [str(backup)])
        log.info("backed up database to %s before migrating", backup)
    with write_transaction(db):
        # Another process may have migrated while we made the copy; decide again under the write lock.
        pending = [m.name for m in MIGRATIONS.pending(db)]
        MIGRATIONS.apply(db)
    if pending:
        log.info("applied migrations: %s", ", ".join(pending))
    return pending


def _backup_name(path: Path, first_pending: str) -> Path:
    """A backup file name that does not exist yet (a retry may come within the same second)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    candidate = path.with_name(f"{path.name}.pre-{first_pending}-{stamp}.bak")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.pre-{first_pending}-{stamp}-{counter}.bak")
        counter += 1
    return candidate
