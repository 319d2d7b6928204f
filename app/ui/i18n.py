"""The screens' language: English (the source texts) or French, from Qt translation catalogues.

The catalogue's source is resources/translations/refurb_bench_fr.ts (edited with Qt Linguist or by
hand, refreshed from the code by `make translations`); the compiled .qm beside it is committed, so a
fresh clone and the built package run without Qt's tools. Qt's own qtbase_fr translates the standard
buttons (OK, Cancel, Yes, No) and dialogs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.core.erase_methods import METHODS
from app.core.errors import OperatorError
from app.core.i18n import ERROR_CONTEXT, QT_TRANSLATE_NOOP
from app.core.models import Role

if TYPE_CHECKING:
    from app.ui.work_tabs import WorkTab
    from drivers.block.safety import Refusal

log = logging.getLogger("app.ui")

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"
CATALOGUE = "refurb_bench"
SOURCE_LANGUAGE = "en"
LANGUAGES = {"en": "English", "fr": "Français"}  # each named in its own language, as people look for it

TAB_CONTEXT = "WorkTab"  # work tabs mark their titles with QT_TRANSLATE_NOOP(TAB_CONTEXT, ...)

_installed: list[QTranslator] = []

STATE_NAMES = {  # UnitState values (app/core/lifecycle.py) as the screens name them
    "received": QT_TRANSLATE_NOOP("UnitState", "received"),
    "identified": QT_TRANSLATE_NOOP("UnitState", "identified"),
    "testing": QT_TRANSLATE_NOOP("UnitState", "testing"),
    "tested": QT_TRANSLATE_NOOP("UnitState", "tested"),
    "sanitising": QT_TRANSLATE_NOOP("UnitState", "sanitising"),
    "sanitised": QT_TRANSLATE_NOOP("UnitState", "sanitised"),
    "graded": QT_TRANSLATE_NOOP("UnitState", "graded"),
    "routed": QT_TRANSLATE_NOOP("UnitState", "routed"),
    "labelled": QT_TRANSLATE_NOOP("UnitState", "labelled"),
    "packed": QT_TRANSLATE_NOOP("UnitState", "packed"),
    "shipped": QT_TRANSLATE_NOOP("UnitState", "shipped"),
    "on_hold": QT_TRANSLATE_NOOP("UnitState", "on hold"),
    "quarantined": QT_TRANSLATE_NOOP("UnitState", "quarantined"),
    "failed": QT_TRANSLATE_NOOP("UnitState", "failed"),
}

ROLE_NAMES = {  # Role values (app/core/models.py) as the screens name them
    "technician": QT_TRANSLATE_NOOP("Role", "technician"),
    "supervisor": QT_TRANSLATE_NOOP("Role", "supervisor"),
    "admin": QT_TRANSLATE_NOOP("Role", "admin"),
}


def choose_language(asked: str | None, setting: str, system: QLocale | None = None) -> str:
    """The command line's --lang, else the station setting, else the system locale, else English."""
    for choice in (asked, setting):
        if choice:
            return choice if choice in LANGUAGES else SOURCE_LANGUAGE
    name = (system or QLocale.system()).name().split("_")[0]
    return name if name in LANGUAGES else SOURCE_LANGUAGE


def install_translators(language: str) -> list[QTranslator]:
    """Replace the application's translators with those of ``language``; returns them.

    English installs none (the code's texts are English). A missing catalogue is logged and the
    screens stay in English rather than failing to start.
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_translators needs the QApplication")
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if language == SOURCE_LANGUAGE:
        return []
    ours = QTranslator(app)
    if ours.load(f"{CATALOGUE}_{language}", str(TRANSLATIONS)):
        _installed.append(ours)
    else:
        log.error("no %s translation in %s: the screens stay in English", language, TRANSLATIONS)
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        _installed.append(qt_own)
    else:
        log.info("Qt's own %s translation is not installed: standard buttons stay in English", language)
    for translator in _installed:
        app.installTranslator(translator)
    QLocale.setDefault(QLocale(language))
    return list(_installed)


def said(context: str, template: str, values: Mapping[str, object], english: str) -> str:
    """A message the services compose, in the screens' language: ``template`` (marked under ``context``
    in the service) translated and filled with ``values``; the English ``english`` when unmarked."""
    if not template:
        return english
    return QCoreApplication.translate(context, template).format(**values)


def error_text(exc: OperatorError) -> str:
    """An operator error as the screens show it: message — hint, in the screens' language.

    Texts marked with QT_TRANSLATE_NOOP in the core are found in the catalogue; others (not marked
    yet) are shown as they are.
    """
    message = QCoreApplication.translate(ERROR_CONTEXT, exc.template)
    hint = QCoreApplication.translate(ERROR_CONTEXT, exc.hint_template) if exc.hint_template else ""
    if exc.values:
        values = {k: role_name(v) if isinstance(v, Role) else v for k, v in exc.values.items()}
        message, hint = message.format(**values), hint.format(**values)
    return f"{message} — {hint}" if hint else message


def tab_title(tab: WorkTab) -> str:
    """A work tab's title (class attribute, marked in its module) in the screens' language."""
    return QCoreApplication.translate(TAB_CONTEXT, tab.title)


def refusal_text(refusal: Refusal) -> str:
    """Why a drive is refused, in the screens' language (drivers/block/safety.py marks the texts)."""
    return said("Refusal", refusal.template, refusal.values, refusal.text)


def refusal_hint(refusal: Refusal) -> str:
    return said("Refusal", refusal.hint_template, refusal.values, refusal.hint)


def role_name(role: str) -> str:
    """An operator role (technician, supervisor, admin) in the screens' language."""
    return QCoreApplication.translate("Role", ROLE_NAMES[role]) if role in ROLE_NAMES else role


def state_name(state: str) -> str:
    """A unit's lifecycle state in the screens' language."""
    return QCoreApplication.translate("UnitState", STATE_NAMES[state]) if state in STATE_NAMES else state


def method_label(name: str) -> str:
    """An erase method's name (app/core/erase_methods.py marks them) in the screens' language."""
    return QCoreApplication.translate("EraseMethod", METHODS[name].label) if name in METHODS else name
