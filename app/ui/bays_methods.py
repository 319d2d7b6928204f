"""The erase-method choice for the selected drive: the rules' recommendation first with its NIST
category, the other allowed methods after it, and methods the drive has but cannot run now shown
disabled with the reason. Enter accepts what is selected (the recommendation, unless changed)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QWidget

from app.core.erase_methods import METHODS, MethodChoice, choose_method
from app.services.drives import BayDrive, DriveFirmware
from app.ui.i18n import method_label, refusal_hint, refusal_text

# What the combo offers before a drive is selected, or while its firmware is being asked.
_GENERIC = ("overwrite-zeros", "overwrite-random", "overwrite-ones")


def drive_name(path: str) -> str:
    """How a drive is named on screen: its device node, or a simulated drive's image file name."""
    if path.startswith("/dev/"):
        return path
    return QCoreApplication.translate("BaysMethods", "{name} (simulated)").format(name=path.rsplit("/", 1)[-1])


def item_text(name: str, category: str | None, recommended: bool = False) -> str:
    translate = QCoreApplication.translate  # module functions have no QObject's tr; lupdate knows this name
    category = category or translate("BaysMethods", "not allowed here")
    text = f"{method_label(name)} — {category}"
    return translate("BaysMethods", "{method} (recommended)").format(method=text) if recommended else text


class MethodCombo(QComboBox):
    """The methods for one drive. Signals: accepted(): Enter pressed on it (popup closed)."""

    accepted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("methodCombo")
        self.setMinimumContentsLength(40)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._filling = False
        self.chosen: str | None = None  # the method the technician picked; kept for the next drive if allowed
        self.choice: MethodChoice | None = None
        self.currentIndexChanged.connect(self._on_changed)
        self.show_generic()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accepted.emit()
            return
        super().keyPressEvent(event)

    def _on_changed(self, index: int) -> None:
        if not self._filling and index >= 0:
            self.chosen = self.itemData(index)

    def show_generic(self) -> None:
        """The overwrite methods (no drive selected)."""
        self._fill(MethodChoice(_GENERIC[0], "Clear", _GENERIC[1:], ""), "unknown")

    def show_drive(self, drive: BayDrive, firmware: DriveFirmware | None) -> None:
        """The methods for ``drive``: from its probe, or the overwrites while the probe runs."""
        if firmware is None:
            choice = choose_method(drive.media, drive.device.transport, None)
            self._fill(choice, drive.media, probing=True)
        else:
            self._fill(firmware.choice, firmware.media)

    def _fill(self, choice: MethodChoice, media: str, probing: bool = False) -> None:
        self._filling = True
        try:
            self.choice = choice
            self.clear()
            for i, name in enumerate(choice.allowed):
                self.addItem(item_text(name, METHODS[name].category_for(media), i == 0), name)
                self.setItemData(self.count() - 1, METHODS[name].note, Qt.ItemDataRole.ToolTipRole)
            model = self.model()
            assert isinstance(model, QStandardItemModel)
            for name, why in choice.blocked:
                self.addItem(self.tr("{label} — blocked: {why}").format(label=method_label(name), why=why), name)
                item = model.item(self.count() - 1)
                item.setEnabled(False)
                item.setToolTip(choice.hint or why)
            if not choice.allowed:
                self.addItem(self.tr("No method can run on this drive (see below)"), "")
                model.item(self.count() - 1).setEnabled(False)
            if probing:
                self.addItem(self.tr("Asking the drive's firmware what it can do…"), "")
                model.item(self.count() - 1).setEnabled(False)
            keep = self.chosen if self.chosen in choice.allowed else choice.recommended
            self.setCurrentIndex(self.findData(keep) if keep else -1)
        finally:
            self._filling = False

    def method(self) -> str | None:
        """The selected method, None when the drive allows none (a locked drive)."""
        data = self.currentData()
        return str(data) if data else None


def describe(drive: BayDrive, firmware: DriveFirmware | None) -> str:
    """The detail line for the selected drive: why it is refused, or what the rules pick and why."""
    d = drive.device
    translate = QCoreApplication.translate  # module functions have no QObject's tr; lupdate knows this name
    transport = d.transport or translate("BaysMethods", "unknown")
    head = translate("BaysMethods", "{drive}: {transport} {model} {serial}").format(
        drive=drive_name(d.path), transport=transport, model=d.model, serial=d.serial).rstrip()
    if drive.refusals:
        lines = [f"{refusal_text(r)} — {refusal_hint(r)}".replace(d.path, drive_name(d.path)) for r in drive.refusals]
        if drive.overridable:
            lines.append(translate("BaysMethods", "A supervisor may override this: Ctrl+Shift+E asks for the reason "
                                                  "and their badge."))
        else:
            lines.append(translate("BaysMethods", "This refusal cannot be overridden."))
        return "\n".join([head, *lines])
    if firmware is None:
        return translate("BaysMethods", "{head} — may be erased; asking its firmware what it can do…").format(head=head)
    choice = firmware.choice
    text = translate("BaysMethods", "{head} — recommended: {reason}").format(head=head, reason=choice.reason)
    if choice.hint:
        text += f"\n{choice.hint}"
    return text
