"""The HID scanner grab against a real kernel input device: this machine's kernel has no uinput, so
the test boots the distribution's kernel (which has it as a module) in a QEMU guest with virtme-ng,
over this very file system, and runs tests/drivers/rig/uinput_check.py there as root. A uinput
virtual keyboard types the scans; the bench grabs it with EVIOCGRAB and reads them back.
Takes about a minute and a half under QEMU's software CPU (KVM here cannot run this guest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GS = "\x1d"


def _kernel() -> Path:
    """The newest installed kernel whose modules include uinput (Debian: linux-image-amd64)."""
    for kernel in sorted(Path("/boot").glob("vmlinuz-*"), reverse=True):
        release = kernel.name.removeprefix("vmlinuz-")
        if list(Path("/lib/modules", release).rglob("uinput.ko*")):
            return kernel
    raise AssertionError("no kernel with the uinput module in /boot (make install adds linux-image-amd64)")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_grabbed_virtual_scanner_types_for_the_bench_alone() -> None:
    assert os.geteuid() == 0, "the guest's modprobe and /dev/uinput need root"
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / "vng"), "--run", str(_kernel()), "--user", "root", "--memory", "1G", "--disable-kvm",
               "--cpus", "2", "--cwd", str(ROOT), "--exec",
               f"modprobe uinput && {sys.executable} -m tests.drivers.rig.uinput_check"]
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=540, cwd=ROOT, env=env, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    device = report["device"]
    assert device.startswith("/dev/input/event")
    # Exclusive: a second grab is refused, and another reader of the keyboard sees nothing meanwhile.
    assert report["second_grab"] == f"{device} is already grabbed by another program"
    assert report["bystander_saw_keys"] is False
    assert report["codes"] == [f"]C1010950110153000321SN-77821{GS}10B1234", "490154203237518"]
    # A burst nobody read overflowed the kernel's queue: the damaged code is refused, never half-read.
    assert report["after_overflow"][0] == f"incomplete: {device} lost key events mid-scan"
    assert all(not isinstance(code, str) or code.startswith("incomplete") or code == f"]C1010950110153000321SN-77821"
               f"{GS}10B1234" for code in report["after_overflow"])
    # Released at close: the desktop gets the keyboard back.
    assert report["bystander_after_release"] is True
