"""`make package` end to end: build the self-contained archive, install it under a scratch root as a new
bench would, and run `--version` and `self-check` from the installed program with a clean environment.

The build takes one to two minutes (PyInstaller reuses its analysis cache in build/pyinstaller).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from app import __version__

REPO = Path(__file__).resolve().parents[2]
ARCHIVE = f"refurb-bench-{__version__}-linux-x86_64"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(["sh", str(REPO / "packaging" / "build-package.sh"), sys.executable, str(out)],
                   check=True, timeout=1200, cwd=REPO, capture_output=True)
    return out / f"{ARCHIVE}.tar.gz"


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_built_archive_holds_program_desktop_entry_icons_udev_helper_and_hub_unit(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    for member in ("install.sh", "README.md", "refurb-bench/refurb-bench", "refurb-bench/_internal/resources",
                   "share/refurb-bench.desktop", "share/icons/refurb-bench.svg",
                   "share/icons/hicolor/256x256/apps/refurb-bench.png", "udev/refurb-bench-bay-rules",
                   "systemd/refurb-bench-hub.service", "systemd/refurb-bench-hub.sysusers"):
        assert f"{ARCHIVE}/{member}" in names
    assert not any("/resources/screenshots" in name for name in names)


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_installed_package_reports_its_version_and_passes_its_self_check_in_a_clean_environment(
        archive: Path) -> None:
    smoke = subprocess.run(["sh", str(REPO / "packaging" / "smoke-package.sh"), str(archive)],
                           capture_output=True, text=True, timeout=600, env={"PATH": "/usr/bin:/bin"})
    lines = smoke.stdout.splitlines()
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert f"refurb-bench {__version__}" in lines
    assert f"refurb-bench {__version__} self-check (built package)" in lines
    assert [line.split(":")[0] for line in lines if line.startswith(("ok ", "FAIL "))] == [
        "ok   resources", "ok   sqlite", "ok   erasure", "ok   qt"]
    assert lines[-1] == "all checks passed"
