"""Where the bench keeps its data: --data-dir, else $REFURB_BENCH_DATA_DIR, else the XDG data folder."""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir() -> Path:
    env = os.environ.get("REFURB_BENCH_DATA_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "refurb-bench"


def resolve_data_dir(option: str | None) -> Path:
    return Path(option).expanduser().resolve() if option else default_data_dir()
