"""Tests for drivers.sim.scanner: the simulated wedge scanner's keystrokes, its faults, and how
BurstDetector judges them."""

from __future__ import annotations

import pytest

from drivers.scanner.wedge import Action, BurstDetector, Decision, WedgeConfig
from drivers.sim.scanner import Keystroke, ScannerFaults, SimulatedScanner, typist_keystrokes

GS = "\x1d"
IMEI = "490154203237518"
GARBAGE = set("#@!?zq")

CODES = [
    pytest.param(IMEI, id="imei"),
    pytest.param("C02XK1ABJG5J", id="serial"),
    pytest.param("OP-0002", id="badge"),
    pytest.param("]C1" + "0109501101530003" + "21SN12345" + GS + "10LOT7", id="gs1-with-gs"),
]


def chars(keys: list[Keystroke]) -> str:
    return "".join(k.char for k in keys)


def detect(keys: list[Keystroke], config: WedgeConfig | None = None, start_ms: float = 1000.0) -> list[Decision]:
    """Feed keystrokes to a BurstDetector, turning each key's delay into an absolute timestamp."""
    detector = BurstDetector(config)
    decisions: list[Decision] = []
    now = start_ms
    for key in keys:
        now += key.delay_ms
        decisions += detector.feed(key.char, now)
    decisions += detector.expire(now + 10_000)
    return decisions


def scans(decisions: list[Decision]) -> list[str]:
    return [d.text for d in decisions if d.action is Action.SCAN]


# --- keystrokes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_keystrokes_reproduce_the_code_plus_suffix(code: str) -> None:
    keys = SimulatedScanner().keystrokes(code)
    assert chars(keys) == code + "\r"
    assert keys[0].delay_ms == 0.0


def test_default_timing_is_six_ms_with_two_ms_jitter() -> None:
    keys = SimulatedScanner().keystrokes(IMEI)
    body = keys[1:-1]
    assert all(4.0 <= k.delay_ms <= 8.0 for k in body), [k.delay_ms for k in body]
    assert len({k.delay_ms for k in body}) > 1, "jitter should vary the gaps"
    assert keys[-1] == Keystroke("\r", 6.0)


@pytest.mark.parametrize(
    ("inter_key_ms", "jitter_ms"),
    [pytest.param(20.0, 0.0, id="20ms-no-jitter"), pytest.param(12.0, 3.0, id="12ms-3ms-jitter")],
)
def test_configured_timing(inter_key_ms: float, jitter_ms: float) -> None:
    faults = ScannerFaults(inter_key_ms=inter_key_ms, jitter_ms=jitter_ms)
    keys = SimulatedScanner(faults).keystrokes("ABC12345")
    assert all(inter_key_ms - jitter_ms <= k.delay_ms <= inter_key_ms + jitter_ms for k in keys[1:])
    if jitter_ms == 0:
        assert [k.delay_ms for k in keys] == [0.0] + [inter_key_ms] * 8


def test_code_key_delay_never_drops_below_half_a_millisecond() -> None:
    keys = SimulatedScanner(ScannerFaults(inter_key_ms=0.0, jitter_ms=5.0)).keystrokes("ABCDEFGHIJKLMNOP")
    assert min(k.delay_ms for k in keys[1:-1]) == 0.5, "with jitter around 0 ms some gaps hit the floor"


@pytest.mark.parametrize(
    ("prefix", "suffix"),
    [
        pytest.param("~", "\r", id="prefix-tilde-suffix-cr"),
        pytest.param("", "\t", id="suffix-tab"),
        pytest.param("", "\r\n", id="suffix-crlf"),
        pytest.param("]]", "", id="two-char-prefix-no-suffix"),
    ],
)
def test_prefix_and_suffix_surround_the_code(prefix: str, suffix: str) -> None:
    keys = SimulatedScanner(ScannerFaults(prefix=prefix, suffix=suffix)).keystrokes("ABC12345")
    assert chars(keys) == prefix + "ABC12345" + suffix


def test_deterministic_for_a_seed() -> None:
    faults = ScannerFaults(drop_rate=0.2, garbage_rate=0.2, seed=42)
    first = [SimulatedScanner(faults).keystrokes(code) for code in (IMEI, "C02XK1ABJG5J")]
    second = [SimulatedScanner(faults).keystrokes(code) for code in (IMEI, "C02XK1ABJG5J")]
    assert first == second


def test_different_seeds_differ() -> None:
    a = SimulatedScanner(ScannerFaults(seed=1)).keystrokes(IMEI)
    b = SimulatedScanner(ScannerFaults(seed=2)).keystrokes(IMEI)
    assert chars(a) == chars(b)
    assert [k.delay_ms for k in a] != [k.delay_ms for k in b]


