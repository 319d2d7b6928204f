"""Tests for drivers.scanner.wedge.BurstDetector: scanner burst or human typing, decided from key timestamps."""

from __future__ import annotations

import pytest

from drivers.scanner.wedge import Action, BurstDetector, Decision, WedgeConfig

GS = "\x1d"
CODE15 = "490154203237518"
HOLD = Decision(Action.HOLD)
PASS = Decision(Action.PASS)


def scan(text: str) -> Decision:
    return Decision(Action.SCAN, text)


def release(text: str) -> Decision:
    return Decision(Action.RELEASE, text)


def feed(detector: BurstDetector, keys: str, gap_ms: float, start_ms: float = 0.0) -> tuple[list[Decision], float]:
    """Feed ``keys`` one every ``gap_ms``; return every decision and the time of the last key."""
    decisions: list[Decision] = []
    now = start_ms
    for index, char in enumerate(keys):
        if index:
            now += gap_ms
        decisions += detector.feed(char, now)
    return decisions, now


def significant(decisions: list[Decision]) -> list[Decision]:
    """Everything but HOLD: what the caller actually delivers."""
    return [d for d in decisions if d.action is not Action.HOLD]


def released_text(decisions: list[Decision]) -> str:
    return "".join(d.text for d in decisions if d.action is Action.RELEASE)


# --- scans and typing -------------------------------------------------------------------------------


def test_fast_burst_ending_in_enter_is_one_scan() -> None:
    detector = BurstDetector()
    decisions, _ = feed(detector, CODE15 + "\r", gap_ms=5)
    assert decisions == [HOLD] * 15 + [scan(CODE15)]
    assert not detector.holding


def test_slow_typing_of_the_same_text_is_released_and_enter_passes() -> None:
    detector = BurstDetector()
    decisions, _ = feed(detector, CODE15 + "\r", gap_ms=150)
    out = significant(decisions)
    assert all(d.action is not Action.SCAN for d in decisions)
    assert released_text(out) == CODE15
    assert out[-1] == PASS
    assert [d.action for d in out[:-1]] == [Action.RELEASE] * 15
    assert not detector.holding


@pytest.mark.parametrize(
    ("gap_ms", "is_scan"),
    [
        pytest.param(1, True, id="1ms"),
        pytest.param(39, True, id="39ms"),
        pytest.param(40, True, id="40ms-at-the-limit"),
        pytest.param(41, False, id="41ms-over-the-limit"),
        pytest.param(100, False, id="100ms"),
    ],
)
def test_gap_threshold(gap_ms: float, is_scan: bool) -> None:
    decisions, _ = feed(BurstDetector(), "ABC12345\r", gap_ms=gap_ms)
    assert (scan("ABC12345") in decisions) is is_scan


@pytest.mark.parametrize(
    ("keys", "config", "expected"),
    [
        pytest.param("ABC\r", WedgeConfig(), [release("ABC"), PASS], id="3-keys-under-min-4"),
        pytest.param("ABCD\r", WedgeConfig(), [scan("ABCD")], id="4-keys-at-min-4"),
        pytest.param("1234567\r", WedgeConfig(min_length=8), [release("1234567"), PASS], id="7-keys-under-min-8"),
        pytest.param("12345678\r", WedgeConfig(min_length=8), [scan("12345678")], id="8-keys-at-min-8"),
    ],
)
def test_burst_shorter_than_min_length_is_not_a_scan(keys: str, config: WedgeConfig, expected: list[Decision]) -> None:
    decisions, _ = feed(BurstDetector(config), keys, gap_ms=5)
    assert significant(decisions) == expected


def test_enter_alone_passes() -> None:
    assert BurstDetector().feed("\r", 0.0) == [PASS]


def test_pause_mid_burst_releases_the_first_part_as_typing() -> None:
    detector = BurstDetector()
    first, t = feed(detector, "ABCDEFG", gap_ms=5)
    second, _ = feed(detector, "HIJKLMN\r", gap_ms=5, start_ms=t + 200)
    assert significant(first) == []
    assert significant(second) == [release("ABCDEFG"), scan("HIJKLMN")]


def test_pause_mid_burst_with_a_short_tail_is_all_typing() -> None:
    detector = BurstDetector()
    _, t = feed(detector, "ABCDEFG", gap_ms=5)
    tail, _ = feed(detector, "HI\r", gap_ms=5, start_ms=t + 200)
    assert significant(tail) == [release("ABCDEFG"), release("HI"), PASS]


def test_two_scans_back_to_back() -> None:
    detector = BurstDetector()
    first, t = feed(detector, "AAAA1111\r", gap_ms=5)
    second, _ = feed(detector, "BBBB2222\r", gap_ms=5, start_ms=t + 5)
    assert significant(first) == [scan("AAAA1111")]
    assert significant(second) == [scan("BBBB2222")]


# --- the hold timer and other keys --------------------------------------------------------------------


def test_expire_releases_held_keys_after_the_gap_and_not_before() -> None:
    detector = BurstDetector()
    _, last = feed(detector, "abc", gap_ms=5)
    assert detector.hold_ms() == 40
    assert detector.expire(last + 10) == []
    assert detector.expire(last + 40) == []  # a gap of exactly max_gap_ms still belongs to the burst, as in feed()
    assert detector.holding
    assert detector.expire(last + 40.5) == [release("abc")]
    assert not detector.holding
    assert detector.expire(last + 1000) == []


def test_expire_with_nothing_held_does_nothing() -> None:
    detector = BurstDetector()
    assert detector.expire(0.0) == []
    assert detector.expire(1e9) == []


