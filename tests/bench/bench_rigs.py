"""Rigs: query/response round trips over a pty against the 115200-baud line time, and a 50-step plan's
overhead beyond its programmed waits (the median of several runs after a warm-up run).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_rigs [--quick]

A pty carries bytes with no baud pacing, so a round trip over it is pure software: our driver stack
(LinePort framing and validation, the wire log, the protocol class) plus the simulator. The target is
the time the same bytes take on a real 115200-baud 8N1 line: below it, a real rig is limited by its
wire, not by us. Peer [A] is a bare pyserial write + readline to the same simulator, no framing checks
or wire log. The plan row's target is the issue's: overhead under 5 % of the plan's time, i.e. a
wall time under waits / 0.95; peer [B] is the programmed waits themselves, the floor.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import serial

from app.core.testplans import Verdict
from app.core.testplans_loader import parse_plan
from app.services.rig_plans import PlanRunner, close_rigs, connect_plan_rigs
from drivers.rig.at import AtDevice
from drivers.rig.identity import RigProtocol
from drivers.rig.scpi import ScpiInstrument
from drivers.rig.session import connect_rig
from drivers.sim.rigs.profiles import start_bench
from tests.bench.bench_util import Results, Row, Sizes, median, percentile, progress, section_main

SECTION = "Rigs"
BAUD = 115200
BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit
MAX_OVERHEAD = 0.05


def line_time_ms(sent: int, received: int) -> float:
    return (sent + received) * BITS_PER_BYTE / BAUD * 1000


def _samples(fn: Callable[[], object], count: int) -> list[float]:
    for _ in range(20):  # warm-up
        fn()
    out = []
    for _ in range(count):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _bare_pyserial(path: str, command: bytes, end: bytes, count: int) -> list[float]:
    """The peer: write the command and read up to ``end`` with nothing else in between."""
    with serial.Serial(path, BAUD, timeout=1) as port:
        def once() -> None:
            port.write(command)
            answer = port.read_until(end)
            if not answer.endswith(end):
                raise RuntimeError(f"the simulator did not answer {command!r}: {answer!r}")
        return _samples(once, count)


def _scpi(results: Results, count: int) -> None:
    with start_bench("charger-bench") as bench:
        load = connect_rig(RigProtocol.SCPI, bench.ports["load"])
        assert isinstance(load, ScpiInstrument)
        try:
            answer = load.query("MEAS:VOLT?")
            ours = _samples(lambda: load.query("MEAS:VOLT?"), count)
        finally:
            load.close()
        peer = _bare_pyserial(bench.ports["load"], b"MEAS:VOLT?\n", b"\n", count)
    wire = line_time_ms(len("MEAS:VOLT?\n"), len(answer) + 1)
    note = (f"{count} queries each; {len('MEAS:VOLT?') + 1} + {len(answer) + 1} bytes take {wire:.3f} ms on a "
            f"{BAUD}-baud line; ours p50 is {percentile(ours, 50) / wire * 100:.0f} % of that")
    results.rows.append(Row(SECTION, "SCPI query round trip over a pty, p50", percentile(ours, 50), "ms", wire,
                            peer=percentile(peer, 50), peer_key="A", note=note))
    results.rows.append(Row(SECTION, "SCPI query round trip over a pty, p99", percentile(ours, 99), "ms", wire,
                            peer=percentile(peer, 99), peer_key="A"))


def _at(results: Results, count: int) -> None:
    with start_bench("modem") as bench:
        modem = connect_rig(RigProtocol.AT, bench.ports["modem"])
        assert isinstance(modem, AtDevice)
        try:
            ours = _samples(lambda: modem.command("AT+CSQ"), count)
        finally:
            modem.close()
        peer = _bare_pyserial(bench.ports["modem"], b"AT+CSQ\r", b"OK\r\n", count)
    # With echo on: AT+CSQ<CR>, then <CR> echoed, +CSQ line and OK, each framed by CR LF.
    received = len("AT+CSQ\r") + len("\r\n+CSQ: 21,99\r\n") + len("\r\nOK\r\n")
    wire = line_time_ms(len("AT+CSQ\r"), received)
    results.rows.append(Row(SECTION, "AT command round trip (AT+CSQ, echo on), p50", percentile(ours, 50), "ms",
                            wire, peer=percentile(peer, 50), peer_key="A",
                            note=f"{count} commands each; the bytes take {wire:.3f} ms on a {BAUD}-baud line"))


def _fifty_steps(results: Results, wait_s: float, runs: int) -> None:
    steps = []
    for n in range(25):
        steps.append(f'[[steps]]\nkind = "wait"\nname = "settle {n}"\nseconds = {wait_s}\n')
        steps.append(f'[[steps]]\nkind = "measure"\nname = "volts {n}"\nrig = "dmm"\nquery = "MEAS:VOLT:DC?"\n'
                     'unit = "V"\nmin = 19.0\nmax = 21.0\n')
    text = ('[plan]\nid = "fifty"\nname = "Fifty steps"\nversion = 1\ndevice_classes = ["bench"]\n\n'
            '[rigs.dmm]\nprotocol = "scpi"\n\n' + "\n".join(steps))
    plan = parse_plan(text, "fifty.toml")
    times = []
    with start_bench("charger-bench") as bench:
        rigs = connect_plan_rigs(plan, bench.ports)
        try:
            for _ in range(runs + 1):  # the first run warms up (imports, first port buffers) and is not counted
                started = time.perf_counter()
                result = PlanRunner(plan, rigs, lambda _prompt: "y").run()
                times.append(time.perf_counter() - started)
                if result.verdict is not Verdict.PASS:
                    raise RuntimeError(f"the 50-step plan did not pass: {result.first_problem()}")
        finally:
            close_rigs(rigs)
    elapsed = median(times[1:])
    waits = plan.programmed_wait()
    overhead = elapsed - waits
    results.rows.append(Row(
        SECTION, f"50-step plan (25 waits of {wait_s * 1000:.0f} ms, 25 measurements): wall time", elapsed * 1000,
        "ms", waits / (1 - MAX_OVERHEAD) * 1000, peer=waits * 1000, peer_key="B",
        note=f"overhead beyond the programmed waits {overhead * 1000:.1f} ms = {overhead / elapsed * 100:.2f} % of "
             f"the plan's time (target < {MAX_OVERHEAD * 100:.0f} %), {overhead / 50 * 1000:.2f} ms per step; median "
             f"of {runs} runs after a warm-up, runs took {', '.join(f'{s * 1000:.0f}' for s in times[1:])} ms"))


def run(sizes: Sizes) -> Results:
    results = Results(peers={
        "A": "bare pyserial write + read_until to the same simulator: no line validation, wire log or protocol",
        "B": "the plan's programmed waits alone (the floor of its run time)",
    })
    count = 200 if sizes.quick else 1000
    progress(f"round trips over ptys ({count} each)")
    _scpi(results, count)
    _at(results, count)
    progress("a 50-step plan")
    _fifty_steps(results, 0.04, 3 if sizes.quick else 5)
    return results


def main() -> int:
    return section_main("bench_rigs", run)


if __name__ == "__main__":
    raise SystemExit(main())
