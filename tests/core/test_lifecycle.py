"""Tests for app.core.lifecycle: the allowed transitions of a unit and the one function that applies them."""

from __future__ import annotations

import logging
from itertools import pairwise

import pytest

from app.core.errors import IllegalTransition, OperatorError
from app.core.lifecycle import (
    ALLOWED,
    SIDE_STATES,
    TERMINAL_STATES,
    WORKING_STATES,
    UnitState,
    can_transition,
    transition,
)

S = UnitState

NORMAL_FLOW = (
    S.RECEIVED, S.IDENTIFIED, S.TESTING, S.TESTED, S.SANITISING, S.SANITISED,
    S.GRADED, S.ROUTED, S.LABELLED, S.PACKED, S.SHIPPED,
)
# Written out rather than derived from the module, so a state silently dropped from a set is caught.
EXPECTED_SIDE = {S.ON_HOLD, S.QUARANTINED, S.FAILED}
EXPECTED_WORKING = {S.RECEIVED, S.IDENTIFIED, S.TESTING, S.TESTED, S.SANITISING, S.SANITISED,
                    S.GRADED, S.ROUTED, S.LABELLED, S.PACKED}


@pytest.mark.parametrize("state", list(UnitState), ids=str)
def test_every_state_has_an_entry_in_allowed(state: UnitState) -> None:
    assert state in ALLOWED
    assert all(isinstance(target, UnitState) for target in ALLOWED[state])


def test_allowed_has_no_entries_beyond_the_states() -> None:
    assert set(ALLOWED) == set(UnitState)


def test_state_groups_partition_the_states() -> None:
    assert set(SIDE_STATES) == EXPECTED_SIDE
    assert set(TERMINAL_STATES) == {S.SHIPPED}
    assert set(WORKING_STATES) == EXPECTED_WORKING


def test_shipped_is_final() -> None:
    assert ALLOWED[S.SHIPPED] == frozenset()


@pytest.mark.parametrize("target", list(UnitState), ids=str)
def test_nothing_leaves_shipped(target: UnitState) -> None:
    assert not can_transition(S.SHIPPED, target)
    with pytest.raises(IllegalTransition) as caught:
        transition("U-SHIPPED", S.SHIPPED, target)
    assert "final" in caught.value.hint


@pytest.mark.parametrize(
    ("current", "side"),
    [pytest.param(w, s, id=f"{w}->{s}") for w in sorted(EXPECTED_WORKING) for s in sorted(EXPECTED_SIDE)],
)
def test_side_states_are_reachable_from_every_working_state(current: UnitState, side: UnitState) -> None:
    assert can_transition(current, side)
    assert transition("U-1", current, side) is side


@pytest.mark.parametrize(
    ("current", "target"),
    [pytest.param(a, b, id=f"{a}->{b}") for a, b in pairwise(NORMAL_FLOW)],
)
def test_normal_flow_is_allowed_step_by_step(current: UnitState, target: UnitState) -> None:
    assert can_transition(current, target)
    assert transition("U-1", current, target) is target


def test_whole_normal_flow_walks_from_received_to_shipped() -> None:
    state = S.RECEIVED
    for target in NORMAL_FLOW[1:]:
        state = transition("U-WALK", state, target)
    assert state is S.SHIPPED


@pytest.mark.parametrize(
    ("current", "target"),
    [
        pytest.param(S.RECEIVED, S.SHIPPED, id="received->shipped"),
        pytest.param(S.RECEIVED, S.PACKED, id="received->packed"),
        pytest.param(S.TESTING, S.GRADED, id="testing->graded-skips-tested"),
        pytest.param(S.SANITISING, S.GRADED, id="sanitising->graded-skips-sanitised"),
        pytest.param(S.GRADED, S.PACKED, id="graded->packed-skips-label"),
        pytest.param(S.PACKED, S.RECEIVED, id="packed->received-backwards"),
        pytest.param(S.QUARANTINED, S.SHIPPED, id="quarantined->shipped"),
        pytest.param(S.FAILED, S.SHIPPED, id="failed->shipped"),
        pytest.param(S.ON_HOLD, S.SHIPPED, id="on_hold->shipped"),
        pytest.param(S.RECEIVED, S.RECEIVED, id="received->received"),
    ],
)
def test_illegal_jumps_raise_with_a_hint_listing_the_allowed_states(current: UnitState, target: UnitState) -> None:
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition) as caught:
        transition("U-42", current, target)
    error = caught.value
    assert isinstance(error, OperatorError)
    assert "U-42" in error.message
    assert str(current) in error.message
    assert str(target) in error.message
    assert error.hint.startswith(f"From {current} the next state can be: ")
    listed = error.hint.split(": ", 1)[1].split(", ")
    assert set(listed) == {str(s) for s in ALLOWED[current]}
    assert str(target) not in listed


def test_received_to_shipped_hint_names_the_exact_next_states() -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition("U-1", S.RECEIVED, S.SHIPPED)
    assert caught.value.hint == (
        "From received the next state can be: failed, identified, on_hold, quarantined, testing"
    )


def test_shipped_hint_says_final_state() -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition("U-1", S.SHIPPED, S.RECEIVED)
    assert caught.value.hint == "From shipped the next state can be: none (final state)"


@pytest.mark.parametrize("side", sorted(EXPECTED_SIDE), ids=str)
def test_side_state_cannot_go_to_itself(side: UnitState) -> None:
    assert not can_transition(side, side)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        pytest.param(S.ON_HOLD, S.RECEIVED, id="on_hold->received"),
        pytest.param(S.ON_HOLD, S.QUARANTINED, id="on_hold->quarantined"),
        pytest.param(S.QUARANTINED, S.ON_HOLD, id="quarantined->on_hold"),
        pytest.param(S.QUARANTINED, S.FAILED, id="quarantined->failed"),
        pytest.param(S.FAILED, S.TESTING, id="failed->testing"),
    ],
)
def test_side_states_lead_back_into_the_flow(current: UnitState, target: UnitState) -> None:
    assert transition("U-1", current, target) is target


def test_transition_logs_at_info(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="app.lifecycle"):
        transition("U-LOG", S.RECEIVED, S.IDENTIFIED, reason="label read")
    records = [r for r in caplog.records if r.name == "app.lifecycle"]
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    assert records[0].getMessage() == "unit U-LOG: received -> identified (label read)"


def test_transition_without_reason_logs_no_brackets(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="app.lifecycle"):
        transition("U-LOG", S.TESTING, S.TESTED)
    assert [r.getMessage() for r in caplog.records if r.name == "app.lifecycle"] == ["unit U-LOG: testing -> tested"]


def test_refused_transition_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="app.lifecycle"), pytest.raises(IllegalTransition):
        transition("U-LOG", S.RECEIVED, S.SHIPPED)
    assert [r for r in caplog.records if r.name == "app.lifecycle"] == []
