"""Lookups on a full bench: ``queries.find_unit`` by exact IMEI and ``queries.search_units`` by
serial prefix (4 to 8 characters), 1,000 random queries each on the cached 1,000,000-unit database.

Target: p99 < 5 ms. Peer: the same lookups as plain SQL on one plain table of the same units (IMEI
and serial as indexed columns, same connection settings), without the app's query layer.

Query values are drawn from the database itself (random rows), so every query has at least one
match; a serial prefix is the first 4–8 characters of a real serial, as a technician would type it.
The database file is read once before timing so both sides run from the OS page cache, as on a
bench that has been in use all day.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.store import queries
from app.store.db import connect
from app.store.store import DB_FILE, Store
from tests.bench import bench_dataset
from tests.bench.bench_util import Results, Row, Sizes, percentile, progress, section_main

SECTION = "Lookup"
TARGET_MS = 5.0
PLAIN_IMEI_SQL = (
    "SELECT unit_id, imei, serial, state, model, lot_id, created_at, updated_at FROM units_plain WHERE imei = ?"
)
PLAIN_PREFIX_SQL = (
    "SELECT unit_id, imei, serial, state, model, lot_id, created_at, updated_at FROM units_plain"
    " WHERE serial >= ? AND serial < ? ORDER BY serial LIMIT 200"
)


def warm_file(path: Path) -> None:
    with path.open("rb") as handle:
        while handle.read(1 << 20):
            pass


def sample_queries(store: Store, count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """``count`` IMEIs and ``count`` serial prefixes taken from random units."""
    rng = random.Random(seed)
    top = int(store.db.execute("SELECT max(rowid) FROM units").fetchone()[0])
    imeis: list[str] = []
    prefixes: list[str] = []
    while len(imeis) < count or len(prefixes) < count:
        rows = store.db.execute(
            "SELECT i.kind, i.value FROM units u JOIN unit_identifiers i ON i.unit_id = u.unit_id WHERE u.rowid = ?",
            [rng.randint(1, top)],
        ).fetchall()
        for kind, value in rows:
            if kind == "imei" and len(imeis) < count:
                imeis.append(value)
            elif kind == "serial" and len(prefixes) < count:
                prefixes.append(value[: rng.randint(4, 8)])
    return imeis, prefixes


def timed(fn: Callable[[str], Any], values: list[str], budget_s: float) -> tuple[list[float], list[Any]]:
    """Milliseconds per call, and each call's result; stops early once ``budget_s`` is spent."""
    times: list[float] = []
    answers: list[Any] = []
    deadline = time.perf_counter() + budget_s
    for value in values:
        started = time.perf_counter_ns()
        answer = fn(value)
        times.append((time.perf_counter_ns() - started) / 1e6)
        answers.append(answer)
        if time.perf_counter() > deadline:
            break
    return times, answers


def by_length(prefixes: list[str], times: list[float]) -> str:
    groups: dict[int, list[float]] = {}
    for prefix, ms in zip(prefixes, times, strict=False):
        groups.setdefault(len(prefix), []).append(ms)
    return ", ".join(
        f"{size} chars {percentile(v, 50):.2f}/{percentile(v, 99):.2f} ms (n={len(v)})"
        for size, v in sorted(groups.items())
    )


