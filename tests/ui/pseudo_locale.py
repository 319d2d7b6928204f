"""A pseudo-locale for finding texts the screens show without translating them.

The translator answers ⟦source⟧ for exactly the (context, source) pairs that lupdate extracts from
the code now, so a text shows the marks only when it is both marked in the code and found under the
context Qt asks at run time. Everything a window shows is then walked; a visible text without marks
is untranslated unless it is data (see ``is_data``).
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTableView,
    QTabWidget,
    QTreeView,
    QWidget,
)

ROOT = Path(__file__).resolve().parents[2]
# What `make translations` extracts; kept equal to the Makefile's TS_SOURCES.
SOURCE_GLOBS = ("app/ui/*.py", "app/core/*.py", "app/services/*.py", "app/store/*.py", "drivers/block/safety.py")
OPEN, CLOSE = "⟦", "⟧"
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")  # innermost first: values can be translated texts
# Data, not words: no letters at all (numbers, times, punctuation), or one token that carries a digit,
# a path or identifier character, or is all capitals (LOT-0001, /dev/sdb, bench-1, IMEI, 3.5 kg is two
# tokens but has no word of two lowercase letters).
_WORD = re.compile(r"[A-Za-z]*[a-z]{2,}[A-Za-z]*")


def lupdate() -> Path:
    return Path(sys.executable).parent / "pyside6-lupdate"


def extract(ts_path: Path) -> list[tuple[str, str]]:
    """Run lupdate over the code into ``ts_path``; the (context, source) pairs it found."""
    files = sorted(str(p.relative_to(ROOT)) for pattern in SOURCE_GLOBS for p in ROOT.glob(pattern))
    subprocess.run([str(lupdate()), "-silent", "-locations", "none", *files, "-ts", str(ts_path)],
                   cwd=ROOT, check=True, timeout=120)
    return catalogue_pairs(ts_path)


def catalogue_pairs(ts_path: Path) -> list[tuple[str, str]]:
    root = ET.parse(ts_path).getroot()
    return [(context.findtext("name") or "", message.findtext("source") or "")
            for context in root.iter("context") for message in context.iter("message")]


class PseudoTranslator(QTranslator):
    """⟦source⟧ for the pairs the catalogue has; the source, unmarked, for the others.

    (An empty answer would not do: from a Python override Qt takes "" as the translation, and an
    empty text would slip past the walk.)"""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.pairs = set(pairs)

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        # Qt's own widgets ask under their class names (QPlatformTheme, QDialogButtonBox, ...): Qt's own
        # catalogue (qtbase_fr) translates those; the French test checks it is installed.
        ours = (context, source) in self.pairs or context.startswith("Q")
        return f"{OPEN}{source}{CLOSE}" if ours else source

    def isEmpty(self) -> bool:  # noqa: N802 - a Qt override
        return False


def is_data(text: str) -> bool:
    """Is an unmarked text data (identifiers, numbers) rather than words a person reads?"""
    rest = text
    while _MARKED.search(rest):
        rest = _MARKED.sub("", rest)
    rest = rest.replace("&", "").strip()
    if not rest:
        return True
    if " " not in rest and (any(c.isdigit() or c in "/-_.:@" for c in rest) or rest.isupper()):
        return True
    return _WORD.search(rest) is None


def _menu_texts(menu: QMenu, where: str) -> list[tuple[str, str]]:
    found = [(f"{where} menu title", menu.title())]
    for action in menu.actions():
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            found += _menu_texts(submenu, where)
        elif not action.isSeparator():
            found.append((f"{where} menu action", action.text()))
    return found


def visible_texts(top: QWidget, leave_out: tuple[QWidget, ...] = ()) -> list[tuple[str, str]]:
    """(where, text) for every text ``top`` and its children can show a person, but those inside
    ``leave_out``."""
    found: list[tuple[str, str]] = []
    widgets = [top, *top.findChildren(QWidget)]
    for w in widgets:
        if any(w is out or out.isAncestorOf(w) for out in leave_out):
            continue
        name = f"{type(w).__name__}({w.objectName() or '-'})"
        if w.isWindow():
            found.append((f"{name} window title", w.windowTitle()))
        found.append((f"{name} tooltip", w.toolTip()))
        if isinstance(w, QLabel | QAbstractButton):
            found.append((f"{name} text", w.text()))
        elif isinstance(w, QLineEdit):
            found.append((f"{name} placeholder", w.placeholderText()))
        elif isinstance(w, QGroupBox):
            found.append((f"{name} title", w.title()))
        elif isinstance(w, QTabWidget):
            found += [(f"{name} tab", w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, QAbstractSpinBox):
            found.append((f"{name} special value", w.specialValueText()))
        elif isinstance(w, QTableView | QTreeView) and w.model() is not None:
            model, header = w.model(), (w.horizontalHeader() if isinstance(w, QTableView) else w.header())
            if not header.isHidden():
                found += [(f"{name} header", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                          for c in range(model.columnCount(QModelIndex()))]
        if isinstance(w, QMainWindow):
            for action in w.menuBar().actions():
                menu = action.menu()
                if isinstance(menu, QMenu):
                    found += _menu_texts(menu, name)
    return [(where, text) for where, text in found if text]


def untranslated(top: QWidget, leave_out: tuple[QWidget, ...] = ()) -> list[str]:
    """'where: text' for each visible text of ``top`` (but ``leave_out``) neither translated nor data."""
    return sorted({f"{where}: {text!r}" for where, text in visible_texts(top, leave_out) if not is_data(text)})
