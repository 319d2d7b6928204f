"""The bench's own code at work on a lossy mount, in a process the power-loss tests kill.

It prints a line at each point a test may cut the power at, then goes on (or, with ``--pause``,
holds there until it is killed, so the cut lands exactly at that point):

* ``write DIR COUNT [--normal] [--pause-in-tx]``: COUNT units of work, each three events (outbox and
  projections) in one transaction; prints ``committed SEQ`` after each COMMIT returned. With
  ``--pause-in-tx`` it then opens one more transaction, records into it, prints ``in-tx`` and holds.
* ``migrate DIR``: opens the store, which migrates it; prints ``migrating`` from inside the last
  migration's transaction and holds, unless ``--through`` (then prints ``migrated`` and holds).
* ``sync DIR (--pause-in-ack | --pause-after-ack)``: one sync session with the hub; at the first
  push's acknowledgement it prints ``ack-in-tx HWM`` inside the ack transaction, or ``acked HWM``
  after its COMMIT, and holds.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _hold() -> None:
    while True:
        time.sleep(60)


def _unit(store: Any, n: int) -> None:
    for part in range(3):
        store.record("bay.assigned", {"bay": (3 * n + part) % 64 + 1, "bay_key": f"pci-{n}-{part}",
                                      "label": f"dock {n}.{part}"})


def write(data_dir: Path, count: int, *, normal: bool, pause_in_tx: bool) -> None:
    from app.store.store import Store

    store = Store(data_dir)
    if normal:
        store.db.execute("PRAGMA synchronous = NORMAL")
    for n in range(count):
        with store.transaction():
            _unit(store, n)
        _say(f"committed {store.db.execute('SELECT MAX(seq) FROM events').fetchone()[0]}")
    if pause_in_tx:
        with store.transaction():
            _unit(store, count)
            _say("in-tx")
            _hold()
    _hold()


def migrate(data_dir: Path, *, through: bool) -> None:
    from app.store import migrations
    from app.store.store import Store

    last = migrations.MIGRATIONS._migrations[-1]

    def last_then_hold(db: Any) -> None:
        last.fn(db)
        if not through:
            _say("migrating")
            _hold()

    migrations.MIGRATIONS._migrations[-1] = dataclasses.replace(last, fn=last_then_hold)
    Store(data_dir)
    _say("migrated")
    _hold()


def sync(data_dir: Path, *, in_ack: bool) -> None:
    from app.services.sync import SyncClient
    from app.store import sync_state
    from app.store.db import write_transaction

    original = sync_state.save_push_outcome

    def ack_then_hold(db: Any, stream_id: str, **outcome: Any) -> None:
        if in_ack:
            with write_transaction(db):
                original(db, stream_id, **outcome)
                _say(f"ack-in-tx {outcome['hub_hwm']}")
                _hold()
        original(db, stream_id, **outcome)
        _say(f"acked {outcome['hub_hwm']}")
        _hold()

    sync_state.save_push_outcome = ack_then_hold
    SyncClient(data_dir, timeout=10, max_batch_events=50).sync_once()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["write", "migrate", "sync"])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("count", type=int, nargs="?", default=0)
    parser.add_argument("--normal", action="store_true")
    parser.add_argument("--pause-in-tx", action="store_true")
    parser.add_argument("--through", action="store_true")
    parser.add_argument("--pause-in-ack", action="store_true")
    args = parser.parse_args()
    if args.mode == "write":
        write(args.data_dir, args.count, normal=args.normal, pause_in_tx=args.pause_in_tx)
    elif args.mode == "migrate":
        migrate(args.data_dir, through=args.through)
    else:
        sync(args.data_dir, in_ack=args.pause_in_ack)


if __name__ == "__main__":
    main()
