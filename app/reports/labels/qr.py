"""A small, fast QR code encoder for labels: byte mode, error correction level M, versions 1–10,
optionally GS1 (FNC1 in first position), after ISO/IEC 18004.

reportlab's encoder builds the symbol nine times from lists of booleans to choose its mask; a
thousand-label job spent most of its time there. Here everything that depends only on the version
(function patterns, where data modules go, the mask patterns) is computed once and cached, rows
are Python ints, and the eight masks are scored with integer and string operations.

    symbol = encode(b"0109501101530003214901542032375", gs1=True)
    symbol.size            # modules per side (21 for version 1, +4 per version)
    symbol.rows[y]         # an int; bit (size - 1 - x) is the module at column x, 1 = dark
    symbol.dark_runs()     # (y, x, length) of every horizontal run of dark modules, for drawing
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

# Level M: (error-correction codewords per block, data codewords of each block) for versions 1–10.
_BLOCKS_M: dict[int, tuple[int, tuple[int, ...]]] = {
    1: (10, (16,)), 2: (16, (28,)), 3: (26, (44,)), 4: (18, (32, 32)), 5: (24, (43, 43)),
    6: (16, (27, 27, 27, 27)), 7: (18, (31, 31, 31, 31)), 8: (22, (38, 38, 39, 39)),
    9: (22, (36, 36, 36, 37, 37)), 10: (26, (43, 43, 43, 43, 44)),
}
_ALIGNMENT: dict[int, tuple[int, ...]] = {
    1: (), 2: (6, 18), 3: (6, 22), 4: (6, 26), 5: (6, 30), 6: (6, 34), 7: (6, 22, 38), 8: (6, 24, 42),
    9: (6, 26, 46), 10: (6, 28, 50),
}
MAX_VERSION = max(_BLOCKS_M)
_LEVEL_M_BITS = 0b00

_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
)
# Penalty rule 3: a finder-like 1:1:3:1:1 pattern with four light modules on one side.
_FINDER_LIKE = ("10111010000", "00001011101")
_DARK = re.compile("1+")


class QrTooLong(ValueError):
    """The data does not fit a version-10 symbol at level M (213 bytes)."""


# --- Reed–Solomon over GF(256), polynomial 0x11D --------------------------------------------------------

def _gf_tables() -> tuple[list[int], list[int]]:
    exp, log = [0] * 512, [0] * 256
    value = 1
    for power in range(255):
        exp[power] = value
        log[value] = power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    for power in range(255, 512):
        exp[power] = exp[power - 255]
    return exp, log


_EXP, _LOG = _gf_tables()


@functools.cache
def _generator(degree: int) -> tuple[int, ...]:
    """Coefficients (highest power first, leading 1 dropped) of prod(x - a^i), i < degree."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coefficient in enumerate(poly):
            nxt[j] ^= coefficient
            if coefficient:
                nxt[j + 1] ^= _EXP[_LOG[coefficient] + i]
        poly = nxt
    return tuple(poly[1:])


@functools.cache
def _multiples(degree: int) -> tuple[int, ...]:
    """For each byte value f: f times the generator, as one int of ``degree`` bytes."""
    generator = _generator(degree)
    table = []
    for factor in range(256):
        value = 0
        for coefficient in generator:
            product = _EXP[_LOG[coefficient] + _LOG[factor]] if coefficient and factor else 0
            value = value << 8 | product
        table.append(value)
    return tuple(table)


def _ecc(data: bytes, degree: int) -> list[int]:
    """The error-correction codewords of one block: the remainder of data(x)·x^degree / generator(x)."""
    multiples = _multiples(degree)
    top_shift = 8 * (degree - 1)
    keep = (1 << 8 * degree) - 1
    remainder = 0
    for byte in data:
        factor = byte ^ (remainder >> top_shift)
        remainder = ((remainder << 8) & keep) ^ multiples[factor]
    return list(remainder.to_bytes(degree, "big"))


# --- the layout of one version: function patterns and data positions ----------------------------------
#
# A symbol is held as one int of size*size bits, row after row (the first module is the highest bit),
# and its transpose likewise, column after column, so that masking and scoring a candidate symbol are a
# few operations on two ints rather than a loop over modules.

@dataclass(frozen=True)
class _Layout:
    size: int
    fixed: tuple[int, int]  # the dark function modules (format information left light): rows, columns
    positions: tuple[tuple[int, int], ...]  # bit shifts (in rows, in columns) of the data modules, in order
    masks: tuple[tuple[int, int], ...]  # per mask: the data modules it flips, plus its format information
    window_ok: int  # rule 1: five-module windows that lie within one line (of rows then columns)
    block_ok: int  # rule 2: 2x2 blocks that lie within two neighbouring rows


