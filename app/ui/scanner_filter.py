"""Catches keyboard-wedge scans anywhere in the application, whatever widget has focus.

An application-wide event filter feeds key presses to the Qt-free BurstDetector. Keys are held
back for a few tens of milliseconds; a fast burst ending in Enter/Tab becomes ``scanned(text)``
and never reaches the focused widget, while a person's typing is handed on unchanged.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from drivers.scanner.wedge import Action, BurstDetector, Decision, WedgeConfig

log = logging.getLogger("app.scanner")

GROUP_SEPARATOR = "\x1d"
_KEY_FOR_CHAR = {"\r": Qt.Key.Key_Return, "\n": Qt.Key.Key_Return, "\t": Qt.Key.Key_Tab, " ": Qt.Key.Key_Space}


def key_event_for(char: str, kind: QEvent.Type = QEvent.Type.KeyPress) -> QKeyEvent:
    """The key event a keyboard would produce for one character (GS1's GS arrives as Ctrl+])."""
    if char == GROUP_SEPARATOR:
        return QKeyEvent(kind, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier, char)
    key = _KEY_FOR_CHAR.get(char)
    if key is None:
        code = ord(char.upper()) if len(char) == 1 else 0
        key = Qt.Key(code) if 0x20 <= code <= 0x7E else Qt.Key.Key_unknown
    shifted = char.isalpha() and char.isupper()
    modifiers = Qt.KeyboardModifier.ShiftModifier if shifted else Qt.KeyboardModifier.NoModifier
    return QKeyEvent(kind, key, modifiers, char)


class ScannerFilter(QObject):
    """Application event filter that turns scanner bursts into ``scanned`` signals.

    Signals:
        scanned(str): one complete scan, control characters (GS) kept.
    """

    scanned = Signal(str)

    def __init__(self, config: WedgeConfig, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._detector = BurstDetector(config)
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.timeout.connect(self._on_hold_timeout)
        self._replaying = False
        self._target: QWidget | None = None
        # Event time of the last key and the wall clock when it arrived: keys carry their own
        # timestamps (a real keyboard's, or a simulator's virtual ones), the hold timer runs on
        # the wall clock, and this pair converts between the two.
        self._last_event_ms = 0.0
        self._last_wall_ms = 0.0
        self._last_signature: tuple[int, str, int] | None = None
        self._last_receiver: QWidget | None = None
        self.enabled = True

    def configure(self, config: WedgeConfig) -> None:
        """Apply new thresholds; keys held under the old ones are handed on first."""
        for decision in self._detector.other_key():
            if decision.action is Action.RELEASE:
                self._replay(decision.text)
        self._detector = BurstDetector(config)

    def install(self) -> None:
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._hold_timer.stop()

    @staticmethod
    def _wall_ms() -> float:
        return time.monotonic() * 1000.0

    def _is_propagation(self, receiver: QWidget, event: QKeyEvent) -> bool:
        """An ignored key event travels up to the receiver's parents; each hop passes this filter
        again. Recognise the repeat so one key press is fed once."""
        signature = (int(event.key()), event.text(), int(event.timestamp()))
        last = self._last_receiver
        if signature == self._last_signature and last is not None and last is not receiver:
            parent = last.parentWidget()
            while parent is not None:
                if parent is receiver:
                    return True
                parent = parent.parentWidget()
        self._last_signature, self._last_receiver = signature, receiver
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or not self.enabled or event.type() != QEvent.Type.KeyPress:
            return False
        if not isinstance(watched, QWidget) or not isinstance(event, QKeyEvent):
            return False
        if self._is_propagation(watched, event):
            return False
        self._target = watched
        text = event.text()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        wall = self._wall_ms()
        stamp = float(event.timestamp()) or wall
        self._last_event_ms, self._last_wall_ms = stamp, wall
        printable = len(text) == 1 and (text.isprintable() or text in "\r\n\t" or text == GROUP_SEPARATOR)
        if not printable or (modifiers and text != GROUP_SEPARATOR):
            decisions = self._detector.other_key()
        else:
            decisions = self._detector.feed(text, stamp)
        return self._carry_out(decisions)

    def _carry_out(self, decisions: list[Decision]) -> bool:
        """Act on the detector's decisions; True when the current key must be swallowed."""
        swallow = False
        for decision in decisions:
            if decision.action is Action.RELEASE:
                self._replay(decision.text)
            elif decision.action is Action.HOLD:
                swallow = True
                self._hold_timer.start(int(self._detector.hold_ms()) + 1)
            elif decision.action is Action.SCAN:
                swallow = True
                self._hold_timer.stop()
                log.info("scan: %r", decision.text)
                self.scanned.emit(decision.text)
            elif decision.action is Action.PASS:
                swallow = False
            elif decision.action is Action.DROP:
                swallow = True
        return swallow

    @Slot()
    def _on_hold_timeout(self) -> None:
        now = self._last_event_ms + (self._wall_ms() - self._last_wall_ms)
        for decision in self._detector.expire(now):
            self._replay(decision.text)
        if self._detector.holding:
            self._hold_timer.start(int(self._detector.hold_ms()) + 1)

    def _replay(self, text: str) -> None:
        """Hand held-back keys on to the widget that would have had them."""
        target = QApplication.focusWidget() or self._target
        if target is None or not text:
            return
        self._replaying = True
        try:
            for char in text:
                QApplication.sendEvent(target, key_event_for(char))
                QApplication.sendEvent(target, key_event_for(char, QEvent.Type.KeyRelease))
        finally:
            self._replaying = False
