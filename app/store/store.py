"""The bench store: one data folder holding the database and the station key.

Every write goes through ``record``/``transaction``: the event is appended and the projections
updated in the same BEGIN IMMEDIATE transaction, so the log and the tables never disagree.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app import __version__
from app.core import events as ev
from app.core.errors import OperatorError
from app.core.models import Event
from app.store import eventlog, projections
from app.store.db import connect, sqlite_version, write_transaction
from app.store.keys import KEY_FILE, load_or_create_key, public_key_text
from app.store.migrations import migrate

log = logging.getLogger("app.store")

DB_FILE = "bench.sqlite3"
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC timestamp with milliseconds, e.g. 2026-11-22T05:10:00.123Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Store:
    """The open data folder of one station.

    Attributes:
        data_dir: the folder with the database and station key.
        db: the sqlite-utils Database (one connection; use it from one thread only).
        stream_id: this install's event stream.
        station_id: this station's identity.
    """

    def __init__(self, data_dir: Path, *, clock: Clock = utc_now) -> None:
        self.data_dir = Path(data_dir)
        if not self.data_dir.exists():
            # Private from the start: it holds the signing key and the PIN hashes.
            self.data_dir.mkdir(parents=True, mode=0o700)
        self.clock = clock
        self.path = self.data_dir / DB_FILE
        if (self.data_dir / KEY_FILE).exists():
            load_or_create_key(self.data_dir)  # refuse a readable or damaged key before touching the database
        self.db: sqlite_utils.Database = connect(self.path)
        try:
            migrate(self.db, self.path)
            self._key = self._station_key()
            self.public_key: Ed25519PublicKey = self._key.public_key()
            self.station_id, self.stream_id = self._identity()
        except BaseException:
            self.db.close()
            raise

    def _station_key(self) -> Ed25519PrivateKey:
        """The key that signed this database's events; never silently a new one."""
        recorded = self.meta("public_key")
        if recorded and not (self.data_dir / KEY_FILE).exists():
            raise OperatorError(
                f"The station key {self.data_dir / KEY_FILE} is missing, but this database holds events it signed",
                hint="Restore station_key.pem from the key backup; a new key would make every record unverifiable",
            )
        key = load_or_create_key(self.data_dir)
        if recorded and public_key_text(key.public_key()) != recorded:
            raise OperatorError(
                f"The station key in {self.data_dir} is not the key that signed this database",
                hint="Restore the station_key.pem that belongs with this database from the key backup",
            )
        return key

    def _identity(self) -> tuple[str, str]:
        station = self.meta("station_id")
        stream = self.meta("stream_id")
        if station and stream:
            return station, stream
        with write_transaction(self.db):
            # Re-read under the write lock: another process may have initialised the folder meanwhile.
            station = self.meta("station_id")
            stream = self.meta("stream_id")
            if station and stream:
                return station, stream
            station, stream = str(uuid.uuid4()), str(uuid.uuid4())
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('station_id', ?), ('stream_id', ?)", [station, stream]
            )
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('public_key', ?)", [public_key_text(self.public_key)]
            )
            self.stream_id = stream
            self._append(
                ev.STATION_INITIALISED,
                {
                    "station_id": station,
                    "public_key": public_key_text(self.public_key),
                    "app_version": __version__,
                    "sqlite_version": sqlite_version(),
                },
            )
        log.info("initialised station %s (stream %s)", station, stream)
        return station, stream

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    def now(self) -> str:
        return iso(self.clock())

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group several ``record`` calls into one atomic write."""
        with write_transaction(self.db):
            yield self

    def record(
        self,
        event_type: str,
        body: Mapping[str, Any],
        *,
        unit_id: str | None = None,
        operator_id: str | None = None,
    ) -> Event:
        """Append one event and apply it to the projections, atomically."""
        with write_transaction(self.db):
            return self._append(event_type, body, unit_id=unit_id, operator_id=operator_id)

    def _append(
        self, event_type: str, body: Mapping[str, Any], *, unit_id: str | None = None, operator_id: str | None = None
    ) -> Event:
        event = eventlog.append(
            self.db, self._key, stream_id=self.stream_id, event_type=event_type, body=body,
            occurred_at=self._event_time(), unit_id=unit_id, operator_id=operator_id,
        )
        projections.apply(self.db, event)
        # The chain head lives beside the log so that deleting the newest events is detectable.
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('chain_head', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [f"{event.seq}:{event.hash}"],
        )
        return event

    def _event_time(self) -> str:
        """The clock's time, but never before the log's newest event (the physical half of a hybrid
        logical clock): a clock set back (NTP step, a dead RTC battery) must not make a later event
        look older, or the hub, which orders a unit's facts by time, would keep a superseded state.
        Equal times are fine: the hub breaks ties by stream and seq. Called inside the write lock."""
        now = self.now()
        row = self.db.execute("SELECT occurred_at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return max(now, str(row[0])) if row else now

    def rebuild_projections(self) -> int:
        """Rebuild every projection table from the event log."""
        with write_transaction(self.db):
            count = projections.rebuild(self.db)
        log.info("rebuilt projections from %d events", count)
        return count

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
