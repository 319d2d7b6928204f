"""settings.json: anything a person or a broken disk can put there is a clear refusal, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.errors import OperatorError
from app.settings import SETTINGS_FILE, ScannerSettings, Settings, load_settings, save_settings


def _write(folder: Path, content: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SETTINGS_FILE).write_text(content)


def test_no_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings()


def test_round_trip(tmp_path: Path) -> None:
    chosen = Settings(scanner=ScannerSettings(max_gap_ms=80, prefix="\x02"), station_name="intake-3")
    save_settings(tmp_path, chosen)
    assert load_settings(tmp_path) == chosen


@pytest.mark.parametrize(("content", "words"), [
    ("{not json", "not valid"),
    ("[" * 100_000 + "]" * 100_000, "not valid"),
    ("[1, 2]", "JSON object"),
    (json.dumps({"scanner": {"max_gap_ms": 3_000_000_000}}), "5 to 1000 ms"),
    (json.dumps({"scanner": {"max_gap_ms": -5}}), "5 to 1000 ms"),
    (json.dumps({"scanner": {"max_gap_ms": "fast"}}), "must be int"),
    (json.dumps({"scanner": {"max_gap_ms": True}}), "must be int"),
    (json.dumps({"scanner": {"suffixes": ""}}), "a scan must end with"),
    (json.dumps({"scanner": {"suffixes": "X"}}), "a scan must end with"),
    (json.dumps({"rules": {"lot_prefix": "OP-"}}), "must be set and differ"),
    (json.dumps({"rules": {"badge_prefix": ""}}), "must be set and differ"),
    (json.dumps({"station_name": "  "}), "needs a name"),
    (json.dumps({"scanner": 5}), "must be a table"),
    (json.dumps({"schema_version": 99}), "newer Refurb Bench"),
], ids=["broken-json", "absurd-nesting", "not-an-object", "gap-overflows-a-timer", "negative-gap",
        "gap-not-a-number", "gap-a-bool", "no-suffix", "suffix-not-a-key", "clashing-prefixes",
        "empty-prefix", "blank-name", "section-not-a-table", "newer-version"])
def test_bad_files_are_refused_with_the_reason(tmp_path: Path, content: str, words: str) -> None:
    _write(tmp_path, content)
    with pytest.raises(OperatorError, match=words) as refused:
        load_settings(tmp_path)
    assert refused.value.hint


def test_a_folder_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).mkdir()
    with pytest.raises(OperatorError, match="cannot be read"):
        load_settings(tmp_path)


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    _write(tmp_path, json.dumps({"future_option": 1, "station_name": "b2"}))
    assert load_settings(tmp_path).station_name == "b2"


def test_invalid_settings_are_not_saved(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="5 to 1000"):
        save_settings(tmp_path, Settings(scanner=ScannerSettings(max_gap_ms=0)))
    assert not (tmp_path / SETTINGS_FILE).exists()
