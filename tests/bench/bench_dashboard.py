"""Dashboard refresh on a bench with 1,000,000 events (``--quick``: 100,000): target < 200 ms.

The log is a month of a busy bench: 50,000 units (5,000 quick), each received into a lot, tested on a
rig (six steps, some failing), erased, graded, routed and boxed, about twenty events a unit, one in
twenty held for a blocker; today is the month's last day. It is built once with bulk inserts (set-up
only: hashes and signatures are placeholders, as no figure here reads them) and cached in .bench/ as
``dashboard-<events>-<fingerprint>``; the projection rows the peer reads are inserted beside it.

Figures:

* refresh after 100 new events, p50 and p99: 100 events recorded through ``Store.record`` (five new
  units going through the flow; not timed), then ``KpiService.snapshot`` of today (timed), 30 rounds
  (10 quick), on one service that has folded the log before;
* the same for the week scope (info);
* the first snapshot of a new service: the whole log folded (info: what opening the dashboard costs once).

Peer: a plain SQL ``GROUP BY state`` over the units table of the same database (today's units by state),
which gives stage counts only.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pysqlite3.dbapi2 as sqlite3

from app.core.kpi import period_bounds
from app.core.kpi_snapshot import KpiScope, Period
from app.services.kpi import KpiService
from app.store.migrations import MIGRATIONS
from app.store.store import DB_FILE, Store
from tests.bench.bench_util import BENCH_ROOT, Results, Row, Sizes, percentile, progress, scratch_dir, section_main

SECTION = "Dashboard"
GENERATOR_VERSION = 1
SEED = 20261204
EVENTS_PER_UNIT = 19.2  # 20 for a unit that goes all the way, 5 for one held; boxes
START = datetime(2026, 11, 5, tzinfo=UTC)
DAYS = 30
MODELS = ("Pixel 7", "Pixel 6", "Galaxy S22", "Galaxy A53", "iPhone 12", "iPhone 13", "Moto G Power", "OnePlus 9")
TESTS = ("battery", "speaker", "microphone", "display", "charging", "camera")
GRADES = ("A", "B", "C", "D")
ROUTES = ("resale", "repair", "parts_harvest", "recycle")
OPERATORS = tuple(f"OP-{i:02d}" for i in range(20))
LOTS = tuple(f"LOT-{i:03d}" for i in range(100))


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


Event = tuple[str, dict[str, Any], str | None, str | None]  # type, body, unit, operator


class FlowGenerator:
    """Units going through the flow, as events with their times."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.boxes: dict[int, list[str]] = {}

    def unit(self, number: int, start: datetime) -> Iterator[tuple[datetime, Event]]:
        rng = self.rng
        unit = f"U-{number:07d}"
        model = rng.choice(MODELS)
        op = rng.choice(OPERATORS)
        at = start

        def later(minutes: float) -> datetime:
            nonlocal at
            at = at + timedelta(minutes=rng.uniform(0.5, minutes))
            return at

        def state(frm: str, to: str) -> tuple[datetime, Event]:
            return later(3), ("unit.state_changed", {"from": frm, "to": to}, unit, op)

        box = number // 50
        if number % 50 == 0:
            yield at, ("box.created", {"box_id": f"BOX-{box}", "route": "resale", "ship_mode": "road"}, None, op)
        yield at, ("unit.created", {"identifiers": [{"kind": "imei", "value": f"35{number:013d}"}], "model": model,
                                    "source": "scan"}, unit, op)
        yield at, ("lot.unit_received", {"lot_id": LOTS[number % len(LOTS)], "lot_code": LOTS[number % len(LOTS)],
                                         "expected": True}, unit, None)
        yield state("received", "identified")
        if rng.random() < 0.05:
            yield later(2), ("phone.blockers_checked", {"blockers": [{"kind": "frp", "status": "present",
                                                                       "evidence": "Google account"}],
                                                        "holds": ["frp"]}, unit, op)
            yield state("identified", "on_hold")
            yield from self._close(box, number, at, op)
            return
        yield state("identified", "testing")
        for index, name in enumerate(TESTS, 1):
            verdict = "fail" if rng.random() < 0.04 else "pass"
            yield later(4), ("rig.step_recorded", {
                "run_id": f"RUN-{unit}", "index": index, "name": name, "kind": "measure", "verdict": verdict,
                "message": f"{name} {verdict}", "value": "3.97", "unit": "V", "low": "3.6", "high": "4.3",
                "millis": 850, "cleanup": False, "wire_log": "> MEAS:VOLT?\n< 3.97\n" * 4}, unit, op)
        yield state("testing", "tested")
        yield state("tested", "sanitising")
        erasure = f"E-{unit}"
        yield at, ("erasure.started", {"erasure_id": erasure, "device": {"model": model, "serial": unit},
                                       "method": {"name": "crypto erase"}, "verification": "full",
                                       "seed_hex": "ab" * 16, "sample_seed": number}, unit, op)
        verified = "failed" if rng.random() < 0.01 else "passed"
        outcome = "passed" if verified == "passed" else "failed"
        body: dict[str, Any] = {
            "erasure_id": erasure, "outcome": outcome, "device": {"model": model, "serial": unit},
            "method": {"name": "crypto erase", "category": "purge"},
            "verification": {"method": "full read", "result": verified}, "result": {"summary": "done"},
            "station": {"station_id": "bench"}, "started_at": iso(at), "finished_at": iso(later(25))}
        if outcome == "passed":
            body["certificate_id"] = f"C-{unit}"
        yield at, ("erasure.completed", body, unit, None)
        yield state("sanitising", "sanitised")
        grade = rng.choice(GRADES)
        yield later(5), ("grade.assigned", {
            "grade_id": f"G-{unit}", "ruleset": {"id": "phones", "version": 3, "sha256": "0" * 64},
            "inputs": {"cosmetic": {"screen": "light scratches", "housing": "good"}, "functional":
                       dict.fromkeys(TESTS, "pass")},
            "functional": {"code": "F3", "title": "fully functional", "failed": [], "reasons": []},
            "cosmetic": {"scale": "cosmetic", "title": "Cosmetic", "grade": grade, "reasons": ["light scratches"]},
            "r2": {"functional": "F3", "cosmetic": "C2", "controlled_stream": False},
            "channels": [{"scale": "backmarket", "title": "Back Market", "grade": "Good", "reasons": []}],
            "summary": f"{grade} / F3", "sources": {"functional": "rig.test_completed"}, "photos": []}, unit, op)
        yield state("sanitised", "graded")
        yield later(2), ("route.assigned", {
            "route_id": f"R-{unit}", "grade_id": f"G-{unit}", "route": rng.choice(ROUTES), "value": "120.00",
            "currency": "EUR", "repairs": [], "parts": [], "recycle_weight_g": 180, "battery_removal": False,
            "ships_with_battery": True, "resale_blockers": [], "reasons": ["price table"], "price_table": {}},
            unit, op)
        yield state("graded", "routed")
        self.boxes.setdefault(box, []).append(unit)
        yield later(10), ("box.unit_added", {"box_id": f"BOX-{box}", "line": len(self.boxes[box])}, unit, op)
        yield from self._close(box, number, at, op)

    def _close(self, box: int, number: int, at: datetime, op: str) -> Iterator[tuple[datetime, Event]]:
        """The box of every fifty units closes after the fiftieth."""
        if number % 50 == 49 and self.boxes.get(box):
            yield at + timedelta(minutes=15), ("box.closed", {
                "box_id": f"BOX-{box}", "units": self.boxes.pop(box), "manifest_sha256": "0" * 64,
                "manifest_code": f"M-{box}", "marks": []}, None, op)


