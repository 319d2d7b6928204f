"""The Phones tab's behaviour: phones coming and going, paired, identified, held, tested, reset and certified.

A timer on the GUI thread looks at the phone bus (the adb server's phones and usbmuxd's iPhones) twice
a second, each look a short job that takes a pool thread only while it runs; each snapshot comes back
to the GUI thread. Each bay's work (pairing an iPhone while "Trust This Computer?" waits for the tap,
reading the phone, its automatic checks, its reset) is a job of its own, so a hung or pulled phone
never stalls another bay; what a job finds is recorded here, on the GUI thread. A bay changes state
only through :func:`app.core.phones.move`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot

from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.lifecycle import UnitState
from app.core.models import Unit
from app.core.phones import (
    BLOCKER_NAMES,
    HOLD_PREFIX,
    BayState,
    PhonePlan,
    can_move,
    move,
)
from app.services.jobs import JobProgress, JobResult, Report
from app.services.phone_bus import PhoneBus, Snapshot
from app.services.phone_source import READY, AdbPhoneSource, AttachedPhone, PhoneSource
from app.services.phones import (
    PhoneReading,
    PhoneService,
    PhoneUnavailable,
    driver_error_text,
    on_phone,
    read_phone,
)
from app.services.phones_reset import PhoneResetRecorder
from app.services.phones_sim import SimulatedPhoneBench
from app.store import queries
from app.ui.i18n import error_text
from app.ui.phones_bay import Bay
from app.ui.phones_page import PhonesPage
from app.ui.phones_plan_steps import PhonePlanSteps
from app.ui.phones_view import panel_for, row_for
from app.ui.work_tabs import BenchContext, WorkTab
from drivers.android import AdbClient, CheckResult, DeviceGone, DeviceNotFound, DeviceOffline

if TYPE_CHECKING:
    from app.services.phones_sim_ios import SimulatedIPhoneBench

__all__ = ["Bay", "PhonesTab"]
log = logging.getLogger("app.phones")

POLL_S = 0.5
POLL_KEY = "phones:poll"
SIMULATE_KEY = "phones:simulate"
IOS_SOURCE_KEY = "phones:ios-source"
ADB_PORT_ENV = "REFURB_BENCH_ADB_PORT"
PLATFORMS = ("android", "ios")


def _usbmux_source(pair_records: Path) -> PhoneSource:
    """The iPhones' source through usbmuxd; imported here, on a pool thread, for its import time."""
    from app.services.phone_source_ios import IosPhoneSource
    from drivers.ios.usbmux_service import UsbmuxLockdown

    return IosPhoneSource(UsbmuxLockdown(pair_records))


