"""Grading, labels and boxes from the command line: `grade`, `label`, `box`.

    refurb-bench grade UNIT --inspection FILE.json --operator OP-0002 [--json]
    refurb-bench grade UNIT --override cosmetic=B --reason "…" --operator OP-0001   (a supervisor)
    refurb-bench label render UNIT --format zpl|pdf -o FILE [--dpi 300]
    refurb-bench label print UNIT --printer tcp://HOST:9100|file:///dev/usb/lp0|cups://QUEUE --operator BADGE
    refurb-bench label queue [--retry]
    refurb-bench box create --route resale [--channel backmarket] [--ship road|air|sea] --operator BADGE
    refurb-bench box add BOX UNIT… --operator BADGE
    refurb-bench box close BOX --operator BADGE [--printer URL]

Exit codes: 0 done; 1 a check failed (a label still queued, a unit refused by a box); 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_CHECK_FAILED, EXIT_OK, find_unit, print_json
from app.core.errors import OperatorError
from app.core.grading import RouteKind
from app.core.models import Operator
from app.reports.labels import to_pdf, to_zpl, unit_label
from app.services.grading import GradingService
from app.services.intake import IntakeService
from app.services.labels import LabelTarget, box_print_job, unit_label_data, unit_print_job
from app.services.packing import PackingService
from app.services.print_queue import PrintSpool, deliver
from app.settings import load_settings
from app.store.store import Store
from drivers.printer import PrinterError


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    grade = sub.add_parser("grade", help="grade and route a unit from an inspection file")
    grade.add_argument("unit", help="unit id or any identifier (IMEI, serial)")
    grade.add_argument("--inspection", type=Path, help="the inspection as JSON (see resources/grading/README)")
    grade.add_argument("--override", metavar="SCALE=GRADE|route=ROUTE",
                       help="a supervisor's override: cosmetic=B, backmarket=Good, route=recycle, "
                       "route=resale:wholesale")
    grade.add_argument("--reason", default="", help="why the override is made (required with --override)")
    grade.add_argument("--operator", metavar="BADGE", required=True, help="who grades (a supervisor to override)")
    grade.add_argument("--json", action="store_true", help="print the grade and route as JSON")

    label = sub.add_parser("label", help="unit labels").add_subparsers(dest="action", required=True)
    render = label.add_parser("render", help="write a unit's label to a file")
    render.add_argument("unit")
    render.add_argument("--format", choices=("zpl", "pdf"), default="pdf")
    render.add_argument("--dpi", type=int, choices=(203, 300), default=203)
    render.add_argument("-o", "--output", type=Path, required=True)
    print_ = label.add_parser("print", help="print a unit's label (queued when the printer cannot take it)")
    print_.add_argument("unit")
    print_.add_argument("--printer", help="tcp://HOST:9100, file:///dev/usb/lp0 or cups://QUEUE (default: settings)")
    print_.add_argument("--dpi", type=int, choices=(203, 300))
    print_.add_argument("--operator", metavar="BADGE", required=True)
    queue = label.add_parser("queue", help="labels waiting for their printer")
    queue.add_argument("--retry", action="store_true", help="send them again now")
    queue.add_argument("--json", action="store_true")

    box = sub.add_parser("box", help="outbound boxes").add_subparsers(dest="action", required=True)
    create = box.add_parser("create", help="open a box for one route")
    create.add_argument("--route", required=True, choices=[k.value for k in RouteKind])
    create.add_argument("--channel", default="", help="for resale boxes: the channel, e.g. backmarket, wholesale")
    create.add_argument("--ship", default="road", choices=("road", "air", "sea"), help="how the box travels")
    create.add_argument("--operator", metavar="BADGE", required=True)
    add = box.add_parser("add", help="pack units into a box")
    add.add_argument("box")
    add.add_argument("units", nargs="+")
    add.add_argument("--operator", metavar="BADGE", required=True)
    close = box.add_parser("close", help="close a box: manifest CSV and PDF, box label")
    close.add_argument("box")
    close.add_argument("--printer", help="print the box label here (default: settings; none: PDF in the data folder)")
    close.add_argument("--operator", metavar="BADGE", required=True)
    close.add_argument("--json", action="store_true")


def _operator(store: Store, badge: str) -> Operator:
    return IntakeService(store).login_badge(badge)


def _read_inspection(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OperatorError(f"Cannot read {path}: {exc.strerror}", hint="Give the inspection file's path") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OperatorError(f"{path} is not JSON: {exc}", hint="Check the file (a JSON object)") from None
    if not isinstance(data, dict):
        raise OperatorError(f"{path} holds no JSON object", hint="The inspection is one object: device, cosmetic, …")
    return data


def cmd_grade(store: Store, args: argparse.Namespace) -> int:
    operator = _operator(store, args.operator)
    unit = find_unit(store, args.unit)
    service = GradingService(store)
    if args.override:
        scale, _, value = args.override.partition("=")
        if not value:
            raise OperatorError(f"--override {args.override}: give SCALE=GRADE", hint="e.g. --override cosmetic=B")
        if scale == "route":
            kind, _, channel = value.partition(":")
            try:
                route_kind = RouteKind(kind)
            except ValueError:
                raise OperatorError(f"{kind!r} is not a route", hint="resale, repair, parts_harvest or recycle") \
                    from None
            service.override_route(unit.unit_id, route_kind, args.reason, operator, channel=channel)
        else:
            service.override_grade(unit.unit_id, scale, value, args.reason, operator)
        print(f"{unit.label}: {scale} overridden to {value}")
        return EXIT_OK
    if args.inspection is None:
        raise OperatorError("grade needs --inspection FILE.json (or --override)", hint="See refurb-bench grade --help")
    graded = service.grade(unit.unit_id, _read_inspection(args.inspection), operator)
    if args.json:
        print_json({"unit_id": unit.unit_id, "grade_id": graded.grade_id, "route_id": graded.route_id,
                    "grade": graded.grade.to_dict(), "summary": graded.grade.summary,
                    "route": graded.route.to_dict(), "sources": dict(graded.sources)})
    else:
        print(f"{unit.label}: {graded.grade.summary} → {graded.route.kind.value}")
        for reason in (*graded.reasons, *graded.route.reasons):
            print(f"  {reason}")
    return EXIT_OK


def cmd_label(store: Store, args: argparse.Namespace) -> int:
    settings = load_settings(store.data_dir)
    if args.action == "queue":
        return _queue(store, args)
    unit = find_unit(store, args.unit)
    if args.action == "render":
        label = unit_label(unit_label_data(store, unit, settings.labels.lithium_phone))
        data = to_zpl(label, args.dpi).encode("utf-8") if args.format == "zpl" else to_pdf([label])
        args.output.write_bytes(data)
        print(f"wrote {args.output} ({args.format}, {len(data)} bytes)")
        return EXIT_OK
    operator = _operator(store, args.operator)
    url = args.printer or settings.labels.printer
    target = LabelTarget(url, "zpl", args.dpi or settings.labels.dpi) if url else \
        LabelTarget.from_settings(settings.labels, str(store.data_dir))
    job = unit_print_job(store, unit, target, operator.operator_id, phone=settings.labels.lithium_phone)
    error = PrintSpool(store).send_now(job)
    if error:
        print(f"{unit.label}: not printed yet — {error}. The label is queued ({job.job_id}); "
              "'label queue --retry' sends it again", file=sys.stderr)
        return EXIT_CHECK_FAILED
    print(f"{unit.label}: label printed on {target.printer}")
    return EXIT_OK


def _queue(store: Store, args: argparse.Namespace) -> int:
    spool = PrintSpool(store)
    if args.retry:
        failed = 0
        for job in spool.queued():
            try:
                deliver(job)
            except PrinterError as exc:
                spool.failed(job, exc.message)
                failed += 1
            else:
                spool.printed(job)
    jobs = spool.queued()
    if args.json:
        print_json([{"job_id": j.job_id, "description": j.description, "printer": j.printer, "attempts": j.attempts,
                     "last_error": j.last_error, "created_at": j.created_at} for j in jobs])
    else:
        for j in jobs:
            print(f"{j.job_id}  {j.created_at}  {j.description} → {j.printer}  ({j.attempts} tries: {j.last_error})")
        print(f"{len(jobs)} label{'s' if len(jobs) != 1 else ''} queued")
    return EXIT_CHECK_FAILED if jobs and args.retry else EXIT_OK


def cmd_box(store: Store, args: argparse.Namespace) -> int:
    operator = _operator(store, args.operator)
    packing = PackingService(store)
    if args.action == "create":
        box = packing.create(args.route, operator, channel=args.channel, ship_mode=args.ship)
        print(box.box_id)
        return EXIT_OK
    if args.action == "add":
        refused = 0
        for ident in args.units:
            unit = find_unit(store, ident)
            try:
                box = packing.add(args.box, unit, operator)
            except OperatorError as exc:
                refused += 1
                print(f"{unit.label}: {exc.message} — {exc.hint}", file=sys.stderr)
            else:
                print(f"{unit.label}: packed in {box.box_id} (line {box.units})")
        return EXIT_CHECK_FAILED if refused else EXIT_OK
    settings = load_settings(store.data_dir)
    closed = packing.close(args.box, operator, phone=settings.labels.lithium_phone)
    url = args.printer or settings.labels.printer
    target = LabelTarget(url, "zpl", settings.labels.dpi) if url else \
        LabelTarget.from_settings(settings.labels, str(store.data_dir))
    job = box_print_job(store, closed.label, target, operator.operator_id)
    error = PrintSpool(store).send_now(job)
    if args.json:
        print_json({"box_id": closed.box.box_id, "units": closed.box.units, "manifest_csv": str(closed.csv_path),
                    "manifest_pdf": str(closed.pdf_path), "manifest_code": closed.box.manifest_code,
                    "marks": list(closed.box.marks), "label_job": job.job_id, "label_error": error})
    else:
        print(f"{closed.box.box_id} closed: {closed.box.units} units; manifest {closed.csv_path} and {closed.pdf_path}")
        print(f"box label: {'queued — ' + error if error else 'printed on ' + target.printer}")
    return EXIT_CHECK_FAILED if error else EXIT_OK


STORE_COMMANDS = {"grade": cmd_grade, "label": cmd_label, "box": cmd_box}
