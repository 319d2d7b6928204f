"""Marking operator texts for translation without Qt: the core stays Qt-free.

``QT_TRANSLATE_NOOP(context, text)`` returns ``text`` unchanged; Qt's lupdate recognises the call by
its name and puts the text into the catalogue, and the UI translates it when it shows it (see
app/ui/i18n.py). Texts with values use ``{name}`` placeholders filled by ``str.format`` after the
translation, so a French sentence can put the values where French grammar wants them.
"""

from __future__ import annotations

ERROR_CONTEXT = "OperatorError"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    return text
