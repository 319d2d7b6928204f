"""A unit's device class for the sustainability figures, read from what the bench recorded about it.

The rules live in ``resources/carbon/device-classes.toml``: a rig's device class, a drive
certificate's media type, an iPhone/iPad product type, or a model-name prefix. The class is never
guessed: a unit no rule matches, or one whose rules disagree (a "MacBook" erased as a loose SSD), has
no class, and the answer says why so the report can count it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.carbon_factors import CARBON_DIR, DeviceClass, FactorTableError

MAPPING_FILE = CARBON_DIR / "device-classes.toml"
_SECTIONS = ("rig_class", "erasure_media", "ios_product_type", "model_prefix")


@dataclass(frozen=True)
class ClassEvidence:
    """What a unit's events say about what it is; empty where the bench recorded nothing."""

    model: str = ""                  # unit.created / units.model
    rig_device_class: str = ""       # rig.test_started body device_class
    erasure_media: str = ""          # erasure device media_type (magnetic / flash / virtual ...)
    ios_product_type: str = ""       # phone.identified identity.product_type (iPhone14,5)


@dataclass(frozen=True)
class Classification:
    """The class found (``None``: unknown) and the rule or the reason, in words for the audit trail."""

    device_class: DeviceClass | None
    basis: str


@dataclass(frozen=True)
class ClassMapping:
    version: int
    rig_class: Mapping[str, DeviceClass]
    erasure_media: Mapping[str, DeviceClass]
    ios_product_type: Mapping[str, DeviceClass]
    model_prefix: Mapping[str, DeviceClass]

    def classify(self, evidence: ClassEvidence) -> Classification:
        found: list[tuple[DeviceClass, str]] = []
        rig = self.rig_class.get(evidence.rig_device_class)
        if rig is not None:
            found.append((rig, f"rig device class {evidence.rig_device_class!r}"))
        media = self.erasure_media.get(evidence.erasure_media)
        if media is not None:
            found.append((media, f"erased as {evidence.erasure_media} media"))
        ios = _by_prefix(self.ios_product_type, evidence.ios_product_type)
        if ios is not None:
            found.append((ios[1], f"iOS product type {evidence.ios_product_type!r}"))
        model = _by_prefix(self.model_prefix, evidence.model)
        if model is not None:
            found.append((model[1], f"model {evidence.model!r} starts with {model[0]!r}"))
        classes = {c for c, _ in found}
        if len(classes) > 1:
            return Classification(None, "conflicting evidence: " + "; ".join(f"{why} -> {c.value}" for c, why in found))
        if not found:
            recorded = (("model", evidence.model), ("rig device class", evidence.rig_device_class),
                        ("erasure media", evidence.erasure_media), ("iOS product type", evidence.ios_product_type))
            seen = [f"{k} {v!r}" for k, v in recorded if v]
            return Classification(None, "no class rule matches " + (", ".join(seen) if seen else "(nothing recorded)"))
        return Classification(found[0][0], "; ".join(why for _, why in found))


def _by_prefix(rules: Mapping[str, DeviceClass], value: str) -> tuple[str, DeviceClass] | None:
    matches = [prefix for prefix in rules if value.startswith(prefix)]
    if not value or not matches:
        return None
    longest = max(matches, key=len)
    return longest, rules[longest]


def parse_class_mapping(text: str, name: str) -> ClassMapping:
    def fail(key: str, problem: str) -> FactorTableError:
        return FactorTableError(f"Device class mapping {name}: {key}: {problem}",
                                hint="Correct the file (or restore the packaged copy) and start again")

    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise fail("(file)", f"not valid TOML: {exc}") from exc
    head = data.get("mapping")
    version = head.get("version") if isinstance(head, dict) else None
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail("mapping.version", "must be a whole number of 1 or more")
    sections: dict[str, dict[str, DeviceClass]] = {}
    for section in _SECTIONS:
        raw = data.get(section, {})
        if not isinstance(raw, dict):
            raise fail(section, "must be a table")
        rules: dict[str, DeviceClass] = {}
        for key, value in raw.items():
            try:
                rules[key] = DeviceClass(value)
            except ValueError:
                raise fail(f"{section}.{key}", f"{value!r} is not a device class "
                           f"({', '.join(c.value for c in DeviceClass)})") from None
        sections[section] = rules
    return ClassMapping(version, sections["rig_class"], sections["erasure_media"], sections["ios_product_type"],
                        sections["model_prefix"])


def load_class_mapping(path: Path = MAPPING_FILE) -> ClassMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FactorTableError(f"Device class mapping {path} cannot be read: {exc.strerror}",
                               hint="Reinstall the application's resources") from exc
    return parse_class_mapping(text, path.name)
