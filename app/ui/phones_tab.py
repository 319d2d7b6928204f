"""The Phones tab's behaviour: phones coming and going, identified, held, tested, reset and certified.

A watcher job polls the phone bus every half second and hands each changed snapshot to the GUI
thread. Each bay's work (reading the phone, its automatic checks, its reset) is a job of its own,
so a hung or pulled phone never stalls another bay; what a job finds is recorded here, on the GUI
thread. A bay changes state only through :func:`app.core.phones.move`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QMessageBox

from app.core.errors import OperatorError
from app.core.lifecycle import UnitState
from app.core.models import Unit
from app.core.phones import (
    BLOCKER_NAMES,
    HOLD_PREFIX,
    BayState,
    GuidedStep,
    PhonePlan,
    StepOutcome,
    answer_for_key,
    can_move,
    load_phone_plan,
    move,
)
from app.services.jobs import JobProgress, JobResult, Report
from app.services.phone_source import AdbPhoneSource, AttachedPhone, PhoneSource, PhoneSourceDown
from app.services.phones import (
    PLAN_FILE,
    PhoneReading,
    PhoneRecord,
    PhoneService,
    PhoneUnavailable,
    blockers_record,
    driver_error_text,
    on_phone,
    read_phone,
)
from app.services.phones_reset import PhoneResetRecorder, ResetOutcome
from app.services.phones_sim import SimulatedPhoneBench
from app.store import queries
from app.ui.phones_page import PhoneRow, PhonesPage
from app.ui.phones_view import battery_text, locks_text, phone_text, status_text
from app.ui.work_tabs import BenchContext, WorkTab
from drivers.android import AdbClient, CheckResult, DeviceGone, DeviceNotFound, DeviceOffline, ResetReport

log = logging.getLogger("app.phones")

POLL_S = 0.5
WATCH_KEY = "phones:watch"
ADB_PORT_ENV = "REFURB_BENCH_ADB_PORT"


@dataclass(frozen=True)
class Snapshot:
    """The phone bus at one moment (immutable: it crosses from the watcher job)."""

    phones: tuple[AttachedPhone, ...]
    error: str = ""


@dataclass
class Bay:
    """One phone bay as the GUI thread knows it."""

    attached: AttachedPhone
    bay: int | None
    state: BayState = BayState.ATTACHED
    reading: PhoneReading | None = None
    record: PhoneRecord | None = None
    run_id: str | None = None
    step: GuidedStep | None = None
    note: str = ""  # one line for the table
    detail: str = ""  # the whole story for the step panel (a hold's evidence)
    pulled: bool = False
    done: dict[str, StepOutcome] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How messages name the bay: "bay 12", or the port of a phone in no mapped bay."""
        return f"bay {self.bay}" if self.bay is not None else "port " + self.attached.bay_key.split(":", 1)[1]

    @property
    def heading(self) -> str:
        """The same, starting a sentence."""
        return self.label.capitalize()


def watch(source: PhoneSource, cancel: threading.Event, report: Report) -> None:
    """The watcher job: poll until cancelled, reporting every snapshot. Every one, not only changes: a phone
    whose link dropped and came back between two polls (the adb server reconnects a TCP phone within a
    quarter of a second) looks unchanged, yet its bay, told by its job that it went away, must see it back."""
    while not cancel.is_set():
        try:
            snapshot = Snapshot(tuple(source.attached()))
        except PhoneSourceDown as exc:
            snapshot = Snapshot((), str(exc))
        ready = sum(1 for p in snapshot.phones if p.ready)
        report(ready, len(snapshot.phones), f"Phones: {ready} attached" if snapshot.phones else "", snapshot)
        cancel.wait(POLL_S)


