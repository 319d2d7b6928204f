"""Tampering with the stored event log is caught by ``refurb-bench audit verify``, run as a real process.

Each test copies a prepared data folder, edits its database with raw SQLite (as someone with the file but
without the station key would), and checks the exit code and that the report names the broken event.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pysqlite3.dbapi2 as sqlite3
import pytest

from app.core.identifiers import IdentifierKind
from app.core.models import PartyKind, Role
from app.services.intake import IntakeService
from app.store.store import DB_FILE, Store

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = b"IMEI,Model\n490154203237518,Pixel 7\n356938035643809,iPhone 12\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a dozen events of every common kind; closed, so its WAL is checkpointed."""
    data_dir = tmp_path_factory.mktemp("tamper") / "data"
    with Store(data_dir) as store:
        intake = IntakeService(store)
        admin = intake.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
        intake.login_badge(admin.badge)
        lot = intake.create_lot("LOT-2026-0001", PartyKind.SUPPLIER, "Acme Recyclers", "PO-77", 2)
        intake.import_manifest_file(lot, MANIFEST, "acme.csv")
        intake.add_unit(IdentifierKind.IMEI, "490154203237518", lot_code=lot.code)
        intake.add_unit(IdentifierKind.SERIAL, "C02XK1ABJGH5", lot_code=lot.code)
        intake.add_unit(IdentifierKind.IMEI, "356938035643809")
        intake.logout()
    return data_dir


