"""A bench that worked offline for 30 simulated days: a real, signed event log built through the
Store (units created, identified, bays assigned), its clock stepping through the month.

Building 200,000 events takes minutes, so the data folder is built once and cached under .bench/
(gitignored), keyed by this generator's version and the versions of the event types it writes
(a copy older than the newest migration is migrated when it is opened); tests and benchmarks
copy it. Shared by tests/sync and tests/bench/bench_sync.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.core import events as ev
from app.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".bench"
GENERATOR_VERSION = 1
DAYS = 30
START = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
_CHUNK = 2000  # events per transaction while building


def _fingerprint(count: int) -> str:
    # Only what the log's content depends on: a copy made before a newer migration is migrated on open.
    used = (ev.STATION_INITIALISED, ev.UNIT_CREATED, ev.UNIT_STATE_CHANGED, ev.BAY_ASSIGNED)
    text = json.dumps([GENERATOR_VERSION, count, [f"{t}:{ev.CURRENT_VERSION[t]}" for t in used]])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _build(data_dir: Path, count: int) -> None:
    step = timedelta(seconds=DAYS * 86400 / count)
    now = [START]

    def clock() -> datetime:
        now[0] += step
        return now[0]

    with Store(data_dir, clock=clock) as store:
        written = 1  # station.initialised
        unit = 0
        while written < count:
            with store.transaction():
                for _ in range(min(_CHUNK, count - written)):
                    kind = written % 3
                    if kind == 0:
                        unit += 1
                        store.record(ev.UNIT_CREATED, {"identifiers": [{"kind": "serial", "value": f"SN{unit:08d}"}],
                                                       "source": "device"}, unit_id=f"U-OFFLINE{unit:07d}")
                    elif kind == 1 and unit:
                        store.record(ev.UNIT_STATE_CHANGED, {"from": "received", "to": "identified"},
                                     unit_id=f"U-OFFLINE{unit:07d}")
                    else:
                        store.record(ev.BAY_ASSIGNED, {"bay": written % 64 + 1, "bay_key": f"pci-{written % 64}",
                                                       "label": f"dock {written % 64}"})
                    written += 1


def offline_bench(target: Path, count: int) -> Path:
    """Copy a data folder holding ``count`` events over 30 simulated days to ``target`` (built once)."""
    CACHE.mkdir(exist_ok=True)
    final = CACHE / f"sync-offline-{count}-{_fingerprint(count)}"
    if not final.exists():
        for stale in CACHE.glob(f"sync-offline-{count}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        building = CACHE / f"building-sync-{count}-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        _build(building / "data", count)
        try:
            building.rename(final)
        except OSError:  # another run built it meanwhile
            shutil.rmtree(building, ignore_errors=True)
    shutil.copytree(final / "data", target)
    return target
