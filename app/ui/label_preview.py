"""On-screen label preview: the same :class:`~app.reports.labels.Label` the printers get, drawn with
QPainter (text, Code 128 bars, the QR code's modules, the lithium mark), so what is seen is what prints."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.reports.labels import Label, code128, qr
from app.reports.labels.layout import CAP_HEIGHT_EM, Code128, LithiumMark, Text, TwoD

_MODULE_MM = 0.25
_RED = QColor(217, 26, 26)


class LabelPreview(QWidget):
    """Shows one label at its proportions, as large as the widget allows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label: Label | None = None
        self.setMinimumSize(300, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Label preview")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(460, 310)

    def show_label(self, label: Label | None) -> None:
        self.label = label
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(self.rect(), QColor(90, 90, 90))
        label = self.label
        if label is None:
            painter.setPen(QColor("white"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No label yet"))
            painter.end()
            return
        margin = 8
        scale = min((self.width() - 2 * margin) / label.width_mm, (self.height() - 2 * margin) / label.height_mm)
        painter.translate((self.width() - label.width_mm * scale) / 2, (self.height() - label.height_mm * scale) / 2)
        painter.scale(scale, scale)  # from here on, one unit is one millimetre
        painter.fillRect(QRectF(0, 0, label.width_mm, label.height_mm), QColor("white"))
        for element in label.elements:
            if isinstance(element, Text):
                _text(painter, element)
            elif isinstance(element, Code128):
                _code128(painter, element)
            elif isinstance(element, TwoD):
                _two_d(painter, element)
            else:
                _lithium(painter, element)
        painter.end()


def _text(painter: QPainter, element: Text) -> None:
    # Drawn at four times the size in a quarter-millimetre system: whole pixel sizes stay close to the layout.
    font = QFont("DejaVu Sans")
    font.setBold(element.bold)
    font.setPixelSize(max(1, round(element.height / CAP_HEIGHT_EM * 4)))
    painter.save()
    painter.translate(element.x, element.y + element.height)
    painter.scale(0.25, 0.25)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(0, 0, element.text)
    painter.restore()


def _code128(painter: QPainter, element: Code128) -> None:
    dark, _ = code128.bars(element.data)
    for x, width in dark:
        painter.fillRect(QRectF(element.x + x * _MODULE_MM, element.y, width * _MODULE_MM, element.height),
                         QColor("black"))


def _two_d(painter: QPainter, element: TwoD) -> None:
    symbol = qr.encode(element.data.encode("utf-8"), gs1=element.gs1)
    module = element.size / (symbol.size + 8)
    left, top = element.x + 4 * module, element.y + 4 * module
    for y, x, length in symbol.dark_runs():
        painter.fillRect(QRectF(left + x * module, top + y * module, length * module, module), QColor("black"))


def _lithium(painter: QPainter, element: LithiumMark) -> None:
    border = min(element.width, element.height) * 0.08
    painter.fillRect(QRectF(element.x, element.y, element.width, element.height), _RED)
    painter.fillRect(QRectF(element.x + border, element.y + border, element.width - 2 * border,
                            element.height - 2 * border), QColor("white"))
    painter.setPen(QPen(_RED, 0))
    # The same proportions as the PDF: the UN number's em is 0.34 of the inner height (its cap height 0.72 of that).
    inner_h = element.height - 2 * border
    number = Text(element.x + border * 1.4, element.y + border + inner_h * 0.14, inner_h * 0.34 * CAP_HEIGHT_EM,
                  element.un_number, True)
    _text(painter, number)
    _text(painter, Text(number.x, element.y + border + inner_h * 0.5, inner_h * 0.15 * CAP_HEIGHT_EM,
                        "Lithium ion battery", False))