def test_keys_after_expire_start_a_new_burst() -> None:
    detector = BurstDetector()
    _, last = feed(detector, "ab", gap_ms=5)
    assert detector.expire(last + 50) == [release("ab")]
    decisions, _ = feed(detector, "ZZ99887766\r", gap_ms=5, start_ms=last + 60)
    assert significant(decisions) == [scan("ZZ99887766")]


@pytest.mark.parametrize(
    ("held", "expected"),
    [pytest.param("", [PASS], id="nothing-held"), pytest.param("abc", [release("abc"), PASS], id="keys-held")],
)
def test_other_key_flushes(held: str, expected: list[Decision]) -> None:
    detector = BurstDetector()
    feed(detector, held, gap_ms=5)
    assert detector.other_key() == expected
    assert not detector.holding
    # The burst is over: Enter straight after is not the end of a scan.
    assert detector.feed("\r", 20.0) == [PASS]


# --- suffixes ----------------------------------------------------------------------------------------


def test_tab_is_a_suffix() -> None:
    decisions, _ = feed(BurstDetector(), "ABC12345\t", gap_ms=5)
    assert decisions[-1] == scan("ABC12345")


def test_tab_passes_when_only_enter_is_configured() -> None:
    decisions, _ = feed(BurstDetector(WedgeConfig(suffixes=frozenset("\r"))), "ABC12345\t", gap_ms=5)
    assert significant(decisions) == [release("ABC12345"), PASS]


def test_line_feed_scans_when_configured() -> None:
    decisions, _ = feed(BurstDetector(WedgeConfig(suffixes=frozenset("\n"))), "ABC12345\n", gap_ms=5)
    assert significant(decisions) == [scan("ABC12345")]


def test_gs_is_kept_inside_a_scan() -> None:
    code = "]C1" + "0109501101530003" + "21SN12345" + GS + "10LOT7"
    decisions, _ = feed(BurstDetector(), code + "\r", gap_ms=4)
    assert significant(decisions) == [scan(code)]
    assert GS in significant(decisions)[0].text


# --- prefix ------------------------------------------------------------------------------------------

PREFIXED = WedgeConfig(prefix="~")


def test_prefixed_burst_is_a_scan_with_the_prefix_stripped() -> None:
    decisions, _ = feed(BurstDetector(PREFIXED), "~ABC12345\r", gap_ms=5)
    assert significant(decisions) == [scan("ABC12345")]


def test_with_a_prefix_an_unprefixed_fast_burst_is_typing() -> None:
    decisions, _ = feed(BurstDetector(PREFIXED), "ABC12345\r", gap_ms=5)
    assert significant(decisions) == [release("ABC12345"), PASS]


def test_prefix_marks_a_scan_shorter_than_min_length() -> None:
    decisions, _ = feed(BurstDetector(PREFIXED), "~AB\r", gap_ms=5)
    assert significant(decisions) == [scan("AB")]


@pytest.mark.parametrize(
    ("gap_ms", "is_scan"),
    [
        pytest.param(100, True, id="100ms-under-prefix-gap"),
        pytest.param(500, True, id="500ms-at-prefix-gap"),
        pytest.param(600, False, id="600ms-over-prefix-gap"),
    ],
)
def test_slow_prefixed_scan(gap_ms: float, is_scan: bool) -> None:
    detector = BurstDetector(PREFIXED)
    decisions, _ = feed(detector, "~ABC12345\r", gap_ms=gap_ms)
    assert (significant(decisions) == [scan("ABC12345")]) is is_scan
    if not is_scan:
        assert all(d.action is not Action.SCAN for d in decisions)


def test_hold_time_is_the_prefix_gap_while_a_prefixed_burst_is_held() -> None:
    detector = BurstDetector(PREFIXED)
    assert detector.hold_ms() == 40
    _, last = feed(detector, "~AB", gap_ms=100)
    assert detector.hold_ms() == 500
    assert detector.expire(last + 400) == []
    assert detector.expire(last + 500) == []
    assert detector.expire(last + 501) == [release("~AB")]
    assert detector.hold_ms() == 40


def test_slow_typing_that_does_not_start_with_the_prefix_is_released_key_by_key() -> None:
    decisions, _ = feed(BurstDetector(PREFIXED), "hello", gap_ms=100)
    assert [d.text for d in decisions if d.action is Action.RELEASE] == ["h", "e", "l", "l"]


def test_slow_scan_with_a_two_character_prefix() -> None:
    decisions, _ = feed(BurstDetector(WedgeConfig(prefix="]]")), "]]ABC12345\r", gap_ms=100)
    assert significant(decisions) == [scan("ABC12345")]


def test_crlf_scanner_the_lf_after_a_scan_is_swallowed() -> None:
    detector = BurstDetector()
    decisions, last = feed(detector, "ABC12345\r", gap_ms=5)
    assert [d for d in decisions if d.action is Action.SCAN] == [Decision(Action.SCAN, "ABC12345")]
    assert detector.feed("\n", last + 5) == [Decision(Action.DROP)]
    # a later Enter on its own is the person's, and passes
    assert detector.feed("\n", last + 500) == [Decision(Action.PASS)]


def test_lf_only_scanner_ends_a_scan_with_lf() -> None:
    decisions, _ = feed(BurstDetector(), "ABC12345\n", gap_ms=5)
    assert [d for d in decisions if d.action is Action.SCAN] == [Decision(Action.SCAN, "ABC12345")]


def test_prefix_alone_is_not_a_scan() -> None:
    decisions, _ = feed(BurstDetector(PREFIXED), "~\r", gap_ms=5)
    assert not [d for d in decisions if d.action is Action.SCAN]
    assert decisions[-1] == Decision(Action.PASS)
