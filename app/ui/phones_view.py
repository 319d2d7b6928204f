"""What a phone bay's line says (the phone, its battery, its locks, where it is in its plan), and the big
panel under the table for the selected bay (its guided step, or its story)."""

from __future__ import annotations

from app.core.phones import BLOCKER_NAMES, BayState, PhonePlan, blocker_kind
from app.services.phone_source_ios import hint_for_state
from app.services.phones import PhoneReading, PhoneRecord
from app.ui.phones_bay import Bay
from app.ui.phones_page import PhoneRow


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
        return (f"{bay.heading} · {phone_text(bay)} — step {number} of {len(plan.step_ids)}: {bay.step.name}",
                bay.step.instruction, "P  pass     F  fail     S  skip")
    return f"{bay.heading} · {phone_text(bay)}", bay.detail or status_text(bay, plan, bay.record), ""
