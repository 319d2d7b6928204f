"""Headless commands over the same services the GUI uses.

Each command module in COMMAND_MODULES adds its parsers and maps its command names to handlers:
STORE_COMMANDS run with the station's store open, STANDALONE_COMMANDS without one (simulators, the hub).
Exit codes (app/cli/common.py): 0 done; 1 a check failed; 2 bad input, with a one-line reason.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from app import APP_NAME, __version__
from app.cli import common, db, drives, grading, phones, records, reports, rigs, selfcheck, sim, sync
from app.core.errors import OperatorError
from app.paths import resolve_data_dir
from app.store.store import Store

# One line per command module; the order is the order of `--help`.
COMMAND_MODULES: tuple[ModuleType, ...] = (records, db, drives, sync, sim, rigs, grading, phones, reports, selfcheck)

StoreCommand = Callable[[Store, argparse.Namespace], int]
StandaloneCommand = Callable[[argparse.Namespace], int]


def _store_commands() -> dict[str, StoreCommand]:
    return {name: fn for module in COMMAND_MODULES for name, fn in getattr(module, "STORE_COMMANDS", {}).items()}


def _standalone_commands() -> dict[str, StandaloneCommand]:
    return {name: fn for module in COMMAND_MODULES
            for name, fn in getattr(module, "STANDALONE_COMMANDS", {}).items()}


def build_parser() -> argparse.ArgumentParser:
    parser = common.BenchParser(prog="refurb-bench", description=f"{APP_NAME}: offline-first refurbishment bench")
    parser.add_argument("--version", action="version", version=f"refurb-bench {__version__}")
    parser.add_argument(
        "--data-dir", help="data folder (default: $REFURB_BENCH_DATA_DIR or ~/.local/share/refurb-bench)"
    )
    parser.add_argument("--simulate", metavar="SCENARIO", help="run the GUI on simulated devices (see 'sim list')")
    parser.add_argument("--lang", choices=("en", "fr"),
                        help="language of the screens (default: the station's setting, else the system's)")
    parser.add_argument("--debug", action="store_true", help="log debug messages")
    parser.add_argument("--json-logging", action="store_true", help="log JSON lines to stderr")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", parser_class=common.BenchParser)
    for module in COMMAND_MODULES:
        module.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not sim.passes_through(args):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.passthrough = extra
    if args.command is None:
        from app.ui.application import run_gui

        return run_gui(args)
    standalone = _standalone_commands()
    if args.command in standalone:
        return standalone[args.command](args)
    from app.log import setup_logging

    data_dir = resolve_data_dir(args.data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        print(f"refurb-bench: {data_dir} is a file, not a data folder — give --data-dir a folder", file=sys.stderr)
        return common.EXIT_BAD_INPUT
    try:
        setup_logging(data_dir if data_dir.exists() else None, debug=args.debug, json_lines=args.json_logging)
        with Store(data_dir) as store:
            return _store_commands()[args.command](store, args)
    except OperatorError as exc:
        print(f"refurb-bench: {exc.message}" + (f" — {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return common.EXIT_BAD_INPUT
