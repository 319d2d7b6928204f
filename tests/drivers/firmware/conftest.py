"""Stand-in firmware tools on PATH, driven by a scenario JSON (see standin.py)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drivers.sim.firmware import build_scenario

STANDIN = Path(__file__).with_name("standin.py")
TOOLS = ("hdparm", "nvme", "sg_inq", "sg_vpd", "sg_opcodes", "sg_sanitize", "sg_requests")
DATA = Path(__file__).parents[2] / "data" / "firmware"


@dataclass
class StandIns:
    """The stand-in tools of one test: ``use`` picks the scenario they replay."""

    directory: Path
    scenario_path: Path

    def use(self, scenario: dict[str, Any]) -> None:
        self.scenario_path.write_text(json.dumps(scenario))
        self.scenario_path.with_suffix(".state").unlink(missing_ok=True)

    def use_named(self, name: str, device: str = "/dev/null") -> None:
        self.use(build_scenario(name, device))

    def calls(self) -> list[list[str]]:
        state = self.scenario_path.with_suffix(".state")
        return json.loads(state.read_text()).get("calls", []) if state.exists() else []


def make_standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tools: tuple[str, ...] = TOOLS) -> StandIns:
    """Stand-ins for ``tools`` first on PATH (the rest of PATH stays); for fixtures elsewhere too."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for name in tools:
        (directory / name).symlink_to(STANDIN)
    # The stand-in's "#!/usr/bin/env python3" finds the project's interpreter next on PATH.
    monkeypatch.setenv("PATH", os.pathsep.join([str(directory), os.path.dirname(sys.executable),
                                                os.environ.get("PATH", "")]))
    scenario = tmp_path / "scenario.json"
    monkeypatch.setenv("REFURB_FIRMWARE_SCENARIO", str(scenario))
    return StandIns(directory, scenario)


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIns:
    return make_standins(tmp_path, monkeypatch)


def data(name: str) -> str:
    """A recorded tool output from tests/data/firmware."""
    return (DATA / name).read_text()
