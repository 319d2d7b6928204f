"""`refurb-bench self-check` from the source tree: it passes here, and it fails, in words, when the
resources it must find are not there."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.cli import main
from app.cli.common import EXIT_CHECK_FAILED, EXIT_OK
from app.cli.selfcheck import cmd_self_check
from app.services import reference_data


def test_self_check_passes_every_check_from_the_source_tree(qtbot: QtBot, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["self-check"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[1:-1]] == ["ok   resources", "ok   sqlite", "ok   erasure", "ok   qt"]
    assert lines[-1] == "all checks passed"


def test_self_check_fails_and_says_why_when_the_resources_are_missing(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(reference_data, "PACKAGED", tmp_path / "no-resources")
    assert cmd_self_check(argparse.Namespace()) == EXIT_CHECK_FAILED
    out = capsys.readouterr().out
    assert f"FAIL resources: CheckFailed: the resources folder {tmp_path / 'no-resources'} is missing" in out
    icon = tmp_path / "no-resources" / "icons" / "refurb-bench.svg"
    assert f"FAIL qt: CheckFailed: the icon {icon} is missing" in out
    assert "ok   erasure" in out
    assert "reinstall the package" in out
