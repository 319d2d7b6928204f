"""Real loop devices for tests (root): attach a sparse file, always detach."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def loop_device(backing: Path, size: int) -> Iterator[str]:
    """Attach ``backing`` (created sparse at ``size`` bytes if missing) and yield /dev/loopN."""
    if not backing.exists():
        with backing.open("wb") as handle:
            handle.truncate(size)
    device = subprocess.run(
        ["losetup", "--find", "--show", str(backing)], check=True, capture_output=True, text=True
    ).stdout.strip()
    try:
        yield device
    finally:
        subprocess.run(["umount", "-q", "--all-targets", device], capture_output=True, check=False)
        subprocess.run(["swapoff", device], capture_output=True, check=False)
        subprocess.run(["losetup", "--detach", device], capture_output=True, check=False)
