"""Shared fixtures. Tests fail loudly: a WARNING log nobody expected, a Qt warning, a warning of any
kind, or a thread left running fails the test that caused it."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.models import Role
from app.services.intake import IntakeService
from app.settings import Settings
from app.store.store import Store


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_COLLECTOR = pytest.StashKey[_Collector]()
_EXPECTED = pytest.StashKey[bool]()


@pytest.fixture
def log_warnings(request: pytest.FixtureRequest) -> list[logging.LogRecord]:
    """Request this to expect WARNING logs: they are collected here (live) instead of failing the test."""
    request.node.stash[_EXPECTED] = True
    return request.node.stash[_COLLECTOR].records


@pytest.fixture(autouse=True)
def _fail_on_unexpected_warning_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    collector = _Collector()
    request.node.stash[_COLLECTOR] = collector
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    if request.node.stash.get(_EXPECTED, False):
        return
    if collector.records:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"unexpected WARNING logs:\n{lines}")


@pytest.fixture(autouse=True)
def _no_dangling_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while True:
        # Dummy threads are Qt pool threads that once ran Python code; the job-manager fixtures
        # check those by waiting for the pool.
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()
                 and not isinstance(t, threading._DummyThread)]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra, f"threads left running: {extra}"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    with Store(data_dir) as opened:
        yield opened


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[Callable[..., Store]]:
    """Factory for extra stores (e.g. reopening the same folder); all are closed at the end."""
    opened: list[Store] = []

    def make(path: Path | None = None) -> Store:
        s = Store(path or tmp_path / f"data{len(opened)}")
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def intake(store: Store) -> IntakeService:
    """An intake service on a fresh store with an admin (OP-0001, PIN 1234) and a technician
    (OP-0002, PIN 2345); nobody logged in."""
    service = IntakeService(store)
    admin = service.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
    service.add_operator("Sam Okafor", "OP-0002", Role.TECHNICIAN, "2345", by=admin)
    return service
