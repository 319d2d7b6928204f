"""Telling a keyboard-wedge scanner's burst of keys apart from a person typing.

A wedge scanner "types" its code far faster than a person (a few ms between keys against
~100 ms) and ends it with a suffix key (Enter or Tab). Keys are held back briefly: if they keep
coming fast and end in a suffix, they were a scan; if a pause longer than ``max_gap_ms`` comes
first, they are released to the focused widget as ordinary typing. A configured prefix (a
character the scanner is programmed to send first) marks a scan regardless of timing.

Plain Python with explicit timestamps, so the rule is tested without an event loop.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

SUFFIX_KEYS = frozenset("\r\n\t")


@dataclass(frozen=True)
class WedgeConfig:
    """Thresholds, configurable per station (scanners differ in inter-character delay)."""

    max_gap_ms: float = 40.0
    min_length: int = 4
    prefix: str = ""
    suffixes: frozenset[str] = frozenset("\r\n\t")
    # With a prefix the scan is known for sure; a slower scanner may still pause mid-code.
    prefix_gap_ms: float = 500.0


class Action(enum.Enum):
    """What the caller must do after feeding a key."""

    HOLD = "hold"          # keep the key back for now
    RELEASE = "release"    # deliver ``text`` to the focused widget as typed keys
    SCAN = "scan"          # ``text`` is a complete scan; swallow the suffix key
    PASS = "pass"          # deliver the key that was just fed (after any RELEASE)
    DROP = "drop"          # swallow the key that was just fed (the LF of a scanner's CR LF)


@dataclass(frozen=True)
class Decision:
    """One instruction for the caller; a feed may return several, in order."""

    action: Action
    text: str = ""


class BurstDetector:
    """Feeds keys with their arrival times (ms) and decides scan or typing."""

    def __init__(self, config: WedgeConfig | None = None) -> None:
        self.config = config or WedgeConfig()
        self._buffer: list[str] = []
        self._last_ms: float | None = None
        self._scanned_ms: float | None = None

    @property
    def holding(self) -> bool:
        """True while keys are held back waiting for the next one."""
        return bool(self._buffer)

    def _gap_limit(self) -> float:
        prefix = self.config.prefix
        held = "".join(self._buffer)
        # Part of the prefix, or a code behind it: the scanner has announced itself.
        if prefix and held and (held.startswith(prefix) or prefix.startswith(held)):
            return self.config.prefix_gap_ms
        return self.config.max_gap_ms

    def _flush(self) -> list[Decision]:
        text = "".join(self._buffer)
        self._buffer.clear()
        self._last_ms = None
        return [Decision(Action.RELEASE, text)] if text else []

    def feed(self, char: str, now_ms: float) -> list[Decision]:
        """One key with text. Returns what to do, in order."""
        stale = self._last_ms is not None and now_ms - self._last_ms > self._gap_limit()
        decisions = self._flush() if stale else []
        just_scanned = self._scanned_ms is not None and now_ms - self._scanned_ms <= self.config.max_gap_ms
        self._scanned_ms = None
        if char == "\n" and just_scanned and not self._buffer:
            return [Decision(Action.DROP)]  # scanners set to CR LF: the scan ended at CR
        if char in self.config.suffixes or char in SUFFIX_KEYS:
            return decisions + self._end(char, now_ms)
        self._buffer.append(char)
        self._last_ms = now_ms
        return [*decisions, Decision(Action.HOLD)]

    def _end(self, suffix: str, now_ms: float) -> list[Decision]:
        text = "".join(self._buffer)
        prefix = self.config.prefix
        code = ""
        if suffix in self.config.suffixes and text:
            if prefix and text.startswith(prefix):
                code = text[len(prefix):]
            elif not prefix and len(text) >= self.config.min_length:
                code = text
        if not code:
            return [*self._flush(), Decision(Action.PASS)]
        self._buffer.clear()
        self._last_ms = None
        self._scanned_ms = now_ms
        return [Decision(Action.SCAN, code)]

    def other_key(self) -> list[Decision]:
        """A key without text (arrows, F-keys, shortcuts): whatever is held was typing."""
        return [*self._flush(), Decision(Action.PASS)]

    def expire(self, now_ms: float) -> list[Decision]:
        """Called when the hold timer fires: release keys whose burst has gone quiet."""
        if self._last_ms is not None and now_ms - self._last_ms > self._gap_limit():
            return self._flush()
        return []

    def hold_ms(self) -> float:
        """How long to wait before calling ``expire``."""
        return self._gap_limit()
