"""Every text the screens show is translatable, and the French catalogue translates all of them.

The window is walked under a pseudo-locale (tests/ui/pseudo_locale.py): a visible text without its
⟦ ⟧ marks is either not marked for translation in the code, or marked under a context Qt does not
ask at run time; either way it would stay English on a French bench.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QSizePolicy, QWidget
from pytestqt.qtbot import QtBot

from app.cli import build_parser
from app.core import events as ev
from app.core.describe import describe
from app.core.errors import InvalidScan, OperatorError, PermissionDenied
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.identifiers import ScanRules, classify
from app.core.kpi_snapshot import Period, Stage
from app.core.models import Event, Role
from app.services.erasure_records import check_override_reason
from app.services.hub_kpi import HubKpiUnavailable, fetch_hub_snapshot
from app.services.rig_bays import probe_port
from app.settings import SETTINGS_FILE, Settings
from app.ui.application import open_window
from app.ui.dashboard_page import DashboardPage
from app.ui.dashboard_tab import DashboardTab
from app.ui.i18n import TRANSLATIONS, choose_language, error_text, install_translators, refusal_hint, refusal_text
from app.ui.lots_page import NewLotDialog
from app.ui.main_window import MainWindow
from app.ui.models import event_text
from app.ui.operators_dialog import OperatorsDialog
from app.ui.rigs_bind import BindDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.style import STYLE
from drivers.block.safety import _refusal
from tests.ui.conftest import Bench
from tests.ui.dashboard_data import busy_day
from tests.ui.pseudo_locale import PseudoTranslator, extract, is_data, lupdate, untranslated

ROOT = Path(__file__).resolve().parents[2]
FR_TS = TRANSLATIONS / "refurb_bench_fr.ts"
FR_QM = TRANSLATIONS / "refurb_bench_fr.qm"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(scope="module")
def code_pairs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    """The (context, source) pairs lupdate finds in the code as it is now."""
    return extract(tmp_path_factory.mktemp("lupdate") / "extracted.ts")


@pytest.fixture
def pseudo(qapp: QApplication, code_pairs: list[tuple[str, str]]) -> Iterator[PseudoTranslator]:
    translator = PseudoTranslator(code_pairs)
    qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)


@pytest.fixture
def french(qapp: QApplication) -> Iterator[None]:
    install_translators("fr")
    yield
    install_translators("en")
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def _dialogs(bench: Bench) -> list[QWidget]:
    """The window's dialogs that open without a device: built as the window builds them."""
    window = bench.window
    return [
        SettingsDialog(window.settings, window, data_dir=window.store.data_dir),
        OperatorsDialog([], lambda *_: None, window),  # type: ignore[arg-type]
        NewLotDialog(window),
        BindDialog([], ["psu", "load"], 1, window),
    ]


def test_data_rule_tells_identifiers_from_words() -> None:
    for data in ("LOT-0001", "/dev/sdb", "bench-1", "IMEI", "12", "3.5 %", "—", "⟦Unit⟧", "⟦Box {box_id}⟧ 7"):
        assert is_data(data), data
    for words in ("Bay", "Not logged in", "&File", "Receiving into LOT-1", "⟦Box⟧ closed"):
        assert not is_data(words), words


def _walk(bench: Bench, leave_out: tuple[QWidget, ...] = ()) -> list[str]:
    """Untranslated texts of the window before and after login, with every tab shown once."""
    missing = untranslated(bench.window, leave_out)  # the login page and the status bar before login
    bench.login()
    for index in range(bench.window.tabs.count()):
        bench.window.tabs.setCurrentIndex(index)  # each tab fills its page when shown
        QApplication.processEvents()
    return missing + untranslated(bench.window, leave_out)


def test_every_visible_text_of_the_window_and_its_tabs_is_translated(
        pseudo: PseudoTranslator, make_bench: Callable[..., Bench]) -> None:
    bench = make_bench()
    missing = _walk(bench)
    # The dashboard drawn with figures: tiles, chart headings and footnotes, the held units' table.
    dashboard = bench.window.work_tab(DashboardTab)
    dashboard.poll.stop()
    dashboard.page.show_snapshot(busy_day())
    assert dashboard.page.charts_built
    assert dashboard.page.held_model.rowCount() > 0
    missing += untranslated(dashboard.page)
    # Drawn inside the charts, not widgets of their own: series names and value axis titles.
    drawn = [(f"{chart.heading.text()} chart", text) for chart in dashboard.page.charts()
             for text in (chart.bars.axis_title, *(series.name for series in chart.bars.series))]
    drawn += [("held units tooltip", text) for text in _held_tooltips(dashboard)]
    missing += [f"{where}: {text!r}" for where, text in drawn if not is_data(text)]
    for dialog in _dialogs(bench):
        missing += untranslated(dialog)
        dialog.deleteLater()
    missing = sorted(set(missing))
    assert missing == [], "visible texts not translatable:\n" + "\n".join(missing)


