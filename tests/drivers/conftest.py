"""Fixtures for the block-device tests: real loop devices as root, plain files otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.drivers.overwrite_support import (
    MARKER,
    USE_LOOP,
    Device,
    MiB,
    attach,
    detach,
)


@pytest.fixture
def make_device(tmp_path: Path) -> Iterator[Callable[..., Device]]:
    """Factory: a device of ``size`` bytes pre-filled with MARKER; loop devices are detached at the end."""
    attached: list[str] = []

    def make(size: int, *, offset: int = 0, read_only: bool = False) -> Device:
        backing = tmp_path / f"disk{len(attached)}.img"
        with backing.open("wb") as f:
            for start in range(0, offset + size, MiB):
                f.write(MARKER[:min(MiB, offset + size - start)])
        if not USE_LOOP:
            return Device(str(backing), backing, size)
        attached.append(attach(backing, size, offset=offset, read_only=read_only))
        return Device(attached[-1], backing, size)

    yield make
    for dev in reversed(attached):
        detach(dev)


@pytest.fixture
def loop64(make_device: Callable[..., Device]) -> Device:
    return make_device(64 * MiB)


