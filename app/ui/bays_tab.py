"""The bays tab's behaviour: confirm, identify the drive, start, show progress and outcome."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from app.core.errors import OperatorError
from app.core.models import Operator
from app.services.drives import BayDrive, DriveService
from app.services.erasure import EraseOutcome, EraseRequest, EraseService
from app.services.jobs import JobManager
from app.store.store import Store
from app.ui.bays_page import BaysPage
from app.ui.erase_controller import BayProgress, EraseController
from drivers.block.overwrite import VerifyMode

Say = Callable[[str, str], None]


class BaysTab(QObject):
    """Owns the bays page and the erasures started from it."""

    def __init__(self, store: Store, jobs: JobManager, say: Say, operator: Callable[[], Operator | None],
                 *, allow_loop: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._say, self._operator, self.allow_loop = say, operator, allow_loop
        self._parent = parent
        drives = DriveService(store)
        self.page = BaysPage(lambda: drives.drives(allow_loop=allow_loop))
        self.service = EraseService(store)
        self.controller = EraseController(jobs, self.service, self)
        self.page.erase_requested.connect(self._on_erase_requested)
        self.page.cancel_requested.connect(self.controller.cancel)
        self.controller.progress.connect(self._on_progress)
        self.controller.finished.connect(self._on_finished)
        # Asked when a drive reports no serial; tests and scripts may answer it themselves.
        self.ask_label: Callable[[BayDrive], str | None] = self._ask_label
        self.confirm: Callable[[BayDrive, str], bool] = self._confirm

    def _confirm(self, drive: BayDrive, method: str) -> bool:
        answer = QMessageBox.question(
            self._parent, "Erase drive",
            f"Erase {drive.device.path} ({drive.device.model} {drive.device.serial}) in bay {drive.bay} with "
            f"{method}?\n\nEvery byte on it will be overwritten.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_label(self, drive: BayDrive) -> str | None:
        text, ok = QInputDialog.getText(self._parent, "Drive serial",
                                        f"{drive.device.path} reports no serial number.\n"
                                        "Scan or type the serial from the drive's label:", QLineEdit.EchoMode.Normal)
        return text.strip() if ok and text.strip() else None

    @Slot(object, str, str)
    def _on_erase_requested(self, drive: BayDrive, method: str, verify: str) -> None:
        if self.controller.busy(drive.device.path):
            self._say(f"{drive.device.path} is already being erased", "warn")
            return
        if not drive.erasable:
            first = drive.refusals[0]
            self._say(f"Refusing to erase: {first.text} — {first.hint}", "error")
            return
        label = ""
        if not (drive.device.serial or drive.device.wwn):
            label = self.ask_label(drive) or ""
            if not label:
                self._say("No serial given: the drive was not erased", "warn")
                return
        if not self.confirm(drive, method):
            return
        self.service.operator = self._operator()
        try:
            self.controller.start(EraseRequest(drive.device.path, method, VerifyMode(verify),
                                               allow_loop=self.allow_loop, unit_identifier=label))
        except OperatorError as exc:
            self._say(str(exc), "error")
            return
        self.page.set_status(drive.device.path, "Starting…")
        self._say(f"Erasing {drive.device.path} (bay {drive.bay})", "ok")

    @Slot(object)
    def _on_progress(self, p: BayProgress) -> None:
        eta = f", {p.eta_s // 60} min {p.eta_s % 60} s left" if p.eta_s is not None else ""
        verb = "Writing" if p.phase == "write" else "Verifying"
        self.page.set_status(p.device_path, f"{verb} {p.percent}% at {p.mb_per_s} MB/s{eta}")

    @Slot(str, object)
    def _on_finished(self, device_path: str, outcome: object) -> None:
        if isinstance(outcome, EraseOutcome):
            if outcome.outcome == "passed":
                text = f"Erased and verified — certificate {outcome.certificate_id}"
                self._say(f"{device_path}: {text}", "ok")
            else:
                text = f"{outcome.outcome.capitalize()}: {outcome.summary}"
                self._say(f"{device_path}: {text}", "error" if outcome.outcome == "failed" else "warn")
        else:
            text = str(outcome)
            self._say(f"{device_path}: {text}", "error")
        self.page.set_status(device_path, text)
