"""Logging: named subsystem loggers, a rotating file in the data folder, JSON lines for e2e tests."""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from pathlib import Path


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for tests that read the app's log as a subprocess."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"t": record.created, "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data)


def setup_logging(data_dir: Path | None, *, debug: bool = False, json_lines: bool = False) -> None:
    """Send INFO (DEBUG with --debug) to a rotating file and WARNING and above to stderr."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if (debug or json_lines) else logging.WARNING)
    console.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    if data_dir is not None:
        logs = data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            logs / "bench.log", maxBytes=5_000_000, backupCount=5, encoding="utf-8"
        )
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(file_handler)
