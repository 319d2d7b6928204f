"""The Grade tab (F10): a scanned unit is inspected by keys, graded the moment the answers are complete,
and recorded and labelled with one more Enter. The rules live in app/core/grading and the services."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFileDialog, QInputDialog

from app.core.errors import OperatorError
from app.core.grading import GradeResult, IncompleteInputs, Route, RouteKind
from app.core.grading.inputs import DefectKind, Zone
from app.core.grading.questions import DEFECT_KEYS, InspectionDraft, Kind, Question, questions
from app.core.grading.sources import recorded_inputs
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.lifecycle import UnitState
from app.core.models import Role, Unit
from app.reports.labels import unit_label
from app.services.grading import GradingService, Photo, import_photos
from app.services.jobs import JobResult, Report
from app.services.labels import preview_label_data
from app.store import queries
from app.store.eventlog import unit_events
from app.store.print_queue import PrintJob
from app.ui.grade_page import GradePage
from app.ui.i18n import error_text
from app.ui.label_printing import label_printer
from app.ui.work_tabs import BenchContext, WorkTab

PHOTO_JOB = "grade-photos"
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class GradeTab(WorkTab):
    page: GradePage
    title, key = QT_TRANSLATE_NOOP("WorkTab", "&Grade"), "F10"

    def __init__(self, ctx: BenchContext) -> None:
        super().__init__(ctx)
        self.page = GradePage()
        self.service = GradingService(ctx.store)
        self.printer = label_printer(ctx)
        self.unit: Unit | None = None
        self.questions: tuple[Question, ...] = ()
        self.draft = InspectionDraft()
        self.current = 0
        self.typing = ""
        self.last_scratch: dict[Zone, str] = {}
        self.added: dict[Zone, list[DefectKind]] = {}
        self.photos: tuple[Photo, ...] = ()
        self.result: tuple[GradeResult, Route] | None = None
        self.recorded = False
        self.page.key_typed.connect(self._on_key)
        self.printer.printed.connect(self._on_printed)
        ctx.jobs.finished.connect(self._on_job_finished)

    # --- WorkTab -----------------------------------------------------------------------------------------

    def start(self) -> None:
        self.printer.start()

    def stop(self) -> None:
        self.printer.stop()

    def shown(self) -> None:
        self.page.table.setFocus()

    def unit_scanned(self, unit: Unit) -> bool:
        self.open(unit)
        return True

    # --- one unit ----------------------------------------------------------------------------------------

    def open(self, unit: Unit) -> None:
        """Start inspecting ``unit``: ask only what its records do not say."""
        self.unit = unit
        if self.service.refresh():  # the hub published new rules or prices: the next unit is graded with them
            self.ctx.say(self.tr("Grading now uses {key} and the {id} prices v{version}").format(
                    key=self.service.ruleset.key, id=self.service.prices.id, version=self.service.prices.version),
                            "info")
        recorded = recorded_inputs(unit_events(self.ctx.store.db, unit.unit_id))
        ruleset = self.service.ruleset
        models = [m.model for m in self.service.prices.models]
        self.questions = questions(recorded.sections, ruleset.functional.tests, models, unit.model)
        self.draft = InspectionDraft()
        self.current, self.typing, self.result, self.recorded = 0, "", None, False
        self.last_scratch = {}
        self.added = {}
        self.photos = ()
        device = recorded.sections.get("device", {})
        name = " ".join(str(v) for v in (device.get("model") or unit.model, device.get("storage", "")) if v)
        self.page.unit_label.setText(f"{unit.label}  {name}  ({unit.state})")
        facts = [self.tr("{section} from {where}").format(section=section, where=where.split(" #")[0])
                 for section, where in recorded.sources.items()]
        self.page.records_label.setText(self.tr("From the records: {facts}").format(
            facts=", ".join(facts) if facts else self.tr("nothing yet — answer every question")))
        self.page.preview.show_label(None)
        self.page.show_result("", "", [])
        if unit.state in (UnitState.LABELLED, UnitState.PACKED, UnitState.SHIPPED):
            self.ctx.say(self.tr("{label} is already {state} — R reprints its label").format(
                    label=unit.label, state=unit.state), "info")
            self.recorded = True
        else:
            self.ctx.say(self.tr("Inspecting {label}: zone by zone, Enter when a zone is done").format(
                    label=unit.label), "info")
        self._refresh()
        self.page.table.setFocus()

    def _question(self) -> Question | None:
        return self.questions[self.current] if 0 <= self.current < len(self.questions) else None

    def _advance(self) -> None:
        """Move to the next question without an answer (or stay on the last)."""
        for offset in range(1, len(self.questions) + 1):
            index = (self.current + offset) % len(self.questions)
            if not self.draft.answered(self.questions[index]):
                self.current = index
                return

    def _complete(self) -> bool:
        return all(self.draft.answered(q) for q in self.questions)

    # --- keys --------------------------------------------------------------------------------------------

    @Slot(object)
    def _on_key(self, event: QKeyEvent) -> None:
        if self.unit is None:
            return
        self.current = max(0, self.page.current_row())
        handled = self._key(event)
        event.setAccepted(handled)
        if handled:
            self._refresh()

    def _key(self, event: QKeyEvent) -> bool:
        key, text = event.key(), event.text().upper()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        question = self._question()
        if ctrl and key == Qt.Key.Key_I:
            self.choose_photos()
            return True
        if ctrl and key == Qt.Key.Key_O:
            self.override()
            return True
        if ctrl or question is None:
            return False
        if key in _ENTER:
            return self._enter(question)
        if key == Qt.Key.Key_Backspace:
            if self.typing:
                self.typing = self.typing[:-1]
            elif question.kind is Kind.ZONE:
                self._undo_defect(question)
            return True
        if question.kind is Kind.CHOICE and text in dict(question.choices) and not self.recorded:
            value = dict(question.choices)[text] if question.key == "device.model" else text
            return self._answer(question, value)
        if text and (text.isdigit() or (text == "." and "." not in self.typing)):
            self.typing += text
            return True
        if self.recorded:
            if text == "R":
                self.reprint()
                return True
            self.ctx.say(self.tr("This unit is graded: R reprints its label, or scan the next unit"), "info")
            return True
        if text == "T":
            for q in self.questions:
                if q.kind is Kind.PASS_FAIL and q.key not in self.draft.answers:
                    self.draft.answers[q.key] = "P"
            self._advance()
            return True
        if question.kind is Kind.ZONE:
            return self._zone_key(question, text)
        if question.kind is Kind.YES_NO and text in ("Y", "N"):
            return self._answer(question, text)
        if question.kind is Kind.PASS_FAIL and text in ("P", "F"):
            return self._answer(question, text)
        if text == "R":
            self.ctx.say(self.tr("Nothing to reprint yet: the unit is not graded"), "info")
            return True
        return False

    def _answer(self, question: Question, value: str) -> bool:
        self.draft.answers[question.key] = value
        self.typing = ""
        self._advance()
        return True

    def _zone_key(self, question: Question, text: str) -> bool:
        kind = DEFECT_KEYS.get(text)
        if kind is None:
            return False
        zone = Zone(question.key.split(".", 1)[1])
        findings = self.draft.zones[zone]
        findings.counts[kind] = findings.counts.get(kind, 0) + 1
        self.added.setdefault(zone, []).append(kind)
        if kind.value.startswith("scratch"):
            self.last_scratch[zone] = kind.value
        return True

    def _undo_defect(self, question: Question) -> None:
        """Backspace on a zone takes back the defect added last."""
        zone = Zone(question.key.split(".", 1)[1])
        added = self.added.get(zone) or []
        if not added:
            return
        kind = added.pop()
        findings = self.draft.zones[zone]
        findings.counts[kind] -= 1
        if findings.counts[kind] <= 0:
            del findings.counts[kind]
            findings.lengths.pop(kind, None)

    def _enter(self, question: Question) -> bool:
        if self.typing:
            return self._commit_number(question)
        if question.kind is Kind.ZONE and not self.draft.answered(question):
            self.draft.zones[Zone(question.key.split(".", 1)[1])].done = True
            self._advance()
            return True
        if self._complete() and not self.recorded:
            self.record()
            return True
        if not self._complete():
            self._advance()
            missing = [q.text for q in self.questions if not self.draft.answered(q)]
            self.ctx.say(self.tr("Still to answer: ") + ", ".join(missing), "warn")
        return True

    def _commit_number(self, question: Question) -> bool:
        try:
            value = float(self.typing)
        except ValueError:
            self.typing = ""
            return True
        self.typing = ""
        if question.kind is Kind.NUMBER:
            return self._answer(question, f"{value:g}")
        if question.kind is Kind.ZONE:
            zone = Zone(question.key.split(".", 1)[1])
            scratch = self.last_scratch.get(zone)
            if scratch is None:
                self.ctx.say(self.tr("A length belongs to a scratch: press L or D first, then its total length"),
                        "warn")
                return True
            self.draft.zones[zone].lengths[DefectKind(scratch)] = value
        return True

    # --- grade, record, print ----------------------------------------------------------------------------

    def inspection(self) -> dict[str, object]:
        assert self.unit is not None
        return self.draft.to_inspection(self.unit.model)

    def _refresh(self) -> None:
        self.page.show_questions(self.questions, self.draft, self.current, self.typing)
        if self.unit is None or self.recorded:
            return
        try:
            missing = self.service.missing(self.unit, self.inspection())
        except OperatorError as exc:
            self.page.show_result("", "", [error_text(exc)])
            return
        if missing:
            self.result = None
            self.page.show_result("", "", [f"Still needed: {m}" for m in missing])
            self.page.preview.show_label(None)
            return
        try:
            grade, chosen, _ = self.service.evaluate(self.unit, self.inspection())
        except OperatorError as exc:
            self.page.show_result("", "", [error_text(exc)], "error")
            return
        self.result = (grade, chosen)
        self._show(grade, chosen)
        try:
            data = preview_label_data(self.ctx.store, self.unit, grade, chosen,
                                      self.ctx.settings().labels.lithium_phone)
            self.page.preview.show_label(unit_label(data))
        except OperatorError as exc:
            self.page.reasons.addItem(error_text(exc))
        self.ctx.say(self.tr("Grade {summary} → {replace}: Enter records it and prints the label").format(
                summary=grade.summary, replace=chosen.kind.value.replace('_', ' ')), "ok")

    def _show(self, grade: GradeResult, chosen: Route, note: str = "") -> None:
        option = chosen.chosen
        where = f" on {option.channel}, grade {option.grade}" if option.kind is RouteKind.RESALE else ""
        route = f"Route: {option.kind.value.replace('_', ' ')}{where} ({chosen.currency} {option.value}){note}"
        reasons = [*grade.cosmetic.reasons, *grade.functional.reasons, *chosen.reasons]
        reasons += [f"{c.title}: {c.grade or 'not eligible'} — {'; '.join(c.reasons)}" for c in grade.channels]
        if chosen.air_forbidden:
            reasons.append(f"Shipping: {chosen.air_forbidden}")
        self.page.show_result(grade.summary, route, reasons)

    def record(self) -> None:
        operator = self.ctx.operator()
        if self.unit is None or operator is None:
            return
        try:
            graded = self.service.grade(self.unit.unit_id, self.inspection(), operator, self.photos)
        except IncompleteInputs as exc:
            self.ctx.say(str(exc), "warn")
            return
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return
        self.recorded = True
        self._show(graded.grade, graded.route, "  — recorded")
        fresh = queries.get_unit(self.ctx.store.db, self.unit.unit_id)
        assert fresh is not None
        self.unit = fresh
        header = self.page.unit_label.text()
        self.page.unit_label.setText(header[:header.rfind("(")] + f"({fresh.state})")
        if self.ctx.settings().labels.print_on_grade:
            try:
                self.printer.print_unit(fresh)
            except OperatorError as exc:
                self.ctx.say(error_text(exc), "error")
                return
            self.ctx.say(self.tr("Graded {summary}, routed to {replace} — printing the label").format(
                    summary=graded.grade.summary, replace=graded.route.kind.value.replace('_', ' ')), "ok")
        else:
            self.ctx.say(self.tr("Graded {summary} — R prints the label").format(summary=graded.grade.summary), "ok")

    def reprint(self) -> None:
        if self.unit is None:
            return
        if self.printer.reprint(self.unit.unit_id):
            self.ctx.say(self.tr("Reprinting the label of {label}").format(label=self.unit.label), "ok")
            return
        fresh = queries.get_unit(self.ctx.store.db, self.unit.unit_id)
        try:
            self.printer.print_unit(fresh or self.unit)
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")

    @Slot(object)
    def _on_printed(self, job: PrintJob) -> None:
        if self.unit is not None and job.subject == self.unit.unit_id:
            self.page.route_label.setText(self.page.route_label.text() + self.tr("  — label printed"))

    # --- photos and overrides ----------------------------------------------------------------------------

    def choose_photos(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.ctx.window, self.tr("Camera folder"), str(Path.home()),
                                                  QFileDialog.Option.DontUseNativeDialog)
        if folder:
            self.import_photos(Path(folder))

    def import_photos(self, folder: Path) -> None:
        data_dir = self.ctx.store.data_dir

        def work(cancel: threading.Event, report: Report) -> tuple[Photo, ...]:
            return import_photos(data_dir, folder)

        try:
            self.ctx.jobs.start(PHOTO_JOB, work, label="the photo import")
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "warn")

    @Slot(object)
    def _on_job_finished(self, result: JobResult) -> None:
        if result.key != PHOTO_JOB:
            return
        if not result.ok:
            self.ctx.say(str(result.error), "error")
            return
        photos: tuple[Photo, ...] = result.value
        self.photos = photos
        self.draft.photos = [p.record() for p in photos]
        self.ctx.say(self.tr("{count} photos attached to the grade (kept by their SHA-256)").format(
                count=len(photos)), "ok")

    def override(self) -> None:
        operator = self.ctx.operator()
        if self.unit is None or operator is None:
            return
        if not operator.role.includes(Role.SUPERVISOR):
            self.ctx.say(self.tr("Only a supervisor can override a grade or a route — ask one to log in"), "warn")
            return
        cosmetic = [f"cosmetic {g}" for g in self.service.ruleset.cosmetic.grades]
        routes = ["route recycle", "route parts_harvest", "route repair", "route resale wholesale"]
        choice, ok = QInputDialog.getItem(self.ctx.window, self.tr("Override"), self.tr("Change"), cosmetic + routes,
                0, False)
        if not ok:
            return
        reason, ok = QInputDialog.getText(self.ctx.window, self.tr("Override"), self.tr("Why {choice}?").format(
                choice=choice))
        if ok:
            self.apply_override(choice, reason)

    def apply_override(self, choice: str, reason: str) -> None:
        operator = self.ctx.operator()
        if self.unit is None or operator is None:
            return
        words = choice.split()
        try:
            if words[0] == "cosmetic":
                self.service.override_grade(self.unit.unit_id, "cosmetic", words[1], reason, operator)
            else:
                self.service.override_route(self.unit.unit_id, RouteKind(words[1]), reason, operator,
                                            channel=words[2] if len(words) > 2 else "")
        except OperatorError as exc:
            self.ctx.say(error_text(exc), "error")
            return
        self.ctx.say(self.tr("Overridden: {choice} ({reason})").format(choice=choice, reason=reason), "ok")
