"""What a phone bay's line says: the phone, its battery, its locks and where it is in its plan."""

from __future__ import annotations

from app.core.phones import BLOCKER_NAMES, BayState, PhonePlan, blocker_kind
from app.services.phone_source_ios import hint_for_state
from app.services.phones import PhoneReading, PhoneRecord
from app.ui.phones_bay import Bay


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
        return "could not check"
    parts = [f"{battery.level_pct} %" if battery.level_pct is not None else "level ?"]
    if battery.capacity_pct is not None:
        parts.append(f"{battery.capacity_pct} % health")
    if battery.cycle_count is not None:
        parts.append(f"{battery.cycle_count} cycles")
    return " · ".join(parts)


def locks_text(reading: PhoneReading | None) -> str:
    if reading is None:
        return ""
    if reading.blockers is None:
        return "could not check"
    platform = reading.attached.platform

    def name(kind: str) -> str:
        named = blocker_kind(platform, kind)
        return BLOCKER_NAMES.get(named, named)

    present = [name(b.kind.value) for b in reading.blockers.holds]
    unknown = [name(b.kind.value) + " ?" for b in reading.blockers.blockers
               if b.status.value == "unknown" and b.kind.value != "carrier_lock"]
    return ", ".join(present + unknown) or "none"


_STATE_TEXT = {
    BayState.ATTACHED: "Attached — reading it…",
    BayState.NOT_READY: "Waiting for the phone",
    BayState.IDENTIFYING: "Identifying…",
    BayState.READY: "Identified",
    BayState.CHECKING: "Automatic checks…",
    BayState.RESETTING: "Resetting…",
    BayState.SANITISED: "Sanitised",
    BayState.UNPLUGGED: "Unplugged",
    BayState.ERROR: "Could not read the phone",
    BayState.ON_HOLD: "On hold",
    BayState.TESTED: "Tested",
}


def status_text(bay: Bay, plan: PhonePlan, record: PhoneRecord | None) -> str:
    if bay.state is BayState.NOT_READY and bay.platform == "ios":
        return bay.note or hint_for_state(bay.attached.state) or "Asking the iPhone to trust this bench…"
    if bay.state is BayState.NOT_READY and bay.attached.state == "unauthorized":
        return "Tap “Allow USB debugging” on the phone"
    if bay.state is BayState.GUIDED and bay.step is not None:
        done = len(bay.done)
        return f"Step {done + 1} of {len(plan.step_ids)}: {bay.step.name} — P pass, F fail, S skip"
    if bay.note:
        return bay.note
    text = _STATE_TEXT.get(bay.state, str(bay.state))
    if bay.state is BayState.CHECKING:
        text += f" {len(bay.done)} of {len(plan.automatic)}"
    if record is not None and bay.state is BayState.READY:
        text += f" as unit {record.unit.label}"
    return text
