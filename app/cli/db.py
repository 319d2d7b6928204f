"""Database maintenance: `db check`, `db backups`, `db restore`, `db backup`, `db rebuild`.

`check`, `backups` and `restore` never open the Store: a damaged database must be examined and
replaced without running migrations or projections over it. `backup` and `rebuild` open it as
every other command does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, print_json
from app.core.errors import OperatorError
from app.paths import resolve_data_dir
from app.store.backups import BackupInfo, inspect_backup, list_backups, new_backup_path, newest_verified
from app.store.db import backup_to
from app.store.restore import check_database, restore_backup
from app.store.store import DB_FILE, Store


def add_parsers(sub: Any) -> None:
    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="action", required=True)
    check = db.add_parser("check", help="quick_check the database without opening it; exit 1 if it is damaged")
    check.add_argument("--json", action="store_true")
    backups = db.add_parser("backups", help="the backups in the data folder, newest first, each checked now")
    backups.add_argument("--json", action="store_true")
    restore = db.add_parser("restore", help="replace a damaged database by a verified backup (on a new stream)")
    restore.add_argument("backup", type=Path, metavar="BACKUP")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.add_argument("--json", action="store_true")
    bak = db.add_parser("backup", help="write a consistent, checked copy of the database")
    bak.add_argument("path", type=Path, nargs="?",
                     help="where to write it (default: a new file in the data folder's backups/)")
    db.add_parser("rebuild", help="rebuild the projection tables from the event log")


def cmd_db(args: argparse.Namespace) -> int:
    from app.log import setup_logging

    data_dir = resolve_data_dir(args.data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        print(f"refurb-bench: {data_dir} is a file, not a data folder — give --data-dir a folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        if args.action == "check":
            return _check(data_dir, args)
        if args.action == "backups":
            return _list(data_dir, args)
        # Restores, backups and rebuilds belong in the bench's log; a check only reads.
        setup_logging(data_dir if data_dir.exists() else None, debug=args.debug, json_lines=args.json_logging)
        if args.action == "restore":
            return _restore(data_dir, args)
        with Store(data_dir) as store:
            if args.action == "backup":
                target = args.path.expanduser().resolve() if args.path else new_backup_path(data_dir)
                print(f"backup written to {backup_to(store.db, target)}")
            else:
                print(f"rebuilt projections from {store.rebuild_projections()} events")
        return EXIT_OK
    except OperatorError as exc:
        print(f"refurb-bench: {exc.message}" + (f" — {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return EXIT_BAD_INPUT


def _one_line(found: str) -> str:
    """quick_check reports one problem per line; the CLI's errors are one line each."""
    return "; ".join(part.strip() for part in found.splitlines() if part.strip())


def describe_backup(info: BackupInfo) -> str:
    """One line an operator can judge a backup by: when it was written and how far it goes."""
    written = info.written_at.astimezone().strftime("%Y-%m-%d %H:%M")
    if not info.ok:
        return f"{info.path} (written {written}): cannot be restored — {_one_line(info.check)}"
    return f"{info.path} (written {written}, {info.events} events, the newest from {info.last_event_at})"


def _command(args: argparse.Namespace, *words: str) -> str:
    """The command line to type next, with the same --data-dir the operator used."""
    prefix = ["refurb-bench"] + (["--data-dir", str(args.data_dir)] if args.data_dir else [])
    return " ".join(prefix + list(words))


def _database(data_dir: Path) -> Path:
    path = data_dir / DB_FILE
    if not path.is_file():
        raise OperatorError(f"There is no database in {data_dir}",
                            hint="Check --data-dir (or $REFURB_BENCH_DATA_DIR); a new bench creates one when it starts")
    return path


def _check(data_dir: Path, args: argparse.Namespace) -> int:
    path = _database(data_dir)
    found = check_database(path)
    if found == "ok":
        if args.json:
            print_json({"path": str(path), "ok": True, "check": found})
        else:
            print(f"database {path}: ok")
        return EXIT_OK
    newest = newest_verified(data_dir)
    if newest is not None:
        hint = (f"Close Refurb Bench on this bench, then restore the newest verified backup: "
                f"{_command(args, 'db', 'restore', str(newest.path))} — {describe_backup(newest)}. "
                "The damaged file is kept, renamed, for the investigation")
    else:
        hint = (f"No verified backup in {data_dir}: restore one from elsewhere with "
                f"{_command(args, 'db', 'restore', 'PATH')}, or call a supervisor. Do not delete the damaged file")
    if args.json:
        print_json({"path": str(path), "ok": False, "check": found,
                    "newest_backup": newest.to_json() if newest else None, "hint": hint})
    print(f"refurb-bench: the database {path} is damaged: {_one_line(found)} — {hint}", file=sys.stderr)
    return EXIT_CHECK_FAILED


def _list(data_dir: Path, args: argparse.Namespace) -> int:
    found = list_backups(data_dir)
    if args.json:
        print_json([info.to_json() for info in found])
    elif not found:
        print(f"no backups in {data_dir / 'backups'} or beside the database — "
              f"make one with: {_command(args, 'db', 'backup')}")
    for info in [] if args.json else found:
        print(("verified  " if info.ok else "DAMAGED   ") + describe_backup(info))
    return EXIT_OK


def _restore(data_dir: Path, args: argparse.Namespace) -> int:
    backup = args.backup.expanduser().resolve()
    listing = _command(args, "db", "backups")
    if not backup.is_file():
        raise OperatorError(f"There is no backup file at {backup}",
                            hint=f"See the verified backups in this data folder with: {listing}")
    path = data_dir / DB_FILE
    if backup == path.resolve():
        raise OperatorError(f"{backup} is the database itself, not a backup", hint=f"Choose one from: {listing}")
    info = inspect_backup(backup)
    if not info.ok:
        raise OperatorError(f"The backup {backup} cannot be restored: {_one_line(info.check)}",
                            hint=f"Choose an older backup (see: {listing}) or call a supervisor")
    state = check_database(path) if path.exists() else "missing"
    if not args.yes:
        _confirm(path, state, info)
    before = set(data_dir.glob(f"{DB_FILE}.damaged-*"))
    stream = restore_backup(path, backup)
    kept = sorted(str(p) for p in set(data_dir.glob(f"{DB_FILE}.damaged-*")) - before)
    if args.json:
        print_json({"database": str(path), "restored_from": str(backup), "events": info.events,
                    "stream_id": stream, "kept": kept, "replaced_check": state})
    else:
        print(f"restored {path} from {describe_backup(info)}")
        if kept:
            print(f"the replaced database is kept as {', '.join(kept)}")
        print(f"this bench continues on new stream {stream}; events after the backup that reached the hub stay there")
    return EXIT_OK


def _confirm(path: Path, state: str, info: BackupInfo) -> None:
    if not sys.stdin.isatty():
        raise OperatorError("Restoring replaces the bench database and needs confirmation",
                            hint="Close Refurb Bench on this bench, then run the same command with --yes")
    condition = {"ok": "healthy", "missing": "missing"}.get(state, f"damaged ({_one_line(state)})")
    print(f"The database {path} is {condition}.")
    print(f"It will be replaced by {describe_backup(info)}.")
    print("Work recorded after that backup and not yet sent to the hub is lost; "
          "the current file is kept beside it, renamed. Close Refurb Bench on this bench first.")
    if input("Restore now? [y/N] ").strip().lower() not in ("y", "yes"):
        raise OperatorError("Nothing restored", hint="The database was left as it is")


STANDALONE_COMMANDS = {"db": cmd_db}
