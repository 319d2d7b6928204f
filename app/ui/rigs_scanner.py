"""Scanners that do not type, in the status bar: a serial scanner and a grabbed HID scanner.

Their codes go into the window's scan path (``ScannerFilter.inject``, then ``MainWindow.handle_input``)
exactly as a keyboard-wedge scan does. Each reader runs as a job; a pulled cable ends it, and it is
opened again on the next check, every few seconds, which also picks up changed settings.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.core.errors import OperatorError
from app.services.jobs import JobProgress, JobResult
from app.services.rig_scanner import ScannerUp, ScanProblem, ScanRead, hid_grab_job, serial_scanner_job
from app.settings import SERIAL_BAUDS, ScannerPortSettings
from app.ui.scanner_filter import ScannerFilter
from app.ui.work_tabs import BenchContext, StatusPart

log = logging.getLogger("app.ui")
CHECK_MS = 3000
SERIAL, GRAB = "serial-scanner", "hid-grab"


class ScannerPortsPart(StatusPart):
    """Shows and runs the serial scanner and the HID grab the settings name."""

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        self.label = QLabel("")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self._running: dict[str, str] = {}  # kind -> job key of the reader now running
        self._wanted: dict[str, str] = {}
        self._state: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.apply)
        ctx.jobs.progress.connect(self._on_progress)
        ctx.jobs.finished.connect(self._on_finished)
        self.hide()

    def start(self) -> None:
        self.apply()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        for key in self._running.values():
            self.ctx.jobs.cancel(key)

    @Slot()
    def apply(self) -> None:
        """Start what the settings name and is not running; stop what they no longer name."""
        ports = self.ctx.settings().scanner_ports
        wanted = {}
        if ports.serial_port:
            wanted[SERIAL] = f"{SERIAL}:{ports.serial_port}:{ports.serial_baud}:{ports.serial_suffix!r}"
        if ports.hid_grab:
            wanted[GRAB] = f"{GRAB}:{ports.hid_grab}"
        self._wanted = wanted
        for kind, key in list(self._running.items()):
            if wanted.get(kind) != key:
                self.ctx.jobs.cancel(key)  # it ends at its next read; the next check starts the new one
        for kind, key in wanted.items():
            if kind in self._running or self.ctx.jobs.busy(key):
                continue
            job = (serial_scanner_job(ports.serial_port, ports.serial_baud, ports.serial_suffix) if kind == SERIAL
                   else hid_grab_job(ports.hid_grab))
            self._running[kind] = key
            self._state.setdefault(kind, "opening…")
            self.ctx.jobs.start(key, job, label=f"the {kind.replace('-', ' ')}")
        for kind in list(self._state):
            if kind not in wanted:
                del self._state[kind]
        self._show()

    def _show(self) -> None:
        names = {SERIAL: "Serial scanner", GRAB: "HID scanner (grabbed)"}
        text = "  ·  ".join(f"{names[k]}: {v}" for k, v in sorted(self._state.items()))
        self.label.setText(text)
        self.setVisible(bool(text))

    def _kind_of(self, key: str) -> str | None:
        return next((kind for kind, running in self._running.items() if running == key), None)

    @Slot(object)
    def _on_progress(self, p: JobProgress) -> None:
        kind = self._kind_of(p.key)
        if kind is None:
            return
        detail = p.detail
        if isinstance(detail, ScannerUp):
            self._state[kind] = "ready"
            self._show()
        elif isinstance(detail, ScanRead):
            window_filter = self.ctx.window.findChild(ScannerFilter)
            if window_filter is not None:
                window_filter.inject(detail.code, names_for(kind, detail.source))
        elif isinstance(detail, ScanProblem):
            self.ctx.say(self.tr("The {names_for} sent a bad scan: {message} — scan it again").format(
                    names_for=names_for(kind, detail.source), message=detail.message),
                         "warn")

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        kind = self._kind_of(result.key)
        if kind is None:
            return
        del self._running[kind]
        if kind in self._wanted:
            error = result.error
            text = f"{error.message} — {error.hint}" if isinstance(error, OperatorError) else str(error or "stopped")
            self._state[kind] = f"not connected ({text})"
            self.ctx.say(f"{names_for(kind, '')}: {text}", "warn")
        self._show()


def names_for(kind: str, source: str) -> str:
    what = "serial scanner" if kind == SERIAL else "grabbed HID scanner"
    return f"{what} {source}".strip()


class ScannerPortsRow(QWidget):
    """The settings dialog's row for the serial scanner and the HID grab."""

    def __init__(self, ports: ScannerPortSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ports = ports
        self.serial_edit = QLineEdit(ports.serial_port)
        self.serial_edit.setPlaceholderText(self.tr("serial scanner: /dev/serial/by-id/… (empty: none)"))
        self.baud_combo = QComboBox()
        for baud in SERIAL_BAUDS:
            self.baud_combo.addItem(self.tr("{baud} baud").format(baud=baud), baud)
        self.baud_combo.setCurrentIndex(self.baud_combo.findData(ports.serial_baud))
        self.grab_edit = QLineEdit(ports.hid_grab)
        self.grab_edit.setPlaceholderText(self.tr("HID scanner to grab: /dev/input/by-id/…-event-kbd (empty: no grab)"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.serial_edit, 2)
        layout.addWidget(self.baud_combo)
        layout.addWidget(self.grab_edit, 2)

    def value(self) -> ScannerPortSettings:
        return dataclasses.replace(self._ports, serial_port=self.serial_edit.text().strip(),
                                   serial_baud=int(self.baud_combo.currentData()),
                                   hid_grab=self.grab_edit.text().strip())
