"""A simulated keyboard-wedge barcode scanner, with fault knobs.

It turns a code into the keystrokes a real scanner would type, with its timing: the app side
replays them as key events, so the same burst detection runs as with a USB scanner.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Keystroke:
    """One key: its text and how long after the previous key it arrives."""

    char: str
    delay_ms: float


@dataclass(frozen=True)
class ScannerFaults:
    """How the simulated scanner misbehaves.

    inter_key_ms/jitter_ms: timing of the burst; drop_rate: chance a character is lost (a cheap
    scanner on a busy USB hub); garbage_rate: chance a character is replaced by a wrong one (a
    wrong keyboard layout or a misread); stall_after/stall_ms: a pause mid-code, as when the host
    stutters; suffix/prefix: what the scanner is programmed to send around each code.
    """

    inter_key_ms: float = 6.0
    jitter_ms: float = 2.0
    drop_rate: float = 0.0
    garbage_rate: float = 0.0
    stall_after: int | None = None
    stall_ms: float = 0.0
    prefix: str = ""
    suffix: str = "\r"
    seed: int = 7


class SimulatedScanner:
    """Produces keystroke sequences for codes, deterministically for a given seed."""

    def __init__(self, faults: ScannerFaults | None = None) -> None:
        self.faults = faults or ScannerFaults()
        self._random = random.Random(self.faults.seed)

    def keystrokes(self, code: str) -> list[Keystroke]:
        f = self.faults
        keys: list[Keystroke] = []
        for index, char in enumerate(f.prefix + code):
            if self._random.random() < f.drop_rate:
                continue
            if self._random.random() < f.garbage_rate:
                char = self._random.choice("#@!?zq")
            delay = max(0.5, f.inter_key_ms + self._random.uniform(-f.jitter_ms, f.jitter_ms))
            if f.stall_after is not None and index == f.stall_after:
                delay += f.stall_ms
            keys.append(Keystroke(char, 0.0 if index == 0 else delay))
        for char in f.suffix:
            keys.append(Keystroke(char, f.inter_key_ms))
        return keys


def typist_keystrokes(text: str, per_key_ms: float = 140.0, end: str = "") -> list[Keystroke]:
    """What a person typing ``text`` looks like: one key every ~140 ms."""
    keys = [Keystroke(c, 0.0 if i == 0 else per_key_ms) for i, c in enumerate(text)]
    keys += [Keystroke(c, per_key_ms) for c in end]
    return keys
