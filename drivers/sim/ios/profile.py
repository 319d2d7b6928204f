"""iPhone profiles for the simulator: recorded answers in ``profiles/``, one JSON file per profile.

A profile holds what a phone answers, under the names lockdownd and its services use:

* ``lockdown``: top-level ``GetValue`` values (``ProductType``, ``SerialNumber``, IMEIs, ``ActivationState``…);
  ``null`` removes a key the parent profile has;
* ``domains``: ``GetValue`` domains (``com.apple.disk_usage``, ``com.apple.mobile.battery``,
  ``com.apple.fmip``, ``com.apple.mobile.chaperone``);
* ``ioregistry``: diagnostics-relay IORegistry entries by class or name (``IOPMPowerSource`` as
  AppleSmartBattery reports it, ``AppleBCMWLANSkywalkInterface``);
* ``mobile_config``: MCInstall responses by request type (``GetCloudConfiguration``, ``GetProfileList``);
* ``apps``: installed bundle identifiers;
* ``pairing.mode``: ``trusted`` (already trusts this bench), ``ask`` (shows "Trust This Computer?"),
  ``locked`` (passcode first), ``deny`` (answers Don't Trust);
* ``erase``: ``drop_after_seconds`` off USB after accepting, back after ``seconds``, and
  ``pairing_after`` (``auto``: a phone at its setup screen pairs without asking; or any pairing mode);
* ``faults``: ``hang_on`` (requests that never answer: ``values:DOMAIN``, ``ioregistry:CLASS``,
  ``mobile_config:TYPE``, ``installed_apps``, ``erase``, ``pair``), ``unplug_after_requests``,
  ``unplug_during_erase`` (seen again only when replugged, erased), ``erase_not_committed`` (drops
  before the erase commits and comes back with its data), ``delay_ms`` (every answer that late),
  ``garble_on`` (requests answered with bytes that are not a property list).

Fault profiles extend a model (``"extends": "iphone13-paired"``) and override a few keys, deep-merged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.sim.adb.profile import deep_merge

PROFILE_DIR = Path(__file__).with_name("profiles")


class UnknownProfile(Exception):
    """No iPhone profile by that name."""


@dataclass(frozen=True)
class IPhoneProfile:
    name: str
    description: str
    data: Mapping[str, Any]


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.json"))


def load_profile(name: str) -> IPhoneProfile:
    description, data = _load(name, ())
    return IPhoneProfile(name, description, _drop_nulls(data))


def _load(name: str, chain: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    if name in chain:
        raise UnknownProfile(f"profile {name!r} extends itself through {' → '.join(chain)}")
    path = PROFILE_DIR / f"{name}.json"
    if not path.is_file():
        raise UnknownProfile(f"no iPhone profile {name!r}; known: {', '.join(profile_names())}")
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    description = str(raw.pop("description", ""))
    parent = raw.pop("extends", None)
    if parent is None:
        return description, raw
    _, base = _load(str(parent), (*chain, name))
    return description, deep_merge(base, raw)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    return value
