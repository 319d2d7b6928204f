"""Which line of a TOML file defines a given key path, so a schema error can name its line.

``tomllib`` reports syntax errors with a line but forgets positions once parsed. A ruleset error
such as ``cosmetic.limit[3].B: limit 0 is stricter than A's 1`` is only useful to the person
editing the file with a line number, so this module re-reads the text: it follows ``[table]``
and ``[[array]]`` headers (counting array entries) and ``key = value`` lines, and maps each key
path to the line it starts on. Continuation lines of multi-line arrays and strings are skipped.
"""

from __future__ import annotations

import re

from app.core.grading.schema import Path

_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY_LINE = re.compile(rf"^\s*({_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=")
_KEY_PART = re.compile(r"""\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*(?:\.|$)""")


def _split_key(text: str) -> list[str]:
    return [part.strip("\"'") for part in _KEY_PART.findall(text)]


def _bracket_change(line: str) -> int:
    """Net count of opening brackets outside strings and comments on one line."""
    depth = 0
    quote = ""
    for ch in line:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return depth


def key_lines(text: str) -> dict[Path, int]:
    """Map every key path (as :mod:`app.core.grading.schema` writes them) to its 1-based line."""
    lines: dict[Path, int] = {}
    array_counts: dict[Path, int] = {}
    current: Path = ()
    depth = 0
    in_multiline_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline_string:
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline_string = False
            continue
        if depth > 0:
            depth += _bracket_change(line)
            continue
        stripped = line.strip()
        header = re.match(r"^\[\[(.+)\]\]\s*(#.*)?$", stripped) or re.match(r"^\[(.+)\]\s*(#.*)?$", stripped)
        if header:
            is_array = stripped.startswith("[[")
            parts = _split_key(header.group(1))
            resolved: list[str | int] = []
            for position, part in enumerate(parts):
                resolved.append(part)
                # An enclosing array of tables means its latest entry; the header's own array gets a new one below.
                last_of_array_header = is_array and position == len(parts) - 1
                if tuple(resolved) in array_counts and not last_of_array_header:
                    resolved.append(array_counts[tuple(resolved)])
            if is_array:
                index = array_counts.get(tuple(resolved), -1) + 1
                array_counts[tuple(resolved)] = index
                lines.setdefault(tuple(resolved), number)
                resolved.append(index)
            current = tuple(resolved)
            lines.setdefault(current, number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            path = (*current, *_split_key(key.group(1)))
            lines.setdefault(path, number)
            rest = line[key.end():]
            if rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1:
                in_multiline_string = True
            depth = max(0, _bracket_change(rest))
    return lines


def line_of(text: str, path: Path) -> int | None:
    """The line of ``path`` or of its nearest enclosing key or table that appears in the text."""
    lines = key_lines(text)
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
