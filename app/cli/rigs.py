"""Serial test rigs: `rigs ports`, `rigs list`, `rigs bind`, `rigs unbind`, `rigs plans`, `rigs run`, `rigs results`.

`rigs run BAY|PORT --plan ID --unit ID` connects the plan's rigs (a bay's bound ports, or one port for a
one-rig plan, or --rig ROLE=PORT for each), runs it and records every step on the unit as the GUI does.
Operator prompts are answered with --answer KEY, or one line each on stdin. Exit 0 when the plan
passed, 1 when it failed or ended in a rig error, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import Any

from app.cli.common import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, find_unit, print_json
from app.core.errors import OperatorError
from app.core.testplans import StepResult
from app.services.intake import IntakeService
from app.services.rig_bays import RigBayService, available_ports, check_binding, probe_port
from app.services.rig_plans import OperatorPrompt, PromptCancelled
from app.services.rig_results import latest_functional_results
from app.services.rig_tests import RigTestService, number_text
from app.store.store import Store
from drivers.rig.errors import RigError


def add_parsers(sub: Any) -> None:
    rigs = sub.add_parser("rigs", help="serial test rigs: ports, rig bays, plans, runs").add_subparsers(
        dest="action", required=True)
    ports = rigs.add_parser("ports", help="serial ports on this machine, by their stable names")
    ports.add_argument("--json", action="store_true")
    rlist = rigs.add_parser("list", help="the rig bay map")
    rlist.add_argument("--probe", action="store_true", help="ask every bound rig who it is")
    rlist.add_argument("--json", action="store_true")
    bind = rigs.add_parser("bind", help="bind a serial port to a rig bay as one of its rigs")
    bind.add_argument("bay", type=int)
    bind.add_argument("port", help="the port's /dev/serial/by-id/... (or by-path) name")
    bind.add_argument("--role", required=True, help="the rig's role in the plans: load, dmm, psu, modem, console")
    bind.add_argument("--protocol", choices=["scpi", "at", "line"],
                      help="bind even if the rig does not answer now (else it is identified first)")
    bind.add_argument("--operator", metavar="BADGE")
    unbind = rigs.add_parser("unbind", help="unbind one rig of a bay")
    unbind.add_argument("bay", type=int)
    unbind.add_argument("--role", required=True)
    unbind.add_argument("--operator", metavar="BADGE")
    plans = rigs.add_parser("plans", help="the test plans and the rigs each needs")
    plans.add_argument("--json", action="store_true")
    run = rigs.add_parser("run", help="run a test plan on a unit and record it")
    run.add_argument("where", metavar="BAY|PORT", help="a rig bay number, or the port of a one-rig plan")
    run.add_argument("--plan", required=True, metavar="ID")
    run.add_argument("--unit", required=True, metavar="ID", help="the unit's id or one of its identifiers")
    run.add_argument("--rig", action="append", default=[], metavar="ROLE=PORT", help="a rig's port, by role")
    run.add_argument("--answer", metavar="KEY", help="the key that answers every operator prompt")
    run.add_argument("--operator", metavar="BADGE")
    run.add_argument("--json", action="store_true")
    results = rigs.add_parser("results", help="a unit's latest rig results, as grading reads them")
    results.add_argument("unit", metavar="ID")
    results.add_argument("--json", action="store_true")


def _operator(store: Store, args: argparse.Namespace) -> Any:
    return IntakeService(store).login_badge(args.operator) if getattr(args, "operator", None) else None


def cmd_ports(store: Store, args: argparse.Namespace) -> int:
    found = available_ports()
    if args.json:
        print_json([{**asdict(p), "description": p.description} for p in found])
    elif not found:
        print("No serial ports (plug the rig's USB-serial adapter in; simulated rigs: 'refurb-bench sim rig')")
    for port in found:
        print(f"{port.path}  ->  {port.device}" + ("" if port.stable else "  (no stable name)"))
    return EXIT_OK


def cmd_list(store: Store, args: argparse.Namespace) -> int:
    bindings = RigBayService(store).bindings()
    statuses = {b.port: check_binding(b) for b in bindings} if args.probe else {}
    rows = []
    for b in bindings:
        row: dict[str, Any] = {"bay": b.bay, "role": b.role, "port": b.port, "protocol": b.protocol,
                               "identity": b.identity}
        status = statuses.get(b.port)
        if status is not None:
            row.update(state=str(status.state), rig=status.summary)
        rows.append(row)
    if args.json:
        print_json(rows)
        return EXIT_OK
    if not rows:
        print("No rigs bound (refurb-bench rigs bind BAY PORT --role ROLE)")
    for row in rows:
        seen = f"  [{row['state']}: {row['rig']}]" if "state" in row else (f"  ({row['identity']})"
                                                                          if row["identity"] else "")
        print(f"bay {row['bay']:>3}  {row['role']:<8} {row['port']}  {row['protocol']}{seen}")
    return EXIT_OK


def cmd_bind(store: Store, args: argparse.Namespace) -> int:
    service = RigBayService(store, _operator(store, args))
    try:
        identity = probe_port(args.port, args.protocol)
    except OperatorError as exc:
        if args.protocol is None:
            print(f"refurb-bench: {exc.message} — {exc.hint}; not bound (give --protocol to bind it anyway)",
                  file=sys.stderr)
            return EXIT_CHECK_FAILED
        print(f"refurb-bench: warning: {exc.message}; bound anyway as {args.protocol}", file=sys.stderr)
        identity = None
    protocol = str(identity.protocol) if identity is not None else args.protocol
    binding = service.bind(args.bay, args.role, args.port, protocol, identity)
    print(f"Rig bay {binding.bay}: {binding.role} is {binding.port}"
          + (f" — {identity.summary()}" if identity is not None else ""))
    return EXIT_OK


def cmd_unbind(store: Store, args: argparse.Namespace) -> int:
    RigBayService(store, _operator(store, args)).unbind(args.bay, args.role)
    print(f"Rig bay {args.bay}: {args.role} unbound")
    return EXIT_OK


def cmd_plans(store: Store, args: argparse.Namespace) -> int:
    plans = RigTestService(store).plans()
    if args.json:
        print_json([{"id": p.plan_id, "name": p.name, "version": p.version, "device_classes": list(p.device_classes),
                     "rigs": {r.role: r.protocol for r in p.rigs}, "steps": len(p.steps),
                     "grading_tests": list(p.grading_tests)} for p in plans])
        return EXIT_OK
    for p in plans:
        rigs = ", ".join(f"{r.role} ({r.protocol})" for r in p.rigs)
        print(f"{p.plan_id:<26} v{p.version}  {p.name}\n{'':<29}for {', '.join(p.device_classes)}; rigs: {rigs}")
    return EXIT_OK


def _ports(store: Store, args: argparse.Namespace, roles: list[str]) -> tuple[dict[str, str], int | None]:
    given = {}
    for item in args.rig:
        role, sep, port = item.partition("=")
        if not sep or not role or not port:
            raise OperatorError(f"--rig {item!r} is not ROLE=PORT", hint="e.g. --rig load=/dev/serial/by-id/...")
        given[role] = port
    if args.where.isdigit():
        bay = int(args.where)
        return {**RigBayService(store).ports_of(bay), **given}, bay
    missing = [r for r in roles if r not in given]
    if len(missing) > 1:
        raise OperatorError(f"The plan needs rigs for {', '.join(missing)}, not one port",
                            hint="give a rig bay number, or --rig ROLE=PORT for each")
    return ({missing[0]: args.where} if missing else {}) | given, None


def _step_json(result: StepResult) -> dict[str, Any]:
    out: dict[str, Any] = {"index": result.index, "name": result.name, "kind": str(result.kind),
                           "verdict": str(result.verdict), "message": result.message, "cleanup": result.cleanup}
    if result.value is not None:
        out["value"] = number_text(result.value) if isinstance(result.value, float) else result.value
        out["unit"] = result.unit
    if result.limits is not None:
        out["limits"] = result.limits.describe()
    return out


def cmd_run(store: Store, args: argparse.Namespace) -> int:
    operator = _operator(store, args)
    service = RigTestService(store, operator)
    unit = find_unit(store, args.unit)
    plan = service.plan(args.plan)
    ports, bay = _ports(store, args, [r.role for r in plan.rigs])

    def prompt(question: OperatorPrompt) -> str:
        if args.answer:
            return str(args.answer).strip().lower()[:1]
        print(f"{question.step_name}: {question.question} [{question.pass_key}/{question.fail_key}] ",
              end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            raise PromptCancelled
        return line.strip().lower()[:1]

    def show(result: StepResult) -> None:
        if not args.json:
            shown = _step_json(result)
            value = f"  {shown['value']} {result.unit}".rstrip() if "value" in shown else ""
            number = f"c{result.index + 1}" if result.cleanup else str(result.index + 1)
            print(f"{number:>3} {result.verdict:<9} {result.name}{value} — {result.message}", flush=True)

    try:
        report = service.run(unit, plan, ports, prompt, bay=bay, on_step=show)
    except RigError as exc:
        print(f"refurb-bench: {exc.message}" + (f" — check {exc.check}" if exc.check else ""), file=sys.stderr)
        return EXIT_BAD_INPUT
    outcome = report.outcome
    if args.json:
        print_json({"run_id": outcome.run_id, "unit_id": unit.unit_id, "plan_id": plan.plan_id,
                    "plan_version": plan.version, "verdict": outcome.verdict, "summary": outcome.summary,
                    "warnings": list(outcome.warnings), "steps": [_step_json(r) for r in report.results]})
    else:
        print(f"{outcome.verdict.upper()}: {outcome.summary}")
        for warning in outcome.warnings:
            print(f"warning: {warning}")
    return EXIT_OK if outcome.verdict == "pass" else EXIT_CHECK_FAILED


def cmd_results(store: Store, args: argparse.Namespace) -> int:
    unit = find_unit(store, args.unit)
    results = latest_functional_results(store.db, unit.unit_id)
    if args.json:
        print_json({"unit_id": unit.unit_id, "functional": results.functional(),
                    "runs": [asdict(run) for run in results.runs]})
        return EXIT_OK
    if not results.runs:
        print(f"{unit.label}: no rig test has finished")
    for run in results.runs:
        print(f"{run.plan_id} v{run.plan_version}: {run.verdict} — {run.summary} ({run.finished_at})")
    for test, outcome in results.functional().items():
        print(f"  {test}: {outcome}")
    return EXIT_OK


def cmd_rigs(store: Store, args: argparse.Namespace) -> int:
    handlers = {"ports": cmd_ports, "list": cmd_list, "bind": cmd_bind, "unbind": cmd_unbind, "plans": cmd_plans,
                "run": cmd_run, "results": cmd_results}
    return handlers[args.action](store, args)


STORE_COMMANDS = {"rigs": cmd_rigs}
