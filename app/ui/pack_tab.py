"""The Pack tab (F11): open a box for a route, scan labelled units into it, close it with its manifest
and box label. What may go into which box is decided by app/core/packing.py (through the service)."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent

from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.models import Unit
from app.services.jobs import JobResult, Report
from app.services.packing import ClosePlan, PackingService, write_manifests
from app.store import grading_queries as gq
from app.store import queries
from app.ui.i18n import error_text
from app.ui.label_printing import label_printer
from app.ui.pack_page import PackPage, fill
from app.ui.work_tabs import BenchContext, WorkTab

CLOSE_JOB = "pack-close:"


class PackTab(WorkTab):
    page: PackPage
    title, key = QT_TRANSLATE_NOOP("WorkTab", "Pac&k"), "F11"

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        self.page = PackPage()
        self.service = PackingService(ctx.store)
        self.printer = label_printer(ctx)
        self.box_id: str | None = None
        self._closing: dict[str, ClosePlan] = {}
        for widget in (self.page, self.page.units, self.page.boxes):
            widget.installEventFilter(self)
        self.page.boxes.itemSelectionChanged.connect(self._on_box_selected)
        ctx.jobs.finished.connect(self._on_job_finished)

    def start(self) -> None:
        self.printer.start()

    def stop(self) -> None:
        self.printer.stop()

    def shown(self) -> None:
        self.refresh()
        self.page.units.setFocus()

    # --- scans -------------------------------------------------------------------------------------------

    def take_scan(self, text: str) -> bool:
        box = gq.get_box(self.ctx.store.db, text.strip().upper())
        if box is None:
            return False
        self.box_id = box.box_id
        self.ctx.say(self.tr("Box {box_id}: {route_text}, {units} units, {state}").format(
                box_id=box.box_id, route_text=box.route_text, units=box.units, state=box.state), "info")
        self.refresh()
        return True

    def unit_scanned(self, unit: Unit) -> bool:
        self.add(unit)
        return True

    # --- actions -----------------------------------------------------------------------------------------

    def new_box(self) -> None:
        operator = self.ctx.operator()
        if operator is None:
            return
        route = self.page.route_combo.currentData()
        channel = self.page.channel_combo.currentData() if route == "resale" else ""
        try:
            box = self.service.create(route, operator, channel=channel, ship_mode=self.page.ship_combo.currentData())
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return
        self.box_id = box.box_id
        self.ctx.say(self.tr("Box {box_id} opened for {route_text} — scan its units").format(
                box_id=box.box_id, route_text=box.route_text), "ok")
        self.refresh()

    def add(self, unit: Unit) -> None:
        operator = self.ctx.operator()
        if operator is None:
            return
        if self.box_id is None:
            self.ctx.say(self.tr("No box open for {label}: N opens one, or scan a box label").format(
                    label=unit.label), "warn")
            return
        try:
            box = self.service.add(self.box_id, unit, operator)
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return
        self.ctx.say(self.tr("{label} packed in {box_id} (line {units})").format(
                label=unit.label, box_id=box.box_id, units=box.units), "ok")
        self.refresh()

    def remove_selected(self) -> None:
        operator = self.ctx.operator()
        row = self.page.units.currentRow()
        if operator is None or self.box_id is None or row < 0:
            return
        unit_ids = gq.box_unit_ids(self.ctx.store.db, self.box_id)
        unit = queries.get_unit(self.ctx.store.db, unit_ids[row]) if row < len(unit_ids) else None
        if unit is None:
            return
        try:
            self.service.remove(self.box_id, unit, operator, "taken out at the packing station")
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return
        self.ctx.say(self.tr("{label} taken out of {box_id}").format(label=unit.label, box_id=self.box_id), "ok")
        self.refresh()

    def close_box(self) -> None:
        if self.box_id is None:
            return
        try:
            plan = self.service.plan_close(self.box_id, self.ctx.settings().labels.lithium_phone)
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return

        def work(cancel: threading.Event, report: Report) -> tuple[Path, Path]:
            return write_manifests(plan)

        key = CLOSE_JOB + plan.box.box_id
        try:
            self.ctx.jobs.start(key, work, label=f"closing box {plan.box.box_id}")
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "warn")
            return
        self._closing[key] = plan
        self.ctx.say(self.tr("Closing box {box_id}: writing its manifest…").format(box_id=plan.box.box_id), "info")

    @Slot(object)
    def _on_job_finished(self, result: JobResult) -> None:
        plan = self._closing.pop(result.key, None)
        if plan is None:
            return
        operator = self.ctx.operator()
        if not result.ok or operator is None:
            self.ctx.say(self.tr("Box {box_id} was not closed: {error}").format(
                    box_id=plan.box.box_id, error=result.error), "error")
            return
        csv_path, pdf_path = result.value
        try:
            self.service.record_closed(plan, operator)
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return
        self.printer.print_box(plan.label)
        self.ctx.say(self.tr("Box {box_id} closed with {count} units — manifest {name} and {name2}; printing the box "
                "label").format(
                box_id=plan.box.box_id, count=len(plan.lines), name=csv_path.name, name2=pdf_path.name), "ok")
        self.refresh()

    def reprint(self) -> None:
        if self.box_id is None:
            return
        if self.printer.reprint(self.box_id):
            self.ctx.say(self.tr("Reprinting the label of box {box_id}").format(box_id=self.box_id), "ok")
        else:
            self.ctx.say(self.tr("Box {box_id} has no label yet: Ctrl+Enter closes it and prints one").format(
                    box_id=self.box_id), "info")

    # --- view --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        db = self.ctx.store.db
        boxes = gq.open_boxes(db)
        current = gq.get_box(db, self.box_id) if self.box_id else None
        if current is not None and current.state == "open" and current not in boxes:
            boxes.append(current)
        self.page.boxes.blockSignals(True)
        self.page.show_boxes(boxes, self.box_id)
        self.page.boxes.blockSignals(False)
        if current is None:
            self.page.box_label.setText(self.tr("No box open — N opens one"))
            self.page.marks_label.setText("")
            fill(self.page.units, [])
            return
        self.page.box_label.setText(self.tr("Box {box_id} · {route_text} · {units} units").format(
                box_id=current.box_id, route_text=current.route_text, units=current.units)
                                    + (self.tr(" · closed") if current.state == "closed" else ""))
        marks = "  ·  ".join(current.marks) if current.marks else ""
        self.page.marks_label.setText(marks or ("Air box: no damaged or swollen batteries" if current.ship_mode == "air"
                                                else ""))
        rows = []
        for number, unit_id in enumerate(gq.box_unit_ids(db, current.box_id), start=1):
            line = self.service.line_for(unit_id)
            rows.append([str(number), line.identifier, f"{line.model} {line.storage}".strip(), line.grade, line.route])
        fill(self.page.units, rows)

    @Slot()
    def _on_box_selected(self) -> None:
        row = self.page.boxes.currentRow()
        item = self.page.boxes.item(row, 0) if row >= 0 else None
        if item is not None:
            self.box_id = item.text()
            self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.close_box()
            return True
        if ctrl or event.modifiers() & Qt.KeyboardModifier.AltModifier:
            return False
        if key == Qt.Key.Key_N:
            self.new_box()
            return True
        if key == Qt.Key.Key_R:
            self.reprint()
            return True
        if key == Qt.Key.Key_Delete and watched is self.page.units:
            self.remove_selected()
            return True
        return False