def _format_bits(mask: int) -> int:
    data = _LEVEL_M_BITS << 3 | mask
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    return (data << 10 | remainder) ^ 0x5412


def _format_positions(size: int) -> list[tuple[int, tuple[int, int], tuple[int, int]]]:
    """(bit index, first copy (x, y), second copy (x, y)) of the 15 format bits."""
    first = [(8, i) for i in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(14 - i, 8) for i in range(9, 15)]
    second = [(size - 1 - i, 8) for i in range(8)] + [(8, size - 15 + i) for i in range(8, 15)]
    return [(i, first[i], second[i]) for i in range(15)]


def _as_ints(grid: list[list[bool]]) -> tuple[int, int]:
    rows = "".join("1" if v else "0" for row in grid for v in row)
    columns = "".join("1" if v else "0" for column in zip(*grid, strict=True) for v in column)
    return int(rows, 2), int(columns, 2)


@functools.cache
def _layout(version: int) -> _Layout:
    size = version * 4 + 17
    function = [[False] * size for _ in range(size)]
    dark = [[False] * size for _ in range(size)]

    def put(x: int, y: int, is_dark: bool) -> None:
        function[y][x] = True
        dark[y][x] = is_dark

    for i in range(size):
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                if 0 <= cx + dx < size and 0 <= cy + dy < size:
                    put(cx + dx, cy + dy, max(abs(dx), abs(dy)) not in (2, 4))
    centres = _ALIGNMENT[version]
    last = len(centres) - 1
    for i, cy in enumerate(centres):
        for j, cx in enumerate(centres):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    put(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1)
    format_positions = _format_positions(size)
    for _, (x1, y1), (x2, y2) in format_positions:
        put(x1, y1, False)
        put(x2, y2, False)
    put(8, size - 8, True)  # the dark module
    if version >= 7:
        remainder = version
        for _ in range(12):
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
        bits = version << 12 | remainder
        for i in range(18):
            a, b = size - 11 + i % 3, i // 3
            put(a, b, bool(bits >> i & 1))
            put(b, a, bool(bits >> i & 1))

    last_bit = size * size - 1
    positions = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = (right + 1) & 2 == 0
        for vertical in range(size):
            y = size - 1 - vertical if upward else vertical
            for x in (right, right - 1):
                if not function[y][x]:
                    positions.append((last_bit - (y * size + x), last_bit - (x * size + y)))
        right -= 2

    masks = []
    for mask, test in enumerate(_MASKS):
        flips = [[test(x, y) and not function[y][x] for x in range(size)] for y in range(size)]
        bits = _format_bits(mask)
        for i, (x1, y1), (x2, y2) in format_positions:
            if bits >> i & 1:
                flips[y1][x1] = flips[y2][x2] = True
        masks.append(_as_ints(flips))
    line_windows = (1 << (size - 4)) - 1  # window k covers bits k..k+4 of a line
    window_ok = sum(line_windows << (size * i) for i in range(2 * size))
    line_blocks = (1 << (size - 1)) - 1  # block k covers bits k, k+1 of a line and of the line before
    block_ok = sum(line_blocks << (size * i) for i in range(size - 1))
    return _Layout(size, _as_ints(dark), tuple(positions), tuple(masks), window_ok, block_ok)


# --- encoding --------------------------------------------------------------------------------------------