def test_drop_rate_one_drops_every_character() -> None:
    keys = SimulatedScanner(ScannerFaults(drop_rate=1.0, prefix="~")).keystrokes(IMEI)
    assert chars(keys) == "\r", "only the suffix is left"


def test_partial_drop_rate_loses_some_characters_and_keeps_the_order() -> None:
    keys = SimulatedScanner(ScannerFaults(drop_rate=0.5, seed=3)).keystrokes("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sent = chars(keys)[:-1]
    assert 0 < len(sent) < 26
    assert sent == "".join(sorted(sent)), "surviving characters stay in order"


def test_garbage_rate_one_replaces_every_character() -> None:
    keys = SimulatedScanner(ScannerFaults(garbage_rate=1.0)).keystrokes("ABCDEFGH")
    sent = chars(keys)
    assert len(sent) == 9
    assert set(sent[:-1]) <= GARBAGE
    assert sent[-1] == "\r", "the suffix is never garbled"


def test_partial_garbage_rate_changes_some_characters() -> None:
    code = "ABCDEFGHIJKLMNOPQRSTUVWXY"
    sent = chars(SimulatedScanner(ScannerFaults(garbage_rate=0.3, seed=5)).keystrokes(code))[:-1]
    assert len(sent) == len(code)
    changed = [(a, b) for a, b in zip(code, sent, strict=True) if a != b]
    assert 0 < len(changed) < len(code)
    assert all(b in GARBAGE for _a, b in changed)


@pytest.mark.parametrize("stall_after", [1, 5, 14], ids=["after-1", "after-5", "after-14"])
def test_stall_after_adds_stall_ms_before_that_key(stall_after: int) -> None:
    faults = ScannerFaults(inter_key_ms=6.0, jitter_ms=0.0, stall_after=stall_after, stall_ms=300.0)
    keys = SimulatedScanner(faults).keystrokes(IMEI)
    delays = [k.delay_ms for k in keys]
    expected = [0.0] + [6.0] * 15
    expected[stall_after] += 300.0
    assert delays == expected
    assert keys[stall_after].char == IMEI[stall_after]


def test_typist_keystrokes_are_140ms_apart() -> None:
    keys = typist_keystrokes("hello", end="\r")
    assert chars(keys) == "hello\r"
    assert [k.delay_ms for k in keys] == [0.0, 140.0, 140.0, 140.0, 140.0, 140.0]


def test_typist_speed_is_configurable() -> None:
    assert [k.delay_ms for k in typist_keystrokes("abc", per_key_ms=90.0)] == [0.0, 90.0, 90.0]


# --- through the burst detector -------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 7, 99], ids=["seed-1", "seed-7", "seed-99"])
@pytest.mark.parametrize("code", CODES)
def test_simulated_scan_is_exactly_one_scan_of_the_code(code: str, seed: int) -> None:
    decisions = detect(SimulatedScanner(ScannerFaults(seed=seed)).keystrokes(code))
    assert scans(decisions) == [code]
    assert all(d.action is not Action.RELEASE for d in decisions)


def test_simulated_scan_with_prefix_through_a_prefixed_detector() -> None:
    keys = SimulatedScanner(ScannerFaults(prefix="~", inter_key_ms=60.0, jitter_ms=10.0)).keystrokes(IMEI)
    assert scans(detect(keys, WedgeConfig(prefix="~"))) == [IMEI]


def test_simulated_scan_ending_in_tab() -> None:
    keys = SimulatedScanner(ScannerFaults(suffix="\t")).keystrokes(IMEI)
    assert scans(detect(keys)) == [IMEI]


def test_stall_longer_than_the_gap_breaks_the_scan() -> None:
    keys = SimulatedScanner(ScannerFaults(stall_after=5, stall_ms=200.0)).keystrokes(IMEI)
    decisions = detect(keys)
    assert IMEI not in scans(decisions)
    assert next(d.text for d in decisions if d.action is Action.RELEASE) == IMEI[:5]


@pytest.mark.parametrize(
    ("text", "end"),
    [
        pytest.param(IMEI, "\r", id="imei-then-enter"),
        pytest.param("hello world", "\r", id="words-then-enter"),
        pytest.param("ABC12345", "\t", id="serial-then-tab"),
        pytest.param("note", "", id="no-enter"),
    ],
)
def test_typist_keystrokes_are_never_a_scan(text: str, end: str) -> None:
    decisions = detect(typist_keystrokes(text, end=end))
    assert scans(decisions) == []
    assert "".join(d.text for d in decisions if d.action is Action.RELEASE) == text
