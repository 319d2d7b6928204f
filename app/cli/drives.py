"""The drive bench: `bays`, `drive`, `erase` and `cert`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_CHECK_FAILED, EXIT_OK, print_json
from app.core.erase_methods import METHODS
from app.core.errors import OperatorError
from app.store import queries
from app.store.store import Store

LOOP_TRANSPORTS = ("nvme", "sata-ssd", "sata-hdd", "sas")


def _source(args: argparse.Namespace) -> Any:
    from app.services.drives import KernelDevices

    if args.loop_as and not args.allow_loop:
        raise OperatorError("--loop-as needs --allow-loop", hint="It is for tests on loop devices only")
    return KernelDevices(loop_as=args.loop_as, poll_interval_s=getattr(args, "poll_seconds", 5.0))


def add_parsers(sub: Any) -> None:
    bays = sub.add_parser("bays", help="the bay map: which port is which bay").add_subparsers(
        dest="action", required=True)
    assign = bays.add_parser("assign", help="bind a port (see 'drive list') to a bay number")
    assign.add_argument("bay", type=int)
    assign.add_argument("bay_key", metavar="PORT_KEY")
    assign.add_argument("--label", default="")
    clear = bays.add_parser("clear", help="forget a bay")
    clear.add_argument("bay", type=int)
    bays.add_parser("list", help="the bay map")

    drive = sub.add_parser("drive", help="drives on the bench").add_subparsers(dest="action", required=True)
    dlist = drive.add_parser("list", help="block devices, their bays and whether they may be erased")
    dlist.add_argument("--json", action="store_true")
    dlist.add_argument("--allow-loop", action="store_true", help="treat loop devices as drives (tests)")
    dlist.add_argument("--loop-as", default="", choices=["", *LOOP_TRANSPORTS], help=argparse.SUPPRESS)
    dsmart = drive.add_parser("smart", help="judge a drive's health from recorded 'smartctl --json' output")
    dsmart.add_argument("file", type=Path)
    dsmart.add_argument("--json", action="store_true")

    erase = sub.add_parser("erase", help="erase a drive (NIST SP 800-88 Clear by verified overwrite, or Purge by "
                                         "the drive's own sanitize command)")
    erase.add_argument("device", help="the drive, e.g. /dev/sdb")
    erase.add_argument("--method", default="overwrite-zeros", choices=list(METHODS),
                       help="see 'drive list' for what each drive offers and what the rules recommend")
    erase.add_argument("--verify", default="full", choices=["full", "sample"])
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.add_argument("--allow-loop", action="store_true", help="accept loop devices (tests only)")
    erase.add_argument("--unit", default="", help="the serial on the drive's label, if it reports none")
    erase.add_argument("--restart", action="store_true", help="start over instead of resuming an interrupted erasure")
    erase.add_argument("--operator", metavar="BADGE", help="record the erasure under this operator")
    erase.add_argument("--override-reason", default="", metavar="TEXT",
                       help="a supervisor's reason to erase a drive outside the bay map (needs --operator)")
    erase.add_argument("--json", action="store_true")
    erase.add_argument("--checkpoint-mb", type=int, default=2048, help=argparse.SUPPRESS)
    # Tests only, with --allow-loop: a loop device poses as a drive of this transport, its firmware
    # tools being stand-ins on PATH.
    erase.add_argument("--loop-as", default="", choices=["", *LOOP_TRANSPORTS], help=argparse.SUPPRESS)
    erase.add_argument("--poll-seconds", type=float, default=5.0, help=argparse.SUPPRESS)

    cert = sub.add_parser("cert", help="erasure certificates").add_subparsers(dest="action", required=True)
    cverify = cert.add_parser("verify", help="check a drive or lot certificate (JSON or PDF) offline; "
                                             "exit 1 naming what was altered")
    cverify.add_argument("file", type=Path)
    cverify.add_argument("--key", help="the trusted station public key (hex); default: this station's")


def cmd_bays(store: Store, args: argparse.Namespace) -> int:
    from app.services.drives import DriveService

    service = DriveService(store)
    if args.action == "assign":
        service.assign_bay(args.bay, args.bay_key, args.label)
        print(f"bay {args.bay} is port {args.bay_key}")
    elif args.action == "clear":
        service.clear_bay(args.bay)
        print(f"bay {args.bay} cleared")
    else:
        for bay, key, label in queries.list_bays(store.db):
            print(f"{bay:>3}  {key}  {label}".rstrip())
    return EXIT_OK


def cmd_drive(store: Store, args: argparse.Namespace) -> int:
    from app.services.drives import DriveService

    if args.action == "smart":
        from drivers.block.smart import parse_smartctl

        try:
            data = args.file.read_bytes()
        except OSError as exc:
            raise OperatorError(f"Cannot read {args.file}: {exc.strerror}", hint="Check the path") from exc
        report = parse_smartctl(data)
        if args.json:
            print_json(report.to_json())
        else:
            print(f"{report.verdict}: {report.model} {report.serial}".rstrip())
            for reason in report.reasons:
                print(f"  {reason.level:<7} {reason.text}")
        return EXIT_OK
    from app.services.drives import methods_json

    source = _source(args)
    drives = DriveService(store, source).drives(allow_loop=args.allow_loop)
    listed = [{**d.to_json(), **methods_json(d, source)} for d in drives]
    if args.json:
        print_json(listed)
        return EXIT_OK
    for d, data in zip(drives, listed, strict=True):
        bay = f"bay {d.bay}" if d.bay is not None else "no bay"
        verdict = "erasable" if d.erasable else "; ".join(r.text for r in d.refusals)
        size_gb = d.device.size_bytes / 1e9
        method = data["recommended_method"] or "none"
        print(f"{d.device.path:<14} {bay:<7} {d.device.transport:<7} {size_gb:>8.1f} GB  {d.device.model} "
              f"{d.device.serial}  — {verdict}; recommended: {method} ({data['recommended_category'] or '-'})")
    return EXIT_OK


def cmd_erase(store: Store, args: argparse.Namespace) -> int:
    import signal
    import threading

    from app.services.erasure import EraseRequest, EraseService
    from app.services.intake import IntakeService
    from drivers.block.overwrite import Progress, VerifyMode

    operator = IntakeService(store).login_badge(args.operator) if args.operator else None
    if not args.yes:
        if not sys.stdin.isatty():
            raise OperatorError("Erasing needs confirmation", hint="Add --yes to erase without being asked")
        answer = input(f"Erase {args.device} with {args.method}? Every byte on it will be lost. Type 'erase': ")
        if answer.strip() != "erase":
            raise OperatorError("Not confirmed; nothing was touched", hint="Type erase to confirm")
    cancel = threading.Event()
    # Ctrl+C or a stop request ends the pass cleanly at the next block: recorded as interrupted, resumable.
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    last = [0.0]

    def progress(p: Progress) -> None:
        import time

        if time.monotonic() - last[0] >= 1.0 or p.done_bytes == p.total_bytes:
            last[0] = time.monotonic()
            pct = 100 * p.done_bytes // max(p.total_bytes, 1)
            print(f"{p.phase}: {pct}% ({p.done_bytes:,} of {p.total_bytes:,} bytes, {p.bytes_per_s // 1_000_000} MB/s)",
                  file=sys.stderr)

    request = EraseRequest(args.device, args.method, VerifyMode(args.verify), allow_loop=args.allow_loop,
                           unit_identifier=args.unit, restart=args.restart, override_reason=args.override_reason,
                           checkpoint_every=max(args.checkpoint_mb, 1) * 1024 * 1024)
    source = _source(args)
    try:
        outcome = EraseService(store, operator, devices=source).erase(request, cancel, progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    if args.json:
        print_json(outcome.to_json())
    else:
        print(f"{outcome.outcome}: {outcome.summary}")
        if outcome.hint:
            print(f"hint: {outcome.hint}")
        if outcome.certificate_path:
            print(f"certificate: {outcome.certificate_path}")
            print(f"printable:   {Path(outcome.certificate_path).with_suffix('.pdf')}")
    return EXIT_OK if outcome.outcome == "passed" else EXIT_CHECK_FAILED


def cmd_cert(store: Store, args: argparse.Namespace) -> int:
    from app.core import certificate
    from app.store.keys import public_key_text

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise OperatorError(f"Cannot read {args.file}: {exc.strerror}", hint="Check the path") from exc
    trusted = args.key or public_key_text(store.public_key)
    if data.startswith(b"%PDF"):
        from app.reports.certificate_pdf import embedded_document

        doc = embedded_document(data, certificate.SCHEMAS)  # the signed document travels inside the PDF
    else:
        doc = certificate.loads(data.decode("utf-8", errors="replace"))
    result = certificate.check(doc, trusted)
    if result.ok:
        kind = "lot certificate" if result.is_lot else "certificate"
        print(f"ok: {kind} {result.certificate_id} is intact and signed by station key {trusted[:16]}…")
        return EXIT_OK
    for problem in result.problems:
        print(f"altered: {problem}", file=sys.stderr)
    return EXIT_CHECK_FAILED


STORE_COMMANDS = {"bays": cmd_bays, "drive": cmd_drive, "erase": cmd_erase, "cert": cmd_cert}
