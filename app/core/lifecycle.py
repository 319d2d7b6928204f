"""The unit lifecycle: one explicit state enum, its allowed transitions and one transition function."""

from __future__ import annotations

import enum
import logging

from app.core.errors import IllegalTransition
from app.core.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger("app.lifecycle")


class UnitState(enum.StrEnum):
    """Where a physical unit is in the refurbishment flow."""

    RECEIVED = "received"
    IDENTIFIED = "identified"
    TESTING = "testing"
    TESTED = "tested"
    SANITISING = "sanitising"
    SANITISED = "sanitised"
    GRADED = "graded"
    ROUTED = "routed"
    LABELLED = "labelled"
    PACKED = "packed"
    SHIPPED = "shipped"
    ON_HOLD = "on_hold"
    QUARANTINED = "quarantined"
    FAILED = "failed"


S = UnitState

# Side states (hold, quarantine, failure) are reachable from every working state; leaving them
# is a deliberate step back into the flow, recorded like any other transition.
_FLOW: dict[UnitState, frozenset[UnitState]] = {
    S.RECEIVED: frozenset({S.IDENTIFIED, S.TESTING}),
    S.IDENTIFIED: frozenset({S.TESTING, S.SANITISING, S.GRADED}),
    S.TESTING: frozenset({S.TESTED}),
    S.TESTED: frozenset({S.TESTING, S.SANITISING, S.GRADED}),
    S.SANITISING: frozenset({S.SANITISED}),
    # A sanitised drive may be erased again: a Purge after a Clear, or a customer asking for a second pass.
    S.SANITISED: frozenset({S.TESTING, S.SANITISING, S.GRADED}),
    S.GRADED: frozenset({S.ROUTED, S.GRADED}),
    S.ROUTED: frozenset({S.LABELLED, S.GRADED}),
    S.LABELLED: frozenset({S.PACKED, S.LABELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.LABELLED}),
    S.SHIPPED: frozenset(),
    S.ON_HOLD: frozenset({S.RECEIVED, S.IDENTIFIED, S.TESTED, S.SANITISED, S.GRADED, S.QUARANTINED}),
    S.QUARANTINED: frozenset({S.ON_HOLD, S.FAILED}),
    S.FAILED: frozenset({S.TESTING, S.SANITISING, S.GRADED}),
}
SIDE_STATES = frozenset({S.ON_HOLD, S.QUARANTINED, S.FAILED})
TERMINAL_STATES = frozenset({S.SHIPPED})
WORKING_STATES = frozenset(s for s in UnitState if s not in SIDE_STATES and s not in TERMINAL_STATES)

ALLOWED: dict[UnitState, frozenset[UnitState]] = {
    state: targets | (SIDE_STATES - {state} if state in WORKING_STATES else frozenset())
    for state, targets in _FLOW.items()
}


def can_transition(current: UnitState, target: UnitState) -> bool:
    """True when the lifecycle allows ``current -> target``."""
    return target in ALLOWED[current]


def transition(unit_id: str, current: UnitState, target: UnitState, reason: str = "") -> UnitState:
    """Check and log one lifecycle step; the only place a unit's state may change.

    Raises IllegalTransition with a hint naming the states that are allowed next.
    """
    if not can_transition(current, target):
        allowed = ", ".join(sorted(ALLOWED[current])) or "none (final state)"
        raise IllegalTransition(
            QT_TRANSLATE_NOOP("OperatorError", "Unit {unit_id} cannot go from {current} to {target}"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "From {current} the next state can be: {allowed}"),
            values={"unit_id": unit_id, "current": current, "target": target, "allowed": allowed},
        )
    log.info("unit %s: %s -> %s%s", unit_id, current, target, f" ({reason})" if reason else "")
    return target
