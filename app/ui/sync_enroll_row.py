"""The settings dialog's hub row: where the bench is enrolled, and enrolling it with an address and
a one-time code. The enrolment runs as a job; the dialog stays responsive while the hub answers."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.core.errors import OperatorError
from app.services.jobs import JobManager, JobResult
from app.services.sync_enroll import Enrollment, enroll, load_enrollment
from app.ui.i18n import error_text
from app.ui.sync_status import wake_sync

ENROL_TIMEOUT = 15.0
_JOB = "enrol"


class HubEnrolRow(QWidget):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.state_label = QLabel("")
        self.setMinimumWidth(520)  # one line for the address and the code side by side
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText(self.tr("hub address, e.g. http://hub.local:8470"))
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(self.tr("one-time code from the hub's admin"))
        self.enrol_button = QPushButton(self.tr("Enroll wit&h hub"))
        self.enrol_button.clicked.connect(self.start_enrolment)
        self.result_label = QLabel("")
        self.result_label.setObjectName("errorText")
        self.result_label.setWordWrap(True)
        fields = QHBoxLayout()
        fields.addWidget(self.url_edit, 3)
        fields.addWidget(self.code_edit, 2)
        fields.addWidget(self.enrol_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.state_label)
        column.addLayout(fields)
        column.addWidget(self.result_label)
        self._jobs = JobManager(max_threads=1, parent=self)
        self._jobs.finished.connect(self._on_enrolled)
        try:
            self._show(load_enrollment(data_dir))
        except OperatorError as exc:
            self.state_label.setText(error_text(exc))

    def _show(self, enrollment: Enrollment | None) -> None:
        if enrollment is None:
            self.state_label.setText(self.tr("Not enrolled: everything stays on this bench"))
            return
        self.state_label.setText(self.tr("Enrolled as “{bench_name}” with {hub_url}").format(
                bench_name=enrollment.bench_name, hub_url=enrollment.hub_url))
        self.state_label.setToolTip(self.tr("Enroll again only if the hub's admin asks"))
        self.url_edit.setText(enrollment.hub_url)

    @Slot()
    def start_enrolment(self) -> None:
        url, code = self.url_edit.text().strip(), self.code_edit.text().strip()
        if not url or not code:
            self.result_label.setText(self.tr("Type the hub's address and the one-time code its admin gave you"))
            return
        data_dir = self.data_dir

        def job(cancel: threading.Event, report: Any) -> Enrollment:
            return enroll(data_dir, url, code, timeout=ENROL_TIMEOUT)

        self.enrol_button.setEnabled(False)
        self.result_label.setText(self.tr("Enrolling with {url}…").format(url=url))
        self._jobs.start(_JOB, job, label="the enrolment")

    @Slot(object)
    def _on_enrolled(self, result: JobResult) -> None:
        self.enrol_button.setEnabled(True)
        if isinstance(result.error, OperatorError):
            self.result_label.setText(str(result.error))
            return
        if result.error is not None:
            self.result_label.setText(self.tr("The enrolment failed with an error — see the log"))
            return
        enrollment: Enrollment = result.value
        self.code_edit.clear()
        self.result_label.setText("")
        self._show(enrollment)
        for window in QApplication.topLevelWidgets():
            wake_sync(window)

    def finish(self) -> None:
        """The dialog is closing: let an enrolment under way end first (at most its timeout)."""
        self._jobs.wait(int(ENROL_TIMEOUT * 1000) + 1000)
