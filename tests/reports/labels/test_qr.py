"""The label QR encoder: every version it makes (1–10, plain and GS1) is read back by zbarimg to the
exact data, and its mask choice scores every candidate the way ISO/IEC 18004 counts penalties."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from app.reports.labels import qr
from tests.reports.labels.support import run

SCALE, QUIET = 4, 4


def _png(symbol: qr.QrSymbol, path: Path) -> None:
    """A greyscale PNG of the symbol, 4 pixels a module, with its 4-module quiet zone."""
    side = (symbol.size + 2 * QUIET) * SCALE
    raw = bytearray()
    for py in range(side):
        y = py // SCALE - QUIET
        raw.append(0)  # filter: none
        for px in range(side):
            x = px // SCALE - QUIET
            dark = 0 <= x < symbol.size and 0 <= y < symbol.size and symbol.is_dark(y, x)
            raw.append(0 if dark else 255)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))


def _zbar(path: Path) -> str:
    result = run("zbarimg", "--quiet", "--nodbus", "--raw", "-Sdisable", "-Sqrcode.enable", path)
    return result.stdout.decode("utf-8").rstrip("\n")


# Byte counts that land on each version 1–10 at level M (the largest each holds, less the FNC1 header room).
LENGTHS = [1, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213]


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("gs1", [False, True])
def test_zbarimg_reads_every_version(tmp_path: Path, length: int, gs1: bool) -> None:
    text = ("0109501101530003" + "21" + "".join(chr(65 + i % 26) for i in range(length)))[:length] if gs1 \
        else "".join(chr(33 + (i * 7) % 90) for i in range(length))
    if gs1 and length > 200:
        text = text[:200]
    symbol = qr.encode(text.encode("utf-8"), gs1=gs1)
    assert symbol.size == 17 + 4 * symbol.version
    png = tmp_path / "qr.png"
    _png(symbol, png)
    assert _zbar(png) == text


def test_versions_grow_with_the_data() -> None:
    versions = [qr.encode(b"x" * n).version for n in LENGTHS]
    assert versions == sorted(versions)
    assert versions[0] == 1
    assert versions[-1] == qr.MAX_VERSION


def test_too_long_is_refused() -> None:
    with pytest.raises(qr.QrTooLong, match="do not fit"):
        qr.encode(b"x" * 214)


def _naive_penalty(symbol: qr.QrSymbol) -> int:
    n = symbol.size
    grid = [[symbol.is_dark(y, x) for x in range(n)] for y in range(n)]
    score = 0
    for lines in (grid, [list(c) for c in zip(*grid, strict=True)]):
        for line in lines:
            text = "".join("1" if v else "0" for v in line)
            score += sum(len(m) - 2 for m in re.findall(r"0{5,}|1{5,}", text))
            score += 40 * len(re.findall(r"(?=10111010000|00001011101)", "0000" + text + "0000"))
    score += 3 * sum(grid[y][x] == grid[y][x + 1] == grid[y + 1][x] == grid[y + 1][x + 1]
                     for y in range(n - 1) for x in range(n - 1))
    dark, total = sum(map(sum, grid)), n * n
    return score + 10 * ((abs(dark * 20 - total * 10) + total - 1) // total - 1)


@pytest.mark.parametrize("length", LENGTHS[:-1])
def test_penalty_matches_a_module_by_module_count(length: int) -> None:
    symbol = qr.encode(bytes(range(length)))
    layout = qr._layout(symbol.version)
    columns = int("".join("1" if symbol.is_dark(y, x) else "0" for x in range(symbol.size)
                          for y in range(symbol.size)), 2)
    assert qr._penalty(symbol.modules, columns, symbol.size, layout) == _naive_penalty(symbol)


def test_dark_runs_cover_exactly_the_dark_modules() -> None:
    symbol = qr.encode(b"0109501101530003" + b"21490154203237518", gs1=True)
    from_runs = {(y, x + i) for y, x, length in symbol.dark_runs() for i in range(length)}
    dark = {(y, x) for y in range(symbol.size) for x in range(symbol.size) if symbol.is_dark(y, x)}
    assert from_runs == dark
