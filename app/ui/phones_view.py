"""What a phone bay's line says (the phone, its battery, its locks, where it is in its plan), and the big
panel under the table for the selected bay (its guided step, or its story)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.phones import BLOCKER_NAMES, BayState, PhonePlan, blocker_kind
from app.services.phone_source_ios import hint_for_state
from app.services.phones import PhoneReading, PhoneRecord
from app.ui.phones_bay import Bay
from app.ui.phones_page import PhoneRow

# Module functions have no QObject's tr; lupdate finds calls by this name, context first.
translate = QCoreApplication.translate


def phone_text(bay: Bay) -> str:
    identity = bay.reading.identity if bay.reading else None
    if identity is None:
        return bay.attached.model_hint.replace("_", " ") or bay.attached.serial
    name = " ".join(p for p in (identity.make, identity.model) if p) or bay.attached.serial
    return f"{name} ({identity.model_number})" if identity.model_number and identity.model_number != identity.model \
        else name


def battery_text(reading: PhoneReading | None) -> str:
    if reading is None:
        return ""
    battery = reading.battery
    if battery is None:
        return translate("PhonesView", "could not check")
    parts = [f"{battery.level_pct} %" if battery.level_pct is not None else translate("PhonesView", "level ?")]
    if battery.capacity_pct is not None:
        parts.append(translate("PhonesView", "{pct} % health").format(pct=battery.capacity_pct))
    if battery.cycle_count is not None:
        parts.append(translate("PhonesView", "{count} cycles").format(count=battery.cycle_count))
    return " · ".join(parts)


def locks_text(reading: PhoneReading | None) -> str:
    if reading is None:
        return ""
    if reading.blockers is None:
        return translate("PhonesView", "could not check")
    platform = reading.attached.platform

    def name(kind: str) -> str:
        named = blocker_kind(platform, kind)
        return BLOCKER_NAMES.get(named, named)

    present = [name(b.kind.value) for b in reading.blockers.holds]
    unknown = [name(b.kind.value) + " ?" for b in reading.blockers.blockers
               if b.status.value == "unknown" and b.kind.value != "carrier_lock"]
    return ", ".join(present + unknown) or translate("PhonesView", "none")


_STATE_TEXT = {
    BayState.ATTACHED: QT_TRANSLATE_NOOP("PhonesView", "Attached — reading it…"),
    BayState.NOT_READY: QT_TRANSLATE_NOOP("PhonesView", "Waiting for the phone"),
    BayState.IDENTIFYING: QT_TRANSLATE_NOOP("PhonesView", "Identifying…"),
    BayState.READY: QT_TRANSLATE_NOOP("PhonesView", "Identified"),
    BayState.CHECKING: QT_TRANSLATE_NOOP("PhonesView", "Automatic checks…"),
    BayState.RESETTING: QT_TRANSLATE_NOOP("PhonesView", "Resetting…"),
    BayState.SANITISED: QT_TRANSLATE_NOOP("PhonesView", "Sanitised"),
    BayState.UNPLUGGED: QT_TRANSLATE_NOOP("PhonesView", "Unplugged"),
    BayState.ERROR: QT_TRANSLATE_NOOP("PhonesView", "Could not read the phone"),
    BayState.ON_HOLD: QT_TRANSLATE_NOOP("PhonesView", "On hold"),
    BayState.TESTED: QT_TRANSLATE_NOOP("PhonesView", "Tested"),
}


def status_text(bay: Bay, plan: PhonePlan, record: PhoneRecord | None) -> str:
    if bay.state is BayState.NOT_READY and bay.platform == "ios":
        return bay.note or hint_for_state(bay.attached.state) or translate("PhonesView", "Asking the iPhone to trust "
                "this bench…")
    if bay.state is BayState.NOT_READY and bay.attached.state == "unauthorized":
        return translate("PhonesView", "Tap “Allow USB debugging” on the phone")
    if bay.state is BayState.GUIDED and bay.step is not None:
        done = len(bay.done)
        return translate("PhonesView", "Step {number} of {steps}: {name} — P pass, F fail, S skip").format(
            number=done + 1, steps=len(plan.step_ids), name=bay.step.name)
    if bay.note:
        return bay.note
    text = translate("PhonesView", _STATE_TEXT[bay.state]) if bay.state in _STATE_TEXT else str(bay.state)
    if bay.state is BayState.CHECKING:
        text += translate("PhonesView", " {done} of {count}").format(done=len(bay.done), count=len(plan.automatic))
    if record is not None and bay.state is BayState.READY:
        text += translate("PhonesView", " as unit {label}").format(label=record.unit.label)
    return text


def row_for(bay: Bay, plan: PhonePlan) -> PhoneRow:
    identity = bay.reading.identity if bay.reading else None
    valid = identity.valid_imeis if identity else ()
    imeis = valid[0] + (f" +{len(valid) - 1}" if len(valid) > 1 else "") if valid else ""
    return PhoneRow(
        bay.attached.bay_key, str(bay.bay) if bay.bay is not None else "—", phone_text(bay), imeis,
        (identity.serial or "") if identity else "", (identity.os_version or "") if identity else "",
        battery_text(bay.reading), locks_text(bay.reading), status_text(bay, plan, bay.record), str(bay.state))


def panel_for(bay: Bay, plan: PhonePlan) -> tuple[str, str, str]:
    """Title, text and answer keys for the selected bay's panel."""
    if bay.state is BayState.GUIDED and bay.step is not None:
        number = plan.step_ids.index(bay.step.id) + 1
        return (translate("PhonesView", "{heading} · {phone} — step {number} of {steps}: {name}").format(
                    heading=bay.heading, phone=phone_text(bay), number=number, steps=len(plan.step_ids),
                    name=bay.step.name), bay.step.instruction, translate("PhonesView",
                            "P  pass     F  fail     S  skip"))
    return f"{bay.heading} · {phone_text(bay)}", bay.detail or status_text(bay, plan, bay.record), ""
