"""``python -m drivers.sim.ios --socket PATH --profile NAME``: simulated iPhones on a usbmuxd socket until Ctrl+C.

Point any usbmuxd client at it: ``USBMUXD_SOCKET_ADDRESS=PATH`` (pymobiledevice3, libimobiledevice tools)
or ``UsbmuxLockdown(records, usbmux_address=PATH)``. ``--count 8`` plugs eight phones of the profile;
``--tap-after S`` taps Trust on every phone S seconds after its question shows (a technician at the bench).
``--control`` takes the bench's hands from stdin, one command a line, each answered on stdout once done:
``unplug`` / ``replug`` (every phone, or ``unplug UDID``) -> ``ok unplug``; end of input stops the phones.
A benchmark or test drives phones served by another process this way, so the simulator's TLS work never
competes with the app's for one interpreter lock.
"""

from __future__ import annotations

import argparse
import logging
import select
import signal
import sys
import tempfile
import time
from pathlib import Path

from drivers.sim.ios.device import SimulatedIPhone
from drivers.sim.ios.lockdown import SimulatedLockdown
from drivers.sim.ios.profile import UnknownProfile, load_profile, profile_names
from drivers.sim.ios.usbmuxd import UsbmuxdSimulator


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drivers.sim.ios", description=__doc__.splitlines()[0])
    parser.add_argument("--socket", type=Path, default=Path("/tmp/refurb-sim-usbmuxd"),
                        help="Unix socket to serve usbmuxd on (default /tmp/refurb-sim-usbmuxd)")
    parser.add_argument("--profile", default="iphone13-paired", help="iPhone profile; --list shows them")
    parser.add_argument("--count", type=int, default=1, help="how many phones of this profile")
    parser.add_argument("--tap-after", type=float, default=None,
                        help="tap Trust this many seconds after a phone asks (default: never)")
    parser.add_argument("--control", action="store_true",
                        help="read unplug/replug commands from stdin (see above); stop at end of input")
    parser.add_argument("--list", action="store_true", help="list the profiles and exit")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _obey(plugged: list[SimulatedIPhone]) -> bool:
    """Carry out the commands waiting on stdin (waiting up to 0.2 s for one); False at end of input."""
    while select.select([sys.stdin], [], [], 0.2)[0]:
        line = sys.stdin.readline()
        if not line:
            return False
        verb, *which = line.split()
        chosen = [p for p in plugged if not which or p.udid in which]
        if verb not in ("unplug", "replug") or not chosen:
            print(f"error {line.strip()!r}: say unplug or replug, and a UDID that is served", flush=True)  # noqa: T201
            continue
        for phone in chosen:
            if verb == "unplug":
                phone.unplug()
            else:
                phone.replug()
        print(f"ok {verb}", flush=True)  # noqa: T201
    return True


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for name in profile_names():
            print(f"{name}: {load_profile(name).description}")  # noqa: T201
        return 0
    try:
        load_profile(args.profile)
    except UnknownProfile as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, _interrupt)  # a supervisor's stop ends it as cleanly as Ctrl+C
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background, where Ctrl+C is ignored
    with tempfile.TemporaryDirectory(prefix="sim-iphone-") as scratch, \
            SimulatedLockdown(Path(scratch)) as phones, UsbmuxdSimulator(phones, args.socket):
        plugged = [phones.plug(args.profile) for _ in range(args.count)]
        for phone in plugged:
            print(f"{phone.udid} ({args.profile}) on usbmuxd {args.socket}", flush=True)  # noqa: T201
        asked: dict[str, float] = {}
        try:
            while True:
                if args.control:
                    if not _obey(plugged):
                        return 0
                else:
                    time.sleep(0.2)
                for phone in plugged:
                    if not phone.asking:
                        asked.pop(phone.udid, None)
                    elif args.tap_after is not None and time.monotonic() - asked.setdefault(
                            phone.udid, time.monotonic()) >= args.tap_after:
                        phone.tap_trust()
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
