"""Simulators: `sim list` names the GUI scenarios; `sim adb` and `sim rig` serve emulated devices.

`sim adb --port P --profile NAME` serves emulated Android phones that the real adb server attaches with
`adb connect 127.0.0.1:P`; `sim rig --profile NAME` serves serial test rigs on ptys and prints their paths.
Both run until Ctrl+C; their options are the simulators' own (`sim adb --help`).
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import EXIT_OK


def add_parsers(sub: Any) -> None:
    sim = sub.add_parser("sim", help="simulators").add_subparsers(dest="action", required=True)
    sim.add_parser("list", help="list simulation scenarios")
    for name, what in (("adb", "emulated Android phones for the real adb server (see 'sim adb --help')"),
                       ("rig", "serial test rigs on ptys: instruments, modem, set-top box (see 'sim rig --help')")):
        sim.add_parser(name, help=what, add_help=False)  # its options go to the simulator as they are


def passes_through(args: argparse.Namespace) -> bool:
    """Does this command hand the options it does not know to a simulator's own parser?"""
    return args.command == "sim" and args.action in ("adb", "rig")


def cmd_sim(args: argparse.Namespace) -> int:
    if args.action == "adb":
        from drivers.sim.adb.__main__ import main as adb_main

        return adb_main(list(args.passthrough))
    if args.action == "rig":
        from drivers.sim.rigs.__main__ import main as rig_main

        return rig_main(list(args.passthrough))
    from drivers.sim.scenarios import SCENARIOS

    for name, scenario in sorted(SCENARIOS.items()):
        print(f"{name:<16} {scenario.description}")
    return EXIT_OK


STANDALONE_COMMANDS = {"sim": cmd_sim}