def _held_tooltips(tab: DashboardTab) -> list[str]:
    model = tab.page.held_model
    return [str(model.data(model.index(0, column), Qt.ItemDataRole.ToolTipRole) or "")
            for column in (1, 2)]  # the blocker's help and "On hold since"


def test_the_french_catalogue_translates_every_text_in_the_code(code_pairs: list[tuple[str, str]]) -> None:
    root_pairs = {}
    import xml.etree.ElementTree as ET

    for context in ET.parse(FR_TS).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            root_pairs[(name, message.findtext("source") or "")] = translation
    problems = []
    for pair in code_pairs:
        translation = root_pairs.get(pair)
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete") \
                or not (translation.text or "").strip():
            problems.append(f"{pair[0]}: {pair[1]!r} has no finished translation (make translations)")
            continue
        source, text = pair[1], translation.text or ""
        if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(text)):
            problems.append(f"{pair[0]}: {source!r} -> {text!r}: the placeholders differ")
        if ("&" in source.replace("&&", "")) != ("&" in text.replace("&&", "")):
            problems.append(f"{pair[0]}: {source!r} -> {text!r}: the Alt-key mnemonic is lost or added")
    assert problems == [], "\n".join(problems)


def test_the_committed_qm_is_compiled_from_the_committed_ts(tmp_path: Path) -> None:
    built = tmp_path / "fr.qm"
    subprocess.run([str(lupdate().with_name("pyside6-lrelease")), "-silent", str(FR_TS), "-qm", str(built)],
                   check=True, timeout=60)
    assert built.read_bytes() == FR_QM.read_bytes(), "refurb_bench_fr.qm is stale: run make translations"


def test_language_comes_from_the_command_line_then_the_setting_then_the_system() -> None:
    french_system, german_system = QLocale(QLocale.Language.French), QLocale(QLocale.Language.German)
    assert choose_language("en", "fr", french_system) == "en"
    assert choose_language(None, "fr", QLocale(QLocale.Language.English)) == "fr"
    assert choose_language(None, "", french_system) == "fr"
    assert choose_language(None, "", german_system) == "en"  # no German catalogue: the source language
    assert choose_language("xx", "", french_system) == "en"


def test_lang_on_the_command_line_opens_the_bench_in_french(french: None, qtbot: QtBot, tmp_path: Path) -> None:
    args = build_parser().parse_args(["--lang", "fr"])
    assert args.lang == "fr"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / SETTINGS_FILE).write_text('{"schema_version": 1, "language": "en"}')
    opened = open_window(tmp_path / "data", None, lang=args.lang)  # --lang wins over the setting
    assert isinstance(opened, MainWindow)
    qtbot.addWidget(opened)
    try:
        assert opened.banner.text() == "Prêt — scannez un badge pour vous connecter"
    finally:
        opened.shutdown()
        assert opened.jobs.wait(5000), "background jobs still running at the end of the test"
        opened.store.close()


def test_the_normal_start_up_opens_the_bench_in_english(qtbot: QtBot, tmp_path: Path) -> None:
    """No --lang and no setting: the system's language, which tests/ui/conftest.py makes English."""
    opened = open_window(tmp_path / "data", None)
    assert isinstance(opened, MainWindow)
    qtbot.addWidget(opened)
    try:
        assert opened.banner.text() == "Ready — scan a badge to log in"
        assert QLocale.system().name() == "en_US"
    finally:
        opened.shutdown()
        assert opened.jobs.wait(5000), "background jobs still running at the end of the test"
        opened.store.close()


def test_a_french_machine_runs_the_tests_in_english(tmp_path: Path) -> None:
    """The test above and the French ones, run by pytest on a machine whose locale is French: the
    start-up is English all the same, and the tests that mean French still get French."""
    # The French locale compiled from glibc's sources into a folder of the test's own (LOCPATH), as a
    # French machine has it installed: a missing one would make Qt warn and fall back to C.
    locales = tmp_path / "locales"
    locales.mkdir()
    subprocess.run(["localedef", "-i", "fr_FR", "-f", "UTF-8", str(locales / "fr_FR.UTF-8")], check=True,
                   capture_output=True, timeout=120)
    french_machine = {**os.environ, "LOCPATH": str(locales), "LANG": "fr_FR.UTF-8", "LC_ALL": "fr_FR.UTF-8",
                      "LANGUAGE": "fr", "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    chosen = ("test_the_normal_start_up_opens_the_bench_in_english or test_main_window_in_french "
              "or test_lang_on_the_command_line")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", chosen],
                          cwd=ROOT, env=french_machine, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout
    probe = subprocess.run([sys.executable, "-c", _SYSTEM_LOCALE], cwd=ROOT, env=french_machine,
                           capture_output=True, text=True, timeout=60, check=True)
    assert probe.stdout.split() == ["fr_FR", "fr"]  # the machine really is French without the fixture


