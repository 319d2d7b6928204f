"""Every page of the window fits a 1280x800 bench screen, in English and in French, with no text cut short.

French runs about a third longer than English: labels side by side, button rows and headings in big type
once made the French window 1490 px wide. The real window is walked tab by tab with realistic content in
the pages whose texts grow with the data (the open unit, a phone's guided step, a rig's plan under way).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QTableView,
    QWidget,
)
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from app.core.identifiers import IdentifierKind
from app.store.rig_queries import RigBinding
from app.ui.flow_layout import FlowLayout
from app.ui.i18n import install_translators
from app.ui.phones_page import PhoneRow
from app.ui.phones_tab import PhonesTab
from app.ui.rigs_tab import RigsTab
from tests.ui.conftest import ENGLISH, Bench

SCREEN_WIDTH, SCREEN_HEIGHT = 1280, 800
translate = QCoreApplication.translate


@pytest.fixture(params=["en", "fr"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    install_translators(request.param)
    yield request.param
    install_translators("en")
    QLocale.setDefault(QLocale(ENGLISH))


def _shown_text(widget: QLabel | QAbstractButton) -> str:
    """The text as drawn: the mnemonic marks of a button, or of a label with a buddy, are not drawn."""
    text = widget.text()
    mnemonic = isinstance(widget, QAbstractButton) or widget.buddy() is not None
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&") if mnemonic else text


def cut_texts(window: QWidget) -> list[str]:
    """Visible labels and buttons whose text does not fit (wider than a single-line widget, or taller than a
    word-wrapped label), and table columns sized to their contents that are narrower than those."""
    cut: list[str] = []
    for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
        if not widget.isVisible() or not widget.text() or widget.text().lstrip().startswith("<"):
            continue
        text = _shown_text(widget)
        if isinstance(widget, QLabel) and widget.wordWrap():
            if widget.height() < widget.heightForWidth(widget.width()):
                cut.append(f"{text!r}: {widget.height()} px high of {widget.heightForWidth(widget.width())}")
            continue
        if widget.sizePolicy().horizontalPolicy() is QSizePolicy.Policy.Ignored:
            continue  # a widget that elides on purpose and shows the whole text as its tooltip
        advance = max(widget.fontMetrics().horizontalAdvance(line) for line in text.split("\n"))
        room = widget.contentsRect().width() if isinstance(widget, QLabel) else widget.width()
        if advance > room or (isinstance(widget, QAbstractButton) and widget.width() < widget.sizeHint().width()):
            cut.append(f"{type(widget).__name__} {text!r}: {room} px for {advance}")
    for table in window.findChildren(QTableView):
        header = table.horizontalHeader()
        cut += [f"{table.objectName()} column {column}: {header.sectionSize(column)} px for "
                f"{table.sizeHintForColumn(column)}"
                for column in range(header.count()) if table.isVisible()
                and header.sectionResizeMode(column) is QHeaderView.ResizeMode.ResizeToContents
                and header.sectionSize(column) < table.sizeHintForColumn(column)]
    return cut


def _fill_unit(bench: Bench) -> None:
    window = bench.window
    unit, _ = window.intake.add_unit(IdentifierKind.IMEI, "356938035643809",
                                     model="Samsung Galaxy S21 Ultra 5G (SM-G998B/DS)", source="scan")
    window.open_unit(unit.unit_id)


def _fill_phones(bench: Bench) -> None:
    page = bench.window.work_tab(PhonesTab).page
    status = translate("PhonesView", "Step {number} of {steps}: {name} — P pass, F fail, S skip").format(
        number=3, steps=9, name="Front camera")
    page.set_row(PhoneRow("usb-0000:00:14.0-2", "2", "Samsung Galaxy S21 Ultra 5G (SM-G998B)", "356938035643809 +1",
                          "R58N1234ABC", "Android 14", "87 % · 91 % health · 412 cycles", "none", status, "guided"))
    title = translate("PhonesView", "{heading} · {phone} — step {number} of {steps}: {name}").format(
        heading="Bay 2", phone="Samsung Galaxy S21 Ultra 5G (SM-G998B)", number=3, steps=9, name="Front camera")
    page.show_step(title, "Open the camera app, switch to the front camera and check the picture is sharp, "
                   "without spots or lines, then answer.", translate("PhonesView", "P  pass     F  fail     S  skip"))
    page.detail.setText(translate("PhonesView", "Tap “Allow USB debugging” on the phone"))


def _fill_rigs(bench: Bench) -> None:
    tab = bench.window.work_tab(RigsTab)
    page = tab.page
    page.set_bindings([RigBinding(1, "psu", "/dev/serial/by-path/pci-0000:00:14.0-usb-0:3.1:1.0-port0", "scpi",
                                  "RIGOL TECHNOLOGIES,DP832A,DP8G1234567,00.01.16"),
                       RigBinding(1, "load", "/dev/serial/by-path/pci-0000:00:14.0-usb-0:3.2:1.0-port0", "scpi",
                                  "ITECH Ltd.,IT8511A+,802198012747210015,1.31-1.27")])
    plans = tab.tests.plans()
    page.set_plans(plans, plans[0])
    page.show_plan(plans[0])
    page.mark_first_running()
    page.show_prompt("Visual check", "Is the charger's cable free of cuts, kinks and burn marks?", "y", "n")
    page.show_result(translate("RigsPage", "Cancel  Ctrl+Shift+X"), "warn")


def _fills(bench: Bench) -> dict[int, tuple[str, Callable[[Bench], None]]]:
    """The pages given realistic content once shown (a tab fills its page when shown), by tab index."""
    window = bench.window
    pages = ((window.unit_page, "unit", _fill_unit), (window.work_tab(PhonesTab).page, "phones", _fill_phones),
             (window.work_tab(RigsTab).page, "rigs", _fill_rigs))
    return {window.tabs.indexOf(page): (name, fill) for page, name, fill in pages}


def _fits(window: QMainWindow) -> list[str]:
    too_wide = []
    for name, size in (("minimumSizeHint", window.minimumSizeHint()), ("sizeHint", window.sizeHint())):
        if size.width() > SCREEN_WIDTH:
            too_wide.append(f"{name} {size.width()} px")
    if window.minimumSizeHint().height() > SCREEN_HEIGHT:
        too_wide.append(f"minimumSizeHint {window.minimumSizeHint().height()} px high")
    return too_wide


def _settled(bench: Bench) -> list[str]:
    """The cut texts once the page's last layout pass has run (none, or those still cut after a second)."""
    with contextlib.suppress(TimeoutError):  # what is still cut is reported by the caller
        bench.qtbot.waitUntil(lambda: not cut_texts(bench.window), timeout=1000)
    return cut_texts(bench.window)


