"""The bays tab's behaviour: drives coming and going, their firmware probed, confirm, identify,
override, start, resume, progress, outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from app.core.erase_methods import METHODS
from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.services.drives import (
    BayDrive,
    DeviceSource,
    DriveFirmware,
    DriveService,
    KernelDevices,
    SimulatedDevices,
    probe_firmware,
)
from app.services.erasure import EraseRequest
from app.services.erasure_process import ErasureReport
from app.services.erasure_records import refusal_error
from app.services.hotplug import HotplugWatcher, WatchState
from app.services.jobs import JobResult, Report
from app.store import queries
from app.ui.bays_methods import drive_name
from app.ui.bays_page import BayRow, BaysPage, matches
from app.ui.erase_controller import BayProgress, EraseController
from app.ui.i18n import error_text, method_label, refusal_text
from app.ui.override_dialog import OverrideDialog
from app.ui.work_tabs import BenchContext, WorkTab
from drivers.block.devices import BlockDevice
from drivers.block.overwrite import VerifyMode
from drivers.sim.scenarios import SCENARIOS

Say = Callable[[str, str], None]
SAFETY_POLL_MS = 10_000  # events can be missed (a full socket queue, a driver that sends none): rescan anyway
PULLED = "Pulled during erasure — interrupted"
SIMULATED_DRIVES = "simulated-drives"
RESCAN_JOB = "bays:rescan"
_PHASES = {"write": "Writing", "verify": "Verifying", "sample": "Reading samples before the erase",
           "sanitize": "The drive is sanitising itself"}


def progress_text(p: BayProgress) -> str:
    verb = _PHASES.get(p.phase, p.phase.capitalize())
    if p.firmware and p.phase == "verify":
        verb = "Reading back samples"
    speed = f" at {p.mb_per_s} MB/s" if p.mb_per_s else ""
    eta = f", {p.eta_s // 60}:{p.eta_s % 60:02d} left" if p.eta_s is not None else ""
    return f"{verb} {p.percent} %{speed}{eta}"


def device_source(ctx: BenchContext) -> DeviceSource:
    """The kernel's drives, or a simulated bench's drives when the --simulate scenario has some."""
    scenario = SCENARIOS.get(ctx.simulate or "")
    if scenario is not None and scenario.drives:
        return SimulatedDevices(ctx.store.data_dir / SIMULATED_DRIVES, scenario.drives)
    return KernelDevices()


class BaysTab(WorkTab):
    """Owns the bays page, its hotplug watcher, the drives' firmware probes and the erasures.

    The station setting auto_erase_on_insert says whether a drive inserted into a mapped bay starts
    erasing on its own (read at each insertion so a change applies at once): with the method the
    technician picked if the drive allows it, else the one the rules recommend for it.
    """

    page: BaysPage
    title, key = QT_TRANSLATE_NOOP("WorkTab", "&Bays"), "F6"

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        store, jobs, allow_loop = ctx.store, ctx.jobs, ctx.allow_loop
        self._say, self._operator, self.allow_loop = ctx.say, ctx.operator, allow_loop
        self._auto_erase: Callable[[], bool] = lambda: ctx.settings().auto_erase_on_insert
        self._parent, self._store, self._jobs = ctx.window, store, jobs
        self.devices = device_source(ctx)
        self._drives = DriveService(store, self.devices)
        self.page = BaysPage(lambda: self._drives.drives(allow_loop=allow_loop), self._unfinished)
        self.controller = EraseController(jobs, store, self.devices, self)
        # A drive plugged or pulled, and the safety poll, rescan on a job's thread: reading the kernel's
        # devices and the interlock's checks takes long enough to stall the window several times a
        # second while drives erase (each erasure's open and close is a udev event of its own).
        self.watcher = HotplugWatcher(self)
        self.watcher.changed.connect(self.request_rescan)
        self._safety_poll = QTimer(self)
        self._safety_poll.setInterval(SAFETY_POLL_MS)
        self._safety_poll.timeout.connect(self.request_rescan)
        self._rescan_again = False  # a change came while a rescan job was reading: read once more after it
        self._pulled_while_erasing: set[str] = set()
        self._erasing: dict[str, BayDrive] = {}
        self._auto_start: set[str] = set()  # inserted drives that start once their firmware is known
        self.override_dialog: OverrideDialog | None = None
        self.page.erase_requested.connect(self._on_erase_requested)
        self.page.cancel_requested.connect(self._on_cancel_requested)
        self.page.resume_requested.connect(self._on_resume_requested)
        self.page.inserted.connect(self._on_inserted)
        self.page.pulled.connect(self._on_pulled)
        self.page.rescanned.connect(self._probe_unknown)
        self.controller.progress.connect(self._on_progress)
        self.controller.finished.connect(self._on_finished)
        jobs.finished.connect(self._on_job_finished)
        # Asked when a drive reports no serial; tests and scripts may answer it themselves.
        self.ask_label: Callable[[BayDrive], str | None] = self._ask_label
        self.confirm: Callable[[BayDrive, str], bool] = self._confirm

    def start(self) -> None:
        """Listen for drives plugged and pulled, and list what is there now."""
        if self.devices.simulated:
            self.page.source_label.setText(self.tr("Simulated drives (--simulate): firmware answers come from the "
                    "simulator"))
        else:
            self.watcher.start()
            self._safety_poll.start()
            self.page.source_label.setText(
                self.tr("Drives appear as plugged in ({source_name} events)").format(
                        source_name=self.watcher.source_name)
                if self.watcher.state is WatchState.EVENTS else self.tr("No hotplug events here: rescanning every few "
                        "seconds"))
        self.page.rescan()

    def stop(self) -> None:
        self._safety_poll.stop()
        self.watcher.stop()
        if self.override_dialog is not None:
            self.override_dialog.reject()

    def shown(self) -> None:
        self.page.rescan()
        self.page.table.setFocus()

    def take_scan(self, text: str) -> bool:
        """A badge scanned while the override dialog is open belongs to that dialog."""
        dialog = self.override_dialog
        if dialog is not None and dialog.isVisible():
            dialog.take_badge(text)
            return True
        return False

    def _unfinished(self) -> list[queries.UnfinishedErasure]:
        running = self.controller.running_erasure_ids()
        return [u for u in queries.unfinished_erasures(self._store.db)
                if u.erasure_id not in running and not self.controller.busy(u.device_path)]

    # --- the drives' firmware ------------------------------------------------------------------------

    @staticmethod
    def _probe_key(path: str) -> str:
        return f"probe:{path}"

    @Slot()
    def _probe_unknown(self) -> None:
        """Ask each drive that arrived what its firmware can do, each in a job of its own."""
        for drive in self.page.present():
            path = drive.device.path
            key = self._probe_key(path)
            if self.page.firmware(path) is not None or self._jobs.busy(key) or (
                    not drive.erasable and not drive.overridable):
                continue  # known, being asked, or a device no one may erase (the bench's own disk)
            self._jobs.start(key, _probe_job(self.devices, drive.device), label=f"the firmware probe of {path}")

    # --- rescans on a job's thread ---------------------------------------------------------------------

    @Slot()
    def request_rescan(self) -> None:
        """Read the drives on a job's thread; the page shows them when the job ends. Changes arriving
        meanwhile are folded into one more rescan after it."""
        if self._jobs.busy(RESCAN_JOB):
            self._rescan_again = True
            return
        self._rescan_again = False
        mapping, generation = self._drives.bay_map(), self.page.scan_generation
        drives, allow_loop = self._drives, self.allow_loop

        def work(cancel: threading.Event, report: Report) -> _Scan:
            return _Scan(generation, tuple(drives.drives_in(mapping, allow_loop=allow_loop)))

        self._jobs.start(RESCAN_JOB, work, label="the rescan of the bays")

    def _on_rescan_finished(self, result: JobResult) -> None:
        if isinstance(result.value, _Scan):
            # The unfinished erasures are read here, in the GUI thread, against the erasures running now.
            self.page.apply_scan(list(result.value.drives), self._unfinished(), generation=result.value.generation)
        elif result.error is not None:
            self._say(self.tr("The drives could not be read: {error}").format(error=result.error), "error")
        if self._rescan_again and self._safety_poll.isActive():
            self.request_rescan()

    @Slot(object)
    def _on_job_finished(self, result: JobResult) -> None:
        if result.key == RESCAN_JOB:
            self._on_rescan_finished(result)
            return
        if not result.key.startswith("probe:"):
            return
        path = result.key.removeprefix("probe:")
        if not isinstance(result.value, DriveFirmware):
            self._auto_start.discard(path)
            self._say(self.tr("{path}: its firmware could not be asked ({error}) — overwrite remains").format(
                    path=path, error=result.error), "warn")
            return
        self.page.set_firmware(result.value)
        if path in self._auto_start:
            self._auto_start.discard(path)
            drive = next((d for d in self.page.present() if d.device.path == path), None)
            if drive is not None:
                self._auto_begin(drive, result.value)

    # --- asking the technician -----------------------------------------------------------------------

    def _confirm(self, drive: BayDrive, method: str) -> bool:
        m = METHODS[method]
        how = ("The drive will erase itself; once it has accepted the command it cannot be stopped."
               if m.firmware else "Every byte on it will be overwritten.")
        answer = QMessageBox.question(
            self._parent, self.tr("Erase drive"),
            self.tr("Erase {path} ({model} {serial}) in bay {bay} with {label}?\n\n{how}").format(
                    path=drive.device.path, model=drive.device.model, serial=drive.device.serial, bay=drive.bay,
                            label=method_label(m.name), how=how),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_label(self, drive: BayDrive) -> str | None:
        text, ok = QInputDialog.getText(self._parent, self.tr("Drive serial"),
                                        self.tr("{path} reports no serial number.\nScan or type the serial from the "
                                                "drive's label:").format(
                                                path=drive.device.path), QLineEdit.EchoMode.Normal)
        return text.strip() if ok and text.strip() else None

    def _ask_override(self, drive: BayDrive, method: str, verify: str) -> None:
        operator = self._operator()
        dialog = OverrideDialog(drive, operator, lambda badge: queries.operator_by_badge(self._store.db, badge),
                                self._parent)
        self.override_dialog = dialog

        def approved(reason: str, supervisor_id: str) -> None:
            self._begin(drive, method, verify, ask=False, override=(reason, supervisor_id))

        def closed() -> None:
            if self.override_dialog is dialog:
                self.override_dialog = None
            dialog.deleteLater()

        dialog.approved.connect(approved)
        dialog.finished.connect(closed)
        dialog.open()

    # --- starting ------------------------------------------------------------------------------------

    def _begin(self, drive: BayDrive, method: str, verify: str, *, ask: bool, label: str = "",
               what: str = "Erasing", override: tuple[str, str] | None = None, restart: bool = False) -> None:
        if self.controller.busy(drive.device.path):
            self._say(self.tr("{path} is already being erased").format(path=drive.device.path), "warn")
            return
        if not method:
            firmware = self.page.firmware(drive.device.path)
            why = firmware.choice.reason if firmware else "no method is selected"
            self._say(self.tr("{path} cannot be erased: {why}").format(path=drive.device.path, why=why), "error")
            return
        if not drive.erasable and override is None:
            if drive.overridable and ask:
                self._ask_override(drive, method, verify)
            else:
                self._say(str(refusal_error(list(drive.refusals))), "error")
            return
        if not (label or drive.device.serial or drive.device.wwn):
            label = self.ask_label(drive) or ""
            if not label:
                self._say(self.tr("No serial given: the drive was not erased"), "warn")
                return
        if ask and not self.confirm(drive, method):
            return
        reason, supervisor = override or ("", "")
        try:
            self.controller.start(EraseRequest(drive.device.path, method, VerifyMode(verify),
                                               allow_loop=self.allow_loop, unit_identifier=label,
                                               override_reason=reason, override_by=supervisor, restart=restart),
                                  self._operator())
        except OperatorError as exc:
            self._say(error_text(exc), "error")
            return
        self._pulled_while_erasing.discard(drive.device.path)
        self._erasing[drive.device.path] = drive
        self.page.forget_pulled(drive.device.path)
        self.page.set_status(drive.device.path, "Starting…")
        self._say(self.tr("{what} {drive_name} (bay {bay}) with {label}").format(
                what=what, drive_name=drive_name(drive.device.path), bay=drive.bay, label=method_label(method)), "ok")

    @Slot(object, str, str)
    def _on_erase_requested(self, drive: BayDrive, method: str, verify: str) -> None:
        self._begin(drive, method, verify, ask=True)

    @Slot(str)
    def _on_cancel_requested(self, device_path: str) -> None:
        if self.controller.busy(device_path):
            self._say(self.controller.cancel(device_path), "warn")

    @Slot(object)
    def _on_resume_requested(self, row: BayRow) -> None:
        u = row.unfinished
        if u is None:
            self._say(self.tr("{path} has no interrupted erasure to resume — Ctrl+Shift+E erases it").format(
                    path=row.path), "info")
            return
        if row.drive is None:
            where = f"bay {u.bay}" if u.bay is not None else "its bay"
            self._say(self.tr("Put the drive {value} back into {where} first").format(
                    value=u.identifier or u.device_serial, where=where), "warn")
            return
        if not u.pattern:
            self._say(self.tr("{path}: a firmware erasure is not resumed part-way — "
                              "Ctrl+Shift+E erases it again").format(path=row.path), "info")
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
            self._say(self.tr("{path} in bay {bay} was not started: {text}").format(
                    path=drive.device.path, bay=drive.bay, text=refusal_text(drive.refusals[0])), "warn")
            return
        if self._operator() is None:
            self._say(self.tr("A drive is in bay {bay}: log in to start erasing it").format(bay=drive.bay), "warn")
            return
        unfinished = next((u for u in self._unfinished() if matches(u, drive)), None)
        if unfinished is not None and unfinished.pattern:
            self._resume(drive, unfinished)
            return
        firmware = self.page.firmware(drive.device.path)
        if firmware is None:
            self._auto_start.add(drive.device.path)  # started when its probe says what it can do
        else:
            self._auto_begin(drive, firmware)

    def _auto_begin(self, drive: BayDrive, firmware: DriveFirmware) -> None:
        chosen = self.page.method_combo.chosen
        method = chosen if chosen in firmware.choice.allowed else firmware.choice.recommended
        self._begin(drive, method or "", self.page.verify_combo.currentData(), ask=False)

    @Slot(object)
    def _on_pulled(self, drive: BayDrive) -> None:
        path = drive.device.path
        self._auto_start.discard(path)
        if not self.controller.busy(path):
            return
        # The overwrite engine sees the device go at its next write and ends the run as interrupted;
        # until then (and after) the bay says what happened.
        self._pulled_while_erasing.add(path)
        self.page.keep_pulled(drive, PULLED)
        self._say(self.tr("{path} (bay {bay}) was pulled during its erasure — it is interrupted, nothing recorded is "
                "lost: put it back and press F7 to resume").format(
                path=path, bay=drive.bay), "warn")

    def _gone(self, drive: BayDrive) -> bool:
        """Has the drive left (a pulled disk drops to size 0, or its device disappears)?"""
        now = self.devices.find(drive.device.path)
        return now is None or now.size_bytes != drive.device.size_bytes

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
        if isinstance(outcome, ErasureReport) and outcome.outcome == "interrupted" and not outcome.firmware \
                and drive is not None and not pulled and self._gone(drive):
            # The engine noticed before the next rescan did: the bay must still say it was pulled.
            pulled = True
            self.page.keep_pulled(drive, PULLED)
        if isinstance(outcome, ErasureReport):
            if outcome.outcome == "passed":
                text = f"Erased and verified — certificate {outcome.certificate_id}"
                self._say(f"{device_path}: {text}", "ok")
            elif outcome.outcome == "interrupted" and outcome.firmware:
                text = f"Interrupted: {outcome.summary}"
                self._say(f"{device_path}: {text}", "warn")
            elif outcome.outcome == "interrupted":
                percent = outcome.reached_percent
                text = (f"{PULLED} at {percent} % — put it back, then F7 resumes" if pulled
                        else f"Interrupted at {percent} % — F7 resumes")
                self._say(f"{device_path}: {text}", "warn")
            else:
                text = f"{outcome.outcome.capitalize()}: {outcome.summary}"
                hint = f" — {outcome.hint}" if outcome.hint else ""
                self._say(f"{device_path}: {text}{hint}", "error")
        else:
            text = str(outcome)
            self._say(f"{device_path}: {text}", "error")
        self.page.set_status(device_path, text)


@dataclass(frozen=True)
class _Scan:
    """What a rescan job read: the drives, and the page's scan generation it started from."""

    generation: int
    drives: tuple[BayDrive, ...]


def _probe_job(devices: DeviceSource, device: BlockDevice) -> Callable[[threading.Event, Report], DriveFirmware]:
    def work(cancel: threading.Event, report: Report) -> DriveFirmware:
        return probe_firmware(device, devices.runner(device))

    return work
