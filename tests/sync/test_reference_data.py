"""Reference data from the hub: published as numbered, signed versions; taken whole by the bench;
never switched under a job in flight (the job keeps the version it started with); refused whole
when anything in it does not check; the operator list lets the hub's operators log in."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.errors import OperatorError
from app.core.grading.loader import load_ruleset
from app.core.pins import hash_pin
from app.hub.reference import ReferenceError
from app.services import reference_data
from app.services.intake import IntakeService
from app.services.sync import SyncClient, SyncState, SyncStatus
from app.store.store import Store
from tests.hub.helpers import RunningHub, free_env

ROOT = Path(__file__).resolve().parents[2]
RULESET = "rulesets/phones-ctia-r2-v1.toml"


def _published_folder(folder: Path, title: str = "Phones and tablets: CTIA-style grades, R2 REC, Back Market") -> Path:
    shutil.copytree(ROOT / "resources" / "grading", folder)
    shutil.copytree(ROOT / "resources" / "testplans", folder / "testplans")
    ruleset = folder / RULESET
    text = ruleset.read_text()
    ruleset.write_text(text.replace('title = "Phones and tablets: CTIA-style grades, R2 REC, Back Market"',
                                    f'title = "{title}"'))
    (folder / "operators.json").write_text(json.dumps([
        {"operator_id": "OP-HUB-0042", "name": "Priya Nair", "badge": "OP-0042", "role": "supervisor",
         "pin_hash": hash_pin("4321")},
    ]))
    return folder


def _sync(bench: Path) -> SyncStatus:
    client = SyncClient(bench, timeout=5)
    try:
        return client.sync_once()
    finally:
        client.close()


def test_a_published_version_is_taken_whole_and_never_switched_under_a_job(
    bench: Path, hub: RunningHub, tmp_path: Path
) -> None:
    assert hub.hub.publish_reference(_published_folder(tmp_path / "v1")) == 1
    status = _sync(bench)
    assert (status.state, status.reference_version) == (SyncState.IDLE, 1)
    data = reference_data.for_folder(bench)
    with data.snapshot() as first:
        assert first.version == 1
        assert (first.folder / RULESET).read_text() == (tmp_path / "v1" / RULESET).read_text()
        plans = ROOT / "resources" / "testplans"
        assert [p.relative_to(first.folder / "testplans") for p in first.files("testplans")] == sorted(
            p.relative_to(plans) for p in plans.rglob("*.toml"))

        # A job is in flight on version 1 when version 2 is published and pulled.
        assert hub.hub.publish_reference(_published_folder(tmp_path / "v2", title="Phones, second edition")) == 2
        assert _sync(bench).state is SyncState.IDLE
        assert data.current_version() == 1, "not switched mid-job"
        assert data.pending == 2
        assert load_ruleset(first.folder / RULESET).title.startswith("Phones and tablets")
        with data.snapshot() as second_job:  # a job starting now still gets the version in use
            assert second_job.version == 1
    assert data.current_version() == 2, "applied as the last job ended"
    with data.snapshot() as later:
        assert load_ruleset(later.folder / RULESET).title == "Phones, second edition"
    assert _sync(bench).reference_version == 2


def test_a_bad_file_is_refused_at_the_hub_with_its_line(hub: RunningHub, tmp_path: Path) -> None:
    folder = _published_folder(tmp_path / "bad")
    ruleset = folder / RULESET
    ruleset.write_text(ruleset.read_text().replace("battery_min_pct = 80", "battery_min_pct = \"eighty\""))
    with pytest.raises(OperatorError, match=r"rulesets/phones-ctia-r2-v1\.toml:\d+"):
        hub.hub.publish_reference(folder)
    with hub.storage.transaction() as tx:
        assert tx.latest_reference() is None, "nothing half-published"


def test_the_bench_refuses_data_not_signed_by_its_hub_or_not_matching_its_digests(
    bench: Path, hub: RunningHub, tmp_path: Path, log_warnings: list[Any]
) -> None:
    hub.hub.publish_reference(_published_folder(tmp_path / "v1"))
    with hub.storage.transaction() as tx:
        latest = tx.latest_reference()
    assert latest is not None
    document, signature = json.loads(latest[1]), latest[2]
    data = reference_data.for_folder(bench)
    with pytest.raises(ReferenceError, match="not signed by the hub"):
        data.receive(document, signature, Ed25519PrivateKey.generate().public_key())
    document["files"][0]["content"] += "\n# edited on the way\n"
    with pytest.raises(ReferenceError, match="not signed by the hub"):
        data.receive(document, signature, hub.hub._key.public_key())
    assert data.current_version() == 0
    assert not (bench / "reference" / "v1").exists(), "nothing kept of a refused version"

    # The same edit, re-signed by the hub's key, still fails its digest: content and digest travel together.
    from app.hub import reference

    with pytest.raises(ReferenceError, match="does not match its digest"):
        data.receive(document, reference.sign(document, hub.hub._key), hub.hub._key.public_key())
    status = _sync(bench)  # the genuine version goes through
    assert status.reference_version == 1


def test_the_hub_operator_list_lets_its_operators_log_in(bench: Path, hub: RunningHub, tmp_path: Path) -> None:
    hub.hub.publish_reference(_published_folder(tmp_path / "v1"))
    done = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(bench), "sync", "--once"], cwd=ROOT,
                          env=free_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "operator Priya Nair from the hub can now log in here" in done.stderr
    with Store(bench) as store:
        operator = IntakeService(store).login_pin("Priya Nair", "4321")
        assert (operator.badge, str(operator.role)) == ("OP-0042", "supervisor")
    again = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(bench), "sync", "--once"], cwd=ROOT,
                           env=free_env(), capture_output=True, text=True, timeout=60)
    assert again.returncode == 0
    assert "Priya Nair" not in again.stderr, "added once"
