"""Simulated rig benches on pty pairs, stopped at the end of each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pytest

from drivers.sim.rigs.faults import RigFaults
from drivers.sim.rigs.profiles import SimBench, start_bench


@pytest.fixture
def sim_bench() -> Iterator[Callable[..., SimBench]]:
    """Factory: ``sim_bench(profile, faults={role: RigFaults}, dut={field: value})``."""
    started: list[SimBench] = []

    def start(profile: str, faults: Mapping[str, RigFaults] | None = None,
              dut: Mapping[str, object] | None = None) -> SimBench:
        started.append(start_bench(profile, faults, dut))
        return started[-1]

    yield start
    for bench in started:
        bench.stop()
