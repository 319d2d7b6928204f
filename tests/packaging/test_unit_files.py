"""The desktop entry and the hub's systemd unit, checked by the tools that read them: desktop-file-validate
(desktop-file-utils) and systemd-analyze (systemd), both installed by `make test`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
UNIT = PACKAGING / "systemd" / "refurb-bench-hub.service"
# systemd-analyze security: 0 is fully locked down, 10 is fully exposed; "OK" ends below 2.
MAX_EXPOSURE = 2.0


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed; `make test` installs it (desktop-file-utils, systemd)"
    return path


def test_desktop_entry_is_valid_without_hints() -> None:
    done = subprocess.run([_tool("desktop-file-validate"), str(PACKAGING / "refurb-bench.desktop")],
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0
    assert done.stdout + done.stderr == ""


def _unit_for(tmp_path: Path) -> Path:
    """The unit with its program pointed at a stand-in executable (verify checks that it exists)."""
    program = tmp_path / "refurb-bench"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/refurb-bench/refurb-bench", str(program)))
    return unit


def test_hub_unit_verifies_and_runs_the_hub_as_its_own_user(tmp_path: Path) -> None:
    unit = _unit_for(tmp_path)
    done = subprocess.run([_tool("systemd-analyze"), "verify", str(unit)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    text = UNIT.read_text()
    assert "\nUser=refurb-hub\n" in text
    assert "hub serve --data-dir /var/lib/refurb-bench-hub " in text
    assert "\nStateDirectory=refurb-bench-hub\n" in text
    sysusers = (PACKAGING / "systemd" / "refurb-bench-hub.sysusers").read_text()
    assert re.search(r"^u refurb-hub - .* /var/lib/refurb-bench-hub /usr/sbin/nologin$", sysusers, re.MULTILINE)


def test_hub_unit_is_hardened(tmp_path: Path) -> None:
    done = subprocess.run([_tool("systemd-analyze"), "security", "--offline=true", str(_unit_for(tmp_path))],
                          capture_output=True, text=True, timeout=60, check=False)
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) < MAX_EXPOSURE, done.stdout
