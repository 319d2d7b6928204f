"""A supervisor may erase a drive outside the bay map, with a reason that is recorded on the certificate;
nobody can talk the interlock out of a mounted device, and a technician cannot override at all."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest

from app.core.errors import OperatorError, PermissionDenied
from app.core.models import Operator, Role
from app.services.erasure import EraseRequest, EraseService
from app.services.intake import IntakeService
from drivers.block.overwrite import VerifyMode
from drivers.block.safety import SUPERVISOR_OVERRIDABLE
from tests.drivers.loop_devices import loop_device

MIB = 1024 * 1024
REASON = "dock 5 was rewired today; bay map update pending"


@pytest.fixture
def supervisor(intake: IntakeService) -> Operator:
    admin = intake.login_pin("Alex Martin", "1234")
    made = intake.add_operator("Pat Lee", "OP-0003", Role.SUPERVISOR, "3456", by=admin)
    intake.logout()
    return made


def technician(intake: IntakeService) -> Operator:
    return intake.login_badge("OP-0002")


def erased_bytes(path: str) -> bytes:
    with open(path, "rb", buffering=0) as handle:
        return handle.read()


def test_only_the_bay_map_refusal_can_be_overridden() -> None:
    assert frozenset({"not_in_bay_map"}) == SUPERVISOR_OVERRIDABLE


def test_an_unmapped_drive_needs_a_supervisor_and_a_real_reason(intake: IntakeService, supervisor: Operator,
                                                                tmp_path: Path) -> None:
    store = intake.store
    with loop_device(tmp_path / "unmapped.img", 8 * MIB) as path:
        before = erased_bytes(path)
        request = EraseRequest(path, "overwrite-zeros", VerifyMode.FULL, allow_loop=True, unit_identifier="OV-0001")
        with pytest.raises(OperatorError, match="not in a bay") as no_reason:
            EraseService(store, supervisor).prepare(request)
        assert "supervisor may override" in no_reason.value.hint
        with pytest.raises(PermissionDenied, match="needs a supervisor; Sam Okafor is a technician"):
            EraseService(store, technician(intake)).prepare(
                EraseRequest(path, allow_loop=True, unit_identifier="OV-0001", override_reason=REASON))
        with pytest.raises(PermissionDenied, match="nobody is logged in"):
            EraseService(store).prepare(EraseRequest(path, allow_loop=True, unit_identifier="OV-0001",
                                                     override_reason=REASON))
        for lame in ("ok", "test", "just do it"):
            with pytest.raises(OperatorError, match="too short"):
                EraseService(store, supervisor).prepare(
                    EraseRequest(path, allow_loop=True, unit_identifier="OV-0001", override_reason=lame))
        assert erased_bytes(path) == before
        assert store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0

        outcome = EraseService(store, supervisor).erase(
            EraseRequest(path, "overwrite-zeros", VerifyMode.FULL, allow_loop=True, unit_identifier="OV-0001",
                         override_reason=f"  {REASON}\n"), threading.Event())
        assert outcome.outcome == "passed", outcome.summary
        assert erased_bytes(path) == bytes(8 * MIB)
    started = json.loads(store.db.execute(
        "SELECT body FROM events WHERE type = 'erasure.started'").fetchone()[0])
    override = started["override"]
    assert override["reason"] == REASON
    assert override["by"] == {"id": supervisor.operator_id, "name": "Pat Lee", "role": "supervisor"}
    assert [r["code"] for r in override["refusals"]] == ["not_in_bay_map"]
    assert outcome.certificate_path is not None
    assert json.loads(Path(outcome.certificate_path).read_text())["certificate"]["override"] == override
    pdf = Path(outcome.certificate_path).with_suffix(".pdf")
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                                   timeout=60).stdout.decode().split())
    lifted = f"{path} is not in a bay of this bench"
    assert f"Interlock override by Pat Lee (supervisor), lifting: {lifted}; reason: “{REASON}”" in text


def test_a_supervisor_cannot_override_a_mounted_device_or_the_loop_flag(intake: IntakeService, supervisor: Operator,
                                                                        tmp_path: Path) -> None:
    store = intake.store
    with loop_device(tmp_path / "mounted.img", 16 * MIB) as path:
        subprocess.run(["mkfs.ext4", "-q", "-F", path], check=True, capture_output=True, timeout=60)
        mount_point = tmp_path / "mnt"
        mount_point.mkdir()
        subprocess.run(["mount", path, str(mount_point)], check=True, capture_output=True, timeout=60)
        try:
            with pytest.raises(OperatorError, match="is mounted at") as refused:
                EraseService(store, supervisor).prepare(
                    EraseRequest(path, allow_loop=True, unit_identifier="OV-0002", override_reason=REASON))
            assert "supervisor" not in refused.value.hint
        finally:
            subprocess.run(["umount", str(mount_point)], check=True, capture_output=True, timeout=60)
        with pytest.raises(OperatorError, match="is a loop device"):
            EraseService(store, supervisor).prepare(
                EraseRequest(path, allow_loop=False, unit_identifier="OV-0002", override_reason=REASON))
    assert store.db.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0