_SYSTEM_LOCALE = """
from PySide6.QtCore import QCoreApplication, QLocale
app = QCoreApplication([])
from app.ui.i18n import choose_language
print(QLocale.system().name(), choose_language(None, ""))
"""


def test_the_settings_dialog_saves_the_language(qapp: QApplication) -> None:
    dialog = SettingsDialog(Settings())
    assert dialog.language_combo.currentData() == ""
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("fr"))
    assert dialog.chosen().language == "fr"
    dialog.deleteLater()


def test_texts_from_the_core_services_and_drivers_are_shown_in_french(french: None) -> None:
    with pytest.raises(InvalidScan) as empty:
        classify("   ", ScanRules())
    assert empty.value.message == "Empty scan"  # the CLI and the logs keep English
    assert error_text(empty.value) == ("Scan vide — Scannez à nouveau le code-barres ; si cela se reproduit, "
                                       "vérifiez que le scanner est réglé pour envoyer les données")
    with pytest.raises(InvalidScan) as bad_imei:
        classify("356938035643801", ScanRules())
    assert error_text(bad_imei.value).startswith("L'IMEI 356938035643801 a une clé de contrôle fausse : le dernier "
                                                 "chiffre devrait être 9, et non 1")
    denied = PermissionDenied(QT_TRANSLATE_NOOP("OperatorError", "Ask a {role} to scan their badge"),
                              values={"role": Role.SUPERVISOR})
    assert error_text(denied) == "Demandez à un superviseur de scanner son badge"
    refusal = _refusal("read_only", QT_TRANSLATE_NOOP("Refusal", "{path} is read-only"),
                       QT_TRANSLATE_NOOP("Refusal", "Insert the drive or card"), path="/dev/sdz")
    assert (refusal.text, refusal_text(refusal), refusal_hint(refusal)) == (
        "/dev/sdz is read-only", "/dev/sdz est en lecture seule", "Insérez le disque ou la carte")


def test_main_window_in_french(french: None, make_bench: Callable[..., Bench], tmp_path: Path) -> None:
    bench = make_bench()
    window = bench.window
    assert window.banner.text() == "Prêt — scannez un badge pour vous connecter"
    bench.login()
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus[:2] == ["&Fichier", "&Affichage"]
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs[:4] == ["&Unité  F2", "&Recherche  F3", "&Lots  F4", "&Baies  F6"]
    assert window.operator_label.text() == "Opérateur : Sam Okafor (technicien)"
    assert window.banner.text() == "Connexion de Sam Okafor"  # the intake service's message, translated
    # Qt's own catalogue translates the standard buttons.
    dialog = SettingsDialog(window.settings, window)
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Annuler"
    dialog.deleteLater()
    assert QCoreApplication.translate("WorkTab", "Pac&k") == "&Emballage"
    shot = bench.screenshot("main-window-fr") or tmp_path / "main-window-fr.png"
    assert window.grab().save(str(shot))


def test_the_dashboard_in_french(french: None, make_bench: Callable[..., Bench], tmp_path: Path) -> None:
    """The dashboard drawn with a day's figures, in French: words, numbers written the French way, and
    on a 1280 px bench screen no text cut short."""
    bench = make_bench().login()
    window = bench.window
    tab = window.work_tab(DashboardTab)
    window.tabs.setCurrentWidget(tab.page)
    bench.qtbot.waitUntil(lambda: tab.page.snapshot is not None, timeout=10_000)
    tab.poll.stop()  # the drawn snapshot stays while it is looked at
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Tableau de bor&d  F12"
    # The page at the width of a 1280x800 bench screen (the window's other pages set its own width).
    page = DashboardPage()
    bench.qtbot.addWidget(page)
    page.setStyleSheet(STYLE + page.styleSheet())
    page.as_of.setWordWrap(True)  # as the tab sets it
    page.resize(1280, 690)
    page.show()
    page.show_snapshot(busy_day())
    bench.qtbot.wait(200)  # the scroll area settles after the layout
    assert page.as_of.text() == "Au 2026-12-04 14:32 UTC"
    tiles = page.tiles
    assert (tiles.stages[Stage.RECEIVED].text, tiles.stages[Stage.RECEIVED].caption_label.text()) == (
        "1\u202f248", "Réceptionnées")
    assert (tiles.erasure_success.text, tiles.erasure_success.caption_label.text()) == ("99,4 %", "Effacements réussis")
    assert "1\u202f058 effacements terminés sur 1\u202f064 réussis" in tiles.erasure_success.toolTip()
    assert page.held_model.headerData(1, Qt.Orientation.Horizontal) == "Blocage"
    assert page.held_model.data(page.held_model.index(0, 2)) == "3 j 5 h"
    assert page.held_model.data(page.held_model.index(1, 1)) == "Verrou d'activation"
    assert page.stage_times.values()["Médiane"]["Réceptionnées"] == 21.0
    assert page.per_station.heading.text() == "Unités par heure, par poste"
    assert page.per_station.footnote.text() == "Aucune donnée : packing"
    clipped = [f"{label.text()!r}: {label.width()} px of {label.sizeHint().width()}"
               for label in page.findChildren(QLabel)
               if label.isVisible() and label.text() and not label.wordWrap()
               and label.sizePolicy().horizontalPolicy() is not QSizePolicy.Policy.Ignored
               and label.width() < label.sizeHint().width()]
    assert clipped == [], "texts cut short in French:\n" + "\n".join(clipped)
    shot = bench.screenshot("dashboard-fr")
    folder = shot.parent if shot else tmp_path
    assert page.grab().save(str(folder / "dashboard-page-fr.png"))


