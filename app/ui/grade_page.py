"""The Grade tab's widgets: the questions with their answers, the grade with its reasons, the label preview."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.grading.questions import InspectionDraft, Question
from app.core.i18n import QT_TRANSLATE_NOOP
from app.ui.label_preview import LabelPreview

KEY_HELP = QT_TRANSLATE_NOOP("GradePage", "Zone: L light scratch · D deep · U scuff · N dent · C crack · H chip · "
            "O discoloured · B burn-in · "
            "M missing · Backspace: take the last back · digits Enter: scratch length mm · Enter: zone done     "
            "Questions: Y/N · P/F · T all tests pass · digits Enter     When complete, Enter: record and print · "
            "R: reprint · Ctrl+I: photos · Ctrl+O: override (supervisor)")  # shown with self.tr


class GradePage(QWidget):
    """Shows one unit's inspection; every key typed in the question table is offered to ``key_typed``."""

    key_typed = Signal(object)  # QKeyEvent; the tab answers by setting ``event.accept()`` semantics itself

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit_label = QLabel(self.tr("Scan a unit to grade it"))
        self.unit_label.setObjectName("gradeUnit")
        self.records_label = QLabel("")
        self.records_label.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("Inspection"), self.tr("Answer")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAccessibleName("Inspection questions")
        self.table.installEventFilter(self)
        self.grade_label = QLabel("")
        self.grade_label.setObjectName("gradeResult")
        self.grade_label.setStyleSheet("font-size: 26px; font-weight: bold;")
        self.route_label = QLabel("")
        self.route_label.setWordWrap(True)
        self.route_label.setStyleSheet("font-size: 15px;")
        self.reasons = QListWidget()
        self.reasons.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reasons.setWordWrap(True)
        self.preview = LabelPreview()
        self.help_label = QLabel(self.tr(KEY_HELP))
        self.help_label.setWordWrap(True)
        self.help_label.setObjectName("keyHelp")

        left = QVBoxLayout()
        left.addWidget(self.unit_label)
        left.addWidget(self.records_label)
        left.addWidget(self.table, 1)
        right = QVBoxLayout()
        right.addWidget(self.grade_label)
        right.addWidget(self.route_label)
        right.addWidget(self.reasons, 1)
        right.addWidget(self.preview, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.help_label)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
                               Qt.Key.Key_Home, Qt.Key.Key_End):
                return False
            event.setAccepted(False)
            self.key_typed.emit(event)
            return event.isAccepted()
        return super().eventFilter(watched, event)

    def show_questions(self, questions: tuple[Question, ...], draft: InspectionDraft, current: int,
                       typing: str = "") -> None:
        self.table.setRowCount(len(questions))
        for row, question in enumerate(questions):
            answer = draft.answer_text(question)
            if row == current and typing:
                answer = f"{answer}  [{typing}▏]" if answer else f"[{typing}▏]"
            for column, text in enumerate((question.text, answer)):
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(row, column, item)
                item.setText(text)
        if 0 <= current < len(questions):
            self.table.selectRow(current)

    def current_row(self) -> int:
        return self.table.currentRow()

    def show_result(self, grade: str, route: str, reasons: list[str], tone: str = "") -> None:
        self.grade_label.setText(grade)
        self.route_label.setText(route)
        self.reasons.clear()
        self.reasons.addItems(reasons)
        self.grade_label.setProperty("tone", tone)
