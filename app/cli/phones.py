"""Phones from the command line: `phones list`, `phones check SERIAL`, `phones reset SERIAL`.

They talk to the adb server on 127.0.0.1 (port 5037, or --adb-port / $REFURB_BENCH_ADB_PORT) exactly as the
Phones tab does, and record the same events: `check` identifies the phone, holds or releases its unit for
blockers and runs the plan's automatic checks (the guided steps stay open for the Phones tab) with the
plan the Phones tab uses: the one of the hub's reference data version in use, else the built-in one; `reset`
factory-resets a phone and writes its certificate. Exit 1 when a phone is held, a check did not pass or a
reset was not certified; 2 for bad input (an unknown serial, no adb server).
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.cli.common import EXIT_CHECK_FAILED, EXIT_OK, print_json
from app.core.errors import NotFound, OperatorError
from app.core.phones import StepOutcome
from app.services.phone_source import AdbPhoneSource, AttachedPhone, PhoneSourceDown
from app.services.phones import (
    PhoneReading,
    PhoneService,
    battery_record,
    blockers_record,
    identity_record,
    on_phone,
    read_phone,
)
from app.services.phones_reset import PhoneResetRecorder
from app.store import queries
from app.store.store import Store
from drivers.android import AdbClient, Timeouts


def add_parsers(sub: Any) -> None:
    phones = sub.add_parser("phones", help="phones on the bench over adb").add_subparsers(dest="action", required=True)
    for name, text in (("list", "the phones attached now, read (nothing is recorded)"),
                       ("check", "identify a phone, hold it for blockers, run its automatic checks (recorded)"),
                       ("reset", "factory-reset a phone and certify it (a cryptographic erase only with FBE)")):
        cmd = phones.add_parser(name, help=text)
        if name != "list":
            cmd.add_argument("serial", help="the phone as 'phones list' names it (USB serial or host:port)")
            cmd.add_argument("--operator", metavar="BADGE", help="record it under this operator")
        if name == "reset":
            cmd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        cmd.add_argument("--adb-port", type=int, default=int(os.environ.get("REFURB_BENCH_ADB_PORT") or 5037),
                         help="the adb server's port on 127.0.0.1 (default 5037 or $REFURB_BENCH_ADB_PORT)")
        cmd.add_argument("--timeout", type=float, default=8.0, help="seconds one phone command may take")
        cmd.add_argument("--json", action="store_true")


def _source(args: argparse.Namespace) -> AdbPhoneSource:
    return AdbPhoneSource(AdbClient("127.0.0.1", args.adb_port), Timeouts(command=args.timeout))


def _attached(source: AdbPhoneSource) -> list[AttachedPhone]:
    try:
        return source.attached()
    except PhoneSourceDown as exc:
        raise OperatorError(str(exc), hint="Start the adb server, or give its port with --adb-port") from exc


def _one(source: AdbPhoneSource, serial: str) -> AttachedPhone:
    phones = _attached(source)
    found = next((p for p in phones if p.serial == serial), None)
    if found is None:
        known = ", ".join(p.serial for p in phones) or "none"
        raise NotFound(f"No phone {serial} on the adb server (attached: {known})",
                       hint="Plug it in and allow USB debugging; 'phones list' shows what is attached")
    if not found.ready:
        raise OperatorError(f"Phone {serial} is {found.state}", hint="Unlock it and tap “Allow USB debugging”")
    return found


def _reading_json(reading: PhoneReading) -> dict[str, Any]:
    attached = reading.attached
    return {"serial": attached.serial, "bay_key": attached.bay_key, "platform": attached.platform,
            "identity": identity_record(reading.identity),
            "battery": battery_record(reading.battery) if reading.battery else {"error": reading.battery_error},
            "blockers": blockers_record(reading), "holds": [kind for kind, _ in reading.holds],
            "seconds": reading.seconds}


def _service(store: Store, args: argparse.Namespace) -> PhoneService:
    service = PhoneService(store, platform="android")  # the plan of the reference data in use, as the tab
    if getattr(args, "operator", None):
        service.operator = service.intake.login_badge(args.operator)
    return service


def cmd_phones(store: Store, args: argparse.Namespace) -> int:
    source = _source(args)
    if args.action == "list":
        return _list(source, args)
    attached = _one(source, args.serial)
    service = _service(store, args)
    reading = on_phone(lambda: read_phone(source.open(attached.serial), attached))
    bay = queries.bay_map(store.db).get(attached.bay_key)
    record = service.record_reading(reading, bay)
    if args.action == "check":
        try:
            return _check(source, service, attached, reading, record.unit.unit_id, record.hold, args)
        finally:
            service.release_all()  # the guided steps are the tab's: the run holds its version only while here
    return _reset(source, service, attached, reading, record.unit.unit_id, record.hold, bay, args)


def _list(source: AdbPhoneSource, args: argparse.Namespace) -> int:
    phones = _attached(source)
    ready = [p for p in phones if p.ready]
    with ThreadPoolExecutor(max(1, len(ready))) as pool:
        readings = list(pool.map(lambda p: on_phone(lambda: read_phone(source.open(p.serial), p)), ready))
    rows = [_reading_json(r) for r in readings] + [
        {"serial": p.serial, "bay_key": p.bay_key, "platform": p.platform, "state": p.state} for p in phones
        if not p.ready]
    if args.json:
        print_json(rows)
        return EXIT_OK
    for row in rows:
        identity = row.get("identity", {})
        name = " ".join(str(identity.get(k, "")) for k in ("make", "model")).strip() or row.get("state", "")
        imeis = ", ".join(i["value"] for i in identity.get("imeis", []) if i["luhn_valid"])
        holds = ", ".join(row.get("holds", [])) or "no blockers"
        print(f"{row['serial']:<24} {name:<32} {imeis:<34} {holds}")
    return EXIT_OK


def _check(source: AdbPhoneSource, service: PhoneService, attached: AttachedPhone, reading: PhoneReading,
           unit_id: str, hold: str, args: argparse.Namespace) -> int:
    checks: dict[str, dict[str, str]] = {}
    if not hold:
        progress = service.start_plan(unit_id)
        assert progress.run_id is not None
        run_id = progress.run_id
        assert progress.plan is not None
        remaining = progress.plan.remaining_automatic(progress.done)
        for result in on_phone(lambda: source.open(attached.serial).automatic_checks(remaining)):
            outcome = service.record_automatic(unit_id, run_id, result)
            checks[result.name] = {"outcome": str(outcome), "evidence": result.evidence}
    unit = queries.get_unit(service.store.db, unit_id)
    assert unit is not None
    failed = [name for name, c in checks.items() if c["outcome"] != StepOutcome.PASS]
    if args.json:
        print_json({**_reading_json(reading), "unit_id": unit_id, "state": str(unit.state), "hold": hold,
                    "checks": checks})
    else:
        print(f"{attached.serial}: unit {unit.label} ({unit.unit_id}), {unit.state}"
              + (f" — {hold}" if hold else ""))
        for name, c in checks.items():
            print(f"  {name:<10} {c['outcome']:<16} {c['evidence']}")
    return EXIT_CHECK_FAILED if hold or failed else EXIT_OK


def _reset(source: AdbPhoneSource, service: PhoneService, attached: AttachedPhone, reading: PhoneReading,
           unit_id: str, hold: str, bay: int | None, args: argparse.Namespace) -> int:
    if hold:
        raise OperatorError(f"Phone {attached.serial} is on hold: {hold}", hint="Clear the blocker, then check again")
    if not args.yes and input(f"Factory-reset {attached.serial}? Everything on it is erased. [y/N] ").strip().lower() \
            not in ("y", "yes"):
        return EXIT_CHECK_FAILED
    unit = queries.get_unit(service.store.db, unit_id)
    assert unit is not None
    recorder = PhoneResetRecorder(service)
    started = recorder.begin(unit)
    report, error = None, ""
    source.pause_attach(attached.serial, True)
    try:
        report = on_phone(lambda: source.open(attached.serial).factory_reset())
    except OperatorError as exc:
        error = exc.message
    outcome = recorder.finish(unit, attached, bay, reading.identity, report, error, started, blockers_record(reading))
    if args.json:
        print_json({"erasure_id": outcome.erasure_id, "unit_id": outcome.unit_id, "outcome": outcome.outcome,
                    "summary": outcome.summary, "certificate_id": outcome.certificate_id,
                    "certificate_path": outcome.certificate_path})
    else:
        print(f"{attached.serial}: reset {outcome.outcome} — {outcome.summary}"
              + (f"; certificate {outcome.certificate_path}" if outcome.certificate_path else ""))
    return EXIT_OK if outcome.outcome == "passed" else EXIT_CHECK_FAILED


STORE_COMMANDS = {"phones": cmd_phones}
