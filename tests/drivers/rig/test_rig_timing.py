"""Timing over a pty (printed, not asserted: the machine running the tests is shared):
a SCPI query round trip against the 115200-baud line time, and a 50-step plan's overhead beyond
its programmed waits (target: under 5 % of the plan's time)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from app.core.testplans import Verdict
from app.core.testplans_loader import parse_plan
from app.services.rig_plans import PlanRunner, close_rigs, connect_plan_rigs
from drivers.rig.identity import RigProtocol
from drivers.rig.scpi import ScpiInstrument
from drivers.rig.session import connect_rig
from drivers.sim.rigs.profiles import SimBench

BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit


def test_query_round_trip_against_line_time(sim_bench: Callable[..., SimBench]) -> None:
    bench = sim_bench("charger-bench")
    load = connect_rig(RigProtocol.SCPI, bench.ports["load"])
    assert isinstance(load, ScpiInstrument)
    try:
        samples = []
        for _ in range(200):
            started = time.perf_counter()
            answer = load.query("MEAS:VOLT?")
            samples.append(time.perf_counter() - started)
        line_bytes = len("MEAS:VOLT?\n") + len(answer) + 1
        line_time = line_bytes * BITS_PER_BYTE / 115200
        median = statistics.median(samples)
        p95 = sorted(samples)[int(len(samples) * 0.95)]
        print(f"\nSCPI query over a pty: median {median * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms; "
              f"{line_bytes} bytes take {line_time * 1e3:.3f} ms on a 115200-baud line")
        assert float(answer) > 0
    finally:
        load.close()


def test_fifty_step_plan_overhead(sim_bench: Callable[..., SimBench]) -> None:
    steps = []
    for n in range(25):
        steps.append(f'[[steps]]\nkind = "wait"\nname = "settle {n}"\nseconds = 0.04\n')
        steps.append(f'[[steps]]\nkind = "measure"\nname = "volts {n}"\nrig = "dmm"\nquery = "MEAS:VOLT:DC?"\n'
                     'unit = "V"\nmin = 19.0\nmax = 21.0\n')
    text = ('[plan]\nid = "fifty"\nname = "Fifty steps"\nversion = 1\ndevice_classes = ["bench"]\n\n'
            '[rigs.dmm]\nprotocol = "scpi"\n\n' + "\n".join(steps))
    plan = parse_plan(text, "fifty.toml")
    assert len(plan.steps) == 50
    bench = sim_bench("charger-bench")
    rigs = connect_plan_rigs(plan, bench.ports)
    try:
        started = time.perf_counter()
        result = PlanRunner(plan, rigs, lambda _: "y").run()
        elapsed = time.perf_counter() - started
    finally:
        close_rigs(rigs)
    assert result.verdict is Verdict.PASS
    waits = plan.programmed_wait()
    overhead = elapsed - waits
    print(f"\n50-step plan: {elapsed * 1e3:.1f} ms, programmed waits {waits * 1e3:.0f} ms, overhead "
          f"{overhead * 1e3:.1f} ms = {overhead / elapsed * 100:.1f} % of plan time (target < 5 %)")
