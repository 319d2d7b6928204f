"""Phone profiles for the ADB emulator: plain JSON data in ``profiles/``, one file per profile.

A profile describes what a phone answers, not how: its getprop table, battery service state,
batterystats capacities, trade-in-mode status, accounts, device owner, settings, sensors, cameras,
disk statistics, readable files and the IMEIs behind ``service call iphonesubinfo``. Fault profiles
extend a model (``"extends": "pixel8-a16"``) and override a few keys, deep-merged:

* ``faults.delay_ms``: every shell command answers this late (a slow phone or a busy USB hub);
* ``faults.hang_on``: command lines starting with one of these never answer (a wedged service);
* ``faults.drop_after_commands``: the connection drops for good after that many shell commands
  (a cable pulled mid-test);
* ``faults.reset_seconds``: how long a factory reset keeps the phone away before it re-enumerates;
* ``raw_outputs``: command line → exact output, to replay malformed or truncated answers;
* ``after_reset``: keys merged into the phone's state when it comes back from a reset, on top of what
  any reset does (accounts, device owner and user data gone, setup wizard pending).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROFILE_DIR = Path(__file__).with_name("profiles")


class UnknownProfile(Exception):
    """No profile file by that name."""


@dataclass(frozen=True)
class Profile:
    """A loaded, fully merged profile. ``data`` is a deep copy owned by this object; phones copy it
    again into their own mutable state."""

    name: str
    description: str
    data: Mapping[str, Any]


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.json"))


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``: nested objects merge, everything else (lists too) replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_profile(name: str) -> Profile:
    return Profile(name, *_load(name, ()))


def _load(name: str, chain: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    if name in chain:
        raise UnknownProfile(f"profile {name!r} extends itself through {' → '.join(chain)}")
    path = PROFILE_DIR / f"{name}.json"
    if not path.is_file():
        raise UnknownProfile(f"no ADB phone profile {name!r}; known: {', '.join(profile_names())}")
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    description = str(raw.pop("description", ""))
    parent = raw.pop("extends", None)
    if parent is None:
        return description, raw
    _, base = _load(str(parent), (*chain, name))
    return description, deep_merge(base, raw)
