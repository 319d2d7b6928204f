"""Commands for the hub and for the bench's sync: `hub serve|enroll-code|revoke|report`, `sync enroll|--once|--status`,
and what the hub answers a bench: `sync certificate ID` (fetched and checked offline), `sync lot CODE`,
`sync rotate-token`.

Exit codes as in app/cli/common.py: 0 done; 1 a sync that did not reach the end (the status says why);
2 bad input or a refusal, with a one-line reason.
"""

from __future__ import annotations

import argparse
import json
import signal
import ssl
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli import hub_reports
from app.core import certificate
from app.core.errors import OperatorError
from app.hub.admission import default_push_limit
from app.hub.backends import open_storage
from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.hub.hub_key import load_or_create_hub_key
from app.hub.protocol import Receipt, public_key_from_hex
from app.hub.server import HubServer
from app.hub.service import Hub
from app.paths import resolve_data_dir
from app.services import reference_data
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import Enrollment, enroll, load_enrollment, rotate_token
from app.store import sync_state
from app.store.store import Store

DEFAULT_PORT = 8470
EXIT_OK, EXIT_INCOMPLETE, EXIT_BAD_INPUT = 0, 1, 2


def add_parsers(subparsers: Any) -> None:
    """Add the `hub` and `sync` commands to the main parser's subparsers."""
    hub = subparsers.add_parser("hub", help="run and administer the hub").add_subparsers(dest="hub_action",
                                                                                        required=True)

    def storage_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--data-dir", dest="hub_data_dir", required=True, help="the hub's data folder")
        parser.add_argument("--database", metavar="URL",
                            help="postgresql://... to keep events in PostgreSQL (default: SQLite in --data-dir)")

    serve = hub.add_parser("serve", help="serve the hub's HTTP API")
    storage_options(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 picks a free one")
    serve.add_argument("--tls-cert", type=Path)
    serve.add_argument("--tls-key", type=Path)
    serve.add_argument("--max-pushes", type=_positive, default=None, metavar="N",
                       help="pushes served at once by this process; more get 503 + Retry-After "
                            f"(default {default_push_limit()}: two per core)")
    code = hub.add_parser("enroll-code", help="print a one-time enrolment code for a bench")
    storage_options(code)
    code.add_argument("--bench-name", required=True)
    publish = hub.add_parser("publish-reference", help="publish rulesets, prices, test plans and operators to benches")
    storage_options(publish)
    publish.add_argument("--from", dest="reference_dir", type=Path, required=True, metavar="DIR",
                         help="folder with rulesets/, prices/, testplans/ (TOML) and/or operators.json")
    revoke = hub.add_parser("revoke", help="revoke a bench: its token stops working at once")
    storage_options(revoke)
    revoke.add_argument("--bench-name", required=True)
    hub_reports.add_parser(hub, storage_options)

    sync = subparsers.add_parser("sync", help="push this bench's events to the hub")
    sync.add_argument("--once", action="store_true", help="one sync session now; exit 1 if it did not finish")
    sync.add_argument("--status", action="store_true", help="show the sync state")
    sync.add_argument("--json", action="store_true")
    sync.add_argument("--timeout", type=float, default=30.0, help=argparse.SUPPRESS)
    actions = sync.add_subparsers(dest="sync_action")
    enrol = actions.add_parser("enroll", help="enroll this bench with a hub (once)")
    enrol.add_argument("--hub", required=True, metavar="URL")
    enrol.add_argument("--code", required=True)
    actions.add_parser("rotate-token", help="swap this bench's hub token for a new one now")
    cert = actions.add_parser("certificate", help="fetch a certificate from the hub and check it offline")
    cert.add_argument("certificate_id")
    cert.add_argument("--hub", metavar="URL", help="the hub to ask (default: the one this bench is enrolled with)")
    cert.add_argument("--out", type=Path, metavar="FILE", help="save the certificate document (JSON) here")
    cert.add_argument("--json", action="store_true", dest="sub_json")
    lot = actions.add_parser("lot", help="list a lot's units and their states as the hub knows them")
    lot.add_argument("lot", help="the lot's code or id")
    lot.add_argument("--json", action="store_true", dest="sub_json")


def run(args: argparse.Namespace) -> int:
    """Run a `hub` or `sync` command; OperatorErrors become one line on stderr and exit 2."""
    try:
        if args.command == "hub":
            return _run_hub(args)
        return _run_sync(args)
    except OperatorError as exc:
        print(f"refurb-bench: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _open_hub(args: argparse.Namespace) -> Hub:
    data_dir = Path(args.hub_data_dir).expanduser().resolve()
    key = load_or_create_hub_key(data_dir)
    return Hub(open_storage(data_dir, args.database), key)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def _run_hub(args: argparse.Namespace) -> int:
    if args.hub_action == "report":
        return hub_reports.cmd_hub_report(args)
    hub = _open_hub(args)
    try:
        if args.hub_action == "enroll-code":
            print(hub.create_enrollment_code(args.bench_name))
            return EXIT_OK
        if args.hub_action == "publish-reference":
            version = hub.publish_reference(args.reference_dir)
            print(f"reference data version {version} published; benches take it at their next sync")
            return EXIT_OK
        if args.hub_action == "revoke":
            revoked = hub.revoke(args.bench_name)
            print(f"revoked {len(revoked)} bench(es) named {args.bench_name!r}")
            return EXIT_OK
        return _serve(hub, args)
    finally:
        hub.storage.close()


def _serve(hub: Hub, args: argparse.Namespace) -> int:
    tls = None
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            raise OperatorError("--tls-cert and --tls-key go together", hint="Give both, or neither")
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    try:
        server = HubServer(hub, args.host, args.port, tls=tls, max_pushes=args.max_pushes)
    except OSError as exc:
        raise OperatorError(f"The hub cannot listen on {args.host}:{args.port}: {exc.strerror}",
                            hint="Choose another --port, or stop what uses this one") from exc
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with server:
        print(f"hub listening on {server.url}", flush=True)
        stop.wait()
    return EXIT_OK


def _run_sync(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    Store(data_dir).close()  # creates or migrates the station before sync reads it
    if args.sync_action == "enroll":
        enrollment = enroll(data_dir, args.hub, args.code, timeout=args.timeout)
        with Store(data_dir) as store:
            waiting, _ = sync_state.pending_summary(store.db)
        # Enrolling again (after a refused token) leaves events waiting: say they go at the next sync.
        tail = f"; {waiting} events wait for the next sync ('sync --once')" if waiting else ""
        print(f"enrolled as {enrollment.bench_name!r} with {enrollment.hub_url}{tail}")
        return EXIT_OK
    if args.sync_action in _HUB_QUERIES:
        return _HUB_QUERIES[args.sync_action](data_dir, args)
    if not (args.once or args.status):
        raise OperatorError("Say what to do", hint="Use 'sync --once', 'sync --status' or 'sync enroll'")
    client = SyncClient(data_dir, timeout=args.timeout)
    try:
        status = client.sync_once() if args.once else client.status()
    finally:
        client.close()
    if args.once and status.reference_version:
        with Store(data_dir) as store, reference_data.for_folder(data_dir).snapshot() as snapshot:
            for name in reference_data.apply_operator_list(store, snapshot):
                print(f"operator {name} from the hub can now log in here", file=sys.stderr)
    if args.json:
        print(json.dumps(status.to_json(), indent=2))
    else:
        print(f"{status.state.value}: {status.pending} pending, hub holds up to seq {status.hub_hwm} of "
              f"{status.last_seq}; last success {status.last_success or 'never'}"
              + (f"; last error: {status.last_error}" if status.last_error else ""))
    if args.once and status.state is not SyncState.IDLE:
        return EXIT_INCOMPLETE
    return EXIT_OK


def _hub_client(data_dir: Path, hub_url: str | None, timeout: float) -> tuple[HubClient, Enrollment | None]:
    enrollment = load_enrollment(data_dir)
    url = hub_url or (enrollment.hub_url if enrollment else None)
    if not url:
        raise OperatorError("This bench is not enrolled with a hub", hint="Give --hub URL, or enroll the bench first")
    token = enrollment.access_token if enrollment and url.rstrip("/") == enrollment.hub_url else ""
    try:
        return HubClient(url, token, timeout=timeout), enrollment
    except ValueError as exc:
        raise OperatorError(str(exc), hint="Give the hub's address, e.g. http://hub.local:8470") from exc


def _ask(call: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """The hub's answer; None for a 404; OperatorError when the hub cannot be reached or refuses."""
    try:
        return call()
    except HubUnavailable as exc:
        raise OperatorError(str(exc), hint="Check the network and the hub, then try again") from exc
    except HubRefused as exc:
        if exc.status == 404:
            return None
        raise OperatorError(f"The hub refused: {exc.message}", hint="Check the bench's enrolment") from exc


def _rotate(data_dir: Path, args: argparse.Namespace) -> int:
    try:
        rotate_token(data_dir, timeout=args.timeout)
    except (HubUnavailable, HubRefused) as exc:
        raise OperatorError(f"The token was not rotated: {exc}", hint="The old token still works; try again") from exc
    print("this bench has a new hub token")
    return EXIT_OK


def _certificate(data_dir: Path, args: argparse.Namespace) -> int:
    client, enrollment = _hub_client(data_dir, args.hub, args.timeout)
    answer = _ask(lambda: client.certificate(args.certificate_id))
    if answer is None:
        print(f"the hub holds no certificate {args.certificate_id}", file=sys.stderr)
        return EXIT_INCOMPLETE
    doc = answer.get("document")
    result = certificate.check(doc)
    receipt_ok: bool | None = None
    if enrollment is not None and client.url == enrollment.hub_url:
        receipt_ok = Receipt.from_wire(answer.get("receipt")).verify(public_key_from_hex(enrollment.server_pubkey))
    if args.out:
        args.out.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
    if args.sub_json:
        print(json.dumps({"certificate_id": args.certificate_id, "ok": result.ok and receipt_ok is not False,
                          "problems": list(result.problems), "anchored": answer.get("anchored"),
                          "hub_receipt_ok": receipt_ok, "event": answer.get("event")}, indent=2))
    elif result.ok:
        event = answer["event"]
        print(f"certificate {args.certificate_id} is genuine: signed by station key "
              f"{answer['station_public_key'][:16]}…, event {event['type']} seq {event['seq']} of stream "
              f"{event['stream_id'][:8]}; the hub {'countersigned' if receipt_ok else 'answered'} for it"
              + ("" if answer.get("anchored") else " (not yet contiguous on the hub)"))
    else:
        print(f"certificate {args.certificate_id} does NOT check: " + "; ".join(result.problems))
    if receipt_ok is False:
        print("the hub's countersignature is not the hub this bench enrolled with", file=sys.stderr)
    return EXIT_OK if result.ok and receipt_ok is not False else EXIT_INCOMPLETE


def _lot(data_dir: Path, args: argparse.Namespace) -> int:
    client, enrollment = _hub_client(data_dir, None, args.timeout)
    if enrollment is None:
        raise OperatorError("Listing a lot from the hub needs an enrolled bench", hint="Enroll the bench first")
    answer = _ask(lambda: client.lot(args.lot))
    if answer is None:
        print(f"the hub knows no lot {args.lot}", file=sys.stderr)
        return EXIT_INCOMPLETE
    if args.sub_json:
        print(json.dumps(answer, indent=2))
        return EXIT_OK
    units = answer["units"]
    print(f"lot {answer['code']} ({answer['party']}, PO {answer['po']}): {len(units)} unit(s) on the hub")
    for unit in units:
        label = f"{unit['identifier_kind']} {unit['identifier']}" if unit["identifier"] else unit["unit_id"]
        print(f"  {label:<34} {unit['state']}")
    return EXIT_OK


_HUB_QUERIES: dict[str, Callable[[Path, argparse.Namespace], int]] = {
    "rotate-token": _rotate, "certificate": _certificate, "lot": _lot,
}

STANDALONE_COMMANDS = {"hub": run, "sync": run}
