"""A bench sync process that kills itself with SIGKILL at one exact point of a session.

``python -m tests.sync.sync_kill_child DATA_DIR POINT N``: POINT ``after_read`` dies once the Nth
batch has been read from the log and before it is sent; ``after_reply`` dies once the hub's 200 for
the Nth batch has arrived and before the bench records it. Before dying it prints one line,
``<POINT> <first seq> <last seq or hub mark>``, so the parent knows where the cut fell.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from app.services.sync import SyncClient
from app.store import sync_state


def _die(line: str) -> None:
    print(line, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def main(data_dir: Path, point: str, nth: int) -> None:
    calls = 0
    if point == "after_read":
        read = SyncClient._next_batch

        def next_batch(self: SyncClient, stream_id: str, after_seq: int, limit: int) -> list[dict[str, Any]]:
            nonlocal calls
            batch = read(self, stream_id, after_seq, limit)
            calls += 1
            if batch and calls == nth:
                _die(f"after_read {batch[0]['seq']} {batch[-1]['seq']}")
            return batch

        SyncClient._next_batch = next_batch  # type: ignore[method-assign]
    elif point == "after_reply":
        record = sync_state.save_push_outcome

        def save_push_outcome(*args: Any, **kwargs: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == nth:
                _die(f"after_reply 0 {kwargs['hub_hwm']}")
            record(*args, **kwargs)

        sync_state.save_push_outcome = save_push_outcome
    else:
        raise SystemExit(f"unknown point {point!r}")
    client = SyncClient(data_dir, timeout=10)
    try:
        client.sync_once()
    finally:
        client.close()
    print("finished", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
