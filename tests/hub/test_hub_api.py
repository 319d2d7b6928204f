"""The hub's documented answers, over real HTTP, on each storage backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.identifiers import IdentifierKind
from app.core.models import PartyKind, Role
from app.hub.client import HubClient, HubRefused
from app.hub.protocol import Receipt, event_to_wire, public_key_from_hex
from app.services.intake import IntakeService
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll, load_enrollment
from app.store.eventlog import iter_events
from app.store.store import Store
from tests.hub.helpers import RunningHub, hub_hashes, record_events


def _enrolled_bench(hub: RunningHub, data_dir: Path, name: str = "Bench 1") -> HubClient:
    Store(data_dir).close()
    enroll(data_dir, hub.url, hub.hub.create_enrollment_code(name), timeout=5)
    enrollment = load_enrollment(data_dir)
    assert enrollment is not None
    return HubClient(hub.url, enrollment.access_token, timeout=5)


def _wire_events(data_dir: Path) -> list[dict[str, Any]]:
    with Store(data_dir) as store:
        return [event_to_wire(e) for e in iter_events(store.db)]


def _stream(data_dir: Path) -> str:
    with Store(data_dir) as store:
        return store.stream_id


def test_enrolment_code_works_once(hub: RunningHub, tmp_path: Path) -> None:
    code = hub.hub.create_enrollment_code("Bench 1")
    Store(tmp_path / "a").close()
    enroll(tmp_path / "a", hub.url, code, timeout=5)
    Store(tmp_path / "b").close()
    with pytest.raises(Exception, match="unknown, used or expired"):
        enroll(tmp_path / "b", hub.url, code, timeout=5)
    assert json.loads((tmp_path / "a" / "sync.json").read_text())["bench_name"] == "Bench 1"
    assert (tmp_path / "a" / "sync.json").stat().st_mode & 0o077 == 0


def test_push_answers_per_event_with_a_countersigned_receipt(hub: RunningHub, tmp_path: Path) -> None:
    data_dir = tmp_path / "bench"
    client = _enrolled_bench(hub, data_dir)
    record_events(data_dir, 9)
    events, stream = _wire_events(data_dir), _stream(data_dir)
    first = client.push(stream, {"events": events[:6]})
    assert [r["status"] for r in first["results"]] == ["stored"] * 6
    # the same seqs again, overlapping with new ones: duplicates are harmless
    second = client.push(stream, {"events": events[4:]})
    assert [r["status"] for r in second["results"]] == ["duplicate"] * 2 + ["stored"] * 4
    assert second["hwm"] == 10
    receipt = Receipt.from_wire(second["receipt"])
    assert receipt.verify(public_key_from_hex(hub.hub.public_key_hex))
    forged = Receipt(receipt.stream_id, receipt.hwm + 1, receipt.hwm_hash, receipt.ts, receipt.server_sig)
    assert not forged.verify(public_key_from_hex(hub.hub.public_key_hex))
    assert client.cursor(stream)["hwm"] == 10


def test_out_of_order_batches_hold_the_mark_until_the_gap_fills(hub: RunningHub, tmp_path: Path) -> None:
    data_dir = tmp_path / "bench"
    client = _enrolled_bench(hub, data_dir)
    record_events(data_dir, 9)
    events, stream = _wire_events(data_dir), _stream(data_dir)
    assert client.push(stream, {"events": events[5:]})["hwm"] == 0
    assert client.push(stream, {"events": events[:5]})["hwm"] == 10


def test_tampered_event_is_rejected_and_the_stream_flows_on(
    hub: RunningHub, tmp_path: Path, log_warnings: list[Any]
) -> None:
    data_dir = tmp_path / "bench"
    client = _enrolled_bench(hub, data_dir)
    record_events(data_dir, 5)
    events, stream = _wire_events(data_dir), _stream(data_dir)
    events[2]["body"]["label"] = "altered"
    reply = client.push(stream, {"events": events})
    assert [r["status"] for r in reply["results"]] == ["stored", "stored", "rejected", "stored", "stored", "stored"]
    assert reply["results"][2]["code"] == "bad_hash"
    assert reply["hwm"] == 6, "a rejected event leaves a tombstone the mark passes"
    assert (stream, 3) not in hub_hashes(hub.storage)
    assert any("seq 3 rejected" in r.getMessage() for r in log_warnings)


def test_different_body_at_a_held_seq_is_a_conflict_that_stops_the_stream(
    hub: RunningHub, tmp_path: Path, log_warnings: list[Any]
) -> None:
    data_dir = tmp_path / "bench"
    client = _enrolled_bench(hub, data_dir)
    record_events(data_dir, 3)
    events, stream = _wire_events(data_dir), _stream(data_dir)
    client.push(stream, {"events": events})
    other = tmp_path / "other"
    record_events(other, 3, start=100)  # a different log, signed by another key, re-labelled as this stream
    forged = _wire_events(other)[2]
    forged["stream_id"] = stream
    reply = client.push(stream, {"events": [forged]})
    assert reply["results"][0]["status"] == "conflict"
    assert reply["status"] == "flagged"
    with pytest.raises(HubRefused) as refused:
        client.push(stream, {"events": events})
    assert refused.value.status == 409
    assert client.cursor(stream)["status"] == "flagged"
    assert any("stopped" in r.getMessage() for r in log_warnings)


def test_bad_token_is_401_and_revoked_bench_403(hub: RunningHub, tmp_path: Path, log_warnings: list[Any]) -> None:
    data_dir = tmp_path / "bench"
    client = _enrolled_bench(hub, data_dir)
    stream = _stream(data_dir)
    with pytest.raises(HubRefused) as bad:
        HubClient(hub.url, "not-a-token", timeout=5).cursor(stream)
    assert bad.value.status == 401
    hub.hub.revoke("Bench 1")
    with pytest.raises(HubRefused) as revoked:
        client.cursor(stream)
    assert revoked.value.status == 403
    record_events(data_dir, 2)
    sync = SyncClient(data_dir, timeout=5)
    try:
        status = sync.sync_once()
    finally:
        sync.close()
    assert status.state is SyncState.STOPPED
    assert "revoked" in status.last_error
    assert status.pending == 3, "nothing is lost: the events stay pending"


def test_certificate_and_lot_queries(hub: RunningHub, tmp_path: Path) -> None:
    data_dir = tmp_path / "bench"
    client = _enrolled_bench(hub, data_dir)
    with Store(data_dir) as store:
        intake = IntakeService(store)
        admin = intake.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
        intake.login_badge(admin.badge)
        intake.create_lot("LOT-7", PartyKind.CUSTOMER, "Acme", "PO-1", 2)
        intake.add_unit(IdentifierKind.IMEI, "490154203237518", lot_code="LOT-7")
        intake.add_unit(IdentifierKind.IMEI, "356938035643809", lot_code="LOT-7")
    sync = SyncClient(data_dir, timeout=5)
    try:
        assert sync.sync_once().state is SyncState.IDLE
    finally:
        sync.close()
    lot = client.lot("LOT-7")
    assert lot["code"] == "LOT-7"
    assert sorted(u["state"] for u in lot["units"]) == ["received", "received"]
    with pytest.raises(HubRefused) as missing:
        HubClient(hub.url, timeout=5).certificate("C-NOPE")
    assert missing.value.status == 404
