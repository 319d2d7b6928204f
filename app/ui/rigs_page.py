"""The rigs page: the rig bays with what answers on each port, the plan for the unit on the rig, and
every step of the run as it happens (measured value, limits, pass/fail, what to check).

Views only: the tab (``rigs_tab``) decides; this page shows and emits what the technician asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.testplans import Limits, PlanStep, StepKind, StepResult, TestPlan, Verdict
from app.services.rig_bays import RigState, RigStatus
from app.store.rig_queries import RigBinding
from app.ui.flow_layout import FlowLayout
from app.ui.record_table import RecordTableView

_VERDICT_COLOURS = {Verdict.PASS: "#d9f2dd", Verdict.FAIL: "#fbdcdc", Verdict.RIG_ERROR: "#fdf0c8",
                    Verdict.SKIPPED: "#eeeeee"}
_STATE_COLOURS = {RigState.READY: "#d9f2dd", RigState.IN_USE: "#dce8f7", RigState.ABSENT: "#fbdcdc",
                  RigState.SILENT: "#fdf0c8", RigState.GARBLED: "#fdf0c8", RigState.ERROR: "#fbdcdc"}
PENDING = "…"
PLAN_MIN_CHARS = 28  # the plan combo's width when the row is tight: a plan's name and the start of its id
RUNNING = "running"


def limits_text(limits: Limits | None) -> str:
    return limits.describe() if limits is not None else ""


def value_text(result: StepResult) -> str:
    if result.value is None:
        return ""
    if isinstance(result.value, float):
        return f"{result.value:.4g} {result.unit}".rstrip()
    return str(result.value)


def _expected(step: PlanStep) -> str:
    """What a step without numeric limits expects, for the Limits column."""
    if step.kind is StepKind.EXPECT:
        return f"/{step.pattern}/"
    if step.kind is StepKind.READ_ID:
        return f"valid {step.field}"
    if step.kind is StepKind.PROMPT:
        return f"{step.pass_key} = pass, {step.fail_key} = fail"
    if step.kind is StepKind.WAIT:
        return f"{step.seconds:g} s"
    if step.kind is StepKind.SET:
        return f"{step.command} {step.value or ''}".strip()
    return ""


@dataclass(frozen=True)
class StepRow:
    """One line of the steps table before or after its result."""

    key: tuple[bool, int]  # (cleanup, index)
    name: str
    limits: str


class RigsPage(QWidget):
    """Signals:
        run_requested(): run the chosen plan on the unit, in the selected bay (Ctrl+R, or Enter on a bay).
        cancel_requested(): stop the selected bay's run (Ctrl+Shift+X).
        bind_requested(): bind a serial port to a bay (Ctrl+Shift+P).
        unbind_requested(object): unbind the selected RigBinding (Delete on a bay row).
        bay_selected(int): the technician moved to another bay.
        recheck_requested(): identify the rigs again (F5 is the phones'; Ctrl+Shift+I here).
    """

    run_requested = Signal()
    cancel_requested = Signal()
    bind_requested = Signal()
    unbind_requested = Signal(object)
    bay_selected = Signal(int)
    recheck_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rigsPage")
        self._bindings: list[RigBinding] = []
        self._status: dict[str, RigStatus] = {}
        self._rows: dict[tuple[bool, int], int] = {}

        self.unit_label = QLabel(self.tr("No unit on the rig — scan its label"))
        self.unit_label.setObjectName("unitHeading")
        self.unit_label.setWordWrap(True)  # big type: the unit's label, model and state are long in French
        self.source_label = QLabel("")
        self.source_label.setWordWrap(True)
        self.bays_model = QStandardItemModel(0, 5, self)
        self.bays_model.setHorizontalHeaderLabels([self.tr("Bay"), self.tr("Role"), self.tr("Port"), self.tr("Rig"),
                self.tr("State")])
        self.bays_table = RecordTableView(self.bays_model, "rigBaysTable")
        self.bays_table.setMinimumHeight(120)
        self.bays_table.activated_row.connect(lambda _row: self.run_requested.emit())
        self.bays_table.selectionModel().currentRowChanged.connect(self._on_row_changed)

        self.plan_combo = QComboBox()
        self.plan_combo.setObjectName("planCombo")
        # The combo takes the row's free width but does not demand the longest plan name's (the open list
        # shows names whole): plan names alone made the page wider than a 1280 px screen.
        self.plan_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.plan_combo.setMinimumContentsLength(PLAN_MIN_CHARS)
        self.run_button = QPushButton(self.tr("&Run plan  Ctrl+R"))
        self.run_button.clicked.connect(self.run_requested)
        self.cancel_button = QPushButton(self.tr("Cancel  Ctrl+Shift+X"))
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.bind_button = QPushButton(self.tr("Bind a &port…  Ctrl+Shift+P"))
        self.bind_button.clicked.connect(self.bind_requested)
        plan_row = QHBoxLayout()
        plan_label = QLabel(self.tr("&Plan"))
        plan_label.setBuddy(self.plan_combo)
        plan_row.addWidget(plan_label)
        plan_row.addWidget(self.plan_combo, 1)
        # The buttons have a line of their own under the plan, so the plan's name is read whole, and flow onto
        # a further line when their language makes them long.
        buttons = FlowLayout()
        for button in (self.run_button, self.cancel_button, self.bind_button):
            buttons.addWidget(button)

        self.prompt_label = QLabel("")
        self.prompt_label.setObjectName("scanBanner")
        self.prompt_label.setProperty("tone", "warn")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.hide()
        self.steps_model = QStandardItemModel(0, 6, self)
        self.steps_model.setHorizontalHeaderLabels(["#", self.tr("Step"), self.tr("Measured"), self.tr("Limits"),
                self.tr("Result"), self.tr("What happened")])
        self.steps_table = RecordTableView(self.steps_model, "rigStepsTable")
        self.result_label = QLabel("")
        self.result_label.setObjectName("stateBadge")
        self.result_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.unit_label)
        layout.addWidget(self.source_label)
        layout.addWidget(self.bays_table, 1)
        layout.addLayout(plan_row)
        layout.addLayout(buttons)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.steps_table, 4)
        layout.addWidget(self.result_label)
        for keys, signal in (("Ctrl+R", self.run_requested), ("Ctrl+Shift+X", self.cancel_requested),
                             ("Ctrl+Shift+P", self.bind_requested), ("Ctrl+Shift+I", self.recheck_requested)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(signal)
        unbind = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.bays_table)
        unbind.setContext(Qt.ShortcutContext.WidgetShortcut)
        unbind.activated.connect(self._on_unbind)

    # --- bays ----------------------------------------------------------------------------------------------

    def set_bindings(self, bindings: list[RigBinding], select_bay: int | None = None) -> None:
        keep = self.selected_bay() if select_bay is None else select_bay
        self._bindings = list(bindings)
        self.bays_model.setRowCount(0)
        for binding in self._bindings:
            self.bays_model.appendRow([QStandardItem(text) for text in self._bay_texts(binding)])
        self._paint_states()
        rows = [i for i, b in enumerate(self._bindings) if b.bay == keep] or ([0] if self._bindings else [])
        if rows:
            self.bays_table.selectRow(rows[0])

    def _bay_texts(self, binding: RigBinding) -> list[str]:
        status = self._status.get(binding.port)
        known = status is not None and status.identity is not None
        rig = status.summary if status is not None and known else binding.identity
        state = str(status.state) if status is not None else str(RigState.UNCHECKED)
        if status is not None and status.state not in (RigState.READY, RigState.IN_USE) and status.message:
            state = f"{state}: {status.message}"
        return [str(binding.bay), binding.role, binding.port, rig, state]

    def set_status(self, statuses: list[RigStatus]) -> None:
        for status in statuses:
            before = self._status.get(status.port)
            if status.identity is None and status.state is RigState.IN_USE and before is not None:
                # A rig under test is not asked who it is again: it keeps the identity it had.
                status = RigStatus(status.bay, status.role, status.port, status.protocol, status.state,
                                   before.identity, status.message)
            self._status[status.port] = status
        for row, binding in enumerate(self._bindings):
            for column, text in enumerate(self._bay_texts(binding)):
                item = self.bays_model.item(row, column)
                if item is not None:
                    item.setText(text)
        self._paint_states()

    def _paint_states(self) -> None:
        # Texts replaced in place do not re-measure the columns on their own: a port's path or a rig's name
        # would stay cut to the width the column had before.
        self.bays_table.horizontalHeader().resizeSections()
        for row, binding in enumerate(self._bindings):
            status = self._status.get(binding.port)
            colour = _STATE_COLOURS.get(status.state) if status is not None else None
            item = self.bays_model.item(row, 4)
            if item is not None:
                item.setBackground(QBrush(QColor(colour)) if colour else QBrush())

    def selected_bay(self) -> int | None:
        row = self.bays_table.currentIndex().row()
        return self._bindings[row].bay if 0 <= row < len(self._bindings) else None

    def select_bay(self, bay: int) -> None:
        for row, binding in enumerate(self._bindings):
            if binding.bay == bay:
                self.bays_table.selectRow(row)
                return

    @Slot()
    def _on_row_changed(self) -> None:
        bay = self.selected_bay()
        if bay is not None:
            self.bay_selected.emit(bay)

    @Slot()
    def _on_unbind(self) -> None:
        row = self.bays_table.currentIndex().row()
        if 0 <= row < len(self._bindings):
            self.unbind_requested.emit(self._bindings[row])

    # --- plans ---------------------------------------------------------------------------------------------

    def set_plans(self, plans: tuple[TestPlan, ...], offered: TestPlan | None) -> None:
        self.plan_combo.clear()
        for plan in plans:
            self.plan_combo.addItem(f"{plan.name} ({plan.plan_id} v{plan.version})", plan.plan_id)
        if offered is not None:
            self.plan_combo.setCurrentIndex(self.plan_combo.findData(offered.plan_id))

    def chosen_plan_id(self) -> str | None:
        data = self.plan_combo.currentData()
        return str(data) if data else None

    # --- a run ---------------------------------------------------------------------------------------------

    def show_plan(self, plan: TestPlan) -> None:
        """List every step of the plan, each waiting for its result."""
        self.steps_model.setRowCount(0)
        self._rows.clear()
        steps = [(False, s) for s in plan.steps] + [(True, s) for s in plan.cleanup]
        for cleanup, step in steps:
            limits = limits_text(step.limits) or _expected(step)
            label = f"c{step.index + 1}" if cleanup else str(step.index + 1)
            name = f"{step.name} (cleanup)" if cleanup else step.name
            self._rows[(cleanup, step.index)] = self.steps_model.rowCount()
            self.steps_model.appendRow([QStandardItem(t) for t in (label, name, "", limits, PENDING, "")])
        self.result_label.setText("")
        self.hide_prompt()

    def show_step(self, result: StepResult) -> None:
        row = self._rows.get((result.cleanup, result.index))
        if row is None:
            return
        for column, text in ((2, value_text(result)), (4, str(result.verdict)), (5, result.message)):
            item = self.steps_model.item(row, column)
            if item is not None:
                item.setText(text)
        if result.wire_log:
            for column in (2, 5):
                item = self.steps_model.item(row, column)
                if item is not None:
                    item.setToolTip(result.wire_log)  # what went over the cable for this step
        colour = QBrush(QColor(_VERDICT_COLOURS[result.verdict]))
        for column in range(self.steps_model.columnCount()):
            item = self.steps_model.item(row, column)
            if item is not None:
                item.setBackground(colour)
        self.steps_table.horizontalHeader().resizeSections()  # the measured value and message, in full
        following = self.steps_model.item(row + 1, 4)
        if following is not None and following.text() == PENDING:
            following.setText(RUNNING)
        self.steps_table.scrollTo(self.steps_model.index(row, 0))

    def mark_first_running(self) -> None:
        first = self.steps_model.item(0, 4)
        if first is not None and first.text() == PENDING:
            first.setText(RUNNING)

    def show_prompt(self, step_name: str, question: str, pass_key: str, fail_key: str) -> None:
        self.prompt_label.setText(self.tr("{step_name}: {question}\nPress {upper} for yes (pass) or {upper2} for no "
                "(fail)").format(
                step_name=step_name, question=question, upper=pass_key.upper(), upper2=fail_key.upper()))
        self.prompt_label.show()
        for row in range(self.steps_model.rowCount()):
            item = self.steps_model.item(row, 4)
            if item is not None and item.text() == RUNNING:
                self.steps_table.scrollTo(self.steps_model.index(row, 0))
                self.steps_table.selectRow(row)

    def hide_prompt(self) -> None:
        self.prompt_label.hide()
        self.prompt_label.setText("")

    def show_result(self, text: str, tone: str) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("tone", tone)
