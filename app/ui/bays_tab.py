"""The bays tab's behaviour: drives coming and going, confirm, identify, start, resume, progress, outcome."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from app.core.errors import OperatorError
from app.services.drives import BayDrive, DriveService
from app.services.erasure import EraseOutcome, EraseRequest, EraseService
from app.services.hotplug import HotplugWatcher, WatchState
from app.store import queries
from app.ui.bays_page import BayRow, BaysPage, matches
from app.ui.erase_controller import BayProgress, EraseController
from app.ui.work_tabs import BenchContext, WorkTab
from drivers.block.devices import read_device
from drivers.block.overwrite import VerifyMode

Say = Callable[[str, str], None]
SAFETY_POLL_MS = 10_000  # events can be missed (a full socket queue, a driver that sends none): rescan anyway
PULLED = "Pulled during erasure — interrupted"


def progress_text(p: BayProgress) -> str:
    verb = "Writing" if p.phase == "write" else "Verifying"
    eta = f", {p.eta_s // 60}:{p.eta_s % 60:02d} left" if p.eta_s is not None else ""
    return f"{verb} {p.percent} % at {p.mb_per_s} MB/s{eta}"


def _gone(drive: BayDrive) -> bool:
    """Has the drive left (a pulled disk drops to size 0, or its device disappears)?"""
    now = read_device(drive.device.name)
    return now is None or now.size_bytes != drive.device.size_bytes


class BaysTab(WorkTab):
    """Owns the bays page, its hotplug watcher and the erasures started from it.

    The station setting auto_erase_on_insert says whether a drive inserted into a mapped bay starts
    erasing on its own (read at each insertion so a change applies at once).
    """

    page: BaysPage
    title, key = "&Bays", "F6"

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        store, jobs, allow_loop = ctx.store, ctx.jobs, ctx.allow_loop
        self._say, self._operator, self.allow_loop = ctx.say, ctx.operator, allow_loop
        self._auto_erase: Callable[[], bool] = lambda: ctx.settings().auto_erase_on_insert
        self._parent, self._store = ctx.window, store
        drives = DriveService(store)
        self.page = BaysPage(lambda: drives.drives(allow_loop=allow_loop), self._unfinished)
        self.service = EraseService(store)
        self.controller = EraseController(jobs, self.service, self)
        self.watcher = HotplugWatcher(self)
        self.watcher.changed.connect(self.page.rescan)
        self._safety_poll = QTimer(self)
        self._safety_poll.setInterval(SAFETY_POLL_MS)
        self._safety_poll.timeout.connect(self.page.rescan)
        self._pulled_while_erasing: set[str] = set()
        self._erasing: dict[str, BayDrive] = {}
        self.page.erase_requested.connect(self._on_erase_requested)
        self.page.cancel_requested.connect(self.controller.cancel)
        self.page.resume_requested.connect(self._on_resume_requested)
        self.page.inserted.connect(self._on_inserted)
        self.page.pulled.connect(self._on_pulled)
        self.controller.progress.connect(self._on_progress)
        self.controller.finished.connect(self._on_finished)
        # Asked when a drive reports no serial; tests and scripts may answer it themselves.
        self.ask_label: Callable[[BayDrive], str | None] = self._ask_label
        self.confirm: Callable[[BayDrive, str], bool] = self._confirm

    def start(self) -> None:
        """Listen for drives plugged and pulled, and list what is there now."""
        self.watcher.start()
        self._safety_poll.start()
        self.page.source_label.setText(
            f"Drives appear as plugged in ({self.watcher.source_name} events)"
            if self.watcher.state is WatchState.EVENTS else "No hotplug events here: rescanning every few seconds")
        self.page.rescan()

    def stop(self) -> None:
        self._safety_poll.stop()
        self.watcher.stop()

    def shown(self) -> None:
        self.page.rescan()
        self.page.table.setFocus()

    def _unfinished(self) -> list[queries.UnfinishedErasure]:
        running = self.controller.running_erasure_ids()
        return [u for u in queries.unfinished_erasures(self._store.db) if u.erasure_id not in running]

    # --- asking the technician -----------------------------------------------------------------------

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

    # --- starting ------------------------------------------------------------------------------------

    def _begin(self, drive: BayDrive, method: str, verify: str, *, ask: bool, label: str = "",
               what: str = "Erasing") -> None:
        if self.controller.busy(drive.device.path):
            self._say(f"{drive.device.path} is already being erased", "warn")
            return
        if not drive.erasable:
            first = drive.refusals[0]
            self._say(f"Refusing to erase: {first.text} — {first.hint}", "error")
            return
        if not (label or drive.device.serial or drive.device.wwn):
            label = self.ask_label(drive) or ""
            if not label:
                self._say("No serial given: the drive was not erased", "warn")
                return
        if ask and not self.confirm(drive, method):
            return
        self.service.operator = self._operator()
        try:
            self.controller.start(EraseRequest(drive.device.path, method, VerifyMode(verify),
                                               allow_loop=self.allow_loop, unit_identifier=label))
        except OperatorError as exc:
            self._say(str(exc), "error")
            return
        self._pulled_while_erasing.discard(drive.device.path)
        self._erasing[drive.device.path] = drive
        self.page.forget_pulled(drive.device.path)
        self.page.set_status(drive.device.path, "Starting…")
        self._say(f"{what} {drive.device.path} (bay {drive.bay})", "ok")

    @Slot(object, str, str)
    def _on_erase_requested(self, drive: BayDrive, method: str, verify: str) -> None:
        self._begin(drive, method, verify, ask=True)

    @Slot(object)
    def _on_resume_requested(self, row: BayRow) -> None:
        u = row.unfinished
        if u is None:
            self._say(f"{row.path} has no interrupted erasure to resume — Ctrl+Shift+E erases it", "info")
            return
        if row.drive is None:
            where = f"bay {u.bay}" if u.bay is not None else "its bay"
            self._say(f"Put the drive {u.identifier or u.device_serial} back into {where} first", "warn")
            return
        self._resume(row.drive, u)

    def _resume(self, drive: BayDrive, u: queries.UnfinishedErasure) -> None:
        # The same method and verification, and the unit's label for a drive that reports no serial:
        # the service then finds the interrupted erasure and carries on from its last checkpoint.
        label = "" if (drive.device.serial or drive.device.wwn) else u.identifier
        self._begin(drive, f"overwrite-{u.pattern}", u.verification, ask=False, label=label,
                    what=f"Resuming at {u.percent} % the erasure of")

    # --- drives coming and going ---------------------------------------------------------------------

    @Slot(object)
    def _on_inserted(self, drive: BayDrive) -> None:
        if not self._auto_erase() or drive.bay is None:
            return
        if not drive.erasable:
            self._say(f"{drive.device.path} in bay {drive.bay} was not started: {drive.refusals[0].text}", "warn")
            return
        if self._operator() is None:
            self._say(f"A drive is in bay {drive.bay}: log in to start erasing it", "warn")
            return
        unfinished = next((u for u in self._unfinished() if matches(u, drive)), None)
        if unfinished is not None:
            self._resume(drive, unfinished)
        else:
            self._begin(drive, self.page.method_combo.currentData(), self.page.verify_combo.currentData(), ask=False)

    @Slot(object)
    def _on_pulled(self, drive: BayDrive) -> None:
        path = drive.device.path
        if not self.controller.busy(path):
            return
        # The overwrite engine sees the device go at its next write and ends the run as interrupted;
        # until then (and after) the bay says what happened.
        self._pulled_while_erasing.add(path)
        self.page.keep_pulled(drive, PULLED)
        self._say(f"{path} (bay {drive.bay}) was pulled during its erasure — it is interrupted, nothing recorded "
                  "is lost: put it back and press F7 to resume", "warn")

    # --- progress and outcome ------------------------------------------------------------------------

    @Slot(object)
    def _on_progress(self, p: BayProgress) -> None:
        if p.device_path not in self._pulled_while_erasing:
            self.page.set_status(p.device_path, progress_text(p))

    @Slot(str, object)
    def _on_finished(self, device_path: str, outcome: object) -> None:
        drive = self._erasing.pop(device_path, None)
        pulled = device_path in self._pulled_while_erasing
        self._pulled_while_erasing.discard(device_path)
        if isinstance(outcome, EraseOutcome) and outcome.outcome == "interrupted" and drive is not None \
                and not pulled and _gone(drive):
            # The engine noticed before the next rescan did: the bay must still say it was pulled.
            pulled = True
            self.page.keep_pulled(drive, PULLED)
        if isinstance(outcome, EraseOutcome):
            if outcome.outcome == "passed":
                text = f"Erased and verified — certificate {outcome.certificate_id}"
                self._say(f"{device_path}: {text}", "ok")
            elif outcome.outcome == "interrupted":
                r = outcome.result
                reached = r.checkpoint.next_offset if r.checkpoint else r.start_offset
                percent = 100 * reached // r.total_bytes if r.total_bytes else 0
                text = (f"{PULLED} at {percent} % — put it back, then F7 resumes" if pulled
                        else f"Interrupted at {percent} % — F7 resumes")
                self._say(f"{device_path}: {text}", "warn")
            else:
                text = f"{outcome.outcome.capitalize()}: {outcome.summary}"
                self._say(f"{device_path}: {text}", "error" if outcome.outcome == "failed" else "warn")
        else:
            text = str(outcome)
            self._say(f"{device_path}: {text}", "error")
        self.page.set_status(device_path, text)
