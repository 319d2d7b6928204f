"""The start-up check of the bench's database, overlapped with the window's imports.

``PRAGMA quick_check`` reads every page of the file: about 0.3-0.7 s on a bench holding a million
units. It must finish before the Store opens (migrations and projections must never run over a
damaged file, and the damaged-database dialog offers a backup before anything is written), so it
cannot move after the window. Instead it starts on a thread of its own as soon as the data folder is
known, and SQLite does the reading without the GIL while the main thread imports the window's
modules and creates the QApplication; the Store waits for its verdict only when it is about to open.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from app.store.restore import check_database
from app.store.store import DB_FILE

log = logging.getLogger("app.ui")


class EarlyDatabaseCheck:
    """quick_check of ``data_dir``'s database on its own read-only connection and thread.

    A database that does not exist yet (first start) is not checked: the Store creates it.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DB_FILE
        self.ran = self.path.exists()
        self.seconds = 0.0
        self._found = "ok"
        self._thread = threading.Thread(target=self._check, name="database-check", daemon=True)
        if self.ran:
            self._thread.start()

    def _check(self) -> None:
        started = time.perf_counter()
        try:
            self._found = check_database(self.path)
        except Exception as exc:  # noqa: BLE001 - reported as the verdict; nothing may escape the thread
            self._found = f"the check itself failed: {exc}"
        self.seconds = time.perf_counter() - started

    def verdict(self) -> str:
        """``"ok"`` or what SQLite found wrong; waits for the check to end."""
        if self.ran:
            self._thread.join()
            log.info("database quick_check before opening: %s in %.3f s", self._found, self.seconds)
        return self._found
