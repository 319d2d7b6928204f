"""The iPhone simulator at the driver's service boundary, one per test, its pair records in the test's
own folder; every simulated phone's timers are stopped and joined when the test ends."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.ios import IPhone, Timeouts
from drivers.sim.ios import SimulatedIPhone, SimulatedLockdown

TEST_TIMEOUTS = Timeouts(command=1.0, trust_wait=3.0, erase_request=2.0, going_down=3.0, reset_return=5.0, poll=0.05)


@pytest.fixture
def lockdown(tmp_path: Path) -> Iterator[SimulatedLockdown]:
    with SimulatedLockdown(tmp_path / "pair-records") as service:
        yield service


@pytest.fixture
def plug(lockdown: SimulatedLockdown) -> Callable[..., tuple[IPhone, SimulatedIPhone]]:
    def plug(profile: str, timeouts: Timeouts = TEST_TIMEOUTS) -> tuple[IPhone, SimulatedIPhone]:
        simulated = lockdown.plug(profile)
        return IPhone(lockdown, simulated.udid, timeouts), simulated
    return plug


@pytest.fixture
def later() -> Iterator[Callable[[float, Callable[[], None]], None]]:
    """Run an action after a delay on a timer thread (a technician's hand); joined at the end."""
    timers: list[threading.Timer] = []

    def schedule(seconds: float, action: Callable[[], None]) -> None:
        timer = threading.Timer(seconds, action)
        timers.append(timer)
        timer.start()

    yield schedule
    for timer in timers:
        timer.cancel()
        timer.join()
