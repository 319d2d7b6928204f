"""packaging/udev/refurb-bench-bay-rules: udev rules from the bay map, giving the bench's group the disks
in its bays and nothing else. A fake sysfs tree and mount table stand for the machine (the script reads
them from REFURB_BENCH_SYSFS and REFURB_BENCH_MOUNTS)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "udev" / "refurb-bench-bay-rules"
SYSTEM_PORT = "pci0000:00/0000:00:02.0/virtio1"
BAY_PORTS = ("pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0",
             "pci0000:00/0000:00:14.0/usb2/2-3/2-3:1.0/host6/target6:0:0/6:0:0:0")


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, str]:
    """A machine whose system disk vda (root on vda1) hangs from SYSTEM_PORT and whose bay 1 holds sdb."""
    sysfs = tmp_path / "sys"
    for port, disk, partition in ((SYSTEM_PORT, "vda", "vda1"), (BAY_PORTS[0], "sdb", "sdb1")):
        disk_dir = sysfs / "devices" / port / "block" / disk
        (disk_dir / partition).mkdir(parents=True)
        (disk_dir / partition / "partition").write_text("1\n")
        (sysfs / "class" / "block").mkdir(parents=True, exist_ok=True)
        os.symlink(disk_dir, sysfs / "class" / "block" / disk)
        os.symlink(disk_dir / partition, sysfs / "class" / "block" / partition)
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/vda1 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\ntmpfs /run tmpfs rw 0 0\n")
    return {"PATH": "/usr/bin:/bin", "REFURB_BENCH_SYSFS": str(sysfs), "REFURB_BENCH_MOUNTS": str(mounts)}


def _rules(bay_list: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(SCRIPT), *args], input=bay_list, capture_output=True, text=True,
                          env=env, timeout=30, check=False)


def test_each_bay_port_gets_group_access_to_its_disk_and_a_stable_link(machine: dict[str, str]) -> None:
    # the same lines `refurb-bench bays list` prints
    done = _rules(f"  1  {BAY_PORTS[0]}  left dock\n  2  {BAY_PORTS[1]}\n", machine)
    assert done.returncode == 0, done.stderr
    rules = [line for line in done.stdout.splitlines() if line and not line.startswith("#")]
    assert rules == [
        'ACTION=="remove", GOTO="refurb_bench_end"',
        'SUBSYSTEM!="block", GOTO="refurb_bench_end"',
        'KERNEL=="loop*|ram*|zram*|dm-*|md*|sr*|nbd*", GOTO="refurb_bench_end"',
        f'ENV{{DEVTYPE}}=="disk", DEVPATH=="/devices/{BAY_PORTS[0]}/block/*", GROUP="refurb-bench", MODE="0660", '
        'SYMLINK+="refurb-bench/bay-1"',
        f'ENV{{DEVTYPE}}=="partition", DEVPATH=="/devices/{BAY_PORTS[0]}/block/*", '
        'SYMLINK+="refurb-bench/bay-1-part%n"',
        f'ENV{{DEVTYPE}}=="disk", DEVPATH=="/devices/{BAY_PORTS[1]}/block/*", GROUP="refurb-bench", MODE="0660", '
        'SYMLINK+="refurb-bench/bay-2"',
        f'ENV{{DEVTYPE}}=="partition", DEVPATH=="/devices/{BAY_PORTS[1]}/block/*", '
        'SYMLINK+="refurb-bench/bay-2-part%n"',
        'LABEL="refurb_bench_end"',
    ]
    assert SYSTEM_PORT not in done.stdout


def test_the_group_can_be_named(machine: dict[str, str]) -> None:
    done = _rules(f"1 {BAY_PORTS[0]}\n", machine, "--group", "bench-ops")
    assert done.returncode == 0, done.stderr
    assert 'GROUP="bench-ops"' in done.stdout
    assert 'GROUP="refurb-bench"' not in done.stdout


def test_the_port_of_the_root_file_system_is_refused_and_nothing_is_written(machine: dict[str, str]) -> None:
    done = _rules(f"1 {BAY_PORTS[0]}\n2 {SYSTEM_PORT}\n", machine)
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"bay 2: port {SYSTEM_PORT} holds a disk with a mounted file system (/)" in done.stderr


@pytest.mark.parametrize(("line", "reason"), [
    ("1 pci0000:00/*", "holds a pattern or quote character"),
    ('1 pci0000:00/0000:00:17.0"', "holds a pattern or quote character"),
    ("1 virtual/loop3", "is a virtual device (loop), not a port"),
    ("one pci0000:00/0000:00:17.0/ata3", "is not a number"),
    ("1", "has no port key"),
    ("", "no bays in the input"),
])
def test_a_bay_list_that_could_match_other_disks_is_refused(machine: dict[str, str], line: str, reason: str) -> None:
    done = _rules(line + "\n", machine)
    assert done.returncode == 2
    assert done.stdout == ""
    assert reason in done.stderr
