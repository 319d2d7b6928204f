"""`hub report lot|daily` as real processes against a real hub's storage (SQLite data dir, PostgreSQL):
the files are byte-identical to the bench's `report` of the same events, and refusals are one line with a
hint (exit 2), as on the bench."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.canonical import canonical_json
from app.core.grading.prices import load_price_table
from app.hub.backends import open_postgres, open_sqlite
from app.hub.report_source import PACKAGED_PRICES, hub_price_tables
from app.hub.service import Hub
from app.hub.storage import HubStorage
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.core.kpi_floor import AS_OF, record_floor
from tests.hub.helpers import BACKENDS, free_env, hub_storage, postgres_database
from tests.reports.lot_report_fixture import LOT_K, lot_clock, record_lot

FRIDAY = "2026-12-04"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120,
                          env=free_env())


def refusal(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bench")
    clock = lot_clock()
    with Store(base / "data", clock=clock) as store:
        record_lot(store, clock, base / "certs")
        record_floor(store, clock)
    return base / "data"


def _fill(storage: HubStorage, bench: Path) -> None:
    with Store(bench) as store:
        events = [(e, canonical_json(e.body)) for e in iter_events(store.db)]
    half = len(events) // 2
    for part in (events[half:], events[:half]):   # the newest half arrives first, as after a partition
        with storage.transaction() as tx:
            tx.insert_events(part, AS_OF)


def _bench_file(bench: Path, out: Path, *args: str) -> bytes:
    proc = run_cli("--data-dir", str(bench), "report", *args, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


@contextlib.contextmanager
def filled_hub(backend: str, hub_dir: Path, bench: Path) -> Iterator[list[str]]:
    """A hub holding the bench's events; yields the storage options the CLI needs to open it."""
    hub_dir.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        storage = open_sqlite(hub_dir)
        try:
            _fill(storage, bench)
        finally:
            storage.close()
        yield ["--data-dir", str(hub_dir)]
        return
    with postgres_database() as dsn:
        storage = open_postgres(dsn)
        try:
            _fill(storage, bench)
        finally:
            storage.close()
        yield ["--data-dir", str(hub_dir), "--database", dsn]


@pytest.mark.parametrize("backend", BACKENDS)
def test_hub_report_files_equal_the_benchs(bench: Path, tmp_path: Path, backend: str) -> None:
    with filled_hub(backend, tmp_path / "hub", bench) as options:
        for code in (LOT_K, "LOT-C"):
            for fmt in ("pdf", "csv", "json"):
                out = tmp_path / f"hub-{code}.{fmt}"
                proc = run_cli("hub", "report", "lot", code.lower(), *options,
                               "--format", fmt, "--out", str(out))
                assert proc.returncode == 0, proc.stderr
                assert f"Lot report of {code} (" in proc.stdout
                expected = _bench_file(bench, tmp_path / f"bench-{code}.{fmt}", "lot", code, "--format", fmt)
                assert out.read_bytes() == expected, f"{code} {fmt}"
        for fmt in ("pdf", "csv"):
            out = tmp_path / f"hub-day.{fmt}"
            proc = run_cli("hub", "report", "daily", FRIDAY, *options,
                           "--format", fmt, "--out", str(out))
            assert proc.returncode == 0, proc.stderr
            assert f"Daily production report of {FRIDAY} (every bench) written to {out}" in proc.stdout
            assert out.read_bytes() == _bench_file(bench, tmp_path / f"bench-day.{fmt}", "daily", FRIDAY,
                                                   "--format", fmt)
        assert b"speaker" in (tmp_path / "hub-day.csv").read_bytes()
        assert (tmp_path / "hub-LOT-C.csv").read_text(encoding="utf-8").count("\n") == 5   # title + 4 units


def test_refusals_name_the_problem_and_the_fix(bench: Path, tmp_path: Path) -> None:
    hub_dir = tmp_path / "hub"
    with filled_hub("sqlite", hub_dir, bench):
        pass
    line = refusal(run_cli("hub", "report", "lot", "LOT-2099-0001", "--data-dir", str(hub_dir),
                           "--out", str(tmp_path / "x.pdf")))
    assert line.startswith("refurb-bench: Lot LOT-2099-0001 is not on the hub — ")
    assert "synced" in line
    line = refusal(run_cli("hub", "report", "lot", LOT_K, "--data-dir", str(hub_dir),
                           "--out", str(tmp_path / "missing" / "x.pdf")))
    assert f"Cannot write the report to {tmp_path / 'missing' / 'x.pdf'}" in line
    assert "--out" in line
    line = refusal(run_cli("hub", "report", "daily", "04/12/2026", "--data-dir", str(hub_dir),
                           "--out", str(tmp_path / "d.pdf")))
    assert "YYYY-MM-DD" in line
    line = refusal(run_cli("hub", "report", "lot", LOT_K, "--data-dir", str(tmp_path / "nowhere"),
                           "--out", str(tmp_path / "x.pdf")))
    assert f"{tmp_path / 'nowhere'} holds no hub" in line
    assert "--data-dir" in line
    assert not (tmp_path / "nowhere").exists()   # no empty hub was made there
    line = refusal(run_cli("hub", "report", "lot", LOT_K, "--data-dir", str(hub_dir), "--database",
                           "postgresql://hub:s3cret@127.0.0.1:1/hub", "--out", str(tmp_path / "x.pdf")))
    assert "Cannot open the hub's database 127.0.0.1:1/hub" in line
    assert "s3cret" not in line
    assert "--database" in line
    line = refusal(run_cli("hub", "report", "lot", LOT_K, "--data-dir", str(hub_dir), "--format", "xlsx",
                           "--out", str(tmp_path / "x.xlsx")))
    assert "invalid choice" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub"]   # nothing half-written


def test_the_hub_values_parts_with_every_price_table_it_published(tmp_path: Path) -> None:
    packaged = sorted(PACKAGED_PRICES.glob("*.toml"))
    text = packaged[0].read_text(encoding="utf-8")
    published = tmp_path / "ref" / "prices"
    published.mkdir(parents=True)
    digests = []
    with hub_storage("sqlite", tmp_path / "hub") as storage:
        hub = Hub(storage, Ed25519PrivateKey.generate())
        before = {t.digest for t in hub_price_tables(storage)}
        for version in (2, 3):   # version 3 replaces 2 in the folder; units routed with 2 still name it
            path = published / "phones.toml"
            path.write_text(text.replace("version = 1", f"version = {version}", 1), encoding="utf-8")
            digests.append(load_price_table(path).digest)
            hub.publish_reference(tmp_path / "ref")
        after = {t.digest: t for t in hub_price_tables(storage)}
    assert before == {load_price_table(p).digest for p in packaged}
    assert set(after) == before | set(digests)
    assert [after[d].version for d in digests] == [2, 3]
