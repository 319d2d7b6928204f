"""What every command module shares: the one-line-error parser, exit codes and JSON output."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any, NoReturn

from app.core.errors import NotFound
from app.core.models import Unit
from app.store import queries
from app.store.store import Store

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class BenchParser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line (exit 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def unit_json(store: Store, unit: Unit) -> dict[str, Any]:
    data = asdict(unit)
    data["state"] = str(unit.state)
    lot = queries.lot_by_id(store.db, unit.lot_id) if unit.lot_id else None
    data["lot_code"] = lot.code if lot else None
    return data


def find_unit(store: Store, ident: str) -> Unit:
    unit = queries.get_unit(store.db, ident) or queries.find_unit(store.db, ident.strip().upper())
    if unit is None:
        raise NotFound(f"No unit with id or identifier {ident}", hint="Try 'units list --search' with the start of it")
    return unit