def month_of_events(total: int) -> Iterator[tuple[datetime, Event]]:
    """About ``total`` events over DAYS days, in time order (units overlap: a heap merges them)."""
    gen = FlowGenerator(SEED)
    units = int(total / EVENTS_PER_UNIT) + 1
    span = timedelta(days=DAYS) - timedelta(hours=2)
    pending: list[tuple[datetime, int, Event]] = []
    order = 0
    for number in range(units):
        start = START + span * number / units
        # what is older than this unit's start minus a unit's longest flow cannot interleave with it any more
        while pending and pending[0][0] < start - timedelta(hours=4):
            at, _, event = heapq.heappop(pending)
            yield at, event
        for at, event in gen.unit(number, start):
            heapq.heappush(pending, (at, order, event))
            order += 1
    while pending:
        at, _, event = heapq.heappop(pending)
        yield at, event


@dataclass(frozen=True)
class DashboardData:
    folder: Path
    events: int
    as_of: str
    build_seconds: float

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"


def _fingerprint(events: int) -> str:
    with scratch_dir("schema-") as probe:
        Store(probe / "data").close()
        conn = sqlite3.connect(str(probe / "data" / DB_FILE))
        try:
            schema = conn.execute(
                "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name").fetchall()
        finally:
            conn.close()
    text = json.dumps([GENERATOR_VERSION, events, SEED, sorted(m.name for m in MIGRATIONS._migrations), schema])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def ensure(events: int) -> DashboardData:
    """The cached month of ``events`` events, built now if missing or the schema changed."""
    BENCH_ROOT.mkdir(parents=True, exist_ok=True)
    final = BENCH_ROOT / f"dashboard-{events}-{_fingerprint(events)}"
    meta = final / "meta.json"
    if not meta.exists():
        for stale in BENCH_ROOT.glob(f"dashboard-{events}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        building = BENCH_ROOT / f"building-dashboard-{events}-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        progress(f"building a {events:,}-event bench log (once; cached in .bench/{final.name})")
        started = time.perf_counter()
        count, last = _build(building / "data", events)
        (building / "meta.json").write_text(json.dumps({"events": count, "as_of": last,
                                                        "build_seconds": round(time.perf_counter() - started, 1)}))
        os.sync()
        building.rename(final)
    data = json.loads(meta.read_text())
    return DashboardData(final, data["events"], data["as_of"], data["build_seconds"])


def _build(data_dir: Path, events: int) -> tuple[int, str]:
    Store(data_dir).close()  # real schema, station key and its first event
    conn = sqlite3.connect(str(data_dir / DB_FILE), isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    stream, seq, prev = conn.execute("SELECT stream_id, seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO lots (lot_id, code, party_kind, party, po, expected_count, created_at)"
                     " VALUES (?, ?, ?, ?, 'PO', 500, ?)",
                     [(lot, lot, "customer" if i % 2 else "supplier", f"Party {i % 10}", iso(START))
                      for i, lot in enumerate(LOTS)])
    rows: list[tuple[Any, ...]] = []
    units: dict[str, list[Any]] = {}
    last = iso(START)
    for at, (event_type, body, unit, op) in month_of_events(events):
        if seq > events:
            break
        seq += 1
        digest = hashlib.sha256(f"{stream}:{seq}".encode()).hexdigest()
        last = iso(at)
        rows.append((seq, stream, f"ev-{seq}", event_type, 2 if event_type.startswith(("lot.unit", "erasure.")) else 1,
                     last, op, unit, json.dumps(body, sort_keys=True, separators=(",", ":")), prev, digest, "-"))
        prev = digest
        if event_type == "unit.created" and unit:
            units[unit] = [unit, "received", body["model"], None, last, last]
        elif unit in units:
            row = units[unit]
            if event_type == "unit.state_changed":
                row[1] = body["to"]
            elif event_type == "lot.unit_received":
                row[3] = body["lot_id"]
            row[5] = last
        if len(rows) >= 50_000:
            conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            rows.clear()
            progress(f"  {seq:,} events")
    conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO units (unit_id, state, model, lot_id, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)", list(units.values()))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'chain_head'", [f"{seq}:{prev}"])
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return seq, last


def _record_more(store: Store, gen: FlowGenerator, first_unit: int, clock: _Clock) -> None:
    """About 100 new events: five units through the flow, at the bench's clock."""
    start = clock.now
    events = sorted((e for n in range(5) for e in gen.unit(first_unit + n, start)), key=lambda e: e[0])
    with store.transaction():
        for at, (event_type, body, unit, op) in events:
            clock.now = max(clock.now, at)
            store.record(event_type, body, unit_id=unit, operator_id=op)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def run(sizes: Sizes) -> Results:
    events = 100_000 if sizes.quick else 1_000_000
    rounds = 10 if sizes.quick else 30
    results = Results(peers={"A": "plain SQL: SELECT state, count(*) FROM units WHERE updated_at >= today GROUP BY "
                                  "state, on the same database"})
    data = ensure(events)
    results.notes.append(f"Dashboard log: {data.events:,} events (bulk-built once in {data.build_seconds:.0f} s, "
                         f"cached in .bench/{data.folder.name})")
    with scratch_dir("dashboard-") as folder:
        target = folder / "data"
        shutil.copytree(data.data_dir, target)
        os.sync()
        clock = _Clock(datetime.fromisoformat(data.as_of) + timedelta(minutes=1))
        with Store(target, clock=clock) as store:
            as_of = data.as_of
            today = KpiScope(Period.TODAY, *period_bounds(Period.TODAY, as_of))
            week = KpiScope(Period.WEEK, *period_bounds(Period.WEEK, as_of))
            progress("first snapshot: folding the whole log")
            started = time.perf_counter()
            service = KpiService(store)
            first = service.snapshot(today, as_of)
            full_fold = time.perf_counter() - started
            progress(f"folded {first.through_seq:,} events in {full_fold:.1f} s")
            gen = FlowGenerator(SEED + 1)
            ours_today: list[float] = []
            ours_week: list[float] = []
            peer: list[float] = []
            peer_conn = sqlite3.connect(f"file:{target / DB_FILE}?mode=ro", uri=True)
            try:
                for round_ in range(rounds):
                    _record_more(store, gen, 10_000_000 + round_ * 5, clock)
                    as_of = store.now()
                    started = time.perf_counter()
                    snap = service.snapshot(today, as_of)
                    ours_today.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    service.snapshot(week, as_of)
                    ours_week.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    peer_conn.execute("SELECT state, count(*) FROM units WHERE updated_at >= ? GROUP BY state",
                                      [today.start]).fetchall()
                    peer.append((time.perf_counter() - started) * 1000)
            finally:
                peer_conn.close()
            received = snap.stage_counts
    results.rows += [
        Row(SECTION, f"refresh (today) after 100 new events, {data.events // 1000:,}k events, p50",
            percentile(ours_today, 50), "ms", 200.0, peer=percentile(peer, 50), peer_key="A"),
        Row(SECTION, "refresh (today) after 100 new events, p99", percentile(ours_today, 99), "ms", 200.0,
            peer=percentile(peer, 99), peer_key="A"),
        Row(SECTION, "refresh (week) after 100 new events, p50", percentile(ours_week, 50), "ms",
            note=f"p99 {percentile(ours_week, 99):.0f} ms"),
        Row(SECTION, "first snapshot: the whole log folded", full_fold, "s",
            note=f"{first.through_seq:,} events; today: {[f'{k} {v}' for k, v in received.items()]}"),
    ]
    return results


def main() -> int:
    return section_main("bench_dashboard", run)


if __name__ == "__main__":
    raise SystemExit(main())
