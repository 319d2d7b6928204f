"""Phone test plans from the hub's reference data, the built-in plan where the hub publishes none.

A version of the reference data keeps a platform's plan as ``testplans/phone-<platform>.toml``
(``phone-android.toml``, ``phone-ios.toml``), as the packaged ``resources/`` does. A version that holds
no such file leaves that platform on the built-in plan. A version that holds one the bench cannot read
is an error, never a quiet fall back to the built-in plan: the hub named the plan this facility tests
phones with (a step added for a customer, a step the grading rules read), and testing against another
one would record results the hub's rules do not expect. The operator sees which file of which version
is broken, and phones of that platform wait for a corrected version; identification and holds go on.

Plans are read once per version and kept, so a run resumed later gets the very plan it started with.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from app.core.phones import PhonePlan, PhonePlanError, load_phone_plan, parse_phone_plan
from app.services import reference_data

log = logging.getLogger("app.phones")

PLATFORMS = ("android", "ios")
BUILT_IN_DIR = reference_data.PACKAGED / "testplans"
PLAN_FOLDER = Path("testplans")  # in a reference data version, as in resources/


def plan_file(platform: str) -> Path:
    """Where a version of the reference data (and resources/) keeps ``platform``'s plan."""
    return PLAN_FOLDER / f"phone-{platform}.toml"


def built_in_plan(platform: str) -> PhonePlan:
    """The plan packaged with the application (a broken one raises PhonePlanError naming it)."""
    return load_phone_plan(reference_data.PACKAGED / plan_file(platform))


@dataclass(frozen=True)
class VersionedPlan:
    """A plan and the reference data version it came from (``from_hub``: False for the built-in plan)."""

    plan: PhonePlan
    version: int
    from_hub: bool


def read_plan(snapshot: reference_data.Snapshot, platform: str) -> VersionedPlan:
    """``platform``'s plan in ``snapshot``: its own file when it holds one, else the built-in plan.
    Raises PhonePlanError when the file is there but broken, or the version is gone from the bench."""
    if snapshot.version == 0:
        return VersionedPlan(built_in_plan(platform), 0, False)
    if not snapshot.folder.is_dir():
        raise PhonePlanError(f"Reference data version {snapshot.version} is no longer on this bench",
                             hint="Test the phone again from the start (Ctrl+T): it takes the plan in use now")
    relative = plan_file(platform)
    path = snapshot.folder / relative
    if not path.is_file():
        return VersionedPlan(built_in_plan(platform), snapshot.version, False)
    try:
        text = path.read_text(encoding="utf-8")
        plan = parse_phone_plan(text, f"Reference data version {snapshot.version}, {relative.as_posix()}")
    except (OSError, UnicodeDecodeError) as exc:
        raise PhonePlanError(f"Reference data version {snapshot.version}, {relative.as_posix()}: cannot be read "
                             f"({exc})", hint=_BROKEN_HINT) from None
    except PhonePlanError as exc:
        raise PhonePlanError(exc.message, hint=_BROKEN_HINT) from None
    return VersionedPlan(plan, snapshot.version, True)


_BROKEN_HINT = ("The hub published a phone plan this bench cannot use, so these phones are not tested (the "
                "built-in plan is not used in its place): ask the hub's admin to publish a corrected plan")


class PhonePlans:
    """One platform's plans by reference data version, for one data folder (read once, kept)."""

    def __init__(self, data_dir: Path, platform: str) -> None:
        if platform not in PLATFORMS:
            raise ValueError(f"no phone platform {platform!r}")
        self.data = reference_data.for_folder(data_dir)
        self.platform = platform
        self._lock = threading.Lock()
        self._read: dict[int, VersionedPlan] = {}

    def current_version(self) -> int:
        return self.data.current_version()

    def of_version(self, version: int) -> VersionedPlan:
        """The plan of ``version`` (held while it is read, so it cannot be switched or pruned meanwhile)."""
        with self._lock:
            known = self._read.get(version)
        if known is not None:
            return known
        with self.data.snapshot(version) as snapshot:
            found = read_plan(snapshot, self.platform)
        with self._lock:
            self._read[version] = found
        log.info("%s phone plan of reference data version %d: %s v%d (%s)", self.platform, version,
                 found.plan.id, found.plan.version, "the hub's" if found.from_hub else "built in")
        return found