def run(sizes: Sizes) -> Results:
    results = Results(peers={
        "P": "plain table of the same units (IMEI, serial as indexed columns), same SQL semantics "
             "(exact match; prefix range in serial order, LIMIT 200), raw pysqlite3, same pragmas",
    })
    dataset = bench_dataset.ensure(sizes.units)
    n = f"{dataset.units // 1000:,}k" if dataset.units < 1_000_000 else f"{dataset.units / 1e6:g}M"
    warm_file(dataset.data_dir / DB_FILE)
    warm_file(dataset.plain_path)
    store = Store(dataset.data_dir)  # opened as the app opens it; the lookups write nothing
    plain = connect(dataset.plain_path).conn  # the app's connection settings, none of its query layer
    try:
        imeis, prefixes = sample_queries(store, sizes.queries)
        warm_imeis, warm_prefixes = sample_queries(store, 50, seed=99)
        progress(f"lookups on {dataset.units:,} units: {len(imeis)} IMEIs, {len(prefixes)} serial prefixes")

        def ours_imei(value: str) -> str | None:
            unit = queries.find_unit(store.db, value)
            return unit.unit_id if unit else None

        def peer_imei(value: str) -> str | None:
            row = plain.execute(PLAIN_IMEI_SQL, [value]).fetchone()
            return row[0] if row else None

        def ours_prefix(value: str) -> int:
            return len(queries.search_units(store.db, value))

        def peer_prefix(value: str) -> int:
            return len(plain.execute(PLAIN_PREFIX_SQL, [value, value + "\U0010ffff"]).fetchall())

        for fn, values in ((ours_imei, warm_imeis), (peer_imei, warm_imeis), (peer_prefix, warm_prefixes)):
            timed(fn, values, 5.0)
        ours_prefix(warm_prefixes[0])

        budget = sizes.query_budget_s
        t_ours_imei, found = timed(ours_imei, imeis, budget)
        t_peer_imei, peer_found = timed(peer_imei, imeis, budget)
        progress("exact IMEI done; serial prefixes next")
        t_peer_prefix, peer_counts = timed(peer_prefix, prefixes, budget)
        t_ours_prefix, counts = timed(ours_prefix, prefixes, budget)

        misses = sum(1 for f in found if f is None) + sum(1 for f in peer_found if f is None)
        if misses:
            results.notes.append(f"{misses} IMEI lookups found nothing (expected 0): the data set is inconsistent")
        if counts != peer_counts[: len(counts)]:
            results.notes.append("search_units and the plain-table peer returned different result counts")

        imei_note = f"n={len(t_ours_imei)} (peer n={len(t_peer_imei)}), {dataset.units:,} units / " \
                    f"{dataset.identifiers:,} identifiers"
        results.rows += [
            Row(SECTION, f"find_unit exact IMEI, {n} units, p50", percentile(t_ours_imei, 50), "ms",
                peer=percentile(t_peer_imei, 50), peer_key="P"),
            Row(SECTION, f"find_unit exact IMEI, {n} units, p99", percentile(t_ours_imei, 99), "ms", TARGET_MS,
                peer=percentile(t_peer_imei, 99), peer_key="P", note=imei_note),
        ]
        stopped = "" if len(t_ours_prefix) == len(prefixes) else \
            f" — stopped after {len(t_ours_prefix)} of {len(prefixes)} queries at the {budget:g} s budget"
        prefix_note = (
            f"n={len(t_ours_prefix)}{stopped}; mean {sum(counts) / len(counts):.0f} units returned (LIMIT 200). "
            f"Ours p50/p99 by prefix length: {by_length(prefixes, t_ours_prefix)}. "
            f"Peer: {by_length(prefixes, t_peer_prefix)}"
        )
        results.rows += [
            Row(SECTION, f"search_units serial prefix 4–8 chars, {n} units, p50", percentile(t_ours_prefix, 50), "ms",
                peer=percentile(t_peer_prefix, 50), peer_key="P"),
            Row(SECTION, f"search_units serial prefix 4–8 chars, {n} units, p99", percentile(t_ours_prefix, 99), "ms",
                TARGET_MS, peer=percentile(t_peer_prefix, 99), peer_key="P", note=prefix_note),
        ]
        if percentile(t_ours_prefix, 99) >= TARGET_MS:
            results.notes.append(f"search_units query plan: {search_plan(store, prefixes[0])}")
    finally:
        plain.close()
        store.close()
    return results


def search_plan(store: Store, prefix: str) -> str:
    """EXPLAIN QUERY PLAN of the SQL search_units actually runs (captured with a trace callback)."""
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        queries.search_units(store.db, prefix)
    finally:
        store.db.conn.set_trace_callback(None)
    main = next((s for s in statements if s.lstrip().upper().startswith("SELECT") and "ORDER BY" in s), None)
    if main is None:
        return "(not captured)"
    plan = store.db.conn.execute("EXPLAIN QUERY PLAN " + main).fetchall()
    return "; ".join(str(row[3]) for row in plan)


def main() -> int:
    return section_main("bench_lookup", run)


if __name__ == "__main__":
    raise SystemExit(main())
