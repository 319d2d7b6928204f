"""A ruleset or price table with a mistake is refused with its file, its line and the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core.grading import RulesetError, load_price_table, load_ruleset, load_rulesets
from tests.core.grading.support import PRICES, RULESETS

GOOD = RULESETS / "phones-ctia-r2-v1.toml"


def _edited(tmp_path: Path, old: str, new: str, *, source: Path = GOOD, nth: int = 1) -> tuple[Path, int]:
    """A copy of ``source`` with the nth occurrence of ``old`` replaced; returns it and the edited line."""
    text = source.read_text()
    at = -1
    for _ in range(nth):
        at = text.index(old, at + 1)
    path = tmp_path / source.name
    path.write_text(text[:at] + new + text[at + len(old):])
    return path, text.count("\n", 0, at) + 1


def test_installed_rulesets_and_prices_load() -> None:
    rulesets = load_rulesets(RULESETS)
    assert [r.key for r in rulesets] == ["phones-ctia-r2@1"]
    assert len(rulesets[0].digest) == 64
    table = load_price_table(PRICES / "phones-eu-v1.toml")
    assert table.model("iphone 13") is not None


def test_syntax_error_names_its_line(tmp_path: Path) -> None:
    path, line = _edited(tmp_path, 'title = "Back Market"', 'title = "Back Market')
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert (caught.value.file, caught.value.line) == (str(path), line)
    assert caught.value.reason.startswith("TOML syntax:")
    assert f"{path}:{line}: TOML syntax" in str(caught.value)


@pytest.mark.parametrize(("old", "new", "nth", "reason"), [
    # a misspelt key inside the fourth [[cosmetic.limit]]
    ('defect = "scratch_deep"\nA = 0\nB = 1', 'defect = "scratch_deep"\nA = 0\nBB = 1', 1,
     "cosmetic.limit[4].BB: no grade 'BB' in this scale (A, B, C, D)"),
    # a worse grade stricter than a better one
    ("A = 1\nB = 4\nC = 10", "A = 1\nB = 4\nC = 3", 1,
     "cosmetic.limit[2].C: limit 3 for C is stricter than B's 4; a worse grade must allow at least as much"),
    ('defect = "burn_in"', 'defect = "burnin"', 1,
     "cosmetic.limit[11].defect: unknown value 'burnin'; expected one of scratch_light, scratch_deep, scuff, dent, "
     "crack, chip, discolouration, burn_in, missing_part"),
    ('zones = ["screen"]', 'zones = ["screen", "keyboard"]', 1,
     "cosmetic.limit[0].zones[1]: unknown value 'keyboard'; expected one of screen, back, frame, camera_lens, ports"),
    ('functional = ["0"]\nbattery_min_pct = 80', 'functional = ["0"]\nbattery_min_pct = 180', 1,
     "channels.backmarket.require.battery_min_pct: must be at most 100, got 180"),
    ('failed_any = ["charging"]', 'failed_any = ["charge"]', 1,
     "functional.code[5].failed_any[0]: unknown value 'charge'; expected one of power, display, touch, speaker, "
     "microphone, camera_rear, camera_front, wifi, bluetooth, cellular, charging, buttons, sensors, biometrics, "
     "battery"),
    ('[channels.backmarket.require_by_grade.Premium]\nall_parts_genuine = true',
     '[channels.backmarket.require_by_grade.Premium]\nall_parts_genuin = true', 1,
     "channels.backmarket.require_by_grade.Premium.all_parts_genuin: unknown key (misspelt, or not allowed here)"),
])
def test_schema_error_names_the_line_of_the_offending_key(tmp_path: Path, old: str, new: str, nth: int,
                                                          reason: str) -> None:
    path, line = _edited(tmp_path, old, new, nth=nth)
    changed_line = line + next(i for i, (a, b) in enumerate(zip(old.split("\n"), new.split("\n"), strict=True))
                               if a != b)
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert caught.value.reason == reason
    assert caught.value.line == changed_line, (caught.value.line, changed_line)
    assert str(caught.value).startswith(f"{path}:{changed_line}: ")


def test_code_list_without_catch_all_is_refused(tmp_path: Path) -> None:
    path, _ = _edited(tmp_path, 'title = "Other key function failed"\n',
                         'title = "Other key function failed"\nfailed_any = ["cellular"]\n')
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert caught.value.reason == "functional.code: the last code must have no conditions, so every unit gets a code"
    assert caught.value.line == GOOD.read_text().splitlines().index("[[functional.code]]") + 1


def test_floor_grade_with_a_limit_is_refused(tmp_path: Path) -> None:
    path, _ = _edited(tmp_path, "A = 0\nB = 0\nC = 0\n\n# R2", "A = 0\nB = 0\nC = 0\nD = 1\n\n# R2")
    with pytest.raises(RulesetError, match="the worst grade 'D' must take every unit"):
        load_ruleset(path)


def test_two_files_with_one_version_are_refused(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "a.toml")
    shutil.copy(GOOD, tmp_path / "b.toml")
    with pytest.raises(RulesetError, match=r"phones-ctia-r2@1 is also defined in .*a\.toml"):
        load_rulesets(tmp_path)


def test_price_table_error_names_its_line(tmp_path: Path) -> None:
    source = PRICES / "phones-eu-v1.toml"
    path, line = _edited(tmp_path, "Fair = 205.00", "Fair = -205.00", source=source)
    with pytest.raises(RulesetError) as caught:
        load_price_table(path)
    assert caught.value.reason == "model[1].channel.backmarket.Fair: must be at least 0, got -205"
    assert caught.value.line == line


def test_missing_file_is_an_operator_error(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match="cannot be read"):
        load_ruleset(tmp_path / "nope.toml")
