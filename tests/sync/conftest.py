"""Fixtures for the sync tests: a real hub on 127.0.0.1 and an enrolled bench."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.sync_enroll import enroll
from app.store.store import Store
from tests.hub.helpers import RunningHub, running_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    with running_hub("sqlite", tmp_path / "hub") as running:
        yield running


@pytest.fixture
def bench(tmp_path: Path, hub: RunningHub) -> Path:
    """A bench data folder, enrolled with ``hub``."""
    data_dir = tmp_path / "bench"
    Store(data_dir).close()
    code = hub.hub.create_enrollment_code("Bench 1")
    enroll(data_dir, hub.url, code, timeout=5)
    return data_dir
