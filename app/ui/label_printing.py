"""One label printer per window, shared by the Grade and Pack tabs: labels are rendered off the GUI
thread, queued in the store, sent by the print queue runner, and the operator is told what happened."""

from __future__ import annotations

import threading
import weakref

from PySide6.QtCore import QObject, Signal, Slot

from app.core.errors import OperatorError
from app.core.models import Unit
from app.reports.labels import BoxLabelData, UnitLabelData
from app.services.jobs import JobResult, Report
from app.services.labels import LabelTarget, new_job_id, render, unit_label_data
from app.services.print_queue import PrintQueueRunner
from app.store.print_queue import PrintJob
from app.ui.i18n import error_text
from app.ui.work_tabs import BenchContext
from drivers.sim.printer import PrinterSimulator
from drivers.sim.scenarios import SCENARIOS

_RENDER = "label-render:"


class LabelPrinter(QObject):
    """Renders (in a job), queues and prints labels; ``printed(PrintJob)`` when the printer took one."""

    printed = Signal(object)

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx
        self.runner = PrintQueueRunner(ctx.store, ctx.jobs, lambda: ctx.settings().labels.retry_seconds, self)
        self.runner.status.connect(ctx.say)
        self.runner.printed.connect(self.printed)
        ctx.jobs.finished.connect(self._on_rendered)
        self._pending: dict[str, tuple[str, str, str, dict[str, str], LabelTarget, bool]] = {}
        self._started = False
        scenario = SCENARIOS.get(ctx.simulate or "")
        # A simulated bench prints to a simulated network printer unless a real one is set.
        self.simulated_printer = PrinterSimulator() if scenario is not None and scenario.label_printer else None

    def start(self) -> None:
        if not self._started:
            self._started = True
            if self.simulated_printer is not None:
                self.simulated_printer.start()
            self.runner.start()

    def stop(self) -> None:
        self.runner.stop()
        if self.simulated_printer is not None:
            self.simulated_printer.stop()

    def target(self) -> LabelTarget:
        labels = self.ctx.settings().labels
        if self.simulated_printer is not None and not labels.printer:
            return LabelTarget(f"tcp://127.0.0.1:{self.simulated_printer.port}", "zpl", labels.dpi)
        return LabelTarget.from_settings(labels, str(self.ctx.store.data_dir))

    def unit_data(self, unit: Unit) -> UnitLabelData:
        return unit_label_data(self.ctx.store, unit, self.ctx.settings().labels.lithium_phone)

    def print_unit(self, unit: Unit, *, reprint: bool = False) -> None:
        data = self.unit_data(unit)
        self._render("unit", unit.unit_id, f"label for {data.barcode}", data, reprint)

    def print_box(self, data: BoxLabelData, *, reprint: bool = False) -> None:
        self._render("box", data.box_id, f"box label {data.box_id}", data, reprint)

    def _render(self, kind: str, subject: str, description: str, data: UnitLabelData | BoxLabelData,
                reprint: bool) -> None:
        target = self.target()
        key = _RENDER + subject
        fields = {k: v for k, v in data.values().items() if v}
        self._pending[key] = (kind, subject, description, fields, target, reprint)

        def work(cancel: threading.Event, report: Report) -> bytes:
            return render(data, target)

        try:
            self.ctx.jobs.start(key, work, label=f"the {description}")
        except OperatorError as exc:
            self._pending.pop(key, None)
            self.ctx.say(error_text(exc), "warn")

    @Slot(object)
    def _on_rendered(self, result: JobResult) -> None:
        pending = self._pending.pop(result.key, None)
        if pending is None:
            return
        kind, subject, description, fields, target, reprint = pending
        if not result.ok:
            self.ctx.say(self.tr("The {description} could not be made: {error}").format(
                    description=description, error=result.error), "error")
            return
        operator = self.ctx.operator()
        job = PrintJob(job_id=new_job_id(), created_at=self.ctx.store.now(), kind=kind, subject=subject,
                       description=description, printer=target.printer, format=target.format, copies=1,
                       payload=result.value, fields=fields, reprint=reprint,
                       operator_id=operator.operator_id if operator else None)
        self.runner.submit(job)

    def reprint(self, subject: str) -> bool:
        """Queue a copy of the subject's last label; False when it never had one."""
        copy = self.runner.spool.reprint(subject)
        if copy is None:
            return False
        self.runner.kick()
        return True


_PRINTERS: weakref.WeakKeyDictionary[QObject, LabelPrinter] = weakref.WeakKeyDictionary()


def label_printer(ctx: BenchContext) -> LabelPrinter:
    """The window's label printer (made by whichever tab asks first)."""
    found = _PRINTERS.get(ctx.window)
    if found is None:
        found = LabelPrinter(ctx)
        _PRINTERS[ctx.window] = found
    return found


__all__ = ["LabelPrinter", "label_printer"]