def _event(event_type: str, **body: object) -> Event:
    return Event(stream_id="s", seq=1, event_id="e", type=event_type, schema_version=1,
                 occurred_at="2026-12-04T09:15:00.000Z", operator_id=None, unit_id="u", body=body)


def test_the_timeline_says_what_happened_in_french(french: None) -> None:
    """The unit timeline's What column: app/core/describe.py's phrases translated piece by piece, with
    the roles, states and identifier kinds among their values translated too; the CLI keeps English."""
    created = _event(ev.UNIT_CREATED, source="scan", identifiers=[{"kind": "imei", "value": "356938035643809"},
                                                                  {"kind": "serial", "value": "F2LXK0ABHG7F"}])
    moved = _event(ev.UNIT_STATE_CHANGED, reason="FRP found", **{"from": "testing", "to": "on_hold"})
    added = _event(ev.OPERATOR_ADDED, name="Sam Okafor", role="supervisor", badge="OP-0003")
    lot = _event(ev.LOT_CREATED, code="LOT-7", party_kind="customer", party="Acme", po="", expected_count=4)
    erased = _event(ev.ERASURE_COMPLETED, outcome="passed", result={"summary": "3 passes"}, certificate_id="C-9")
    assert describe(created) == "Unit created from scan: IMEI 356938035643809, serial F2LXK0ABHG7F"
    assert event_text(created) == "Unité créée depuis scan : IMEI 356938035643809, numéro de série F2LXK0ABHG7F"
    assert describe(moved) == "State testing → on hold: FRP found"
    assert event_text(moved) == "État en test → en attente : FRP found"
    assert event_text(added) == "Opérateur Sam Okafor ajouté comme superviseur (badge OP-0003)"
    assert event_text(lot) == "Lot LOT-7 créé pour le client Acme, 4 attendues"
    assert event_text(erased) == "Effacement passed : 3 passes — certificat C-9"
    unknown = _event("vendor.custom_fact")
    assert (describe(unknown), event_text(unknown)) == ("vendor.custom_fact", "vendor.custom_fact")


def test_every_event_description_is_marked_for_translation(code_pairs: list[tuple[str, str]]) -> None:
    """Each template describe.py uses for an event is one lupdate extracts (so the catalogue test covers it)."""
    import app.core.describe as described

    source = Path(described.__file__).read_text(encoding="utf-8")
    templates = set(re.findall(r'QT_TRANSLATE_NOOP\("Event", "((?:[^"\\]|\\.)*)"\)', source))
    assert len(templates) > 60
    assert {("Event", t) for t in templates} <= set(code_pairs)


def test_erasure_hub_and_rig_errors_are_shown_in_french(french: None, tmp_path: Path) -> None:
    with pytest.raises(OperatorError) as short:
        check_override_reason("ok")
    assert short.value.message == "The override reason 'ok' is too short"  # the CLI's English
    assert error_text(short.value) == ("Le motif de dérogation « ok » est trop court — Dites en quelques mots "
                                       "pourquoi ce disque peut être effacé hors du plan des baies")
    with pytest.raises(HubKpiUnavailable) as alone:
        fetch_hub_snapshot(tmp_path, Period.TODAY)
    assert error_text(alone.value).startswith("Ce poste n'est inscrit auprès d'aucun hub — Inscrivez-le dans "
                                              "Paramètres → Synchronisation")
    with pytest.raises(OperatorError) as probe:
        probe_port(str(tmp_path / "no-such-port"), timeout=0.2)
    assert error_text(probe.value).startswith(f"Aucun banc de test identifié sur {tmp_path / 'no-such-port'} : ")
