"""``python -m drivers.sim.adb --port P --profile NAME``: emulated phones until Ctrl+C.

Several phones: ``--count 8`` puts eight of the profile on ports P, P+1, … Attach each with
``adb connect 127.0.0.1:PORT``. Ports 5555–5585 are attached by the adb server on its own when it
starts; that is refused unless ``--allow-probed-ports`` says it is meant.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from drivers.sim.adb.fleet import AUTO_PROBED_PORTS, EmulatedPhone
from drivers.sim.adb.profile import UnknownProfile, load_profile, profile_names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drivers.sim.adb", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=6101, help="first TCP port on 127.0.0.1 (default 6101)")
    parser.add_argument("--profile", default="pixel8-a16", help="phone profile; --list shows them")
    parser.add_argument("--count", type=int, default=1, help="how many phones of this profile")
    parser.add_argument("--list", action="store_true", help="list the profiles and exit")
    parser.add_argument("--allow-probed-ports", action="store_true",
                        help="allow ports 5555-5585, which the adb server attaches by itself")
    return parser


async def serve(profile: str, port: int, count: int) -> None:
    phones = [EmulatedPhone(profile, port + i, instance=i) for i in range(count)]
    for phone in phones:
        await phone.start()
        print(f"{phone.state.serial} ({profile}) listening on {phone.address}", flush=True)  # noqa: T201
    try:
        await asyncio.Event().wait()
    finally:
        await asyncio.gather(*(p.stop() for p in phones), return_exceptions=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for name in profile_names():
            print(f"{name:24} {load_profile(name).description}")  # noqa: T201
        return 0
    ports = range(args.port, args.port + args.count)
    if not args.allow_probed_ports and any(p in AUTO_PROBED_PORTS for p in ports):
        print("ports 5555-5585 are attached by the adb server on its own; pick others or pass "  # noqa: T201
              "--allow-probed-ports", file=sys.stderr)
        return 2
    try:
        load_profile(args.profile)
    except UnknownProfile as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.profile, args.port, args.count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
