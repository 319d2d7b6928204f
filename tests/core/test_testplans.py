"""The plan loader: shipped plans load; a broken file is refused with its path, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import NotFound
from app.core.testplans import Limits, StepKind, Verdict, judge_identifier, judge_measurement
from app.core.testplans_loader import PlanFileError, load_plan, load_plans, parse_plan, plan_for_class

PLAN_DIR = Path(__file__).parents[2] / "resources" / "testplans" / "rigs"

GOOD = """\
[plan]
id = "t"
name = "T"
version = 1
device_classes = ["thing"]

[rigs.load]
protocol = "scpi"

[[steps]]
kind = "set"
name = "on"
rig = "load"
command = "INP"
value = true

[[steps]]
kind = "measure"
name = "volts"
rig = "load"
query = "MEAS:VOLT?"
unit = "V"
min = 1.0
max = 2.0
"""


def test_shipped_plans_load_and_are_chosen_by_device_class() -> None:
    plans = load_plans(PLAN_DIR)
    assert {p.plan_id for p in plans} == {"laptop-charger-65w", "laptop-battery-discharge", "cellular-modem-at",
                                          "settop-box-post"}
    assert plan_for_class(plans, "lte-router").plan_id == "cellular-modem-at"
    assert plan_for_class(plans, "set-top-box").plan_id == "settop-box-post"
    with pytest.raises(NotFound, match="toaster"):
        plan_for_class(plans, "toaster")
    kinds = {s.kind for p in plans for s in p.steps}
    assert kinds == set(StepKind)


def test_a_good_plan_parses_with_line_numbers() -> None:
    plan = parse_plan(GOOD, "good.toml")
    assert [s.line for s in plan.steps] == [11, 18]
    assert plan.steps[0].value == "ON"
    assert plan.steps[1].limits == Limits(1.0, 2.0, "V")


def _error(text: str, tmp_path: Path) -> PlanFileError:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        load_plan(path)
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}:{caught.value.line}: ")
    return caught.value


@pytest.mark.parametrize(("old", "new", "line", "reason"), [
    ('min = 1.0', 'min = 1.0 max', 23, "not valid TOML"),
    ('unit = "V"', 'unit = "volts"', 22, "unit must be one of"),
    ('min = 1.0\nmax = 2.0', 'maximum = 2.0', 23, "unknown key 'maximum'"),
    ('min = 1.0\nmax = 2.0', '', 22, "needs a min or a max"),
    ('min = 1.0', 'min = 3.0', 23, "min 3 is above max 2"),
    ('rig = "load"\nquery', 'rig = "psu"\nquery', 20, "rig 'psu' is not declared"),
    ('query = "MEAS:VOLT?"', 'query = "MEAS:VOLT"', 21, "ends with '?'"),
    ('kind = "set"', 'kind = "switch"', 11, "unknown step kind 'switch'"),
    ('version = 1', 'version = "one"', 4, "version must be a whole number"),
    ('protocol = "scpi"', 'protocol = "gpib"', 8, "protocol must be one of"),
    ('command = "INP"\n', '', 11, "a set step needs 'command'"),
])
def test_a_broken_plan_is_refused_with_file_line_and_reason(tmp_path: Path, old: str, new: str, line: int,
                                                            reason: str) -> None:
    assert old in GOOD
    error = _error(GOOD.replace(old, new, 1), tmp_path)
    assert reason in error.reason
    assert error.line == line


def test_a_bad_regular_expression_is_named(tmp_path: Path) -> None:
    text = GOOD + '\n[rigs.modem]\nprotocol = "at"\n\n[[steps]]\nkind = "read_id"\nname = "imei"\nrig = "modem"\n' \
                  'field = "imei"\nsend = "AT+CGSN"\npattern = "(\\\\d{15}"\n'
    error = _error(text, tmp_path)
    assert "not a valid regular expression" in error.reason
    assert error.line == text.splitlines().index('pattern = "(\\\\d{15}"') + 1


def test_a_read_step_needs_a_group_and_prompts_single_keys(tmp_path: Path) -> None:
    text = GOOD + '\n[[steps]]\nkind = "prompt"\nname = "look"\nquestion = "ok?"\npass_key = "yes"\n'
    error = _error(text, tmp_path)
    assert error.reason == "'pass_key' must be a single key"
    assert error.line == len(text.splitlines())


def test_nothing_passes_outside_its_limits() -> None:
    step = parse_plan(GOOD).steps[1]
    assert judge_measurement(step, 1.5)[0] is Verdict.PASS
    assert judge_measurement(step, 2.0001)[0] is Verdict.FAIL
    assert judge_measurement(step, float("nan"))[0] is Verdict.FAIL
    assert judge_measurement(step, 9.9e37)[0] is Verdict.FAIL


def test_identifiers_are_checked() -> None:
    assert judge_identifier("imei", "490154203237518")[0] is Verdict.PASS
    assert judge_identifier("imei", "490154203237519")[0] is Verdict.FAIL
    assert judge_identifier("mac", "00:1a:2b:3c:4d:5e") == (Verdict.PASS, "MAC 00:1A:2B:3C:4D:5E")
    assert judge_identifier("mac", "FF:FF:FF:FF:FF:FF")[0] is Verdict.FAIL
    assert judge_identifier("firmware", " ")[0] is Verdict.FAIL


def test_grading_tests_are_read_and_checked(tmp_path: Path) -> None:
    with_tests = GOOD.replace('device_classes = ["thing"]', 'device_classes = ["thing"]\ngrading_tests = ["power"]')
    plan = parse_plan(with_tests)
    assert plan.grading_tests == ("power",)
    assert parse_plan(GOOD).grading_tests == ()
    error = _error(GOOD.replace('device_classes = ["thing"]', 'device_classes = ["thing"]\ngrading_tests = "power"'),
                   tmp_path)
    assert "grading_tests must be a list of test names" in error.reason
    assert error.line == 6
    error = _error(GOOD.replace('version = 1', 'version = 1\nverison = 2'), tmp_path)
    assert error.reason == "unknown key 'verison' in [plan]"
    assert error.line == 5


def test_every_shipped_plan_names_the_grading_tests_it_answers() -> None:
    assert {p.plan_id: p.grading_tests for p in load_plans(PLAN_DIR)} == {
        "laptop-charger-65w": ("power_output",), "laptop-battery-discharge": ("battery_discharge",),
        "cellular-modem-at": ("cellular",), "settop-box-post": ("power", "self_test")}
