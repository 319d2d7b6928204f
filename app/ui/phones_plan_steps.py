"""Running a phone's test plan on the Phones tab: its automatic checks as the bay's job, then the guided
steps the technician answers with one key each (P pass, F fail, S skip).

A mixin of :class:`app.ui.phones_tab.PhonesTab`, kept apart so the tab's file stays about phones coming,
going and being identified. Every result is recorded on the GUI thread as it arrives, so a phone pulled
mid-plan resumes at the first step without one. Each bay is walked through its own run's plan (the
reference data version it started under), so a plan the hub publishes mid-run reaches the next phone.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, Slot

from app.core.errors import OperatorError
from app.core.phones import BayState, PhonePlan, PhonePlanError, answer_for_key, move
from app.services.jobs import Report
from app.services.phones import on_phone
from app.ui.i18n import error_text
from app.ui.phones_actions import PhoneActions
from app.ui.phones_bay import Bay
from drivers.android import CheckResult


class PhonePlanSteps(PhoneActions):
    """Start or resume a bay's plan, record each check, walk the guided steps to the verdict."""

    _run_plans: dict[str, PhonePlan]  # bay key -> the plan of the run on its phone

    def plan(self, bay: Bay) -> PhonePlan:
        raise NotImplementedError

    def _continue_plan(self, bay: Bay, *, again: bool) -> None:
        assert bay.record is not None
        unit_id, service = bay.record.unit.unit_id, self.service(bay)
        progress = service.progress(unit_id)
        if progress.finished and not again:
            bay.state = move(bay.label, bay.state, BayState.TESTED)
            bay.note = QCoreApplication.translate("PhonePlanSteps", "Tested: {verdict}").format(
                    verdict=progress.verdict)
            return
        try:
            progress = service.start_plan(unit_id, again=again)
        except PhonePlanError as exc:  # the hub's plan is broken: said loudly, never swapped for the built-in one
            bay.note = QCoreApplication.translate("PhonePlanSteps", "Not tested: the phone plan from the hub cannot "
                    "be used (details below)")
            bay.detail = str(exc)
            self.ctx.say(QCoreApplication.translate("PhonePlanSteps", "{heading}: not tested — {exc}").format(
                    heading=bay.heading, exc=exc), "error")
            return
        except OperatorError as exc:
            bay.note = error_text(exc)
            return
        assert progress.plan is not None
        plan = self._run_plans[bay.attached.bay_key] = progress.plan
        resumed = bool(progress.done)
        bay.run_id = progress.run_id
        bay.done = dict(progress.done)
        remaining = plan.remaining_automatic(progress.done)
        if remaining and bay.platform in self.bus.sources:
            bay.state = move(bay.label, bay.state, BayState.CHECKING, "resumed" if resumed else "")
            bay.note = QCoreApplication.translate("PhonePlanSteps", "Resuming: {done} of {count} steps done").format(
                done=len(progress.done), count=len(plan.step_ids)) if resumed else ""
            device = self.bus.open(bay.attached)

            def work(cancel: threading.Event, report: Report) -> tuple[CheckResult, ...]:
                return on_phone(lambda: device.automatic_checks(
                    remaining, lambda r: report(0, len(remaining), "", r)))

            self.ctx.jobs.start(self._job(bay.attached.bay_key), work, label=f"the checks of {bay.label}")
            return
        self._next_guided(bay)

    def _on_check(self, bay: Bay, result: CheckResult) -> None:
        if bay.record is None or bay.run_id is None:
            return
        outcome = self.service(bay).record_automatic(bay.record.unit.unit_id, bay.run_id, result)
        bay.done[result.name] = outcome
        bay.note = QCoreApplication.translate("PhonePlanSteps", "Checked {name}: {outcome}").format(
                name=result.name, outcome=outcome.replace("_", " "))
        self._show(bay)

    def _next_guided(self, bay: Bay) -> None:
        assert bay.record is not None
        assert bay.run_id is not None
        service = self.service(bay)
        step = self.plan(bay).next_guided(service.progress(bay.record.unit.unit_id).done)
        if step is None:
            verdict = service.finish_plan(bay.record.unit.unit_id, bay.run_id)
            bay.state = move(bay.label, bay.state, BayState.TESTED, str(verdict))
            bay.step, bay.note = None, QCoreApplication.translate("PhonePlanSteps", "Tested: {verdict}").format(
                    verdict=verdict)
            self.ctx.say(QCoreApplication.translate("PhonePlanSteps", "{heading}: {label} tested — {verdict}").format(
                    heading=bay.heading, label=bay.record.unit.label, verdict=verdict),
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
            self.ctx.say(QCoreApplication.translate("PhonePlanSteps",
                    "{heading} has no step waiting for an answer").format(
                    heading=selected.heading), "info")
            return
        step, service = selected.step, self.service(selected)
        service.operator = self.ctx.operator()
        service.record_check(selected.record.unit.unit_id, selected.run_id, step.id, outcome,
                             f"judged by the technician: {step.instruction}")
        selected.done[step.id] = outcome
        self._next_guided(selected)
        now: BayState = selected.state
        if now is BayState.TESTED:
            waiting = next((b for b in self.bays.values() if b.state is BayState.GUIDED), None)
            if waiting is not None:
                self.page.select(waiting.attached.bay_key)