@pytest.fixture
def data_dir(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(template, copy)  # copy2 keeps the key's 0600 mode
    return copy


@contextlib.contextmanager
def raw_db(data_dir: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(str(data_dir / DB_FILE), isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REFURB_BENCH_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), "audit", "verify"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env=env, check=False,
    )


def last_seq(data_dir: Path) -> int:
    with raw_db(data_dir) as conn:
        return int(conn.execute("SELECT max(seq) FROM events").fetchone()[0])


def seq_of(data_dir: Path, event_type: str) -> int:
    with raw_db(data_dir) as conn:
        return int(conn.execute("SELECT min(seq) FROM events WHERE type = ?", [event_type]).fetchone()[0])


def assert_broken_at(result: subprocess.CompletedProcess[str], seq: int, reason: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert re.search(rf"\bseq {seq}\b", result.stderr), output
    first = re.search(r"broken at event seq (\d+)", result.stderr)
    assert first is not None, output
    assert int(first.group(1)) == seq, output
    assert reason in result.stderr, output
    assert not result.stdout.startswith("ok"), output


def test_template_has_a_middle_to_tamper_with(template: Path) -> None:
    with raw_db(template) as conn:
        types = [r[0] for r in conn.execute("SELECT type FROM events ORDER BY seq")]
    assert types[0] == "station.initialised"
    assert len(types) >= 10
    assert {"operator.added", "lot.created", "lot.manifest_imported", "unit.created", "lot.unit_received"} <= set(types)


def test_clean_log_verifies(data_dir: Path) -> None:
    result = verify(data_dir)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
    assert f"{last_seq(data_dir)} events" in result.stdout
    assert result.stderr == ""


def test_changed_body_is_named(data_dir: Path) -> None:
    seq = seq_of(data_dir, "lot.created")
    with raw_db(data_dir) as conn:
        body = json.loads(conn.execute("SELECT body FROM events WHERE seq = ?", [seq]).fetchone()[0])
        body["party"] = "Someone Else Ltd"
        conn.execute("UPDATE events SET body = ? WHERE seq = ?", [json.dumps(body), seq])
        event_id = conn.execute("SELECT event_id FROM events WHERE seq = ?", [seq]).fetchone()[0]
    result = verify(data_dir)
    assert_broken_at(result, seq, "altered")
    assert event_id in result.stderr


def test_changed_unit_id_is_named(data_dir: Path) -> None:
    """Columns outside the body are covered by the hash too."""
    seq = seq_of(data_dir, "lot.unit_received")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE events SET unit_id = 'U-SOMEONEELSE' WHERE seq = ?", [seq])
    assert_broken_at(verify(data_dir), seq, "altered")


def test_deleted_middle_row_is_named(data_dir: Path) -> None:
    seq = seq_of(data_dir, "lot.manifest_imported")
    assert 1 < seq < last_seq(data_dir)
    with raw_db(data_dir) as conn:
        conn.execute("DELETE FROM events WHERE seq = ?", [seq])
    result = verify(data_dir)
    assert_broken_at(result, seq, f"event seq {seq} is missing")


def test_deleted_newest_row_is_detected_by_the_chain_head(data_dir: Path) -> None:
    newest = last_seq(data_dir)
    with raw_db(data_dir) as conn:
        conn.execute("DELETE FROM events WHERE seq = ?", [newest])
        assert conn.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()[0].startswith(f"{newest}:")
    result = verify(data_dir)
    assert_broken_at(result, newest, "deleted from the end")


def test_deleted_chain_head_is_detected(data_dir: Path) -> None:
    with raw_db(data_dir) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'chain_head'")
    result = verify(data_dir)
    assert result.returncode == 1, result.stdout
    assert "chain head is missing" in result.stderr


def test_changed_signature_is_named(data_dir: Path) -> None:
    seq = seq_of(data_dir, "unit.created")
    with raw_db(data_dir) as conn:
        signature = conn.execute("SELECT signature FROM events WHERE seq = ?", [seq]).fetchone()[0]
        flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
        conn.execute("UPDATE events SET signature = ? WHERE seq = ?", [flipped, seq])
    assert_broken_at(verify(data_dir), seq, "signature")


def test_signature_copied_from_another_event_is_named(data_dir: Path) -> None:
    seq = seq_of(data_dir, "unit.created")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE events SET signature = (SELECT signature FROM events WHERE seq = 1) WHERE seq = ?", [seq])
    assert_broken_at(verify(data_dir), seq, "signature")


def test_changed_prev_hash_is_named(data_dir: Path) -> None:
    seq = seq_of(data_dir, "unit.created")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE events SET prev_hash = ? WHERE seq = ?", ["ab" * 32, seq])
    assert_broken_at(verify(data_dir), seq, "prev_hash")


def _hash_as_documented(row: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, ASCII) of every column but hash and signature,
    written here from the documentation rather than with the app's own function."""
    content = {
        "stream_id": row["stream_id"], "seq": row["seq"], "event_id": row["event_id"], "type": row["type"],
        "schema_version": row["schema_version"], "occurred_at": row["occurred_at"],
        "operator_id": row["operator_id"], "unit_id": row["unit_id"], "body": json.loads(row["body"]),
        "prev_hash": row["prev_hash"],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def test_documented_hash_matches_the_stored_hashes(data_dir: Path) -> None:
    with raw_db(data_dir) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY seq")]
    assert rows
    for row in rows:
        assert _hash_as_documented(row) == row["hash"], row["seq"]


def test_rehashed_body_without_the_key_fails_on_the_signature(data_dir: Path) -> None:
    seq = seq_of(data_dir, "unit.created")
    with raw_db(data_dir) as conn:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("SELECT * FROM events WHERE seq = ?", [seq]).fetchone())
        body = json.loads(row["body"])
        body["identifiers"][0]["value"] = "353918057412344"
        row["body"] = json.dumps(body, sort_keys=True, separators=(",", ":"))
        new_hash = _hash_as_documented(row)
        conn.execute("UPDATE events SET body = ?, hash = ? WHERE seq = ?", [row["body"], new_hash, seq])
    result = verify(data_dir)
    # The content now matches its hash, so the signature is what gives it away.
    assert_broken_at(result, seq, "signature")
    assert "altered" not in result.stderr


# Regression test; the bug it was written for: audit.verify crashes (TypeError traceback from canonical_json) on a
# stored body holding a float, instead of reporting the event as altered
def test_body_changed_to_hold_a_float_is_named(data_dir: Path) -> None:
    seq = seq_of(data_dir, "lot.created")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE events SET body = replace(body, '\"expected_count\":2', '\"expected_count\":2.0') "
                     "WHERE seq = ?", [seq])
        assert "2.0" in conn.execute("SELECT body FROM events WHERE seq = ?", [seq]).fetchone()[0]
    assert_broken_at(verify(data_dir), seq, "altered")


# Regression test; the bug it was written for: audit.verify crashes (JSONDecodeError traceback in
# eventlog.row_to_event) on a stored body that is not JSON, instead of reporting the event as altered
def test_body_that_is_not_json_is_named(data_dir: Path) -> None:
    seq = seq_of(data_dir, "lot.created")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE events SET body = 'not json' WHERE seq = ?", [seq])
    assert_broken_at(verify(data_dir), seq, "altered")


# Regression test; the bug it was written for: audit.verify reports 'ok: 0 events' when every event and the chain head
# are deleted, although meta still holds the station identity (the log of an initialised station cannot be empty)
def test_wiped_log_is_detected(data_dir: Path) -> None:
    with raw_db(data_dir) as conn:
        conn.execute("DELETE FROM events")
        conn.execute("DELETE FROM meta WHERE key = 'chain_head'")
        assert conn.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone() is not None
    result = verify(data_dir)
    assert result.returncode == 1, result.stdout


# Regression test; the bug it was written for: audit.verify crashes (ValueError traceback from int() in audit.py) when
# the stored chain head is not 'seq:hash', instead of reporting the chain head as altered
def test_malformed_chain_head_is_reported(data_dir: Path) -> None:
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE meta SET value = 'garbage' WHERE key = 'chain_head'")
    result = verify(data_dir)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert "chain head" in result.stderr


# Regression test; the bug it was written for: a RecursionError traceback instead of a report.
def test_deeply_nested_body_is_named(data_dir: Path) -> None:
    seq = seq_of(data_dir, "lot.created")
    with raw_db(data_dir) as conn:
        conn.execute("UPDATE events SET body = ? WHERE seq = ?", ['{"po":' + "[" * 100_000 + "]" * 100_000 + "}", seq])
    assert_broken_at(verify(data_dir), seq, "altered")