def test_every_page_fits_a_1280x800_screen_with_no_text_cut(
        language: str, make_bench: Callable[..., Bench], tmp_path: Path) -> None:
    bench = make_bench().login()
    window = bench.window
    fills = _fills(bench)
    folder = Path(os.environ.get("REFURB_BENCH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)  # each tab fills its page when shown
        QApplication.processEvents()
        if index in fills:
            fills[index][1](bench)
        window.resize(SCREEN_WIDTH, SCREEN_HEIGHT)
        QApplication.processEvents()
        tab = window.tabs.tabText(index)
        assert window.tabs.currentIndex() == index
        if window.width() != SCREEN_WIDTH:
            problems.append(f"{tab}: the window is {window.width()} px wide")
        settled = _settled(bench)  # a page filled as it was shown (the dashboard's figures) lays out again
        problems += [f"{tab}: {text}" for text in _fits(window) + settled]
        if language == "fr" and index in fills:
            assert window.grab().save(str(folder / f"layout-{fills[index][0]}-fr.png"))
    assert problems == [], f"in {language}:\n" + "\n".join(problems)
    assert set(fills) == {window.tabs.indexOf(window.unit_page), window.tabs.indexOf(window.work_tab(PhonesTab).page),
                          window.tabs.indexOf(window.work_tab(RigsTab).page)}


def test_a_button_row_flows_onto_a_second_line_when_narrow(qtbot: QtBot) -> None:
    row = QWidget()
    qtbot.addWidget(row)
    flow = FlowLayout(row)
    buttons = [QPushButton(text) for text in ("Lancer le plan  Ctrl+R", "Annuler  Ctrl+Maj+X",
                                              "Associer un port…  Ctrl+Maj+P")]
    for button in buttons:
        flow.addWidget(button)
    widest = max(button.sizeHint().width() for button in buttons)
    assert row.minimumSizeHint().width() == widest  # never wider than its widest button
    row.resize(flow.sizeHint().width(), flow.heightForWidth(flow.sizeHint().width()))
    row.show()
    QApplication.processEvents()
    assert len({button.y() for button in buttons}) == 1
    narrow = widest + 10
    row.resize(narrow, flow.heightForWidth(narrow))
    QApplication.processEvents()
    assert [button.x() for button in buttons] == [0, 0, 0]
    assert buttons[0].y() < buttons[1].y() < buttons[2].y()
    assert flow.heightForWidth(narrow) >= sum(button.sizeHint().height() for button in buttons)
    assert all(button.width() >= button.sizeHint().width() for button in buttons)