class PhonesTab(PhonePlanSteps, WorkTab):
    """Owns the phones page, the bus poll, each bay's jobs and the plans' guided steps."""

    page: PhonesPage
    title, key = QT_TRANSLATE_NOOP("WorkTab", "&Phones"), "F5"

    def __init__(self, ctx: BenchContext, plans: dict[str, PhonePlan] | None = None) -> None:
        """``plans`` fixes each platform's plan; by default they come from the reference data in use."""
        super().__init__(ctx)
        self.page = PhonesPage()
        self.services = {p: PhoneService(ctx.store, (plans or {}).get(p), platform=p) for p in PLATFORMS}
        self._run_plans = {}
        self.resets = {p: PhoneResetRecorder(service) for p, service in self.services.items()}
        self.bus = PhoneBus()
        self.simulated: SimulatedPhoneBench | None = None
        self.simulated_iphones: SimulatedIPhoneBench | None = None
        self.bays: dict[str, Bay] = {}
        self._scanned: Unit | None = None
        self._reset_started: dict[str, str] = {}
        self._source_error = ""
        self._stopped = False
        self._poll_again = False
        self._timer = QTimer(self)
        self._timer.setInterval(round(POLL_S * 1000))
        self._timer.timeout.connect(self._poll)
        # Asked before a factory reset; tests answer it themselves.
        self.confirm: Callable[[Bay], bool] = self._confirm
        ctx.jobs.progress.connect(self._on_progress)
        ctx.jobs.finished.connect(self._on_finished)
        self.page.table.answered.connect(self._on_answer)
        self.page.recheck_requested.connect(self.recheck_selected)
        self.page.retest_requested.connect(self.retest_selected)
        self.page.reset_requested.connect(self.reset_selected)
        self.page.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())

    def plan(self, bay: Bay) -> PhonePlan:
        """The plan of the run on the bay's phone; before one starts, the built-in plan (only shown)."""
        return self._run_plans.get(bay.attached.bay_key) or self.service(bay).built_in

    def service(self, bay: Bay) -> PhoneService:
        return self.services[bay.platform]

    # --- the bus ------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Watch the bus: the scenario's simulated phones when simulating, else the adb server and usbmuxd."""
        from drivers.sim.scenarios import SCENARIOS

        scenario = SCENARIOS.get(self.ctx.simulate or "")
        androids = getattr(scenario, "phones", ()) if scenario is not None else ()
        iphones = getattr(scenario, "iphones", ()) if scenario is not None else ()
        if androids or iphones:
            from app.services.phones_sim_ios import IPhoneSeat, SimulatedIPhoneBench

            self.simulated = SimulatedPhoneBench([p.profile for p in androids], [p.port for p in androids]) \
                if androids else None
            self.simulated_iphones = SimulatedIPhoneBench([IPhoneSeat(p.profile, p.tap_after) for p in iphones]) \
                if iphones else None
            benches = [b for b in (self.simulated, self.simulated_iphones) if b is not None]
            self.page.source_label.setText(self.tr("Starting the simulated phones…"))
            self.ctx.jobs.start(SIMULATE_KEY, lambda cancel, report: [b.start() for b in benches],
                                label="starting the simulated phones")
            return
        data = self.ctx.store.data_dir
        port = int(os.environ.get(ADB_PORT_ENV) or 5037)
        self.use_source(AdbPhoneSource(AdbClient("127.0.0.1", port), server_home=data / "adb"))
        # usbmuxd's client (pymobiledevice3) takes about 0.3 s to import: it is loaded on a pool thread,
        # so the window comes up first and iPhones are watched a moment later.
        self.ctx.jobs.start(IOS_SOURCE_KEY, lambda cancel, report: _usbmux_source(data / "pair-records"),
                            label="opening usbmuxd")

    def _ios_source_opened(self, result: JobResult) -> None:
        """Watch the iPhone source opened off the GUI thread, unless the tab stopped or was handed one meanwhile."""
        if result.error is not None:  # e.g. the pair-records folder cannot be made
            log.error("usbmuxd's client could not be opened: %s", result.error)
            self.ctx.say(self.tr("iPhones cannot be watched: {error} — check the data folder's permissions").format(
                    error=result.error), "error")
            return
        if result.cancelled or result.value is None:
            return  # cancelled at shutdown
        source: PhoneSource = result.value
        if self._stopped or "ios" in self.bus.sources:
            source.close()  # unused: the tab stopped, or a test or simulator handed in its own
            return
        self.use_source(source)

    def use_source(self, source: PhoneSource) -> None:
        """Watch ``source`` for its platform's phones, in place of any earlier one (tests and the simulated
        benches hand theirs in); the one it replaces is closed off the GUI thread."""
        previous = self.bus.sources.get(source.platform)
        self.bus.add(source)
        if previous is not None and previous is not source:
            self.ctx.jobs.start(f"phones:close:{id(previous)}", lambda cancel, report: previous.close(),
                                label="closing a phone source")
        self.page.source_label.setText(self._source_text())
        if not self._stopped:
            self._timer.start()
            self._poll_again = self.ctx.jobs.busy(POLL_KEY)  # the look under way may predate this source
            self._poll()

    def _source_text(self) -> str:
        parts = []
        for source in self.bus.sources.values():
            client = getattr(source, "client", None)
            parts.append(self.tr("the adb server on port {port}").format(port=client.port) if client is not None
                         else "usbmuxd" if source.platform == "ios" else source.platform)
        if not parts:
            return ""
        return self.tr("Phones appear as plugged in, from {sources}").format(sources=self.tr(" and ").join(parts))

    @Slot()
    def _poll(self) -> None:
        """One look at the bus, unless the previous one is still looking."""
        if self._stopped or self.ctx.jobs.busy(POLL_KEY):
            return
        bus = self.bus
        self.ctx.jobs.start(POLL_KEY, lambda cancel, report: bus.poll(), label="the phone poll")

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()
        self.ctx.jobs.cancel(POLL_KEY)
        for key in list(self.bays):
            self.ctx.jobs.cancel(self._job(key))
        for service in self.services.values():
            service.release_all()  # runs still open resume with their own plan next time
        for bench in (self.simulated, self.simulated_iphones):
            if bench is not None:
                bench.stop()  # ends any job still talking to the simulated phones at once
        self.bus.close()

    def shown(self) -> None:
        self.page.table.setFocus()
        self._show_selected()

    def unit_scanned(self, unit: Unit) -> bool:
        """A unit scanned on this tab is the one the next unknown phone becomes."""
        self._scanned = unit
        self.ctx.say(self.tr("{label}: plug its phone in — it will be recorded as this unit").format(
                label=unit.label), "ok")
        return True

    @Slot(object)
    def _on_progress(self, progress: JobProgress) -> None:
        if not progress.key.startswith("phone:"):
            return
        bay = self.bays.get(progress.key.removeprefix("phone:"))
        if bay is None:
            return
        if isinstance(progress.detail, CheckResult):
            self._on_check(bay, progress.detail)
        elif bay.state is BayState.NOT_READY:  # the pairing job: what to do on the iPhone's screen
            bay.note = bay.detail = progress.text
            self._show(bay)
        elif progress.text:
            bay.note = progress.text
            self._show(bay)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.error != self._source_error:
            self._source_error = snapshot.error
            if snapshot.error:
                log.info("phone bus: %s", snapshot.error)
            self.page.source_label.setText(snapshot.error or self._source_text())
        seen = {p.bay_key: p for p in snapshot.phones}
        for key, bay in self.bays.items():
            now = seen.get(key)
            if (now is None or now.serial != bay.attached.serial or not now.ready) and bay.state not in (
                    BayState.UNPLUGGED, BayState.RESETTING):
                self._left(bay, now)
        for key, attached in seen.items():
            known = self.bays.get(key)
            if known is None or known.attached.serial != attached.serial:
                bay = Bay(attached, queries.bay_map(self.ctx.store.db).get(key))
                self.bays[key] = bay
                self._run_plans.pop(key, None)  # another phone: its own run says its plan
            else:
                bay = known
                if bay.state is BayState.UNPLUGGED and (attached.ready or attached.waiting):
                    bay.state = move(bay.label, bay.state, BayState.ATTACHED, "plugged back in")
            if bay.state is BayState.RESETTING:
                continue  # the reset's job follows the phone off the bus and back
            bay.attached = attached
            if attached.ready and bay.state in (BayState.ATTACHED, BayState.NOT_READY):
                self._identify(bay)
            elif not attached.ready and bay.state is BayState.ATTACHED:
                bay.state = move(bay.label, bay.state, BayState.NOT_READY, attached.state)
            if bay.state is BayState.NOT_READY and self.bus.pairs(attached):
                self._pair(bay)
            self._show(bay)

    def _left(self, bay: Bay, now: AttachedPhone | None) -> None:
        if now is not None and now.serial == bay.attached.serial and now.waiting:
            if can_move(bay.state, BayState.NOT_READY):
                bay.state = move(bay.label, bay.state, BayState.NOT_READY, now.state)
            bay.attached = now
            self._show(bay)
            return
        if bay.state in (BayState.IDENTIFYING, BayState.CHECKING):
            bay.pulled = True  # its job ends with DeviceGone and says so
            return
        during = bay.state
        phase = self._open_run_phase(bay)
        bay.state = move(bay.label, bay.state, BayState.UNPLUGGED, "gone from the bus")
        if during is BayState.NOT_READY:
            self.ctx.jobs.cancel(self._job(bay.attached.bay_key))  # a pairing wait for a phone that left
        if phase and bay.record is not None:  # also after its checks ended in an error as the link went
            step = f"at step {bay.step.name}" if during is BayState.GUIDED and bay.step else f"while {during}"
            self.service(bay).record_disconnect(bay.record.unit.unit_id, bay.attached, phase, step)
        bay.note = bay.detail = ""
        bay.note = self._unplugged_note(phase)
        self._show(bay)

    def _open_run_phase(self, bay: Bay) -> str:
        """The open plan run's phase, "checking" or "guided tests" ("" if none): read from the recorded run,
        not the bay's last state, which may be an error the pull itself caused."""
        if bay.record is None or bay.run_id is None:
            return ""
        progress = self.service(bay).progress(bay.record.unit.unit_id)
        if progress.run_id != bay.run_id or progress.finished:
            return ""
        return "checking" if (progress.plan or self.plan(bay)).remaining_automatic(progress.done) else "guided tests"

    @staticmethod
    def _unplugged_note(phase: str) -> str:
        return "Unplugged during its tests — plug it back in to resume where it stopped" if phase else "Unplugged"

    # --- pair, identify ----------------------------------------------------------------------------------

    def _pair(self, bay: Bay) -> None:
        """Ask the iPhone to trust the bench, in the bay's job; its hint shows in the bay while it waits."""
        key = self._job(bay.attached.bay_key)
        if self.ctx.jobs.busy(key):
            return
        bus, attached = self.bus, bay.attached

        def work(cancel: threading.Event, report: Report) -> bool:
            return on_phone(lambda: bus.pair(attached, lambda hint: report(0, 0, hint), cancel.is_set))

        self.ctx.jobs.start(key, work, label=f"pairing with the phone in {bay.label}")

    def _paired(self, bay: Bay, result: JobResult) -> None:
        if result.value is True and not result.cancelled:
            bay.note = bay.detail = ""
            bay.attached = dataclasses.replace(bay.attached, state=READY)
            self._identify(bay)

    def _identify(self, bay: Bay) -> None:
        if self.ctx.jobs.busy(self._job(bay.attached.bay_key)) or bay.platform not in self.bus.sources:
            return
        bay.state = move(bay.label, bay.state, BayState.IDENTIFYING)
        bay.pulled, bay.note, bay.detail = False, "", ""
        device = self.bus.open(bay.attached)
        attached = bay.attached
        self.ctx.jobs.start(self._job(attached.bay_key), lambda cancel, report: on_phone(
            lambda: read_phone(device, attached)), label=f"reading the phone in {bay.label}")

    def _identified(self, bay: Bay, reading: PhoneReading) -> None:
        bay.reading = reading
        service = self.service(bay)
        service.operator = self.ctx.operator()
        scanned, self._scanned = self._scanned, None
        try:
            record = service.record_reading(reading, bay.bay, scanned)
        except OperatorError as exc:
            bay.state = move(bay.label, bay.state, BayState.ERROR, exc.message)
            bay.note = error_text(exc)
            self.ctx.say(f"{bay.heading}: {exc}", "error")
            return
        bay.record = record
        if record.hold:
            bay.state = move(bay.label, bay.state, BayState.ON_HOLD, record.hold)
            bay.note = "On hold — " + ", ".join(BLOCKER_NAMES.get(kind, kind) for kind, _ in reading.holds)
            bay.detail = "On hold: " + record.hold.removeprefix(HOLD_PREFIX)
            self.ctx.say(self.tr("{heading}: {label} is on hold: {removeprefix}").format(
                    heading=bay.heading, label=record.unit.label, removeprefix=record.hold.removeprefix(HOLD_PREFIX)),
                         "warn")
            return
        bay.state = move(bay.label, bay.state, BayState.READY)
        bay.detail = ""
        if record.released:
            self.ctx.say(self.tr("{heading}: no blockers left — {label} is released from its hold").format(
                    heading=bay.heading, label=record.unit.label), "ok")
        if record.unit.state in (UnitState.SANITISED,) and record.progress.finished:
            bay.note = "Sanitised"
            return
        self._continue_plan(bay, again=False)

    # --- jobs ending ---------------------------------------------------------------------------------------

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        if result.key == SIMULATE_KEY:
            self._simulation_started(result)
            return
        if result.key == IOS_SOURCE_KEY:
            self._ios_source_opened(result)
            return
        if result.key == POLL_KEY:
            if isinstance(result.value, Snapshot) and not self._stopped:
                self._on_snapshot(result.value)
            if self._poll_again:
                self._poll_again = False
                self._poll()
            return
        bay = self.bays.get(result.key.removeprefix("phone:")) if result.key.startswith("phone:") else None
        if bay is None:
            return
        if bay.state is BayState.RESETTING:
            self._reset_done(bay, result)
        elif result.error is not None:
            self._job_failed(bay, result.error)
        elif bay.state is BayState.NOT_READY:
            self._paired(bay, result)
        elif bay.state is BayState.IDENTIFYING and isinstance(result.value, PhoneReading):
            self._identified(bay, result.value)
        elif bay.state is BayState.CHECKING and not result.cancelled:
            self._next_guided(bay)
        self._show(bay)

    def _job_failed(self, bay: Bay, failure: BaseException) -> None:
        error = failure.cause if isinstance(failure, PhoneUnavailable) else failure
        link_dropped = isinstance(error, DeviceOffline) and error.state == "offline"
        if bay.state is BayState.UNPLUGGED:
            return  # the snapshot saw it go first and said so
        if isinstance(error, DeviceGone | DeviceNotFound) or link_dropped or bay.pulled:
            during = bay.state
            bay.state = move(bay.label, bay.state, BayState.UNPLUGGED, "gone mid-command")
            if bay.record is not None and during is not BayState.NOT_READY:
                self.service(bay).record_disconnect(bay.record.unit.unit_id, bay.attached, str(during), str(error))
            bay.note = self._unplugged_note(self._open_run_phase(bay))
            bay.detail = ""
            self.ctx.say(f"{bay.heading}: {bay.note}", "warn")
        elif isinstance(error, DeviceOffline):
            if bay.state is not BayState.NOT_READY:
                bay.state = move(bay.label, bay.state, BayState.NOT_READY, error.state)
            bay.note = bay.detail = getattr(error, "hint", "") or str(error)
        else:
            bay.state = move(bay.label, bay.state, BayState.ERROR, type(error).__name__)
            bay.note = f"{driver_error_text(error)} — Ctrl+R re-checks" if isinstance(failure, OperatorError) else \
                f"Could not read the phone ({type(error).__name__}; the log has the details) — Ctrl+R re-checks"
            bay.detail = ""
            self.ctx.say(f"{bay.heading}: {bay.note}", "error")

    def _simulation_started(self, result: JobResult) -> None:
        benches = [b for b in (self.simulated, self.simulated_iphones) if b is not None]
        if not result.ok or any(b.source is None for b in benches):
            self.page.source_label.setText(self.tr("Simulated phones did not start: {error}").format(
                    error=result.error))
            self.ctx.say(self.tr("Simulated phones did not start: {error}").format(error=result.error), "error")
            return
        if self._stopped:
            for bench in benches:
                bench.stop()
            return
        for bench in benches:
            assert bench.source is not None
            self.use_source(bench.source)
        counts = [self.tr("{count} simulated Android phones on a private adb server").format(
                      count=len(self.simulated.phones)) if self.simulated else "",
                  self.tr("{count} simulated iPhones on a private usbmuxd").format(
                      count=len(self.simulated_iphones.phones)) if self.simulated_iphones else ""]
        self.page.source_label.setText(self.tr(" and ").join(c for c in counts if c))

    # --- showing -------------------------------------------------------------------------------------------

    def _show(self, bay: Bay) -> None:
        self.page.set_row(row_for(bay, self.plan(bay)))
        if self.page.selected_key() == bay.attached.bay_key:
            self._show_selected()

    def _show_selected(self) -> None:
        bay = self._selected()
        if bay is None:
            self.page.show_step("", self.tr("Plug a phone into a bay: it is identified and tested on its own."), "")
        else:
            self.page.show_step(*panel_for(bay, self.plan(bay)))