class PhonesTab(WorkTab):
    """Owns the phones page, the watcher, each bay's jobs and the plan's guided steps."""

    page: PhonesPage
    title, key = "&Phones", "F5"

    def __init__(self, ctx: BenchContext, plan: PhonePlan | None = None) -> None:
        super().__init__(ctx)
        self.page = PhonesPage()
        self.plan = plan or load_phone_plan(PLAN_FILE)
        self.service = PhoneService(ctx.store, self.plan)
        self.resets = PhoneResetRecorder(self.service)
        self.source: PhoneSource | None = None
        self.simulated: SimulatedPhoneBench | None = None
        self.bays: dict[str, Bay] = {}
        self._scanned: Unit | None = None
        self._reset_started: dict[str, str] = {}
        self._source_error = ""
        self._stopped = False
        # Asked before a factory reset; tests answer it themselves.
        self.confirm: Callable[[Bay], bool] = self._confirm
        ctx.jobs.progress.connect(self._on_progress)
        ctx.jobs.finished.connect(self._on_finished)
        self.page.table.answered.connect(self._on_answer)
        self.page.recheck_requested.connect(self.recheck_selected)
        self.page.retest_requested.connect(self.retest_selected)
        self.page.reset_requested.connect(self.reset_selected)
        self.page.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())

    # --- the bus ------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Watch the bus: the scenario's emulated phones when simulating, else the adb server."""
        from drivers.sim.scenarios import SCENARIOS

        scenario = SCENARIOS.get(self.ctx.simulate or "")
        profiles = getattr(scenario, "phones", ()) if scenario is not None else ()
        if profiles:
            bench = SimulatedPhoneBench([p.profile for p in profiles], [p.port for p in profiles])
            self.page.source_label.setText("Starting the simulated phones…")
            self.ctx.jobs.start("phones:simulate", lambda cancel, report: bench.start(),
                                label="starting the simulated phones")
            self.simulated = bench
            return
        port = int(os.environ.get(ADB_PORT_ENV) or 5037)
        self.use_source(AdbPhoneSource(AdbClient("127.0.0.1", port)))

    def use_source(self, source: PhoneSource) -> None:
        """Watch ``source`` for phones (tests and the simulated bench hand theirs in)."""
        if self.ctx.jobs.busy(WATCH_KEY):
            self.ctx.jobs.cancel(WATCH_KEY)
        self.source = source
        client = getattr(source, "client", None)
        where = f" from the adb server on port {client.port}" if client is not None else ""
        self.page.source_label.setText(f"Phones appear as plugged in{where}")
        self._start_watch()

    def _start_watch(self) -> None:
        if self.source is None or self._stopped or self.ctx.jobs.busy(WATCH_KEY):
            return
        source = self.source
        self.ctx.jobs.start(WATCH_KEY, lambda cancel, report: watch(source, cancel, report), label="the phone watcher")

    def stop(self) -> None:
        self._stopped = True
        self.ctx.jobs.cancel(WATCH_KEY)
        for key in list(self.bays):
            self.ctx.jobs.cancel(self._job(key))
        if self.simulated is not None:
            self.simulated.stop()  # ends any job still talking to the simulated phones at once

    def shown(self) -> None:
        self.page.table.setFocus()
        self._show_selected()

    def unit_scanned(self, unit: Unit) -> bool:
        """A unit scanned on this tab is the one the next unknown phone becomes."""
        self._scanned = unit
        self.ctx.say(f"{unit.label}: plug its phone in — it will be recorded as this unit", "ok")
        return True

    @staticmethod
    def _job(bay_key: str) -> str:
        return f"phone:{bay_key}"

    @Slot(object)
    def _on_progress(self, progress: JobProgress) -> None:
        if progress.key == WATCH_KEY and isinstance(progress.detail, Snapshot):
            self._on_snapshot(progress.detail)
        elif progress.key.startswith("phone:") and isinstance(progress.detail, CheckResult):
            self._on_check(progress.key.removeprefix("phone:"), progress.detail)
        elif progress.key.startswith("phone:") and progress.text:
            bay = self.bays.get(progress.key.removeprefix("phone:"))
            if bay is not None:
                bay.note = progress.text
                self._show(bay)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.error != self._source_error:
            self._source_error = snapshot.error
            if snapshot.error:
                log.info("phone watcher: %s", snapshot.error)
            self.page.source_label.setText(snapshot.error or "Phones appear as plugged in")
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
            else:
                bay = known
                if bay.state is BayState.UNPLUGGED and attached.ready:
                    bay.state = move(bay.label, bay.state, BayState.ATTACHED, "plugged back in")
            bay.attached = attached
            if attached.ready and bay.state in (BayState.ATTACHED, BayState.NOT_READY):
                self._identify(bay)
            elif not attached.ready and bay.state is BayState.ATTACHED:
                bay.state = move(bay.label, bay.state, BayState.NOT_READY, attached.state)
            self._show(bay)

    def _left(self, bay: Bay, now: AttachedPhone | None) -> None:
        if now is not None and now.state in ("unauthorized", "authorizing"):
            if can_move(bay.state, BayState.NOT_READY):
                bay.state = move(bay.label, bay.state, BayState.NOT_READY, now.state)
            bay.attached = now
            self._show(bay)
            return
        if bay.state in (BayState.IDENTIFYING, BayState.CHECKING):
            bay.pulled = True  # its job ends with DeviceGone and says so
            return
        during = bay.state
        bay.state = move(bay.label, bay.state, BayState.UNPLUGGED, "gone from the bus")
        if during is BayState.GUIDED and bay.record is not None:
            self.service.record_disconnect(bay.record.unit.unit_id, bay.attached, "guided tests",
                                           f"at step {bay.step.name if bay.step else '?'}")
        bay.note = self._unplugged_note(during, bay)
        self._show(bay)

    def _unplugged_note(self, during: BayState, bay: Bay) -> str:
        if during in (BayState.CHECKING, BayState.GUIDED) and bay.record is not None:
            return "Unplugged during its tests — plug it back in to resume where it stopped"
        return "Unplugged"

    # --- identify ----------------------------------------------------------------------------------------

    def _identify(self, bay: Bay) -> None:
        if self.source is None or self.ctx.jobs.busy(self._job(bay.attached.bay_key)):
            return
        bay.state = move(bay.label, bay.state, BayState.IDENTIFYING)
        bay.pulled, bay.note = False, ""
        device = self.source.open(bay.attached.serial)
        attached = bay.attached
        self.ctx.jobs.start(self._job(attached.bay_key), lambda cancel, report: on_phone(
            lambda: read_phone(device, attached)),
                            label=f"reading the phone in {bay.label}")

    def _identified(self, bay: Bay, reading: PhoneReading) -> None:
        bay.reading = reading
        self.service.operator = self.ctx.operator()
        scanned, self._scanned = self._scanned, None
        try:
            record = self.service.record_reading(reading, bay.bay, scanned)
        except OperatorError as exc:
            bay.state = move(bay.label, bay.state, BayState.ERROR, exc.message)
            bay.note = str(exc)
            self.ctx.say(f"{bay.heading}: {exc}", "error")
            return
        bay.record = record
        if record.hold:
            bay.state = move(bay.label, bay.state, BayState.ON_HOLD, record.hold)
            bay.note = "On hold — " + ", ".join(BLOCKER_NAMES.get(kind, kind) for kind, _ in reading.holds)
            bay.detail = "On hold: " + record.hold.removeprefix(HOLD_PREFIX)
            self.ctx.say(f"{bay.heading}: {record.unit.label} is on hold: {record.hold.removeprefix(HOLD_PREFIX)}",
                         "warn")
            return
        bay.state = move(bay.label, bay.state, BayState.READY)
        bay.detail = ""
        if record.released:
            self.ctx.say(f"{bay.heading}: no blockers left — {record.unit.label} is released from its hold", "ok")
        if record.unit.state in (UnitState.SANITISED,) and record.progress.finished:
            bay.note = "Sanitised"
            return
        self._continue_plan(bay, again=False)

    # --- the plan ------------------------------------------------------------------------------------------

    def _continue_plan(self, bay: Bay, *, again: bool) -> None:
        assert bay.record is not None
        unit_id = bay.record.unit.unit_id
        progress = self.service.progress(unit_id)
        if progress.finished and not again:
            bay.state = move(bay.label, bay.state, BayState.TESTED)
            bay.note = f"Tested: {self.plan.verdict(progress.done)}"
            return
        try:
            progress = self.service.start_plan(unit_id, again=again)
        except OperatorError as exc:
            bay.note = str(exc)
            return
        resumed = bool(progress.done)
        bay.run_id = progress.run_id
        bay.done = dict(progress.done)
        remaining = self.plan.remaining_automatic(progress.done)
        if remaining and self.source is not None:
            bay.state = move(bay.label, bay.state, BayState.CHECKING, "resumed" if resumed else "")
            bay.note = f"Resuming: {len(progress.done)} of {len(self.plan.step_ids)} steps done" if resumed else ""
            device = self.source.open(bay.attached.serial)

            def work(cancel: threading.Event, report: Report) -> tuple[CheckResult, ...]:
                return on_phone(lambda: device.automatic_checks(
                    remaining, lambda r: report(0, len(remaining), "", r)))

            self.ctx.jobs.start(self._job(bay.attached.bay_key), work, label=f"the checks of {bay.label}")
            return
        self._next_guided(bay)

    def _on_check(self, bay_key: str, result: CheckResult) -> None:
        bay = self.bays.get(bay_key)
        if bay is None or bay.record is None or bay.run_id is None:
            return
        outcome = self.service.record_automatic(bay.record.unit.unit_id, bay.run_id, result)
        bay.done[result.name] = outcome
        bay.note = f"Checked {result.name}: {outcome.replace('_', ' ')}"
        self._show(bay)

    def _next_guided(self, bay: Bay) -> None:
        assert bay.record is not None
        assert bay.run_id is not None
        progress = self.service.progress(bay.record.unit.unit_id)
        step = self.plan.next_guided(progress.done)
        if step is None:
            verdict = self.service.finish_plan(bay.record.unit.unit_id, bay.run_id)
            bay.state = move(bay.label, bay.state, BayState.TESTED, str(verdict))
            bay.step, bay.note = None, f"Tested: {verdict}"
            self.ctx.say(f"{bay.heading}: {bay.record.unit.label} tested — {verdict}",
                         "ok" if str(verdict) == "passed" else "warn")
            self._show(bay)
            return
        if bay.state is not BayState.GUIDED:
            bay.state = move(bay.label, bay.state, BayState.GUIDED)
        bay.step = step
        bay.note = ""
        if self._guided_selected() is None:
            self.page.select(bay.attached.bay_key)
        self._show(bay)

    def _guided_selected(self) -> Bay | None:
        key = self.page.selected_key()
        bay = self.bays.get(key) if key else None
        return bay if bay is not None and bay.state is BayState.GUIDED else None

    @Slot(str)
    def _on_answer(self, key: str) -> None:
        outcome = answer_for_key(key)
        selected = self.bays.get(self.page.selected_key() or "")
        if outcome is None or selected is None:
            return
        if selected.state is not BayState.GUIDED or selected.step is None or selected.record is None \
                or selected.run_id is None:
            self.ctx.say(f"{selected.heading} has no step waiting for an answer", "info")
            return
        step = selected.step
        self.service.operator = self.ctx.operator()
        self.service.record_check(selected.record.unit.unit_id, selected.run_id, step.id, outcome,
                                  f"judged by the technician: {step.instruction}")
        selected.done[step.id] = outcome
        self._next_guided(selected)
        now: BayState = selected.state
        if now is BayState.TESTED:
            waiting = next((b for b in self.bays.values() if b.state is BayState.GUIDED), None)
            if waiting is not None:
                self.page.select(waiting.attached.bay_key)

    # --- re-check, test again, reset ----------------------------------------------------------------------

    def _selected(self) -> Bay | None:
        return self.bays.get(self.page.selected_key() or "")

    @Slot()
    def recheck_selected(self) -> None:
        bay = self._selected()
        if bay is None:
            return
        if not bay.attached.ready or not can_move(bay.state, BayState.IDENTIFYING):
            self.ctx.say(f"{bay.heading} cannot be re-checked now ({bay.state.replace('_', ' ')})", "warn")
            return
        self._identify(bay)
        self._show(bay)

    @Slot()
    def retest_selected(self) -> None:
        bay = self._selected()
        if bay is None or bay.record is None or not can_move(bay.state, BayState.CHECKING):
            self.ctx.say("Select a tested phone to test it again", "info")
            return
        self._continue_plan(bay, again=True)
        self._show(bay)

    def _confirm(self, bay: Bay) -> bool:
        answer = QMessageBox.question(
            self.ctx.window, "Factory reset",
            f"Factory-reset the {phone_text(bay)} in {bay.label}?\n\nEverything on it is erased.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def reset_selected(self) -> None:
        bay = self._selected()
        if bay is None or self.source is None:
            return
        if bay.state is BayState.ON_HOLD:
            self.ctx.say(f"{bay.heading} is on hold for a blocker: it is not reset until that is cleared",
                         "warn")
            return
        if bay.record is None or bay.reading is None or not can_move(bay.state, BayState.RESETTING):
            self.ctx.say(f"{bay.heading} cannot be reset now ({bay.state.replace('_', ' ')})", "warn")
            return
        if not self.confirm(bay):
            return
        self.service.operator = self.ctx.operator()
        try:
            started = self.resets.begin(bay.record.unit)
        except OperatorError as exc:
            self.ctx.say(f"{bay.heading}: {exc}", "error")
            return
        bay.state = move(bay.label, bay.state, BayState.RESETTING)
        bay.note = f"Resetting (started {started[11:19]} UTC)…"
        device, serial = self.source.open(bay.attached.serial), bay.attached.serial
        if isinstance(self.source, AdbPhoneSource):
            self.source.pause_attach(serial, True)

        def work(cancel: threading.Event, report: Report) -> ResetReport:
            return on_phone(lambda: device.factory_reset(
                lambda phase: report(0, 0, f"Reset: {phase.value.replace('_', ' ')}")))

        self.ctx.jobs.start(self._job(bay.attached.bay_key), work, label=f"the reset of {bay.label}")
        self._reset_started[bay.attached.bay_key] = started
        self._show(bay)

    def _reset_done(self, bay: Bay, result: JobResult) -> None:
        assert bay.record is not None
        assert bay.reading is not None
        if isinstance(self.source, AdbPhoneSource):
            self.source.pause_attach(bay.attached.serial, False)
        started = self._reset_started.pop(bay.attached.bay_key, "")
        report = result.value if result.ok and isinstance(result.value, ResetReport) else None
        error = "" if result.ok else driver_error_text(result.error or RuntimeError("cancelled"))
        self.service.operator = self.ctx.operator()
        outcome: ResetOutcome = self.resets.finish(bay.record.unit, bay.attached, bay.bay, bay.reading.identity,
                                                   report, error, started, blockers_record(bay.reading))
        target = {"passed": BayState.SANITISED, "flagged": BayState.ON_HOLD}.get(outcome.outcome, BayState.ERROR)
        bay.state = move(bay.label, bay.state, target, outcome.outcome)
        if outcome.outcome == "passed":
            bay.note = f"Reset and verified — certificate {outcome.certificate_id}"
            self.ctx.say(f"{bay.heading}: {bay.note}", "ok")
        else:
            bay.note = f"Reset {outcome.outcome}: {outcome.summary}"
            self.ctx.say(f"{bay.heading}: {bay.note}", "warn" if outcome.outcome == "flagged" else "error")
        if report is not None and report.identity_after is not None:
            bay.reading = PhoneReading(bay.attached, report.identity_after, bay.reading.battery, "",
                                       bay.reading.blockers, "", 0.0)
        unit = queries.get_unit(self.ctx.store.db, bay.record.unit.unit_id)
        if unit is not None:
            bay.record = PhoneRecord(unit, False, "", False, self.service.progress(unit.unit_id))

    # --- jobs ending ---------------------------------------------------------------------------------------

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        if result.key == "phones:simulate":
            self._simulation_started(result)
            return
        if result.key == WATCH_KEY:
            self._start_watch()  # a watcher that died (a bug, logged) comes back; a stopped tab stays stopped
            return
        bay = self.bays.get(result.key.removeprefix("phone:")) if result.key.startswith("phone:") else None
        if bay is None:
            return
        if bay.state is BayState.RESETTING:
            self._reset_done(bay, result)
        elif result.error is not None:
            self._job_failed(bay, result.error)
        elif bay.state is BayState.IDENTIFYING and isinstance(result.value, PhoneReading):
            self._identified(bay, result.value)
        elif bay.state is BayState.CHECKING and not result.cancelled:
            self._next_guided(bay)
        self._show(bay)

    def _job_failed(self, bay: Bay, failure: BaseException) -> None:
        error = failure.cause if isinstance(failure, PhoneUnavailable) else failure
        link_dropped = isinstance(error, DeviceOffline) and error.state == "offline"
        if isinstance(error, DeviceGone | DeviceNotFound) or link_dropped or bay.pulled:
            during = bay.state
            bay.state = move(bay.label, bay.state, BayState.UNPLUGGED, "gone mid-command")
            if bay.record is not None:
                self.service.record_disconnect(bay.record.unit.unit_id, bay.attached, str(during), str(error))
            bay.note = self._unplugged_note(during, bay)
            self.ctx.say(f"{bay.heading}: {bay.note}", "warn")
        elif isinstance(error, DeviceOffline):
            bay.state = move(bay.label, bay.state, BayState.NOT_READY, error.state)
            bay.note = str(error)
        else:
            bay.state = move(bay.label, bay.state, BayState.ERROR, type(error).__name__)
            bay.note = f"{driver_error_text(error)} — Ctrl+R re-checks" if isinstance(failure, OperatorError) else \
                f"Could not read the phone ({type(error).__name__}; the log has the details) — Ctrl+R re-checks"
            self.ctx.say(f"{bay.heading}: {bay.note}", "error")

    def _simulation_started(self, result: JobResult) -> None:
        if not result.ok or self.simulated is None or self.simulated.source is None:
            self.page.source_label.setText(f"Simulated phones did not start: {result.error}")
            self.ctx.say(f"Simulated phones did not start: {result.error}", "error")
            return
        if self._stopped:
            self.simulated.stop()
            return
        self.use_source(self.simulated.source)
        self.page.source_label.setText(f"{len(self.simulated.phones)} simulated phones on a private adb server")

    # --- showing -------------------------------------------------------------------------------------------

    def _show(self, bay: Bay) -> None:
        record = bay.record
        identity = bay.reading.identity if bay.reading else None
        valid = identity.valid_imeis if identity else ()
        imeis = valid[0] + (f" +{len(valid) - 1}" if len(valid) > 1 else "") if valid else ""
        self.page.set_row(PhoneRow(
            bay.attached.bay_key, str(bay.bay) if bay.bay is not None else "—", phone_text(bay), imeis,
            (identity.serial or "") if identity else "", (identity.os_version or "") if identity else "",
            battery_text(bay.reading), locks_text(bay.reading), status_text(bay, self.plan, record),
            str(bay.state)))
        if self.page.selected_key() == bay.attached.bay_key:
            self._show_selected()

    def _show_selected(self) -> None:
        bay = self._selected()
        if bay is None:
            self.page.show_step("", "Plug a phone into a bay: it is identified and tested on its own.", "")
            return
        if bay.state is BayState.GUIDED and bay.step is not None:
            number = self.plan.step_ids.index(bay.step.id) + 1
            self.page.show_step(f"{bay.heading} · {phone_text(bay)} — step {number} of {len(self.plan.step_ids)}: "
                                f"{bay.step.name}", bay.step.instruction, "P  pass     F  fail     S  skip")
        else:
            self.page.show_step(f"{bay.heading} · {phone_text(bay)}",
                                bay.detail or status_text(bay, self.plan, bay.record), "")
