"""The large databases the lookup and scan benchmarks run against, built once and cached.

Benchmark set-up only: a million units are NOT recorded through Store.record (signing and
fsyncing a million events would take the better part of an hour). A Store is created so the real
migrations make the schema, then projection rows are bulk-inserted straight into ``lots``,
``units`` and ``unit_identifiers`` with executemany, a few big transactions, durability off.
The event log therefore holds only the station's first event: figures that depend on the size of
``events`` are not covered by this data set.

Beside it, ``plain.sqlite3`` holds the same units in one plain table (IMEI and serial as indexed
columns): the peer baseline for lookups, queried without the app's query layer.

The result is cached under .bench/ (gitignored) as ``units-<count>-<fingerprint>``, where the
fingerprint covers the schema the migrations produce and this generator's version, so a schema
change rebuilds it and an unchanged schema reuses it. ``python -m tests.bench.bench_dataset
--units N`` builds (or finds) one and prints its folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3

from app.core.identifiers import luhn_check_digit
from app.store.migrations import MIGRATIONS
from app.store.store import DB_FILE, Store
from tests.bench.bench_util import BENCH_ROOT, progress, scratch_dir

GENERATOR_VERSION = 1  # bump when the generated data changes shape
SEED = 20261122
CHUNK = 100_000  # units per transaction
LOTS = 2_000

# 32 characters, no I/O/U/Z (as many manufacturers do to avoid misreads).
SERIAL_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTVWXY"
# A serial is factory (3) + year (1) + 8 random characters: a 4-character prefix matches a few
# thousand units, 5 characters about a hundred, 6 and more a handful, as with real serials.
FACTORIES = 60
YEARS = "CDFGH"
MODELS = (
    "iPhone 11", "iPhone 12", "iPhone 12 Pro", "iPhone 13", "iPhone 13 mini", "iPhone 14", "iPhone SE (2022)",
    "Galaxy S21", "Galaxy S22", "Galaxy A52", "Galaxy A53", "Galaxy Note 20", "Pixel 6", "Pixel 7", "Pixel 7a",
    "Moto G Power", "Xperia 10 IV", "Nokia G21", "OnePlus 9", "Redmi Note 11", "ThinkPad T480", "ThinkPad X1",
    "Latitude 7490", "EliteBook 840", "MacBook Air M1", "iPad 9th gen", "Surface Pro 7", "Galaxy Tab A8",
)
STATES = (("received", 10), ("identified", 8), ("testing", 3), ("tested", 8), ("sanitised", 8), ("graded", 10),
          ("routed", 5), ("labelled", 4), ("packed", 4), ("shipped", 36), ("on_hold", 2), ("failed", 2))
PHONE_SHARE = 0.85  # units with an IMEI; the rest (laptops, tablets) have a serial only


@dataclass(frozen=True)
class Dataset:
    """A built data folder plus its plain-table twin."""

    folder: Path
    units: int
    identifiers: int
    build_seconds: float
    built_now: bool = False

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def plain_path(self) -> Path:
        return self.folder / "plain.sqlite3"


def schema_fingerprint(db_path: Path, units: int) -> str:
    """Hash of the migrated schema, the applied migrations and this generator's version."""
    conn = sqlite3.connect(str(db_path))
    try:
        schema = conn.execute(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()
    text = json.dumps([GENERATOR_VERSION, units, SEED, sorted(m.name for m in MIGRATIONS._migrations), schema])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def ensure(units: int) -> Dataset:
    """The cached data set of ``units`` units, built now if the schema changed or it is missing."""
    BENCH_ROOT.mkdir(parents=True, exist_ok=True)
    with scratch_dir("schema-") as probe:
        Store(probe / "data").close()
        fingerprint = schema_fingerprint(probe / "data" / DB_FILE, units)
    final = BENCH_ROOT / f"units-{units}-{fingerprint}"
    meta = final / "meta.json"
    if meta.exists():
        data = json.loads(meta.read_text())
        return Dataset(final, data["units"], data["identifiers"], data["build_seconds"])
    for stale in BENCH_ROOT.glob(f"units-{units}-*"):
        progress(f"removing stale data set {stale.name} (schema or generator changed)")
        shutil.rmtree(stale, ignore_errors=True)
    for leftover in BENCH_ROOT.glob(f"building-{units}-*"):  # an interrupted build
        shutil.rmtree(leftover, ignore_errors=True)
    building = BENCH_ROOT / f"building-{units}-{fingerprint}-{os.getpid()}"
    building.mkdir()
    progress(f"building a {units:,}-unit database (once; cached in {final.relative_to(BENCH_ROOT.parent)})")
    started = time.perf_counter()
    identifiers = _build(building, units)
    seconds = time.perf_counter() - started
    (building / "meta.json").write_text(json.dumps(
        {"units": units, "identifiers": identifiers, "build_seconds": round(seconds, 1), "fingerprint": fingerprint,
         "built_at": datetime.now(UTC).isoformat(timespec="seconds")}, indent=2))
    os.sync()
    try:
        building.rename(final)
    except OSError:  # another run built it meanwhile
        shutil.rmtree(building, ignore_errors=True)
    progress(f"built in {seconds:.1f} s")
    return Dataset(final, units, identifiers, seconds, built_now=True)


# --- generation ------------------------------------------------------------------------------------


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _code(rng: random.Random, size: int) -> str:
    return "".join(rng.choices(SERIAL_ALPHABET, k=size))


class _Generator:
    """Deterministic units: ids, states, models, lots, dates, IMEIs and serials, all unique."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        rng = self.rng
        self.tacs = [f"35{rng.randrange(10**6):06d}" for _ in range(200)]
        self.factories = sorted({"C" + _code(rng, 2) for _ in range(FACTORIES * 2)})[:FACTORIES]
        self.states = [s for s, _ in STATES]
        self.weights = [w for _, w in STATES]
        self.start = datetime(2024, 11, 1, tzinfo=UTC).timestamp()
        self.span = 2 * 365 * 86400
        self.lots = [
            (f"L-{_code(rng, 12)}", f"LOT-{2024 + i * 3 // LOTS}-{i:04d}", "supplier", f"Supplier {i % 97}",
             f"PO-{100000 + i}", 500, _iso(self.start + i * self.span / LOTS))
            for i in range(LOTS)
        ]
        self.seen_ids: set[str] = set()
        self.seen_imeis: set[str] = set()
        self.seen_serials: set[str] = set()

    @staticmethod
    def _unique(seen: set[str], make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in seen:
                seen.add(value)
                return value

    def _imei(self) -> str:
        body = self.rng.choice(self.tacs) + f"{self.rng.randrange(10**6):06d}"
        return body + str(luhn_check_digit(body))

    def _serial(self) -> str:
        return self.rng.choice(self.factories) + self.rng.choice(YEARS) + _code(self.rng, 8)

    def chunk(self, size: int) -> tuple[list[tuple[object, ...]], list[tuple[str, str, str]], list[tuple[object, ...]]]:
        """``size`` units: rows for units, unit_identifiers and the plain peer table."""
        rng = self.rng
        units: list[tuple[object, ...]] = []
        idents: list[tuple[str, str, str]] = []
        plain: list[tuple[object, ...]] = []
        states = rng.choices(self.states, self.weights, k=size)
        for state in states:
            unit_id = self._unique(self.seen_ids, lambda: "U-" + _code(rng, 12))
            created = self.start + rng.random() * self.span
            created_at, updated_at = _iso(created), _iso(created + rng.random() * 30 * 86400)
            lot_id = rng.choice(self.lots)[0] if rng.random() < 0.9 else None
            phone = rng.random() < PHONE_SHARE
            model = rng.choice(MODELS[:20] if phone else MODELS[20:]) if rng.random() < 0.7 else ""
            serial = self._unique(self.seen_serials, self._serial)
            imei = self._unique(self.seen_imeis, self._imei) if phone else None
            units.append((unit_id, state, model, "", lot_id, created_at, updated_at))
            idents.append((serial, "serial", unit_id))
            if imei:
                idents.append((imei, "imei", unit_id))
            plain.append((unit_id, imei, serial, state, model, lot_id, created_at, updated_at))
        return units, idents, plain


def _chunks(total: int) -> Iterator[int]:
    done = 0
    while done < total:
        size = min(CHUNK, total - done)
        yield size
        done += size


def _bulk_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    # Set-up only: no journal and no fsync while loading; the file goes back to WAL at the end.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    return conn


PLAIN_SCHEMA = """
CREATE TABLE units_plain (
    unit_id    TEXT PRIMARY KEY,
    imei       TEXT,
    serial     TEXT NOT NULL,
    state      TEXT NOT NULL,
    model      TEXT NOT NULL,
    lot_id     TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_plain_imei ON units_plain (imei);
CREATE INDEX units_plain_serial ON units_plain (serial);
"""


def _build(folder: Path, units: int) -> int:
    data_dir = folder / "data"
    Store(data_dir).close()  # the real migrations make the schema; the station key and first event too
    app_db = _bulk_connection(data_dir / DB_FILE)
    plain_db = _bulk_connection(folder / "plain.sqlite3")
    plain_db.executescript(PLAIN_SCHEMA)
    gen = _Generator()
    app_db.execute("BEGIN")
    app_db.executemany(
        "INSERT INTO lots (lot_id, code, party_kind, party, po, expected_count, created_at) VALUES (?,?,?,?,?,?,?)",
        gen.lots,
    )
    app_db.execute("COMMIT")
    done = identifiers = 0
    for size in _chunks(units):
        unit_rows, ident_rows, plain_rows = gen.chunk(size)
        app_db.execute("BEGIN")
        app_db.executemany(
            "INSERT INTO units (unit_id, state, model, gtin, lot_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
            unit_rows,
        )
        app_db.executemany("INSERT INTO unit_identifiers (value, kind, unit_id) VALUES (?,?,?)", ident_rows)
        app_db.execute("COMMIT")
        plain_db.execute("BEGIN")
        plain_db.executemany("INSERT INTO units_plain VALUES (?,?,?,?,?,?,?,?)", plain_rows)
        plain_db.execute("COMMIT")
        done += size
        identifiers += len(ident_rows)
        progress(f"  {done:,} / {units:,} units")
    for conn in (app_db, plain_db):
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
    return identifiers


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_dataset")
    parser.add_argument("--units", type=int, default=1_000_000)
    args = parser.parse_args()
    dataset = ensure(args.units)
    print(json.dumps({"folder": str(dataset.folder), "units": dataset.units, "identifiers": dataset.identifiers,
                      "build_seconds": dataset.build_seconds, "built_now": dataset.built_now}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
