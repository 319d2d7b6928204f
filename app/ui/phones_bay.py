"""One phone bay as the Phones tab's GUI thread knows it."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.phones import BayState, GuidedStep, StepOutcome
from app.services.phone_source import AttachedPhone
from app.services.phones import PhoneReading, PhoneRecord


@dataclass
class Bay:
    attached: AttachedPhone
    bay: int | None
    state: BayState = BayState.ATTACHED
    reading: PhoneReading | None = None
    record: PhoneRecord | None = None
    run_id: str | None = None
    step: GuidedStep | None = None
    note: str = ""  # one line for the table
    detail: str = ""  # the whole story for the step panel (a hold's evidence, the Trust hint)
    pulled: bool = False
    done: dict[str, StepOutcome] = field(default_factory=dict)

    @property
    def platform(self) -> str:
        return self.attached.platform

    @property
    def label(self) -> str:
        """How messages name the bay: "bay 12", or the port of a phone in no mapped bay."""
        return f"bay {self.bay}" if self.bay is not None else "port " + self.attached.bay_key.split(":", 1)[1]

    @property
    def heading(self) -> str:
        """The same, starting a sentence."""
        return self.label.capitalize()
