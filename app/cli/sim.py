"""Simulators: `sim list` names the scenarios that `--simulate` accepts."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import EXIT_OK


def add_parsers(sub: Any) -> None:
    sim = sub.add_parser("sim", help="simulators").add_subparsers(dest="action", required=True)
    sim.add_parser("list", help="list simulation scenarios")


def cmd_sim(args: argparse.Namespace) -> int:
    from drivers.sim.scenarios import SCENARIOS

    for name, scenario in sorted(SCENARIOS.items()):
        print(f"{name:<16} {scenario.description}")
    return EXIT_OK


STANDALONE_COMMANDS = {"sim": cmd_sim}