def _codewords(data: bytes, gs1: bool) -> tuple[int, list[int]]:
    """The smallest version that holds ``data``, and its interleaved data and error-correction codewords."""
    header_bits = 4 if gs1 else 0
    for version in range(1, MAX_VERSION + 1):
        ecc_len, block_lengths = _BLOCKS_M[version]
        capacity = sum(block_lengths) * 8
        count_bits = 8 if version < 10 else 16
        if header_bits + 4 + count_bits + 8 * len(data) <= capacity:
            break
    else:
        raise QrTooLong(f"{len(data)} bytes do not fit a QR code of version {MAX_VERSION} at level M")
    bits = []
    if gs1:
        bits.append((0b0101, 4))  # FNC1 in first position: the data is a GS1 element string
    bits += [(0b0100, 4), (len(data), count_bits)]
    value, length = 0, 0
    for chunk, width in bits:
        value, length = value << width | chunk, length + width
    value, length = value << 8 * len(data) | int.from_bytes(data, "big"), length + 8 * len(data)
    terminator = min(4, capacity - length)
    value, length = value << terminator, length + terminator
    pad_to_byte = -length % 8
    value, length = value << pad_to_byte, length + pad_to_byte
    stream = list(value.to_bytes(length // 8, "big"))
    pad = (0xEC, 0x11)
    stream += [pad[i % 2] for i in range(capacity // 8 - len(stream))]
    blocks, start = [], 0
    for block_length in block_lengths:
        blocks.append(bytes(stream[start:start + block_length]))
        start += block_length
    eccs = [_ecc(block, ecc_len) for block in blocks]
    out = [block[i] for i in range(max(block_lengths)) for block in blocks if i < len(block)]
    out += [ecc[i] for i in range(ecc_len) for ecc in eccs]
    return version, out


def _penalty(rows: int, columns: int, size: int, layout: _Layout) -> int:
    """The ISO 18004 mask penalty of one candidate symbol (rules 1–4)."""
    cells = size * size
    # Rule 1: 3 for each run of five equal modules in a row or column, plus 1 per module beyond.
    lines = rows << cells | columns
    same = ~(lines ^ (lines >> 1))  # bit k: modules k and k+1 are equal
    windows = same & (same >> 1) & (same >> 2) & (same >> 3) & layout.window_ok
    score = windows.bit_count() + 2 * (windows & ~(windows << 1)).bit_count()
    # Rule 2: 3 for each 2x2 block of one colour (a row and the row below it).
    same_vertical = ~(rows ^ (rows >> size))
    same_horizontal = ~(rows ^ (rows >> 1))
    score += 3 * (same_vertical & (same_vertical >> 1) & same_horizontal & layout.block_ok).bit_count()
    # Rule 3: 40 for each finder-like pattern; neither pattern overlaps itself, so str.count finds them all.
    text = format(lines, f"0{2 * cells}b")
    framed = "0000" + "0000|0000".join([text[i:i + size] for i in range(0, 2 * cells, size)]) + "0000"
    score += 40 * (framed.count(_FINDER_LIKE[0]) + framed.count(_FINDER_LIKE[1]))
    # Rule 4: 10 for each 5 % the share of dark modules is away from half.
    dark = rows.bit_count()
    return score + 10 * ((abs(dark * 20 - cells * 10) + cells - 1) // cells - 1)


@dataclass(frozen=True)
class QrSymbol:
    version: int
    size: int
    mask: int
    modules: int  # size*size bits, row after row, the first module highest; 1 = dark

    def is_dark(self, y: int, x: int) -> bool:
        return bool(self.modules >> (self.size * self.size - 1 - (y * self.size + x)) & 1)

    def dark_runs(self) -> list[tuple[int, int, int]]:
        """(row, first column, length) of every horizontal run of dark modules."""
        size = self.size
        # The rows side by side with a light module between them, so one scan finds every run of every row.
        text = "0".join(self._rows_text())
        stride = size + 1
        return [(m.start() // stride, m.start() % stride, m.end() - m.start()) for m in _DARK.finditer(text)]

    def row_bytes(self) -> bytes:
        """The modules as a 1-bit image, top row first, each row padded to whole bytes (1 = dark)."""
        size = self.size
        pad = -size % 8
        mask = (1 << size) - 1
        width = (size + pad) // 8
        out = bytearray()
        for y in range(size):
            row = (self.modules >> (size * (size - 1 - y))) & mask
            out += (row << pad).to_bytes(width, "big")
        return bytes(out)

    def _rows_text(self) -> list[str]:
        text = format(self.modules, f"0{self.size * self.size}b")
        return [text[i:i + self.size] for i in range(0, self.size * self.size, self.size)]


def encode(data: bytes, gs1: bool = False) -> QrSymbol:
    """The QR symbol for ``data`` (byte mode, level M), with the best of the eight masks."""
    version, codewords = _codewords(data, gs1)
    layout = _layout(version)
    size = layout.size
    rows, columns = layout.fixed
    bits = format(int.from_bytes(bytes(codewords), "big"), f"0{len(codewords) * 8}b")
    for (in_rows, in_columns), bit in zip(layout.positions, bits, strict=False):
        if bit == "1":
            rows |= 1 << in_rows
            columns |= 1 << in_columns
    best: tuple[int, int, int] | None = None
    for mask, (flip_rows, flip_columns) in enumerate(layout.masks):
        candidate = rows ^ flip_rows
        score = _penalty(candidate, columns ^ flip_columns, size, layout)
        if best is None or score < best[0]:
            best = (score, mask, candidate)
    assert best is not None
    return QrSymbol(version, size, best[1], best[2])
