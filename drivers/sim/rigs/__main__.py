"""``python -m drivers.sim.rigs --profile NAME``: serve a simulated rig bench on pty pairs until killed.

Prints one line per rig, ``ROLE PATH``; open PATH like any serial port (any baud rate). With the
``scanner`` profile each line typed on stdin is sent as a scan (``<GS>`` stands for the 0x1D byte).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from drivers.sim.rigs.profiles import PROFILES, UnknownProfile, start_bench
from drivers.sim.rigs.scanner import SerialScannerSim


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drivers.sim.rigs", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="charger-bench", help="bench profile; --list shows them")
    parser.add_argument("--list", action="store_true", help="list the profiles and exit")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for name, description in PROFILES.items():
            print(f"{name:16} {description}")  # noqa: T201
        return 0
    try:
        bench = start_bench(args.profile)
    except UnknownProfile as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with bench:
        for role, path in bench.ports.items():
            print(f"{role} {path}", flush=True)  # noqa: T201
        scanner = bench.devices.get("scanner")
        try:
            if isinstance(scanner, SerialScannerSim):
                for line in sys.stdin:
                    scanner.scan(line.rstrip("\n").replace("<GS>", "\x1d"))
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
