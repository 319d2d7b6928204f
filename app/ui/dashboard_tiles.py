"""The dashboard's big figures: one tile per stage count and two for erasure quality, in type large
enough to read from a step away. A tile shows "No data" in a quieter style when its figure does not
exist, so an empty scope never looks like a bad day."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.core.kpi_snapshot import DashboardSnapshot, Stage
from app.ui.dashboard_format import count_text, no_data, percent_text, stage_name, translate

ERASURE_OK = 0.98  # below this share of erasures passing, the tile turns to the warning colour


class KpiTile(QFrame):
    """A caption over one large value; ``tone`` (ok, warn, error or empty) colours its background."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.value_label = QLabel(no_data())
        self.value_label.setObjectName("kpiTileValue")
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption_label = QLabel(caption)
        self.caption_label.setObjectName("kpiTileCaption")
        self.caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 4)
        layout.setSpacing(0)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_value(None)

    @property
    def text(self) -> str:
        return self.value_label.text()

    def set_value(self, text: str | None, tone: str = "", detail: str = "") -> None:
        """Show ``text``, or "No data" when it is None; ``detail`` goes to the tooltip."""
        missing = text is None
        self.value_label.setText(no_data() if text is None else text)
        self.value_label.setProperty("nodata", "true" if missing else "false")
        self.setProperty("tone", "" if missing else tone)
        self.setToolTip(detail)
        for widget in (self, self.value_label):  # a changed property takes effect once re-polished
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        # The new font changes the label's size hint, which the layout (fixed height) does not re-ask by itself.
        self.value_label.updateGeometry()
        self.updateGeometry()


class KpiTiles(QWidget):
    """The row of tiles: received, tested, sanitised, graded, shipped, erasure success, verification failures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stages = {stage: KpiTile(stage_name(stage)) for stage in Stage}
        self.erasure_success = KpiTile(translate("Dashboard", "Erasures passed"))
        self.verification_failures = KpiTile(translate("Dashboard", "Verification failures"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for tile in (*self.stages.values(), self.erasure_success, self.verification_failures):
            layout.addWidget(tile)

    def show_snapshot(self, snapshot: DashboardSnapshot | None) -> None:
        counts = snapshot.stage_counts if snapshot else {}
        for stage, tile in self.stages.items():
            value = counts.get(stage)
            tile.set_value(None if value is None else count_text(value))
        erasures = snapshot.erasures if snapshot else None
        success = erasures.success_rate if erasures else None
        verification = erasures.verification_failure_rate if erasures else None
        if erasures is None or success is None or verification is None:
            none_finished = translate("Dashboard", "No erasure finished in this scope")
            self.erasure_success.set_value(None, detail=none_finished)
            self.verification_failures.set_value(None, detail=none_finished)
            return
        finished = erasures.passed + erasures.failed
        self.erasure_success.set_value(
            percent_text(success), "ok" if success >= ERASURE_OK else "warn",
            translate("Dashboard", "{0} of {1} finished erasures passed; {2} interrupted").format(
                count_text(erasures.passed), count_text(finished), count_text(erasures.interrupted)))
        self.verification_failures.set_value(
            percent_text(verification), "ok" if erasures.verification_failed == 0 else "error",
            translate("Dashboard", "{0} of {1} finished erasures failed their verification").format(
                count_text(erasures.verification_failed), count_text(finished)))
