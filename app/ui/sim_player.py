"""Plays a simulated scanner's keystrokes into the application as key events, with their timing."""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.scanner_filter import key_event_for
from drivers.sim.scanner import Keystroke


class KeystrokePlayer(QObject):
    """Delivers keystrokes to the focused widget, each after its delay.

    Each event carries a virtual timestamp (the sum of the delays), as a real keyboard's events
    carry the X server's time, so a busy host delaying delivery does not turn a scan into typing.

    Signals:
        done(): the last keystroke has been delivered.
    """

    done = Signal()

    def __init__(self, fallback: QWidget | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Where keys go when no widget has focus (an offscreen window is never "active").
        self._fallback = fallback
        self._queue: deque[Keystroke] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._clock_ms = 1_000_000  # virtual time; starts high so it never reads as "no timestamp"

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    def play(self, keys: list[Keystroke]) -> None:
        was_idle = not self._queue
        self._queue.extend(keys)
        if was_idle and self._queue:
            self._timer.start(0)

    def stop(self) -> None:
        self._queue.clear()
        self._timer.stop()

    @Slot()
    def _on_timeout(self) -> None:
        if not self._queue:
            return
        key = self._queue.popleft()
        self._clock_ms += max(1, round(key.delay_ms))
        target: QWidget | None = QApplication.focusWidget() or QApplication.activeWindow() or self._fallback
        if target is not None:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = key_event_for(key.char, kind)
                event.setTimestamp(self._clock_ms)
                QApplication.sendEvent(target, event)
        if self._queue:
            self._timer.start(max(0, round(self._queue[0].delay_ms)))
        else:
            self.done.emit()
