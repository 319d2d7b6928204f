"""A bench with verified backups in its data folder, and a failing sector to damage a file with."""

from __future__ import annotations

from pathlib import Path

import pysqlite3.dbapi2 as sqlite3

from app.store.backups import new_backup_path
from app.store.db import backup_to
from app.store.store import DB_FILE, Store


def record_bay_events(data_dir: Path, count: int, start: int = 0) -> str:
    """``count`` more events on the bench; returns its stream id."""
    with Store(data_dir) as store, store.transaction():
        for i in range(start, start + count):
            store.record("bay.assigned", {"bay": i % 64 + 1, "bay_key": f"pci-{i}", "label": f"dock {i}"})
        return store.stream_id


def write_backup(data_dir: Path) -> Path:
    """A checked backup in the data folder's backups/."""
    with Store(data_dir) as store:
        return backup_to(store.db, new_backup_path(data_dir))


def damage_a_page(path: Path) -> None:
    """Overwrite one b-tree page in the middle of the file, as a failing sector would."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    page = len(data) // page_size // 2
    data[page * page_size:(page + 1) * page_size] = bytes(range(256)) * (page_size // 256)
    path.write_bytes(bytes(data))


def event_hashes(path: Path) -> list[str]:
    """The event log's hashes in order, read from the file without opening a Store on it."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [str(r[0]) for r in conn.execute("SELECT hash FROM events ORDER BY seq")]
    finally:
        conn.close()


def damaged_bench(data_dir: Path) -> tuple[Path, Path, str]:
    """A bench whose database is damaged, with an older verified backup and a newer damaged one.

    Returns (verified backup, damaged backup, the stream the database was on).
    """
    record_bay_events(data_dir, 300)
    verified = write_backup(data_dir)
    record_bay_events(data_dir, 100, start=300)
    bad = write_backup(data_dir)
    damage_a_page(bad)
    assert bad.stat().st_mtime_ns > verified.stat().st_mtime_ns, "the damaged backup is the newer one"
    stream = record_bay_events(data_dir, 100, start=400)
    damage_a_page(data_dir / DB_FILE)
    return verified, bad, stream


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its content, to prove nothing was deleted or changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
