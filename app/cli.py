"""Headless commands over the same services the GUI uses.

Exit codes: 0 done; 1 a check failed (audit verify); 2 bad input, with a one-line reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

from app import APP_NAME, __version__
from app.core.describe import describe
from app.core.errors import NotFound, OperatorError
from app.core.identifiers import IdentifierKind
from app.core.lifecycle import UnitState
from app.core.models import PartyKind, Role, Unit
from app.paths import resolve_data_dir
from app.settings import load_settings
from app.store import audit, queries
from app.store.db import backup_to
from app.store.eventlog import unit_events
from app.store.store import Store

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line (exit 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="refurb-bench", description=f"{APP_NAME}: offline-first refurbishment bench")
    parser.add_argument("--version", action="version", version=f"refurb-bench {__version__}")
    parser.add_argument(
        "--data-dir", help="data folder (default: $REFURB_BENCH_DATA_DIR or ~/.local/share/refurb-bench)"
    )
    parser.add_argument("--simulate", metavar="SCENARIO", help="run the GUI on simulated devices (see 'sim list')")
    parser.add_argument("--debug", action="store_true", help="log debug messages")
    parser.add_argument("--json-logging", action="store_true", help="log JSON lines to stderr")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    units = sub.add_parser("units", help="add, show and list units").add_subparsers(dest="action", required=True)
    add = units.add_parser("add", help="create a unit (or find the existing one)")
    which = add.add_mutually_exclusive_group(required=True)
    for kind in ("imei", "serial", "meid", "asset-tag"):
        which.add_argument(f"--{kind}", metavar="X")
    add.add_argument("--lot", metavar="CODE", help="receive it into this lot")
    add.add_argument("--model", default="")
    add.add_argument("--operator", metavar="BADGE", help="record the action under this operator's badge")
    add.add_argument("--json", action="store_true")
    show = units.add_parser("show", help="one unit and its timeline")
    show.add_argument("id", help="unit id or any of its identifiers")
    show.add_argument("--json", action="store_true")
    lst = units.add_parser("list", help="units, newest first")
    lst.add_argument("--search", default="", help="identifier prefix, model, or lot code")
    lst.add_argument("--state", choices=[s.value for s in UnitState])
    lst.add_argument("--lot", metavar="CODE")
    lst.add_argument("--limit", type=int, default=200)
    lst.add_argument("--json", action="store_true")

    lots = sub.add_parser("lots", help="inbound lots").add_subparsers(dest="action", required=True)
    create = lots.add_parser("create", help="create a lot")
    create.add_argument("--code", required=True, help="lot code, e.g. LOT-2026-0042")
    party = create.add_mutually_exclusive_group(required=True)
    party.add_argument("--supplier")
    party.add_argument("--customer")
    create.add_argument("--po", default="")
    create.add_argument("--expected", type=int, default=0, help="expected unit count")
    imp = lots.add_parser("import", help="import a manifest CSV into a lot")
    imp.add_argument("code")
    imp.add_argument("file", type=Path)
    lshow = lots.add_parser("show", help="a lot's expected / received / unexpected counts")
    lshow.add_argument("code")
    lshow.add_argument("--json", action="store_true")
    lots.add_parser("list", help="all lots")
    lcert = lots.add_parser("certificate", help="issue the lot's certificate of data destruction (JSON and PDF)")
    lcert.add_argument("code")
    lcert.add_argument("--out", type=Path, metavar="DIR", help="where to write it (default: data folder)")
    lcert.add_argument("--operator", metavar="BADGE", help="issue it under this operator")
    lcert.add_argument("--json", action="store_true")

    ops = sub.add_parser("operators", help="bench operators").add_subparsers(dest="action", required=True)
    oadd = ops.add_parser("add", help="add an operator (after the first, an admin must authorise)")
    oadd.add_argument("--name", required=True)
    oadd.add_argument("--badge", required=True, help="badge code, e.g. OP-0042")
    oadd.add_argument("--role", choices=[r.value for r in Role], default="technician")
    oadd.add_argument("--pin", required=True, help="4-12 digits")
    oadd.add_argument("--admin", metavar="NAME", help="the admin authorising this")
    oadd.add_argument("--admin-pin", metavar="PIN")
    ops.add_parser("list", help="all operators")

    aud = sub.add_parser("audit", help="verify the event log").add_subparsers(dest="action", required=True)
    aud.add_parser("verify", help="check sequence, hash chain and signatures; exit 1 naming the first broken event")

    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="action", required=True)
    bak = db.add_parser("backup", help="write a consistent copy of the database")
    bak.add_argument("path", type=Path)
    db.add_parser("rebuild", help="rebuild the projection tables from the event log")

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
    dsmart = drive.add_parser("smart", help="judge a drive's health from recorded 'smartctl --json' output")
    dsmart.add_argument("file", type=Path)
    dsmart.add_argument("--json", action="store_true")

    erase = sub.add_parser("erase", help="erase a drive (NIST SP 800-88 Clear by verified overwrite)")
    erase.add_argument("device", help="the drive, e.g. /dev/sdb")
    erase.add_argument("--method", default="overwrite-zeros",
                       choices=["overwrite-zeros", "overwrite-ones", "overwrite-random"])
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

    cert = sub.add_parser("cert", help="erasure certificates").add_subparsers(dest="action", required=True)
    cverify = cert.add_parser("verify", help="check a drive or lot certificate (JSON or PDF) offline; "
                                             "exit 1 naming what was altered")
    cverify.add_argument("file", type=Path)
    cverify.add_argument("--key", help="the trusted station public key (hex); default: this station's")

    sim = sub.add_parser("sim", help="simulators").add_subparsers(dest="action", required=True)
    sim.add_parser("list", help="list simulation scenarios")
    return parser


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def _unit_json(store: Store, unit: Unit) -> dict[str, Any]:
    data = asdict(unit)
    data["state"] = str(unit.state)
    lot = queries.lot_by_id(store.db, unit.lot_id) if unit.lot_id else None
    data["lot_code"] = lot.code if lot else None
    return data


def _find_unit(store: Store, ident: str) -> Unit:
    unit = queries.get_unit(store.db, ident) or queries.find_unit(store.db, ident.strip().upper())
    if unit is None:
        raise NotFound(f"No unit with id or identifier {ident}", hint="Try 'units list --search' with the start of it")
    return unit


def cmd_units(store: Store, args: argparse.Namespace) -> int:
    from app.services.intake import IntakeService

    intake = IntakeService(store, load_settings(store.data_dir).rules)
    if args.action == "add":
        if args.operator:
            intake.login_badge(args.operator)
        kind, value = next(
            (IdentifierKind(k.replace("-", "_")), getattr(args, k.replace("-", "_")))
            for k in ("imei", "serial", "meid", "asset-tag") if getattr(args, k.replace("-", "_"))
        )
        unit, created = intake.add_unit(kind, value, lot_code=args.lot, model=args.model)
        if args.json:
            _print_json({**_unit_json(store, unit), "created": created})
        else:
            print(f"{'created' if created else 'exists'} {unit.unit_id} {unit.label} ({unit.state})")
        return EXIT_OK
    if args.action == "show":
        unit = _find_unit(store, args.id)
        timeline = unit_events(store.db, unit.unit_id)
        if args.json:
            _print_json({**_unit_json(store, unit), "timeline": [
                {"seq": e.seq, "type": e.type, "at": e.occurred_at, "operator_id": e.operator_id,
                 "text": describe(e), "body": dict(e.body)} for e in timeline]})
        else:
            print(f"{unit.unit_id}  {unit.state}  {unit.model}")
            for ident in unit.identifiers:
                print(f"  {ident.kind}: {ident.value}")
            for e in timeline:
                print(f"  {e.occurred_at}  {e.operator_id or '-':<16} {describe(e)}")
        return EXIT_OK
    lot_id = None
    if args.lot:
        lot = queries.lot_by_code(store.db, args.lot.upper())
        if lot is None:
            raise NotFound(f"Lot {args.lot} does not exist", hint="See 'lots list'")
        lot_id = lot.lot_id
    units = queries.search_units(store.db, args.search, state=UnitState(args.state) if args.state else None,
                                 lot_id=lot_id, limit=args.limit)
    if args.json:
        _print_json([_unit_json(store, u) for u in units])
    else:
        for u in units:
            print(f"{u.unit_id}  {u.state:<12} {u.label:<20} {u.model}")
    return EXIT_OK


def cmd_lots(store: Store, args: argparse.Namespace) -> int:
    from app.services.intake import IntakeService

    intake = IntakeService(store, load_settings(store.data_dir).rules)
    if args.action == "create":
        kind = PartyKind.SUPPLIER if args.supplier else PartyKind.CUSTOMER
        created = intake.create_lot(args.code, kind, args.supplier or args.customer, args.po, args.expected)
        print(f"created lot {created.code} ({created.lot_id})")
        return EXIT_OK
    if args.action == "list":
        for listed in queries.list_lots(store.db):
            p = queries.lot_progress(store.db, listed, missing_limit=0)
            print(f"{listed.code:<20} {listed.party_kind}:{listed.party:<20} PO {listed.po or '-':<12} "
                  f"expected {p.expected} received {p.received} unexpected {p.unexpected}")
        return EXIT_OK
    if args.action == "certificate":
        from app.services.lot_certificate import issue_lot_certificate

        operator = intake.login_badge(args.operator) if args.operator else None
        out_dir = args.out.expanduser().resolve() if args.out else None
        issued = issue_lot_certificate(store, args.code, out_dir, operator)
        if args.json:
            _print_json(issued.to_json())
        else:
            t = issued.totals
            print(f"lot certificate {issued.certificate_id}: {t['erased']} of {t['units']} unit(s) erased, "
                  f"{t['not_erased']} not erased, {t['not_received']} not received")
            print(f"certificate: {issued.json_path}")
            print(f"printable:   {issued.pdf_path}")
        return EXIT_OK
    lot = queries.lot_by_code(store.db, args.code.strip().upper())
    if lot is None:
        raise NotFound(f"Lot {args.code} does not exist", hint="See 'lots list' or create it with 'lots create'")
    if args.action == "import":
        try:
            data = args.file.read_bytes()
        except OSError as exc:
            raise OperatorError(f"Cannot read {args.file}: {exc.strerror}", hint="Check the path") from exc
        count = intake.import_manifest_file(lot, data, args.file.name)
        print(f"imported {count} manifest lines into {lot.code}")
        return EXIT_OK
    p = queries.lot_progress(store.db, lot)
    if args.json:
        _print_json({"lot": asdict(lot), "expected": p.expected, "received": p.received,
                     "received_expected": p.received_expected, "unexpected": p.unexpected,
                     "outstanding": p.outstanding, "missing": [asdict(m) for m in p.missing]})
    else:
        print(f"{lot.code}: {lot.party_kind} {lot.party}, PO {lot.po or '-'}")
        print(f"  expected {p.expected}, received {p.received} ({p.received_expected} expected, "
              f"{p.unexpected} unexpected), outstanding {p.outstanding}")
    return EXIT_OK


def cmd_operators(store: Store, args: argparse.Namespace) -> int:
    from app.services.intake import IntakeService

    intake = IntakeService(store, load_settings(store.data_dir).rules)
    if args.action == "list":
        for op in queries.list_operators(store.db):
            print(f"{op.badge:<12} {op.role:<11} {op.name}")
        return EXIT_OK
    by = intake.login_pin(args.admin, args.admin_pin or "") if args.admin else None
    op = intake.add_operator(args.name, args.badge, Role(args.role), args.pin, by=by)
    print(f"added {op.name} ({op.role}) with badge {op.badge}")
    return EXIT_OK


def cmd_audit(store: Store, args: argparse.Namespace) -> int:
    report = audit.verify(store.db, store.public_key)
    print(report.describe(), file=sys.stdout if report.ok else sys.stderr)
    return EXIT_OK if report.ok else EXIT_CHECK_FAILED


def cmd_db(store: Store, args: argparse.Namespace) -> int:
    if args.action == "backup":
        path = backup_to(store.db, args.path.expanduser().resolve())
        print(f"backup written to {path}")
    else:
        print(f"rebuilt projections from {store.rebuild_projections()} events")
    return EXIT_OK


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
            _print_json(report.to_json())
        else:
            print(f"{report.verdict}: {report.model} {report.serial}".rstrip())
            for reason in report.reasons:
                print(f"  {reason.level:<7} {reason.text}")
        return EXIT_OK
    drives = DriveService(store).drives(allow_loop=args.allow_loop)
    if args.json:
        _print_json([d.to_json() for d in drives])
        return EXIT_OK
    for d in drives:
        bay = f"bay {d.bay}" if d.bay is not None else "no bay"
        verdict = "erasable" if d.erasable else "; ".join(r.text for r in d.refusals)
        size_gb = d.device.size_bytes / 1e9
        print(f"{d.device.path:<14} {bay:<7} {d.device.transport:<7} {size_gb:>8.1f} GB  {d.device.model} "
              f"{d.device.serial}  — {verdict}")
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
    try:
        outcome = EraseService(store, operator).erase(request, cancel, progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    if args.json:
        _print_json(outcome.to_json())
    else:
        print(f"{outcome.outcome}: {outcome.summary}")
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


COMMANDS: dict[str, Callable[[Store, argparse.Namespace], int]] = {
    "units": cmd_units, "lots": cmd_lots, "operators": cmd_operators, "audit": cmd_audit, "db": cmd_db,
    "bays": cmd_bays, "drive": cmd_drive, "erase": cmd_erase, "cert": cmd_cert,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from app.ui.application import run_gui

        return run_gui(args)
    if args.command == "sim":
        from drivers.sim.scenarios import SCENARIOS

        for name, scenario in sorted(SCENARIOS.items()):
            print(f"{name:<16} {scenario.description}")
        return EXIT_OK
    from app.log import setup_logging

    data_dir = resolve_data_dir(args.data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        print(f"refurb-bench: {data_dir} is a file, not a data folder — give --data-dir a folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        setup_logging(data_dir if data_dir.exists() else None, debug=args.debug, json_lines=args.json_logging)
        with Store(data_dir) as store:
            return COMMANDS[args.command](store, args)
    except OperatorError as exc:
        print(f"refurb-bench: {exc.message}" + (f" — {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return EXIT_BAD_INPUT
