"""Event append rate: single-event transactions through ``Store.record`` with synchronous=FULL.

Target: ≥ 2,000 events/s, for at least 3 s or 10,000 events. The events are the everyday ones a
bench writes after a unit is scanned in: state changes and added identifiers, by an operator,
spread over 50 units (each one validated, hash-chained, signed, applied to the projections, the
chain head updated, committed with an fsync).

Peer: plain pysqlite3, one INSERT per BEGIN IMMEDIATE…COMMIT of a row the size of our average
event row, same pragmas (WAL, synchronous=FULL; opened by the app's own ``connect``), no hashing,
signing or projections. The two run in alternating 0.25 s blocks so both see the same disk
weather (fsync cost on a shared virtual disk drifts by 2–3× over a minute).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from app.core import events as ev
from app.store import audit
from app.store.db import connect
from app.store.store import Store
from tests.bench.bench_util import Results, Row, Sizes, percentile, progress, scratch_dir, section_main

SECTION = "Append"
TARGET_RATE = 2_000.0
BLOCK_S = 0.25
STATES = ("received", "identified", "testing", "tested", "sanitising", "sanitised", "graded", "routed")
OPERATOR = "O-BENCHOPERATR"


class OurLog:
    """Appends realistic events through the real store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.units = [f"U-BENCH{n:07d}" for n in range(50)]
        for number, unit_id in enumerate(self.units):
            store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "serial", "value": f"BSN{number:09d}"}],
                                           "source": "scan", "raw_scan": f"BSN{number:09d}"},
                         unit_id=unit_id, operator_id=OPERATOR)
        self.count = 0
        self.tags = 0  # never reset: each added identifier must be new
        self.latencies_ms: list[float] = []

    def append(self) -> None:
        n = self.count
        unit_id = self.units[n % len(self.units)]
        started = time.perf_counter_ns()
        if n % 4 == 3:
            self.tags += 1
            self.store.record(ev.UNIT_IDENTIFIER_ADDED, {"kind": "asset_tag", "value": f"AT-{self.tags:08d}"},
                              unit_id=unit_id, operator_id=OPERATOR)
        else:
            step = n // len(self.units)
            self.store.record(
                ev.UNIT_STATE_CHANGED,
                {"from": STATES[step % len(STATES)], "to": STATES[(step + 1) % len(STATES)]},
                unit_id=unit_id, operator_id=OPERATOR,
            )
        self.latencies_ms.append((time.perf_counter_ns() - started) / 1e6)
        self.count += 1

    def mean_row_bytes(self) -> int:
        row = self.store.db.execute(
            "SELECT avg(length(stream_id) + length(event_id) + length(type) + length(occurred_at)"
            " + coalesce(length(operator_id), 0) + coalesce(length(unit_id), 0) + length(body)"
            " + length(prev_hash) + length(hash) + length(signature) + 8) FROM events WHERE type <> 'unit.created'"
        ).fetchone()
        return round(row[0])


class PlainLog:
    """The floor: one plain INSERT per durable transaction."""

    def __init__(self, path: Path, row_bytes: int) -> None:
        self.db = connect(path)  # WAL, synchronous=FULL, busy_timeout, mmap off: the app's settings
        self.conn = self.db.conn
        self.conn.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        self.payload = "x" * row_bytes
        self.count = 0

    def append(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO log (payload) VALUES (?)", [self.payload])
        self.conn.execute("COMMIT")
        self.count += 1

    def close(self) -> None:
        self.db.close()


def run_block(append: Callable[[], None], seconds: float, cap: int | None = None) -> tuple[int, float]:
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline and (cap is None or done < cap):
        append()
        done += 1
    return done, time.perf_counter() - started


def run(sizes: Sizes) -> Results:
    results = Results(peers={
        "A": "plain pysqlite3 INSERT of a row of the same size, one per BEGIN IMMEDIATE…COMMIT, "
             "WAL + synchronous=FULL, no hashing/signing/projections",
    })
    with scratch_dir("append-") as folder:
        store = Store(folder / "data")
        ours = OurLog(store)
        for _ in range(200):  # warm-up (also gives the row size); not counted
            ours.append()
        row_bytes = ours.mean_row_bytes()
        peer = PlainLog(folder / "peer.sqlite3", row_bytes)
        run_block(peer.append, 0.2)
        ours.count, ours.latencies_ms = 0, []
        peer.count = 0
        ours_time = peer_time = 0.0
        progress(f"appending for ≥{sizes.append_seconds:g} s or {sizes.events:,} events (peer in alternate blocks)")
        while ours_time < sizes.append_seconds and ours.count < sizes.events:
            _, spent = run_block(ours.append, BLOCK_S, sizes.events - ours.count)
            ours_time += spent
            _, spent = run_block(peer.append, BLOCK_S)
            peer_time += spent
        appended = ours.count
        checked = audit.verify(store.db, store.public_key)
        peer.close()
        store.close()
    rate, peer_rate = appended / ours_time, peer.count / peer_time
    lat = ours.latencies_ms
    note = (
        f"{appended:,} events in {ours_time:.2f} s (peer {peer.count:,} in {peer_time:.2f} s); event row ≈{row_bytes} "
        f"bytes; per event p50 {percentile(lat, 50):.2f} ms, p99 {percentile(lat, 99):.2f} ms, "
        f"max {max(lat):.1f} ms; chain {'verified' if checked.ok else 'BROKEN: ' + checked.describe()}"
    )
    results.rows.append(Row(SECTION, "store.record, 1 event per transaction, synchronous=FULL", rate, "/s",
                            TARGET_RATE, better="higher", peer=peer_rate, peer_key="A", note=note))
    if peer_rate < TARGET_RATE * 1.5:
        results.notes.append(
            f"Append: the plain peer itself managed only {peer_rate:,.0f} transactions/s ({1000 / peer_rate:.2f} ms "
            "per fsync'd commit): this run was limited by the disk, not by the app; rerun when the disk is quiet"
        )
    return results


def main() -> int:
    return section_main("bench_append", run)


if __name__ == "__main__":
    raise SystemExit(main())
