"""Units, lots, operators and the audit: `units`, `lots`, `operators`, `audit` (database upkeep: app/cli/db.py)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_CHECK_FAILED, EXIT_OK, find_unit, print_json, unit_json
from app.core.describe import describe
from app.core.errors import NotFound, OperatorError
from app.core.identifiers import IdentifierKind
from app.core.lifecycle import UnitState
from app.core.models import PartyKind, Role
from app.settings import load_settings
from app.store import audit, queries
from app.store.eventlog import unit_events
from app.store.store import Store


def add_parsers(sub: Any) -> None:
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
            print_json({**unit_json(store, unit), "created": created})
        else:
            print(f"{'created' if created else 'exists'} {unit.unit_id} {unit.label} ({unit.state})")
        return EXIT_OK
    if args.action == "show":
        unit = find_unit(store, args.id)
        timeline = unit_events(store.db, unit.unit_id)
        if args.json:
            print_json({**unit_json(store, unit), "timeline": [
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
        print_json([unit_json(store, u) for u in units])
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
            print_json(issued.to_json())
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
        print_json({"lot": asdict(lot), "expected": p.expected, "received": p.received,
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


STORE_COMMANDS = {"units": cmd_units, "lots": cmd_lots, "operators": cmd_operators, "audit": cmd_audit}
