"""Read ZPL II back into fields: what a printer would put where, with its data decoded.

Enough of ZPL for the labels the bench prints: ``^XA``/``^XZ`` formats, ``^PW``/``^LL`` size,
``^FO`` origins, ``^A`` fonts (text), ``^BC`` Code 128, ``^BQ`` QR (``MA,`` / ``QA,`` prefix
removed), ``^BX`` DataMatrix (escape sequences resolved: FNC1 becomes GS, as a scanner sends
it, the leading one is dropped), ``^GB`` boxes, and ``^FH`` hex escapes. Anything else is kept as
an unknown command so a test can see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GS = "\x1d"
_COMMAND = re.compile(r"[\^~]([A-Z@][A-Z0-9@])")


class ZplError(Exception):
    """ZPL the simulator cannot make sense of (an unterminated format, a field without ^FS)."""


@dataclass(frozen=True)
class ZplField:
    kind: str  # "text", "code128", "qr", "datamatrix", "box"
    x: int
    y: int
    data: str
    params: tuple[str, ...] = ()
    gs1: bool = False


@dataclass(frozen=True)
class ZplFormat:
    width: int
    length: int
    fields: tuple[ZplField, ...]
    copies: int = 1
    unknown: tuple[str, ...] = field(default=())

    def of_kind(self, kind: str) -> tuple[ZplField, ...]:
        return tuple(f for f in self.fields if f.kind == kind)

    def texts(self) -> tuple[str, ...]:
        return tuple(f.data for f in self.of_kind("text"))


def _unhex(data: str, indicator: str) -> str:
    raw = bytearray()
    index = 0
    while index < len(data):
        if data[index] == indicator and re.fullmatch(r"[0-9A-Fa-f]{2}", data[index + 1:index + 3]):
            raw.append(int(data[index + 1:index + 3], 16))
            index += 3
        else:
            raw.extend(data[index].encode("utf-8"))
            index += 1
    return raw.decode("utf-8")


def _datamatrix(data: str, escape: str) -> tuple[str, bool]:
    if not escape:
        return data, False
    out = []
    gs1 = False
    index = 0
    while index < len(data):
        ch = data[index]
        if ch == escape and index + 1 < len(data):
            code = data[index + 1]
            if code == escape:
                out.append(escape)
            elif code == "1":
                if index == 0:
                    gs1 = True
                else:
                    out.append(GS)
            else:
                raise ZplError(f"DataMatrix escape {escape}{code} is not supported by the simulator")
            index += 2
        else:
            out.append(ch)
            index += 1
    return "".join(out), gs1


def _tokens(text: str) -> list[tuple[str, str]]:
    matches = list(_COMMAND.finditer(text))
    tokens = []
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        tokens.append((match.group(0), text[match.end():end]))
    return tokens


def parse_zpl(text: str) -> list[ZplFormat]:
    """Every ``^XA`` … ``^XZ`` format in ``text``, in order; raise :class:`ZplError` on a broken one."""
    formats: list[ZplFormat] = []
    inside = False
    width = length = 0
    copies = 1
    fields: list[ZplField] = []
    unknown: list[str] = []
    origin = (0, 0)
    kind = ""
    params: tuple[str, ...] = ()
    hex_indicator = ""
    for command, argument in _tokens(text):
        name = command[1:]
        arg = argument.rstrip("\r\n") if name != "FD" else argument
        if name == "XA":
            inside, width, length, copies, fields, unknown = True, 0, 0, 1, [], []
            continue
        if not inside:
            continue
        if name == "XZ":
            formats.append(ZplFormat(width, length, tuple(fields), copies, tuple(unknown)))
            inside = False
        elif name == "PW":
            width = int(arg)
        elif name == "LL":
            length = int(arg)
        elif name == "PQ":
            copies = int(arg.split(",")[0] or 1)
        elif name == "FO":
            x, y = [*arg.split(","), "0"][:2]
            origin = (int(x), int(y))
        elif name.startswith("A") and name[1:2].isalnum() and name not in ("A@",):
            kind, params = "text", tuple(arg.split(","))
        elif name in ("BC", "BQ", "BX"):
            kind = {"BC": "code128", "BQ": "qr", "BX": "datamatrix"}[name]
            params = tuple(arg.split(","))
        elif name == "GB":
            fields.append(ZplField("box", *origin, "", tuple(arg.split(","))))
        elif name == "FH":
            hex_indicator = arg[:1] or "_"
        elif name == "FD":
            data = argument
            if hex_indicator:
                data = _unhex(data, hex_indicator)
            gs1 = False
            if kind == "qr":
                data = data.split(",", 1)[1] if "," in data[:3] else data
            elif kind == "datamatrix":
                escape = params[6] if len(params) > 6 and params[6] else ""
                data, gs1 = _datamatrix(data, escape)
            fields.append(ZplField(kind or "text", *origin, data, params, gs1))
        elif name == "FS":
            kind, params, hex_indicator = "", (), ""
        elif name not in ("CI", "LH", "BY"):
            unknown.append(command)
    if inside:
        raise ZplError("a format was started with ^XA but never ended with ^XZ")
    return formats
