"""Commands for the hub and for the bench's sync: `hub serve|enroll-code|revoke`, `sync enroll|--once|--status`.

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
from pathlib import Path
from typing import Any

from app.core.errors import OperatorError
from app.hub.backends import open_storage
from app.hub.hub_key import load_or_create_hub_key
from app.hub.server import HubServer
from app.hub.service import Hub
from app.paths import resolve_data_dir
from app.services.sync import SyncClient, SyncState
from app.services.sync_enroll import enroll
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
    code = hub.add_parser("enroll-code", help="print a one-time enrolment code for a bench")
    storage_options(code)
    code.add_argument("--bench-name", required=True)
    revoke = hub.add_parser("revoke", help="revoke a bench: its token stops working at once")
    storage_options(revoke)
    revoke.add_argument("--bench-name", required=True)

    sync = subparsers.add_parser("sync", help="push this bench's events to the hub")
    sync.add_argument("--once", action="store_true", help="one sync session now; exit 1 if it did not finish")
    sync.add_argument("--status", action="store_true", help="show the sync state")
    sync.add_argument("--json", action="store_true")
    sync.add_argument("--timeout", type=float, default=30.0, help=argparse.SUPPRESS)
    actions = sync.add_subparsers(dest="sync_action")
    enrol = actions.add_parser("enroll", help="enroll this bench with a hub (once)")
    enrol.add_argument("--hub", required=True, metavar="URL")
    enrol.add_argument("--code", required=True)


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


def _run_hub(args: argparse.Namespace) -> int:
    hub = _open_hub(args)
    try:
        if args.hub_action == "enroll-code":
            print(hub.create_enrollment_code(args.bench_name))
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
        server = HubServer(hub, args.host, args.port, tls=tls)
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
        print(f"enrolled as {enrollment.bench_name!r} with {enrollment.hub_url}")
        return EXIT_OK
    if not (args.once or args.status):
        raise OperatorError("Say what to do", hint="Use 'sync --once', 'sync --status' or 'sync enroll'")
    client = SyncClient(data_dir, timeout=args.timeout)
    try:
        status = client.sync_once() if args.once else client.status()
    finally:
        client.close()
    if args.json:
        print(json.dumps(status.to_json(), indent=2))
    else:
        print(f"{status.state.value}: {status.pending} pending, hub holds up to seq {status.hub_hwm} of "
              f"{status.last_seq}; last success {status.last_success or 'never'}"
              + (f"; last error: {status.last_error}" if status.last_error else ""))
    if args.once and status.state is not SyncState.IDLE:
        return EXIT_INCOMPLETE
    return EXIT_OK


STANDALONE_COMMANDS = {"hub": run, "sync": run}
