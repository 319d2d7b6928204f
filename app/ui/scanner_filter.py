"""Catches keyboard-wedge scans anywhere in the application, whatever widget has focus.

An application-wide event filter feeds key presses to the Qt-free BurstDetector. Keys are held
back for a few tens of milliseconds; a fast burst ending in Enter/Tab becomes ``scanned(text)``
and never reaches the focused widget, while a person's typing is handed on unchanged.
"""

from __future__ import annotations

import logging
import time

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from drivers.scanner.wedge import Action, BurstDetector, Decision, WedgeConfig

log = logging.getLogger("app.scanner")

GROUP_SEPARATOR = "\x1d"
PATIENCE_MS = 150.0
_KEY_FOR_CHAR = {"\r": Qt.Key.Key_Return, "\n": Qt.Key.Key_Return, "\t": Qt.Key.Key_Tab, " ": Qt.Key.Key_Space}


def key_event_for(char: str, kind: QEvent.Type = QEvent.Type.KeyPress) -> QKeyEvent:
    """The key event a keyboard would produce for one character (GS1's GS arrives as Ctrl+])."""
    if char == GROUP_SEPARATOR:
        return QKeyEvent(kind, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier, char)
    key = _KEY_FOR_CHAR.get(char)
    if key is None:
        upper = char.upper()  # "ß".upper() is "SS": two letters, no single key code
        code = ord(upper) if len(upper) == 1 else 0
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
        self._own_events: list[QKeyEvent] = []
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

    def inject(self, text: str, source: str) -> None:
        """A complete scan from a scanner that does not type (serial, or a grabbed HID scanner): it takes
        the same path as a wedge scan, control characters (GS) and all."""
        log.info("scan from %s: %r", source, text)
        self.scanned.emit(text)

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
        if not self.enabled or event.type() != QEvent.Type.KeyPress:
            return False
        if not isinstance(watched, QWidget) or not isinstance(event, QKeyEvent):
            return False
        # Our own replayed keys pass untouched; keys typed while a replay runs (a dialog that a
        # replayed key opened, say) are still the person's and go through detection.
        if any(event is own for own in self._own_events):
            return False
        if self._is_propagation(watched, event):
            return False
        try:
            return self._on_key(watched, event)
        except Exception:
            # A bug here must never swallow keys for good: hand on what is held and let this key through.
            log.exception("scanner filter failed on a key; passing it on")
            self._detector = BurstDetector(self._detector.config)
            return False

    def _on_key(self, receiver: QWidget, event: QKeyEvent) -> bool:
        text = event.text()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        wall = self._wall_ms()
        stamp = float(event.timestamp()) or wall
        self._last_event_ms, self._last_wall_ms = stamp, wall
        printable = len(text) == 1 and (text.isprintable() or text in "\r\n\t" or text == GROUP_SEPARATOR)
        # Auto-repeat (a key held down) is as fast as a scanner but always a person.
        if event.isAutoRepeat() or not printable or (modifiers and text != GROUP_SEPARATOR):
            return self._carry_out(self._detector.other_key())
        was_holding = self._detector.holding
        decisions = self._detector.feed(text, stamp)
        swallow = self._carry_out(decisions)  # earlier held keys go back to their own receiver
        restarted = any(d.action is Action.RELEASE for d in decisions)
        if self._detector.holding and (restarted or not was_holding):
            self._target = receiver  # this key starts a new hold: it belongs to this receiver
        return swallow

    def _carry_out(self, decisions: list[Decision]) -> bool:
        """Act on the detector's decisions; True when the current key must be swallowed."""
        swallow = False
        for decision in decisions:
            if decision.action is Action.RELEASE:
                self._replay(decision.text)
            elif decision.action is Action.HOLD:
                swallow = True
                self._hold_timer.start(self._patience_ms())
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

    def _patience_ms(self) -> int:
        # Whether keys belong to one burst is judged by their own timestamps when the next key
        # arrives. The timer only decides for the last key, when no next key comes; it waits
        # longer than the gap so a busy GUI thread delaying delivery cannot split a scan.
        return int(max(self._detector.hold_ms(), PATIENCE_MS)) + 1

    @Slot()
    def _on_hold_timeout(self) -> None:
        elapsed = self._wall_ms() - self._last_wall_ms
        for decision in self._detector.expire(self._last_event_ms + max(elapsed, self._detector.hold_ms() + 1)):
            self._replay(decision.text)
        if self._detector.holding:
            self._hold_timer.start(self._patience_ms())

    def _replay(self, text: str) -> None:
        """Hand held-back keys on to the widget that would have had them."""
        target = self._target if self._target is not None and shiboken6.isValid(self._target) else None
        target = target or QApplication.focusWidget()
        if target is None or not text:
            return
        for char in text:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                own = key_event_for(char, kind)
                self._own_events.append(own)
                try:
                    QApplication.sendEvent(target, own)
                finally:
                    self._own_events.remove(own)
