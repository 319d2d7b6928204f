"""The persistent print queue: every label is written here (rendered, whole) before it is sent.

A printer that is offline or out of labels leaves the job ``queued`` with its last error; the queue
retries it, also after the app restarts, and marks it ``printed`` in the same transaction that
records the ``label.printed`` event. This table is not a projection: like the sync state, it holds
work in progress, and a rebuild of the projections must not forget it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

QUEUED, PRINTED, CANCELLED = "queued", "printed", "cancelled"

# The table is created by migration m007_grading_routes_labels_boxes (app/store/migrations.py).


@dataclass(frozen=True)
class PrintJob:
    job_id: str
    created_at: str
    kind: str
    subject: str
    description: str
    printer: str
    format: str
    copies: int
    payload: bytes
    fields: dict[str, Any]
    reprint: bool
    operator_id: str | None
    state: str = QUEUED
    attempts: int = 0
    last_error: str = ""
    printed_at: str | None = None


_COLS = ("job_id, created_at, kind, subject, description, printer, format, copies, payload, fields, reprint,"
         " operator_id, state, attempts, last_error, printed_at")


def _job(row: Any) -> PrintJob:
    return PrintJob(row[0], row[1], row[2], row[3], row[4], row[5], row[6], int(row[7]), bytes(row[8]),
                    json.loads(row[9]), bool(row[10]), row[11], row[12], int(row[13]), row[14], row[15])


def enqueue(db: sqlite_utils.Database, job: PrintJob) -> None:
    db.execute(f"INSERT INTO print_jobs ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [job.job_id, job.created_at, job.kind, job.subject, job.description, job.printer, job.format,
                job.copies, job.payload, json.dumps(job.fields, sort_keys=True), int(job.reprint), job.operator_id,
                job.state, job.attempts, job.last_error, job.printed_at])


def get(db: sqlite_utils.Database, job_id: str) -> PrintJob | None:
    row = db.execute(f"SELECT {_COLS} FROM print_jobs WHERE job_id = ?", [job_id]).fetchone()
    return _job(row) if row else None


def queued(db: sqlite_utils.Database) -> list[PrintJob]:
    """Jobs still to print, oldest first."""
    rows = db.execute(f"SELECT {_COLS} FROM print_jobs WHERE state = ? ORDER BY created_at, rowid", [QUEUED])
    return [_job(r) for r in rows.fetchall()]


def last_for(db: sqlite_utils.Database, subject: str) -> PrintJob | None:
    """The newest job for a unit or box (what a reprint repeats)."""
    row = db.execute(f"SELECT {_COLS} FROM print_jobs WHERE subject = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
                     [subject]).fetchone()
    return _job(row) if row else None


def failed_attempt(db: sqlite_utils.Database, job_id: str, error: str) -> None:
    db.execute("UPDATE print_jobs SET attempts = attempts + 1, last_error = ? WHERE job_id = ? AND state = ?",
               [error, job_id, QUEUED])


def printed(db: sqlite_utils.Database, job_id: str, at: str) -> None:
    db.execute("UPDATE print_jobs SET state = ?, attempts = attempts + 1, last_error = '', printed_at = ?"
               " WHERE job_id = ?", [PRINTED, at, job_id])


def cancel(db: sqlite_utils.Database, job_id: str) -> None:
    db.execute("UPDATE print_jobs SET state = ? WHERE job_id = ? AND state = ?", [CANCELLED, job_id, QUEUED])
