"""Reading a lot's manifest (the supplier's or customer's list of units) from CSV text."""

from __future__ import annotations

import csv
import io
import re

from app.core.errors import InvalidScan, OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.identifiers import IdentifierKind, ScanRules, classify
from app.core.models import ManifestLine

MAX_LINES = 200_000

# Header spellings seen in supplier spreadsheets, mapped to our identifier kinds (first wins per row).
_ID_COLUMNS: dict[str, IdentifierKind] = {
    "imei": IdentifierKind.IMEI, "imei1": IdentifierKind.IMEI, "imei 1": IdentifierKind.IMEI,
    "meid": IdentifierKind.MEID,
    "serial": IdentifierKind.SERIAL, "serial number": IdentifierKind.SERIAL, "serial_number": IdentifierKind.SERIAL,
    "sn": IdentifierKind.SERIAL, "s/n": IdentifierKind.SERIAL, "service tag": IdentifierKind.SERIAL,
    "asset tag": IdentifierKind.ASSET_TAG, "asset_tag": IdentifierKind.ASSET_TAG, "asset": IdentifierKind.ASSET_TAG,
}
_MODEL_COLUMNS = {"model", "model name", "model_name", "product"}
_DESCRIPTION_COLUMNS = {"description", "desc", "notes", "condition"}


class ManifestError(OperatorError):
    """A manifest that cannot be imported as it is; nothing from it has been stored."""


def decode(data: bytes) -> str:
    """Manifest bytes as text: UTF-8 (with or without BOM), else Windows-1252 as spreadsheets export it."""
    if b"\x00" in data:
        raise ManifestError("This file is not a CSV text file", hint="Export the manifest from the spreadsheet as CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _normalise_header(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().strip('"').casefold())


def parse_manifest(text: str, rules: ScanRules | None = None) -> list[ManifestLine]:
    """Parse CSV text with a header row into manifest lines.

    Every problem is collected and reported together (the first ten, with line numbers), and the
    whole file is refused when there is any: a half-imported manifest would be worse than none.
    """
    rules = rules or ScanRules()
    if not text.strip():
        raise ManifestError("The manifest is empty", hint="Choose the CSV file that lists the lot's units")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ManifestError("The manifest has no header row", hint="The first line must name the columns") from exc
    names = [_normalise_header(h) for h in header]
    id_cols = [(i, _ID_COLUMNS[n]) for i, n in enumerate(names) if n in _ID_COLUMNS]
    if not id_cols:
        raise ManifestError(
            f"No identifier column in the manifest header ({', '.join(h.strip() for h in header)[:120]})",
            hint="Name a column IMEI, Serial, MEID or Asset tag",
        )
    model_col = next((i for i, n in enumerate(names) if n in _MODEL_COLUMNS), None)
    desc_col = next((i for i, n in enumerate(names) if n in _DESCRIPTION_COLUMNS), None)

    lines: list[ManifestLine] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line_no = reader.line_num
            if len(lines) >= MAX_LINES:
                raise ManifestError(f"The manifest has more than {MAX_LINES} lines", hint="Split it into smaller lots")
            if not any(cell.strip() for cell in row):
                continue
            line = _parse_row(row, id_cols, model_col, desc_col, rules, line_no, problems)
            if line is None:
                continue
            if line.value in seen:
                problems.append(f"line {line_no}: {line.value} is listed twice (first on line {seen[line.value]})")
                continue
            seen[line.value] = line_no
            lines.append(line)
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: unreadable CSV ({exc})")
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ManifestError(
            f"The manifest has {len(problems)} problem(s): " + "; ".join(problems[:10]) + more,
            hint="Correct the file and import it again; nothing was imported",
        )
    if not lines:
        raise ManifestError("The manifest lists no units", hint="Check that the file has rows below the header")
    return lines


def _parse_row(
    row: list[str],
    id_cols: list[tuple[int, IdentifierKind]],
    model_col: int | None,
    desc_col: int | None,
    rules: ScanRules,
    line_no: int,
    problems: list[str],
) -> ManifestLine | None:
    def cell(index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    for index, kind in id_cols:
        raw = cell(index)
        if not raw:
            continue
        try:
            value = _checked_identifier(raw, kind, rules)
        except InvalidScan as exc:
            problems.append(f"line {line_no}: {exc.message}")
            return None
        return ManifestLine(kind=str(kind), value=value, model=cell(model_col), description=cell(desc_col))
    problems.append(f"line {line_no}: no identifier")
    return None


def _checked_identifier(raw: str, kind: IdentifierKind, rules: ScanRules) -> str:
    """Validate a manifest cell as the kind its column names (an IMEI column must hold valid IMEIs)."""
    if kind is IdentifierKind.ASSET_TAG:
        value = raw.upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9._/-]{0,39}", value):
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "asset tag {raw!r} has characters an asset tag cannot have"),
                values={"raw": raw},
            )
        return value
    scan = classify(raw, rules)
    if kind is IdentifierKind.IMEI and scan.kind is not IdentifierKind.IMEI:
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "{raw!r} in the IMEI column is not a 15-digit IMEI"),
            values={"raw": raw},
        )
    if kind is IdentifierKind.SERIAL and scan.kind is IdentifierKind.IMEI:
        return scan.value  # some suppliers list the IMEI as the phone's serial; keep it as an IMEI value
    return scan.value
