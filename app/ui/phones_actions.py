"""What the technician asks of the selected phone on the Phones tab: re-check it, test it again, reset it.

A mixin of :class:`app.ui.phones_tab.PhonesTab`, kept apart so the tab's file stays about phones
coming, going and being tested. The reset runs as the bay's job; its outcome is recorded here, on the
GUI thread, as the one ``phone.reset_completed`` event whose body is the certificate.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from app.core.errors import OperatorError
from app.core.phones import BayState, can_move, move
from app.services.jobs import JobResult, Report
from app.services.phone_bus import PhoneBus
from app.services.phones import PhoneReading, PhoneRecord, PhoneService, blockers_record, driver_error_text, on_phone
from app.services.phones_reset import PhoneResetRecorder, ResetOutcome
from app.store import queries
from app.ui.phones_bay import Bay
from app.ui.phones_page import PhonesPage
from app.ui.phones_view import phone_text
from app.ui.work_tabs import BenchContext
from drivers.android import ResetReport


class PhoneActions:
    """Re-check (Ctrl+R), test again (Ctrl+T) and factory reset (Ctrl+Shift+E) of the selected bay."""

    ctx: BenchContext
    bus: PhoneBus
    page: PhonesPage
    bays: dict[str, Bay]
    resets: dict[str, PhoneResetRecorder]
    confirm: Callable[[Bay], bool]
    _reset_started: dict[str, str]

    def service(self, bay: Bay) -> PhoneService:
        raise NotImplementedError

    def _identify(self, bay: Bay) -> None:
        raise NotImplementedError

    def _continue_plan(self, bay: Bay, *, again: bool) -> None:
        raise NotImplementedError

    def _show(self, bay: Bay) -> None:
        raise NotImplementedError

    @staticmethod
    def _job(bay_key: str) -> str:
        return f"phone:{bay_key}"

    def _selected(self) -> Bay | None:
        return self.bays.get(self.page.selected_key() or "")

    def recheck_selected(self) -> None:
        bay = self._selected()
        if bay is None:
            return
        if not bay.attached.ready or not can_move(bay.state, BayState.IDENTIFYING):
            self.ctx.say(QCoreApplication.translate("PhoneActions",
                    "{heading} cannot be re-checked now ({replace})").format(
                    heading=bay.heading, replace=bay.state.replace('_', ' ')), "warn")
            return
        self._identify(bay)
        self._show(bay)

    def retest_selected(self) -> None:
        bay = self._selected()
        if bay is None or bay.record is None or not can_move(bay.state, BayState.CHECKING):
            self.ctx.say(QCoreApplication.translate("PhoneActions", "Select a tested phone to test it again"), "info")
            return
        self._continue_plan(bay, again=True)
        self._show(bay)

    def _confirm(self, bay: Bay) -> bool:
        answer = QMessageBox.question(
            self.ctx.window, QCoreApplication.translate("PhoneActions", "Factory reset"),
            QCoreApplication.translate("PhoneActions", "Factory-reset the {phone_text} in {label}?\n\nEverything on "
                    "it is erased.").format(
                    phone_text=phone_text(bay), label=bay.label),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def reset_selected(self) -> None:
        bay = self._selected()
        if bay is None:
            return
        if bay.state is BayState.ON_HOLD:
            self.ctx.say(QCoreApplication.translate("PhoneActions", "{heading} is on hold for a blocker: it is not "
                    "reset until that is cleared").format(
                    heading=bay.heading),
                         "warn")
            return
        if bay.record is None or bay.reading is None or not can_move(bay.state, BayState.RESETTING) \
                or self.ctx.jobs.busy(self._job(bay.attached.bay_key)):
            self.ctx.say(QCoreApplication.translate("PhoneActions", "{heading} cannot be reset now ({replace})").format(
                    heading=bay.heading, replace=bay.state.replace('_', ' ')), "warn")
            return
        if not self.confirm(bay):
            return
        self.service(bay).operator = self.ctx.operator()
        try:
            started = self.resets[bay.platform].begin(bay.record.unit)
        except OperatorError as exc:
            self.ctx.say(f"{bay.heading}: {exc}", "error")
            return
        bay.state = move(bay.label, bay.state, BayState.RESETTING)
        bay.note = f"Resetting (started {started[11:19]} UTC)…"
        device = self.bus.open(bay.attached)
        self.bus.pause_attach(bay.attached, True)

        def work(cancel: threading.Event, report: Report) -> ResetReport:
            return on_phone(lambda: device.factory_reset(
                lambda phase: report(0, 0, f"Reset: {phase.value.replace('_', ' ')}"), cancel.is_set))

        self.ctx.jobs.start(self._job(bay.attached.bay_key), work, label=f"the reset of {bay.label}")
        self._reset_started[bay.attached.bay_key] = started
        self._show(bay)

    def _reset_done(self, bay: Bay, result: JobResult) -> None:
        assert bay.record is not None
        assert bay.reading is not None
        self.bus.pause_attach(bay.attached, False)
        started = self._reset_started.pop(bay.attached.bay_key, "")
        report = result.value if result.ok and isinstance(result.value, ResetReport) else None
        error = "" if result.ok else driver_error_text(result.error or RuntimeError("cancelled"))
        service = self.service(bay)
        service.operator = self.ctx.operator()
        outcome: ResetOutcome = self.resets[bay.platform].finish(
            bay.record.unit, bay.attached, bay.bay, bay.reading.identity, report, error, started,
            blockers_record(bay.reading))
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
            bay.record = PhoneRecord(unit, False, "", False, service.progress(unit.unit_id))
