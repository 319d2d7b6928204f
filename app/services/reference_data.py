"""Reference data on the bench: the versions pulled from the hub, which one is in use, and leases
that keep a job on the version it started with.

Layout in the data folder: ``reference/v<N>/`` holds version N whole (written to a staging folder,
synced, then renamed into place), ``reference/current`` names the version in use (replaced by
rename, so it is always one version or the other). Version 0 is the packaged ``resources/``.

A job takes a ``snapshot()`` when it starts and keeps it until it ends; a new version pulled in
the meantime is kept aside and becomes current only when no snapshot is held, so no job ever sees
rules change under it. Leases are per process: one ``ReferenceData`` per data folder (``for_folder``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core import events as ev
from app.hub import reference
from app.store import queries
from app.store.store import Store

log = logging.getLogger("app.reference")

PACKAGED = Path(__file__).resolve().parents[2] / "resources"
FOLDER = "reference"
_CURRENT = "current"
_KEEP = 3  # versions kept on disk besides any a job still holds


@dataclass(frozen=True)
class Snapshot:
    """One version of the reference data, fixed for as long as it is held."""

    version: int
    folder: Path

    def files(self, kind_folder: str) -> list[Path]:
        base = self.folder / kind_folder
        return sorted(base.rglob("*.toml")) if base.is_dir() else []

    def operators(self) -> list[dict[str, str]]:
        path = self.folder / reference.OPERATORS_FILE
        if self.version == 0 or not path.is_file():
            return []
        return reference.check_operators(reference.OPERATORS_FILE, path.read_text(encoding="utf-8"))


class ReferenceData:
    """The reference data of one data folder, shared by every thread of the process."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / FOLDER
        self._lock = threading.Lock()
        self._leases: dict[int, int] = {}
        self.pending: int | None = None  # pulled, waiting for the jobs in flight to end

    # --- reading -------------------------------------------------------------------------------

    def current_version(self) -> int:
        try:
            return int((self.root / _CURRENT).read_text().strip())
        except (OSError, ValueError):
            return 0

    def newest_kept(self) -> int:
        return max([self.current_version(), self.pending or 0])

    def _folder(self, version: int) -> Path:
        return PACKAGED if version == 0 else self.root / f"v{version}"

    @contextlib.contextmanager
    def snapshot(self, version: int | None = None) -> Iterator[Snapshot]:
        """The version in use, held until the block ends (a job's whole run). ``version`` holds the one a
        job's rules were already read from (a job that chose its plan before it started), which may no
        longer be current: it still keeps any newer version from being applied until the job ends."""
        with self._lock:
            if version is None:
                version = self.current_version()
            self._leases[version] = self._leases.get(version, 0) + 1
        try:
            yield Snapshot(version, self._folder(version))
        finally:
            with self._lock:
                self._leases[version] -= 1
                if not self._leases[version]:
                    del self._leases[version]
                apply_now = self.pending is not None and not self._leases
            if apply_now:
                self._apply_pending()

    # --- receiving a version ---------------------------------------------------------------------

    def receive(self, document: Any, signature: str, hub_key: Ed25519PublicKey) -> bool:
        """Check and keep a version from the hub; make it current now if no job holds one, else when
        the last one ends. Returns True when it became current at once. Raises ReferenceError."""
        files = reference.verify(document, signature, hub_key)
        version = int(document["version"])
        target = self._folder(version)
        if not target.exists():
            staging = self.root / f".staging-v{version}-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            for entry in files:
                path = staging / entry["path"]
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_synced(path, entry["content"])
            _write_synced(staging / "manifest.json", json.dumps({"version": version, "signature": signature,
                                                                 "published_at": document.get("published_at")}))
            staging.rename(target)
            _sync_dir(self.root)
        with self._lock:
            if version <= self.current_version():
                return False
            self.pending = max(version, self.pending or 0)
            busy = bool(self._leases)
        if busy:
            log.info("reference data version %d kept; it applies when the jobs in flight end", version)
            return False
        self._apply_pending()
        return True

    def _apply_pending(self) -> None:
        with self._lock:
            version, self.pending = self.pending, None
            if version is None or version <= self.current_version() or self._leases:
                if version is not None and self._leases:
                    self.pending = version
                return
            tmp = self.root / f".{_CURRENT}.{os.getpid()}"
            _write_synced(tmp, f"{version}\n")
            tmp.replace(self.root / _CURRENT)
            _sync_dir(self.root)
            held = set(self._leases)
        log.info("reference data version %d is now in use", version)
        self._prune(keep=held | {version})

    def _prune(self, keep: set[int]) -> None:
        kept = sorted((int(p.name[1:]) for p in self.root.glob("v*") if p.name[1:].isdigit()), reverse=True)
        for old in kept[_KEEP:]:
            if old not in keep:
                shutil.rmtree(self._folder(old), ignore_errors=True)


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_REGISTRY: dict[Path, ReferenceData] = {}
_REGISTRY_LOCK = threading.Lock()


def for_folder(data_dir: Path) -> ReferenceData:
    """The process's one ReferenceData for ``data_dir`` (leases must be seen by every puller)."""
    key = Path(data_dir).resolve()
    with _REGISTRY_LOCK:
        if key not in _REGISTRY:
            _REGISTRY[key] = ReferenceData(key)
        return _REGISTRY[key]


def apply_operator_list(store: Store, snapshot: Snapshot) -> list[str]:
    """Record every operator of the snapshot's list this bench does not know yet (by badge); returns
    their names. Operators are facts in the log like any other, so they are added, never overwritten."""
    added = []
    for entry in snapshot.operators():
        if (queries.operator_by_badge(store.db, entry["badge"].upper()) is not None
                or queries.operator_by_id(store.db, entry["operator_id"]) is not None
                or queries.operator_by_name(store.db, entry["name"]) is not None):
            continue  # known here already (by badge, id or name): the bench's own record stands
        store.record(ev.OPERATOR_ADDED, {"operator_id": entry["operator_id"], "name": entry["name"],
                                         "badge": entry["badge"].upper(), "role": entry["role"],
                                         "pin_hash": entry["pin_hash"]})
        added.append(entry["name"])
    if added:
        log.info("operators from the hub's reference data version %d: %s", snapshot.version, ", ".join(added))
    return added
