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


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_install_script_lays_out_program_command_menu_entry_icons_and_hub_service(archive: Path,
                                                                                 tmp_path: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    root = tmp_path / "root"
    done = subprocess.run(["sh", str(tmp_path / "unpacked" / ARCHIVE / "install.sh"), "--root", str(root), "--hub"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"installed refurb-bench {__version__} in {root}/opt/refurb-bench" in done.stdout
    assert (root / "usr/local/bin/refurb-bench").readlink() == Path("/opt/refurb-bench/refurb-bench")
    entry = root / "usr/share/applications/refurb-bench.desktop"
    assert "Exec=/opt/refurb-bench/refurb-bench\n" in entry.read_text()
    assert subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, timeout=30).returncode == 0
    for icon in ("scalable/apps/refurb-bench.svg", "48x48/apps/refurb-bench.png", "256x256/apps/refurb-bench.png"):
        assert (root / "usr/share/icons/hicolor" / icon).stat().st_size > 0
    assert (root / "usr/local/sbin/refurb-bench-bay-rules").stat().st_mode & 0o111
    assert (root / "etc/systemd/system/refurb-bench-hub.service").is_file()
    assert (root / "usr/lib/sysusers.d/refurb-bench-hub.conf").is_file()
