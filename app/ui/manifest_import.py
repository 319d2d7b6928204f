"""Importing a lot's manifest: read and checked on a worker thread, stored on the GUI thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.core.errors import OperatorError
from app.core.models import Lot
from app.services.intake import IntakeService, ManifestFile, read_manifest
from app.services.jobs import JobManager, JobResult, Report
from app.ui.i18n import error_text


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one import, for the window to show."""

    lot: Lot
    message: str
    tone: str  # ok, warn or error


class ManifestImporter(QObject):
    """Starts manifest imports and stores each good one in a single event.

    Signals:
        done(ImportOutcome): an import ended, stored or not.
    """

    done = Signal(object)

    def __init__(self, jobs: JobManager, intake: IntakeService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._intake = jobs, intake
        self._pending: dict[str, Lot] = {}
        jobs.finished.connect(self._on_job_finished)

    def start(self, lot: Lot, path: Path) -> None:
        """Begin importing ``path`` into ``lot``; raises OperatorError when one is already running."""
        key = f"manifest:{lot.lot_id}"
        rules = self._intake.rules

        def work(cancel: threading.Event, report: Report) -> ManifestFile | None:
            report(0, 1, f"Reading manifest {path.name}")
            manifest = read_manifest(path, rules)
            report(1, 1, f"Checked {len(manifest.lines)} lines")
            return None if cancel.is_set() else manifest

        self._jobs.start(key, work, label=f"the import into {lot.code}")
        self._pending[key] = lot

    @Slot(object)
    def _on_job_finished(self, result: JobResult) -> None:
        lot = self._pending.pop(result.key, None)
        if lot is None:
            return
        if result.error is not None:
            self.done.emit(ImportOutcome(lot, str(result.error), "error"))
            return
        if result.cancelled or result.value is None:
            cancelled = self.tr("The manifest import into {code} was cancelled; nothing was stored")
            self.done.emit(ImportOutcome(lot, cancelled.format(code=lot.code), "warn"))
            return
        manifest: ManifestFile = result.value
        try:
            count = self._intake.import_manifest_lines(lot, list(manifest.lines), file_name=manifest.file_name,
                                                       sha256=manifest.sha256)
        except OperatorError as exc:
            self.done.emit(ImportOutcome(lot, error_text(exc), "error"))
            return
        self.done.emit(ImportOutcome(
            lot, self.tr("Imported {count} manifest lines into {code}").format(count=count, code=lot.code), "ok"))
