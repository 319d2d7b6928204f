"""The Rigs tab (F8): rig bays, plans for the unit on the rig, runs step by step, one-key prompts.

Scanning a unit's label while the tab is shown puts that unit on the rig (the tab stays). The plan
offered is the unit's device class from an earlier run, else what the bay ran last, else the first
plan whose rigs the bay has; Ctrl+R (or Enter on a bay) runs it as a job. Each bay's rigs are
identified when the tab starts, when serial ports come or go (udev or kernel events) and on a slow
poll while the tab is shown; identification and runs never touch a port on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.models import Unit
from app.core.testplans import StepResult, TestPlan, Verdict
from app.services import simulation
from app.services.hotplug import HotplugWatcher, WatchState
from app.services.jobs import JobResult, Report
from app.services.rig_bays import RigBayService, RigState, RigStatus, available_ports, check_binding, probe_port
from app.services.rig_plans import OperatorPrompt
from app.services.rig_tests import RigTestService, RunOutcome
from app.store import queries
from app.store.rig_queries import RigBinding
from app.ui.i18n import error_text
from app.ui.rigs_bind import BindDialog, BindRequest
from app.ui.rigs_controller import RigRunController
from app.ui.rigs_page import RigsPage
from app.ui.work_tabs import BenchContext, WorkTab
from drivers.rig.identity import RigIdentity
from drivers.rig.ports import serial_event_source

CHECK_JOB = "rig-check"
PROBE_JOB = "rig-probe"
POLL_MS = 15_000  # identification while shown; hotplug events trigger it at once
_TONES = {"pass": "ok", "fail": "error", "rig error": "warn", "cancelled": "warn"}


@dataclass
class _BayView:
    """What the steps table shows for one bay: its last plan and the results so far."""

    plan: TestPlan
    results: list[StepResult] = field(default_factory=list)
    result: tuple[str, str] = ("", "info")
    prompt: OperatorPrompt | None = None


class RigsTab(WorkTab):
    page: RigsPage
    title, key = QT_TRANSLATE_NOOP("WorkTab", "&Rigs"), "F8"

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        self.bays = RigBayService(ctx.store)
        self.tests = RigTestService(ctx.store)
        self.page = RigsPage()
        self.controller = RigRunController(ctx.jobs, self.tests, self)
        self.unit: Unit | None = None
        self._views: dict[int, _BayView] = {}
        self._sim_benches: list[simulation.RigSimBench] = []
        self.watcher = HotplugWatcher(self, open_source=serial_event_source)
        self.watcher.changed.connect(self.recheck)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._poll_if_shown)
        self.page.run_requested.connect(self.run_plan)
        self.page.cancel_requested.connect(self.cancel_run)
        self.page.bind_requested.connect(self.bind_port)
        self.page.unbind_requested.connect(self._on_unbind)
        self.page.bay_selected.connect(self._on_bay_selected)
        self.page.recheck_requested.connect(self.recheck)
        self.controller.connected.connect(self._on_connected)
        self.controller.step.connect(self._on_step)
        self.controller.prompt.connect(self._on_prompt)
        self.controller.finished.connect(self._on_finished)
        ctx.jobs.finished.connect(self._on_job_finished)
        for widget in (self.page, *self.page.findChildren(QWidget)):
            widget.installEventFilter(self)
        # Asked when binding; tests and scripts may answer it themselves.
        self.ask_bind: Callable[[], BindRequest | None] = self._ask_bind

    # --- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> None:
        if self.ctx.simulate:
            self._sim_benches = simulation.start_rig_benches(self.ctx.store, self.ctx.simulate)
        self.watcher.start()
        self._poll.start()
        self.page.source_label.setText(
            self.tr("Serial ports are watched ({source_name} events); rigs are identified as they come").format(
                    source_name=self.watcher.source_name)
            if self.watcher.state is WatchState.EVENTS else self.tr("No hotplug events here: rigs are checked every "
                    "few seconds"))
        self.refresh()
        self.recheck()

    def stop(self) -> None:
        self._poll.stop()
        self.watcher.stop()
        for bay in list(self.controller.runs):
            self.controller.cancel(bay)
        self.ctx.jobs.cancel(CHECK_JOB)
        if self._sim_benches:
            # The jobs talk to the simulators' ports: let them end before the simulators go.
            self.ctx.jobs.wait(10_000)
            for bench in self._sim_benches:
                bench.stop()
            self._sim_benches = []

    def shown(self) -> None:
        self.refresh()
        self.recheck()
        self.page.bays_table.setFocus()

    def unit_scanned(self, unit: Unit) -> bool:
        self.unit = unit
        self._show_unit()
        self._offer_plan()
        self.ctx.say(self.tr("{label} is on the rig — Ctrl+R runs {value}").format(
                label=unit.label, value=self.page.plan_combo.currentText() or 'a plan'),
                     "ok")
        return True

    # --- views ---------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.page.set_bindings(self.bays.bindings())
        self._offer_plan()

    def _show_unit(self) -> None:
        if self.unit is None:
            return
        fresh = queries.get_unit(self.ctx.store.db, self.unit.unit_id) or self.unit
        self.unit = fresh
        model = f" {fresh.model}" if fresh.model else ""
        self.page.unit_label.setText(self.tr("On the rig: {label}{model} — {state}").format(
                label=fresh.label, model=model, state=fresh.state))

    def _offer_plan(self) -> None:
        bay = self.page.selected_bay()
        roles = {b.role for b in self.bays.bindings(bay)} if bay is not None else set()
        offered = self.tests.offer_plan(self.unit.unit_id if self.unit else None, roles, bay)
        self.page.set_plans(self.tests.plans(), offered)

    @Slot(int)
    def _on_bay_selected(self, bay: int) -> None:
        if not self.controller.busy(bay):
            self._offer_plan()
        view = self._views.get(bay)
        if view is None:
            self.page.steps_model.setRowCount(0)
            self.page.result_label.setText("")
            self.page.hide_prompt()
            return
        self.page.show_plan(view.plan)
        for result in view.results:
            self.page.show_step(result)
        self.page.show_result(*view.result)
        if view.prompt is not None:
            self.page.show_prompt(view.prompt.step_name, view.prompt.question, view.prompt.pass_key,
                                  view.prompt.fail_key)

    # --- running -------------------------------------------------------------------------------------------

    @Slot()
    def run_plan(self) -> None:
        bay = self.page.selected_bay()
        if bay is None:
            self.ctx.say(self.tr("No rig bay yet: bind a rig's port to a bay first (Ctrl+Shift+P)"), "warn")
            return
        if self.unit is None:
            self.ctx.say(self.tr("Scan the label of the unit on the rig first"), "warn")
            return
        plan_id = self.page.chosen_plan_id()
        if plan_id is None:
            self.ctx.say(self.tr("Choose a test plan first"), "warn")
            return
        self.tests.operator = self.ctx.operator()
        try:
            plan = self.tests.plan(plan_id)
            self.controller.start(bay, self.unit, plan, self.bays.ports_of(bay))
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return
        self._views[bay] = _BayView(plan)
        self.page.show_plan(plan)
        self.page.mark_first_running()
        self.page.set_status([RigStatus(bay, role, port, "", RigState.IN_USE)
                              for role, port in self.controller.runs[bay].ports.items()])
        self.ctx.say(self.tr("Rig bay {bay}: connecting the rigs for {name}…").format(bay=bay, name=plan.name), "info")

    @Slot()
    def cancel_run(self) -> None:
        bay = self.page.selected_bay()
        if bay is not None and self.controller.busy(bay):
            self.controller.cancel(bay)
            self.ctx.say(self.tr("Rig bay {bay}: cancelling — the outputs are switched off first").format(
                    bay=bay), "warn")

    @Slot(int)
    def _on_connected(self, bay: int) -> None:
        self._show_unit()
        self.ctx.say(self.tr("Rig bay {bay}: testing {label}").format(
                bay=bay, label=self.controller.runs[bay].unit.label), "info")

    @Slot(int, object)
    def _on_step(self, bay: int, result: StepResult) -> None:
        view = self._views.get(bay)
        if view is None:
            return
        view.results.append(result)
        if self.page.selected_bay() == bay:
            self.page.show_step(result)
        if result.verdict is Verdict.RIG_ERROR:
            self.ctx.say(self.tr("Rig bay {bay}, {name}: {message}").format(
                    bay=bay, name=result.name, message=result.message), "warn")

    @Slot(int, object)
    def _on_prompt(self, bay: int, prompt: OperatorPrompt) -> None:
        view = self._views.get(bay)
        if view is not None:
            view.prompt = prompt
        self.page.select_bay(bay)
        self.page.show_prompt(prompt.step_name, prompt.question, prompt.pass_key, prompt.fail_key)
        self.page.steps_table.setFocus()
        self.ctx.say(self.tr("Rig bay {bay} asks: {question}").format(bay=bay, question=prompt.question), "warn")

    def answer_prompt(self, key: str) -> bool:
        """A key pressed on the page: the answer to the selected bay's question, if it is one."""
        bay = self.page.selected_bay()
        view = self._views.get(bay) if bay is not None else None
        if bay is None or view is None or view.prompt is None:
            return False
        if key not in (view.prompt.pass_key, view.prompt.fail_key):
            return False
        if self.controller.answer(bay, key):
            view.prompt = None
            self.page.hide_prompt()
            self.ctx.say(self.tr("Rig bay {bay}: answered {upper}").format(bay=bay, upper=key.upper()), "info")
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            text = event.text().lower()
            if len(text) == 1 and text.isalnum() and self.answer_prompt(text):
                return True
        return False

    @Slot(int, object)
    def _on_finished(self, bay: int, outcome: object) -> None:
        view = self._views.get(bay)
        if isinstance(outcome, RunOutcome):
            tone = _TONES.get(outcome.verdict, "info")
            text = f"Rig bay {bay}: {outcome.verdict.upper()} — {outcome.summary}"
            if outcome.warnings:
                text += " — " + "; ".join(outcome.warnings)
                tone = "warn" if tone == "ok" else tone
        else:
            text, tone = f"{outcome}", "error"
            self._views.pop(bay, None)
            view = None
        if view is not None:
            view.result = (text, tone)
            view.prompt = None
        if self.page.selected_bay() == bay:
            self.page.hide_prompt()
            self.page.show_result(text, tone)
        self.ctx.say(text, tone)
        self._show_unit()
        self.recheck()

    # --- bays: identification and binding ---------------------------------------------------------------------

    @Slot()
    def recheck(self) -> None:
        """Identify every bound rig that is not testing, in the background."""
        if self.ctx.jobs.busy(CHECK_JOB):
            return
        busy = self.controller.busy_ports()
        bindings = [b for b in self.bays.bindings() if b.port not in busy]
        if not bindings:
            return

        def work(cancel: threading.Event, report: Report) -> list[RigStatus]:
            statuses = []
            for binding in bindings:
                if cancel.is_set():
                    break
                statuses.append(check_binding(binding))
            return statuses

        self.ctx.jobs.start(CHECK_JOB, work, label="the rig check")

    @Slot()
    def _poll_if_shown(self) -> None:
        if self.ctx.window.isVisible() and self.page.isVisible():
            self.recheck()

    def _ask_bind(self) -> BindRequest | None:
        roles = sorted({spec.role for plan in self.tests.plans() for spec in plan.rigs})
        dialog = BindDialog(available_ports(), roles, self.page.selected_bay() or 1, self.ctx.window)
        return dialog.request() if dialog.exec() else None

    @Slot()
    def bind_port(self) -> None:
        request = self.ask_bind()
        if request is None:
            return
        if self.ctx.jobs.busy(PROBE_JOB):
            self.ctx.say(self.tr("Still identifying the last port — try again in a moment"), "warn")
            return

        def work(cancel: threading.Event, report: Report) -> tuple[BindRequest, RigIdentity | None, str]:
            try:
                return request, probe_port(request.port, request.protocol), ""
            except OperatorError as exc:
                return request, None, error_text(exc)

        self.ctx.jobs.start(PROBE_JOB, work, label="identifying the port")
        self.ctx.say(self.tr("Identifying the rig on {port}…").format(port=request.port), "info")

    def _bound(self, request: BindRequest, identity: RigIdentity | None, problem: str) -> None:
        protocol = str(identity.protocol) if identity is not None else request.protocol
        if protocol is None:
            self.ctx.say(self.tr("{problem} — not bound; choose its protocol to bind it anyway").format(
                    problem=problem), "error")
            return
        self.bays.operator = self.ctx.operator()
        try:
            self.bays.bind(request.bay, request.role, request.port, protocol, identity)
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return
        self.page.set_bindings(self.bays.bindings(), request.bay)
        self._offer_plan()
        what = identity.summary() if identity is not None else f"not answering now ({problem})"
        self.ctx.say(self.tr("Rig bay {bay}: {role} is {port} — {what}").format(
                bay=request.bay, role=request.role, port=request.port, what=what),
                     "ok" if identity is not None else "warn")
        self.recheck()

    @Slot(object)
    def _on_unbind(self, binding: object) -> None:
        if not isinstance(binding, RigBinding) or self.controller.busy(binding.bay):
            return
        answer = QMessageBox.question(self.ctx.window, self.tr("Unbind rig"),
                                      self.tr("Unbind {role} ({port}) from rig bay {bay}?").format(
                                              role=binding.role, port=binding.port, bay=binding.bay))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.bays.operator = self.ctx.operator()
        self.bays.unbind(binding.bay, binding.role)
        self.refresh()

    @Slot(object)
    def _on_job_finished(self, result: JobResult) -> None:
        if result.key == CHECK_JOB and isinstance(result.value, list):
            self.page.set_status(result.value)
        elif result.key == PROBE_JOB and isinstance(result.value, tuple):
            self._bound(*result.value)
        elif result.key in (CHECK_JOB, PROBE_JOB) and result.error is not None:
            self.ctx.say(self.tr("Identifying the rigs failed: {error}").format(error=result.error), "error")
