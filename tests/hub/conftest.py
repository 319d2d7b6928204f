"""Every hub test runs on both storage backends: the embedded SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub.helpers import BACKENDS, RunningHub, running_hub


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningHub]:
    with running_hub(request.param, tmp_path / "hub") as running:
        yield running
