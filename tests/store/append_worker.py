"""Crash-test worker: opens a store and appends events until it is killed.

Run as ``python tests/store/append_worker.py DATA_DIR [PAUSE_MS]``. Several may run at once on one
folder; give them a PAUSE_MS (each sleeps up to that long between writes), or the first to get the
write lock starves the others, since SQLite's busy handler is not fair.

It prints ``ready`` once the store is open, then one line ``<seq> <event_id>`` per event, written and
flushed only after the write that holds the event returned (its COMMIT is done). A line on stdout is
therefore a promise that the event is durable; tests/store/test_crash.py kills this process at random
moments and holds it to that.

Three kinds of write rotate, so a kill can land inside each of them:

* one ``unit.created`` through ``Store.record`` (an IMEI);
* ``unit.created`` and ``unit.state_changed`` in one ``Store.transaction`` (a serial);
* ``IntakeService.add_unit`` into a lot (``unit.created`` and ``lot.unit_received``, one transaction).
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from pathlib import Path

from app.core import events as ev
from app.core.identifiers import IdentifierKind, luhn_check_digit
from app.core.models import Event, PartyKind
from app.services.intake import IntakeService
from app.store.eventlog import unit_events
from app.store.store import Store


def emit(*events: Event) -> None:
    sys.stdout.write("".join(f"{e.seq} {e.event_id}\n" for e in events))
    sys.stdout.flush()


def emit_lot_created(store: Store, lot_id: str) -> None:
    """Report the lot.created event of ``lot_id`` (found by its body: another worker may be writing too)."""
    seq, event_id = store.db.execute(
        "SELECT seq, event_id FROM events WHERE type = ? AND json_extract(body, '$.lot_id') = ?",
        [ev.LOT_CREATED, lot_id],
    ).fetchone()
    sys.stdout.write(f"{seq} {event_id}\n")
    sys.stdout.flush()


def fresh_imei(rng: random.Random) -> str:
    payload = "35" + "".join(rng.choice("0123456789") for _ in range(12))
    return payload + str(luhn_check_digit(payload))


def fresh_serial() -> str:
    return "SN" + uuid.uuid4().hex[:14].upper()


def new_unit_id() -> str:
    return "U-" + uuid.uuid4().hex[:12].upper()


def run(data_dir: Path, pause_ms: float) -> None:
    rng = random.Random(os.urandom(8))
    with Store(data_dir) as store:
        intake = IntakeService(store)
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        lot = intake.create_lot("LOT-" + uuid.uuid4().hex[:10].upper(), PartyKind.SUPPLIER, "Crash Test Ltd", "", 0)
        emit_lot_created(store, lot.lot_id)
        turn = 0
        while True:
            turn += 1
            if pause_ms:
                time.sleep(rng.uniform(0, pause_ms) / 1000)
            if turn % 3 == 0:
                unit, created = intake.add_unit(IdentifierKind.SERIAL, fresh_serial(), lot_code=lot.code)
                assert created
                emit(*unit_events(store.db, unit.unit_id))
            elif turn % 3 == 1:
                imei = fresh_imei(rng)
                body = {"identifiers": [{"kind": "imei", "value": imei}], "source": "scan", "raw_scan": imei}
                emit(store.record(ev.UNIT_CREATED, body, unit_id=new_unit_id()))
            else:
                unit_id = new_unit_id()
                with store.transaction():
                    body = {"identifiers": [{"kind": "serial", "value": fresh_serial()}], "source": "typed"}
                    created_event = store.record(ev.UNIT_CREATED, body, unit_id=unit_id)
                    changed_event = store.record(
                        ev.UNIT_STATE_CHANGED, {"from": "received", "to": "identified"}, unit_id=unit_id
                    )
                emit(created_event, changed_event)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: append_worker.py DATA_DIR [PAUSE_MS]")
    run(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) == 3 else 0.0)
