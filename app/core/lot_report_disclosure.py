"""What a lot report discloses of a factor table: only the device classes the lot's figures used.

A published figure must state its factors and their sources (domain.md 9.2), but the whole table (every
device class, every source) under every version is a wall of text a customer does not read. The lot's
figures were computed from the factors of the classes its units belong to, so those classes' lines and
the sources they cite are the disclosure; the table's own line (version, date, digest, substitution rate)
heads it. The lines are :func:`app.core.sustainability.disclosure`'s, so the words match every other report.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from app.core.carbon_factors import DeviceClass, FactorTable
from app.core.sustainability import disclosure

_CITED = re.compile(r"\[([^\]]+)\]")


def lot_disclosure(table: FactorTable, classes: Collection[DeviceClass]) -> tuple[str, ...]:
    """The table's heading line, the lines of ``classes`` (in the table's order) and the sources they cite."""
    lines = disclosure(table)
    prefixes = tuple(f"{c.value}:" for c in classes)
    kept = [line for line in lines[1:] if line.startswith(prefixes)]
    cited = {key.strip() for line in kept for group in _CITED.findall(line) for key in group.split(",")}
    sources = [line for line in lines[1:] if line.startswith("[") and line[1:].split("]", 1)[0] in cited]
    return (lines[0], *kept, *sources)
