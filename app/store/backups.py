"""Where the bench's database backups are kept, and which of them can be trusted for a restore.

Two kinds live in the data folder: the copies ``db backup`` writes into ``backups/`` by default,
and the copy the migrator writes beside the database before every migration
(``bench.sqlite3.pre-<migration>-<stamp>.bak``). A backup the operator wrote elsewhere (a USB
stick) is not found here; ``db restore PATH`` takes it by name.

"Verified" means verified now, not when it was written: a backup on a failing disk can go bad
after its write-time check, so every listed file is quick_checked and must hold a bench's events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pysqlite3.dbapi2 as sqlite3

from app.store.restore import check_database
from app.store.store import DB_FILE

BACKUP_FOLDER = "backups"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file and what a check found in it.

    Attributes:
        path: the file.
        written_at: its modification time (UTC): when the copy was made.
        size: bytes.
        check: ``"ok"``, or why it cannot be restored.
        events: how many events it holds (None when it cannot be read).
        last_event_at: the time of its newest event, the point a restore goes back to.
    """

    path: Path
    written_at: datetime
    size: int
    check: str
    events: int | None = None
    last_event_at: str | None = None

    @property
    def ok(self) -> bool:
        return self.check == "ok"

    def to_json(self) -> dict[str, object]:
        return {"path": str(self.path), "written_at": self.written_at.isoformat(timespec="seconds"),
                "size": self.size, "ok": self.ok, "check": self.check, "events": self.events,
                "last_event_at": self.last_event_at}


def backup_folder(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_FOLDER


def new_backup_path(data_dir: Path, now: datetime | None = None) -> Path:
    """A new file name under the data folder's ``backups/`` (created owner-only: copies hold PIN hashes)."""
    folder = backup_folder(data_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    candidate = folder / f"bench-{stamp}.sqlite3"
    counter = 1
    while candidate.exists():
        candidate = folder / f"bench-{stamp}-{counter}.sqlite3"
        counter += 1
    return candidate


def candidate_paths(data_dir: Path) -> list[Path]:
    """Backup files in the data folder, newest first (by modification time)."""
    data_dir = Path(data_dir)
    found = [p for p in backup_folder(data_dir).glob("*.sqlite3") if p.is_file()]
    found += [p for p in data_dir.glob(f"{DB_FILE}.pre-*.bak") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def inspect_backup(path: Path) -> BackupInfo:
    """Check one backup file: SQLite's quick_check, then that it really holds a bench's event log."""
    path = Path(path)
    stat = path.stat()
    written = datetime.fromtimestamp(stat.st_mtime, UTC)
    found = check_database(path)
    if found != "ok":
        return BackupInfo(path, written, stat.st_size, found)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        count, last = conn.execute("SELECT count(*), max(occurred_at) FROM events").fetchone()
    except sqlite3.Error:
        # An empty or foreign SQLite file passes quick_check but would restore nothing.
        return BackupInfo(path, written, stat.st_size, "not a bench database (it has no event log)")
    finally:
        conn.close()
    if not count:
        return BackupInfo(path, written, stat.st_size, "holds no events", 0, None)
    return BackupInfo(path, written, stat.st_size, "ok", int(count), str(last))


def list_backups(data_dir: Path) -> list[BackupInfo]:
    """Every backup in the data folder, newest first, each checked now."""
    return [inspect_backup(p) for p in candidate_paths(data_dir)]


def newest_verified(data_dir: Path) -> BackupInfo | None:
    """The newest backup that passes its check now (older ones are checked only as needed)."""
    for path in candidate_paths(data_dir):
        info = inspect_backup(path)
        if info.ok:
            return info
    return None
