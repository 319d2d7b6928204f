"""The hub's storage: one small transactional interface over SQLite (embedded) or PostgreSQL.

Both backends run the same SQL, written with ``?`` placeholders and types both accept; a backend
only supplies connections, its placeholder style and its row lock. The ingest rules live in
app/hub/service.py and see nothing but the methods of ``HubTx``.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from app.core.models import Event
from app.hub.protocol import StreamStatus
from app.hub.records import Bench, HeldEvent, Stream

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS enrollment_codes (
        code_sha256 TEXT PRIMARY KEY, bench_name TEXT NOT NULL, created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL, used_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS benches (
        bench_id TEXT PRIMARY KEY, name TEXT NOT NULL, token_sha256 TEXT NOT NULL UNIQUE,
        device_pubkey TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS streams (
        stream_id TEXT PRIMARY KEY, bench_id TEXT NOT NULL REFERENCES benches (bench_id),
        base_seq BIGINT NOT NULL, base_hash TEXT NOT NULL, hwm BIGINT NOT NULL, hwm_hash TEXT NOT NULL,
        status TEXT NOT NULL, status_detail TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
        last_seen_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS events (
        stream_id TEXT NOT NULL, seq BIGINT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,
        schema_version INTEGER NOT NULL, occurred_at TEXT NOT NULL, operator_id TEXT, unit_id TEXT,
        body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, signature TEXT NOT NULL,
        received_at TEXT NOT NULL, PRIMARY KEY (stream_id, seq))""",
    # A rejected event keeps its place in the stream so the high-water mark can pass it.
    """CREATE TABLE IF NOT EXISTS rejected_events (
        stream_id TEXT NOT NULL, seq BIGINT NOT NULL, event_id TEXT NOT NULL, prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL, code TEXT NOT NULL, detail TEXT NOT NULL, payload TEXT NOT NULL,
        received_at TEXT NOT NULL, PRIMARY KEY (stream_id, seq))""",
    """CREATE TABLE IF NOT EXISTS heartbeats (
        bench_id TEXT PRIMARY KEY, stream_id TEXT NOT NULL, at TEXT NOT NULL, last_seq BIGINT NOT NULL,
        pending BIGINT NOT NULL, payload TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS certificates (
        certificate_id TEXT PRIMARY KEY, stream_id TEXT NOT NULL, seq BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS lots (
        lot_id TEXT PRIMARY KEY, code TEXT NOT NULL, party TEXT NOT NULL, po TEXT NOT NULL)""",
    # A unit's state is the one from the latest fact, ordered by (occurred_at, stream, seq) so
    # every hub replica and every arrival order agrees.
    """CREATE TABLE IF NOT EXISTS units (
        unit_id TEXT PRIMARY KEY, lot_id TEXT, state TEXT NOT NULL, state_order TEXT NOT NULL)""",
    # What a supervisor reads a unit by (its first identifier: IMEI, serial, asset tag).
    """CREATE TABLE IF NOT EXISTS unit_labels (
        unit_id TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL)""",
    # A token replaced by rotation keeps working until the bench is seen with its new one, so a
    # rotation whose answer was lost on the way can simply be asked for again.
    """CREATE TABLE IF NOT EXISTS retiring_tokens (
        token_sha256 TEXT PRIMARY KEY, bench_id TEXT NOT NULL REFERENCES benches (bench_id),
        retired_at TEXT NOT NULL)""",
    # Published reference data: one signed manifest per version (see app/hub/reference.py).
    """CREATE TABLE IF NOT EXISTS reference_sets (
        version BIGINT PRIMARY KEY, published_at TEXT NOT NULL, manifest TEXT NOT NULL, signature TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS units_lot ON units (lot_id)",
    "CREATE INDEX IF NOT EXISTS lots_code ON lots (code)",
    # A lot report reads one lot's units by unit_id and the few lot-wide facts by type (app/core/lot_report_query.py);
    # without these it scans every bench's events. Created at every start, so an existing hub gains them.
    "CREATE INDEX IF NOT EXISTS events_unit ON events (unit_id)",
    "CREATE INDEX IF NOT EXISTS events_type ON events (type)",
)

_EVENT_COLUMNS = ("stream_id, seq, event_id, type, schema_version, occurred_at, operator_id, unit_id, body, "
                  "prev_hash, hash, signature")


class Connection(Protocol):
    """The part of a DB-API connection the hub uses."""

    def cursor(self) -> Any: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Dialect:
    name: str
    placeholder: str  # "?" or "%s"
    lock_row: str  # appended to a SELECT to lock the row for the transaction ("" where the DB lock is global)
    begin: str | None  # statement that opens a write transaction, or None when the driver opens one


class HubTx:
    """One storage transaction: every primitive the hub's rules need, nothing else."""

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self._cursor = cursor
        self._dialect = dialect

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self._dialect.placeholder != "?":
            sql = sql.replace("?", self._dialect.placeholder)
        self._cursor.execute(sql, tuple(params))
        return self._cursor

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self._run(sql, params).fetchone()
        return tuple(row) if row is not None else None

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._run(sql, params).fetchall()]

    # --- enrolment and benches ---------------------------------------------------------------

    def add_enrollment_code(self, code_sha256: str, bench_name: str, created_at: str, expires_at: str) -> None:
        self._run("INSERT INTO enrollment_codes (code_sha256, bench_name, created_at, expires_at) VALUES (?, ?, ?, ?)",
                  [code_sha256, bench_name, created_at, expires_at])

    def claim_enrollment_code(self, code_sha256: str, now: str) -> str | None:
        """Mark an unused, unexpired code used and return its bench name; None if it is not valid."""
        row = self._one(
            "UPDATE enrollment_codes SET used_at = ? WHERE code_sha256 = ? AND used_at IS NULL AND expires_at > ?"
            " RETURNING bench_name", [now, code_sha256, now])
        return str(row[0]) if row else None

    def add_bench(self, bench_id: str, name: str, token_sha256: str, device_pubkey: str, now: str) -> None:
        self._run("INSERT INTO benches (bench_id, name, token_sha256, device_pubkey, created_at)"
                  " VALUES (?, ?, ?, ?, ?)",
                  [bench_id, name, token_sha256, device_pubkey, now])

    def bench_by_token(self, token_sha256: str) -> Bench | None:
        row = self._one("SELECT bench_id, name, device_pubkey, revoked_at FROM benches WHERE token_sha256 = ?",
                        [token_sha256])
        if row is None:
            row = self._one("SELECT b.bench_id, b.name, b.device_pubkey, b.revoked_at, 1 FROM retiring_tokens r"
                            " JOIN benches b ON b.bench_id = r.bench_id WHERE r.token_sha256 = ?", [token_sha256])
        if row is None:
            return None
        return Bench(str(row[0]), str(row[1]), str(row[2]), row[3] is not None, retiring=len(row) > 4)

    def replace_token(self, bench_id: str, presented_sha256: str, new_sha256: str, now: str) -> None:
        """Make ``new_sha256`` the bench's token; the one presented keeps working until the new one is used."""
        self._run("UPDATE benches SET token_sha256 = ? WHERE bench_id = ?", [new_sha256, bench_id])
        self._run("INSERT INTO retiring_tokens (token_sha256, bench_id, retired_at) VALUES (?, ?, ?)"
                  " ON CONFLICT (token_sha256) DO NOTHING", [presented_sha256, bench_id, now])

    def drop_retiring_tokens(self, bench_id: str) -> None:
        self._run("DELETE FROM retiring_tokens WHERE bench_id = ?", [bench_id])

    def revoke_benches(self, name: str, now: str) -> list[str]:
        rows = self._all("UPDATE benches SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL RETURNING bench_id",
                         [now, name])
        ids = [str(r[0]) for r in rows]
        for bench_id in ids:
            # A stream stopped for a conflict stays stopped: revocation does not hide why.
            self._run("UPDATE streams SET status = ? WHERE bench_id = ? AND status = ?",
                      [StreamStatus.REVOKED.value, bench_id, StreamStatus.ACTIVE.value])
        return ids

    def bench(self, bench_id: str) -> Bench | None:
        row = self._one("SELECT bench_id, name, device_pubkey, revoked_at FROM benches WHERE bench_id = ?",
                        [bench_id])
        return Bench(str(row[0]), str(row[1]), str(row[2]), row[3] is not None) if row else None

    def bench_by_pubkey(self, device_pubkey: str) -> Bench | None:
        """The bench most recently enrolled with this station key, if any."""
        row = self._one("SELECT bench_id, name, device_pubkey, revoked_at FROM benches WHERE device_pubkey = ?"
                        " ORDER BY created_at DESC LIMIT 1", [device_pubkey])
        return Bench(str(row[0]), str(row[1]), str(row[2]), row[3] is not None) if row else None

    def rebind_bench(self, bench_id: str, name: str, token_sha256: str, device_pubkey: str, now: str) -> None:
        """Give an enrolled bench a new token (every older one stops working), lift a revocation, and
        move to it the streams of any other bench row holding the same station key."""
        self._run("UPDATE benches SET token_sha256 = ?, name = ?, revoked_at = NULL WHERE bench_id = ?",
                  [token_sha256, name, bench_id])
        self._run("DELETE FROM retiring_tokens WHERE bench_id = ?", [bench_id])
        others = [str(r[0]) for r in self._all(
            "SELECT bench_id FROM benches WHERE device_pubkey = ? AND bench_id <> ?", [device_pubkey, bench_id])]
        for other in others:
            self._run("UPDATE streams SET bench_id = ? WHERE bench_id = ?", [bench_id, other])
            self._run("UPDATE benches SET revoked_at = COALESCE(revoked_at, ?) WHERE bench_id = ?", [now, other])
            self._run("DELETE FROM retiring_tokens WHERE bench_id = ?", [other])
        self._run("UPDATE streams SET status = ? WHERE bench_id = ? AND status = ?",
                  [StreamStatus.ACTIVE.value, bench_id, StreamStatus.REVOKED.value])

    # --- streams ----------------------------------------------------------------------------

    def add_stream(self, stream: Stream, now: str) -> None:
        self._run(
            "INSERT INTO streams (stream_id, bench_id, base_seq, base_hash, hwm, hwm_hash, status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [stream.stream_id, stream.bench_id, stream.base_seq, stream.base_hash, stream.hwm, stream.hwm_hash,
             stream.status.value, now])

    def stream(self, stream_id: str, *, lock: bool = False) -> Stream | None:
        row = self._one(
            "SELECT stream_id, bench_id, base_seq, base_hash, hwm, hwm_hash, status, status_detail FROM streams"
            " WHERE stream_id = ?" + (self._dialect.lock_row if lock else ""), [stream_id])
        if row is None:
            return None
        return Stream(str(row[0]), str(row[1]), int(row[2]), str(row[3]), int(row[4]), str(row[5]),
                      StreamStatus(row[6]), str(row[7]))

    def update_stream(self, stream_id: str, *, hwm: int, hwm_hash: str, status: StreamStatus, detail: str,
                      seen_at: str) -> None:
        self._run("UPDATE streams SET hwm = ?, hwm_hash = ?, status = ?, status_detail = ?, last_seen_at = ?"
                  " WHERE stream_id = ?", [hwm, hwm_hash, status.value, detail, seen_at, stream_id])

    # --- events -------------------------------------------------------------------------------

    def held(self, stream_id: str, seq: int) -> HeldEvent | None:
        row = self._one("SELECT seq, prev_hash, hash FROM events WHERE stream_id = ? AND seq = ?", [stream_id, seq])
        if row:
            return HeldEvent(int(row[0]), str(row[1]), str(row[2]))
        row = self._one("SELECT seq, prev_hash, hash, code FROM rejected_events WHERE stream_id = ? AND seq = ?",
                        [stream_id, seq])
        return HeldEvent(int(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None

    def held_after(self, stream_id: str, after_seq: int, limit: int) -> list[HeldEvent]:
        """Held events and tombstones after ``after_seq`` in seq order (for the contiguity walk)."""
        rows = self._all(
            "SELECT seq, prev_hash, hash, NULL FROM events WHERE stream_id = ? AND seq > ?"
            " UNION ALL SELECT seq, prev_hash, hash, code FROM rejected_events WHERE stream_id = ? AND seq > ?"
            " ORDER BY 1 LIMIT ?", [stream_id, after_seq, stream_id, after_seq, limit])
        return [HeldEvent(int(r[0]), str(r[1]), str(r[2]), None if r[3] is None else str(r[3])) for r in rows]

    def held_range(self, stream_id: str, first: int, last: int) -> dict[int, HeldEvent]:
        """What the hub holds at seqs first..last of a stream (stored events and tombstones)."""
        held = {int(r[0]): HeldEvent(int(r[0]), str(r[1]), str(r[2])) for r in self._all(
            "SELECT seq, prev_hash, hash FROM events WHERE stream_id = ? AND seq BETWEEN ? AND ?",
            [stream_id, first, last])}
        for r in self._all("SELECT seq, prev_hash, hash, code FROM rejected_events WHERE stream_id = ?"
                           " AND seq BETWEEN ? AND ?", [stream_id, first, last]):
            held.setdefault(int(r[0]), HeldEvent(int(r[0]), str(r[1]), str(r[2]), str(r[3])))
        return held

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            if self._dialect.placeholder != "?":
                sql = sql.replace("?", self._dialect.placeholder)
            self._cursor.executemany(sql, [tuple(r) for r in rows])

    def insert_events(self, events: Sequence[tuple[Event, str]], received_at: str) -> None:
        """New events, each with its body as canonical JSON (already written once to check its hash)."""
        self._many(
            f"INSERT INTO events ({_EVENT_COLUMNS}, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(e.stream_id, e.seq, e.event_id, e.type, e.schema_version, e.occurred_at, e.operator_id, e.unit_id,
              body_text, e.prev_hash, e.hash, e.signature, received_at) for e, body_text in events])

    def project_many(self, table: str, rows: Sequence[Sequence[str]]) -> None:
        """Rows for one of the read tables, written the way the put_* methods write one."""
        sql, convert = _PROJECTIONS[table]
        self._many(sql, [convert(row) for row in rows])

    def insert_tombstone(self, stream_id: str, seq: int, event_id: str, prev_hash: str, hash_hex: str, code: str,
                         detail: str, payload: str, received_at: str) -> None:
        self._run(
            "INSERT INTO rejected_events"
            " (stream_id, seq, event_id, prev_hash, hash, code, detail, payload, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [stream_id, seq, event_id, prev_hash, hash_hex, code, detail, payload, received_at])

    def rejected_after(self, stream_id: str, after_seq: int, limit: int) -> list[tuple[int, str, str]]:
        """(seq, code, detail) of the stream's rejected events after ``after_seq``, in seq order."""
        rows = self._all("SELECT seq, code, detail FROM rejected_events WHERE stream_id = ? AND seq > ?"
                         " ORDER BY seq LIMIT ?", [stream_id, after_seq, limit])
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def delete_tombstone(self, stream_id: str, seq: int) -> None:
        self._run("DELETE FROM rejected_events WHERE stream_id = ? AND seq = ?", [stream_id, seq])

    def event(self, stream_id: str, seq: int) -> Event | None:
        row = self._one(f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND seq = ?", [stream_id, seq])
        if row is None:
            return None
        return Event(stream_id=str(row[0]), seq=int(row[1]), event_id=str(row[2]), type=str(row[3]),
                     schema_version=int(row[4]), occurred_at=str(row[5]), operator_id=row[6], unit_id=row[7],
                     body=json.loads(row[8]), prev_hash=str(row[9]), hash=str(row[10]), signature=str(row[11]))

    def stream_seqs(self, stream_id: str) -> list[int]:
        return [int(r[0]) for r in self._all("SELECT seq FROM events WHERE stream_id = ? ORDER BY seq", [stream_id])]

    def bench_pubkey(self, bench_id: str) -> str | None:
        row = self._one("SELECT device_pubkey FROM benches WHERE bench_id = ?", [bench_id])
        return str(row[0]) if row else None

    # --- heartbeats and projections ---------------------------------------------------------------

    def put_heartbeat(self, bench_id: str, stream_id: str, at: str, last_seq: int, pending: int, payload: str) -> None:
        self._run(
            "INSERT INTO heartbeats (bench_id, stream_id, at, last_seq, pending, payload) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (bench_id) DO UPDATE SET stream_id = excluded.stream_id, at = excluded.at,"
            " last_seq = excluded.last_seq, pending = excluded.pending, payload = excluded.payload",
            [bench_id, stream_id, at, last_seq, pending, payload])

    def heartbeat(self, bench_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT stream_id, at, last_seq, pending, payload FROM heartbeats WHERE bench_id = ?",
                        [bench_id])
        if row is None:
            return None
        return {"stream_id": row[0], "at": row[1], "last_seq": int(row[2]), "pending": int(row[3]),
                "payload": json.loads(row[4])}

    def certificate_location(self, certificate_id: str) -> tuple[str, int] | None:
        row = self._one("SELECT stream_id, seq FROM certificates WHERE certificate_id = ?", [certificate_id])
        return (str(row[0]), int(row[1])) if row else None

    def find_lot(self, lot_ref: str) -> tuple[str, str, str, str] | None:
        row = self._one("SELECT lot_id, code, party, po FROM lots WHERE lot_id = ? OR code = ?", [lot_ref, lot_ref])
        return (str(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None

    def latest_reference(self) -> tuple[int, str, str] | None:
        """(version, manifest JSON, signature) of the newest published reference data."""
        row = self._one("SELECT version, manifest, signature FROM reference_sets ORDER BY version DESC LIMIT 1")
        return (int(row[0]), str(row[1]), str(row[2])) if row else None

    def add_reference(self, version: int, published_at: str, manifest_json: str, signature: str) -> None:
        self._run("INSERT INTO reference_sets (version, published_at, manifest, signature) VALUES (?, ?, ?, ?)",
                  [version, published_at, manifest_json, signature])

    def lot_units(self, lot_id: str) -> list[tuple[str, str, str, str]]:
        """(unit_id, state, identifier kind, identifier) of every unit the hub knows in the lot."""
        rows = self._all("SELECT u.unit_id, u.state, COALESCE(l.kind, ''), COALESCE(l.value, '') FROM units u"
                         " LEFT JOIN unit_labels l ON l.unit_id = u.unit_id WHERE u.lot_id = ?"
                         " ORDER BY l.value, u.unit_id", [lot_id])
        return [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def _same(row: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row)


_PROJECTIONS: dict[str, tuple[str, Callable[[Sequence[str]], tuple[Any, ...]]]] = {
    "certificate": ("INSERT INTO certificates (certificate_id, stream_id, seq) VALUES (?, ?, ?)"
                    " ON CONFLICT (certificate_id) DO NOTHING", lambda r: (r[0], r[1], int(r[2]))),
    "unit_label": ("INSERT INTO unit_labels (unit_id, kind, value) VALUES (?, ?, ?)"
                   " ON CONFLICT (unit_id) DO NOTHING", _same),
    "lot": ("INSERT INTO lots (lot_id, code, party, po) VALUES (?, ?, ?, ?) ON CONFLICT (lot_id) DO NOTHING", _same),
    "unit_state": ("INSERT INTO units (unit_id, state, state_order) VALUES (?, ?, ?) ON CONFLICT (unit_id) DO UPDATE"
                   " SET state = excluded.state, state_order = excluded.state_order"
                   " WHERE units.state_order < excluded.state_order", _same),
    # The unit may arrive at the hub before its creation event (another batch, another bench).
    "unit_lot": ("INSERT INTO units (unit_id, lot_id, state, state_order) VALUES (?, ?, 'received', '')"
                 " ON CONFLICT (unit_id) DO UPDATE SET lot_id = excluded.lot_id", lambda r: (r[0], r[1])),
}

ConnectionFactory = Callable[[], Connection]


def _is_closed(conn: Connection) -> bool:
    """True when the driver knows the connection is gone (psycopg's ``closed``; sqlite3 has no such flag)."""
    return bool(getattr(conn, "closed", False))


class HubStorage:
    """A pool of connections to one hub database and the transactions run on them."""

    def __init__(self, connect: ConnectionFactory, dialect: Dialect, *, pool_size: int) -> None:
        self.dialect = dialect
        self._connect = connect
        self._idle: queue.LifoQueue[Connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._all: list[Connection] = []
        self._lock = threading.Lock()
        with self.transaction() as tx:
            for statement in SCHEMA:
                tx._run(statement)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[HubTx]:
        """One transaction: committed when the block ends, rolled back if it raises.

        A connection whose session died (database restart, failover, ``pg_terminate_backend``) is
        closed and forgotten rather than put back in the pool: its rollback fails, or the driver has
        marked it closed, and every later request handed it would fail the same way. The next
        transaction opens a fresh one.
        """
        with self._slots:
            conn = self._checkout()
            healthy = False
            try:
                cursor = conn.cursor()
                if self.dialect.begin:
                    cursor.execute(self.dialect.begin)
                try:
                    yield HubTx(cursor, self.dialect)
                    conn.commit()
                except BaseException:
                    conn.rollback()  # raises on a lost session: the connection is then dropped below
                    healthy = True
                    raise
                healthy = True
            finally:
                if healthy and not _is_closed(conn):
                    self._idle.put(conn)
                else:
                    self._discard(conn)

    def _checkout(self) -> Connection:
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                break
            if not _is_closed(conn):
                return conn
            self._discard(conn)
        conn = self._connect()
        with self._lock:
            self._all.append(conn)
        return conn

    def _discard(self, conn: Connection) -> None:
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        with contextlib.suppress(Exception):
            conn.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
