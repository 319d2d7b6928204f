"""What grading reads of the rig tests: ``latest_functional_results(db, unit_id)``.

For each plan run on the unit, the latest run that finished (a run still going, or one the app died
under, has no verdict yet and is passed over), with every step's recorded value and limits, taken
from the events exactly as they were stored. ``.functional()`` gives the mapping a grading input's
``functional`` section takes.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from app.core.rigs_grading import FunctionalTestResults, PlanRunResult, StepValue
from app.store import rig_queries


def _step(body: dict[str, Any]) -> StepValue:
    return StepValue(body["index"], body["name"], body["kind"], body["verdict"], body["message"], body.get("value"),
                     body.get("unit", ""), body.get("low"), body.get("high"), body["cleanup"])


def latest_functional_results(db: sqlite_utils.Database, unit_id: str) -> FunctionalTestResults:
    """The unit's latest finished run of each plan, oldest plan first."""
    latest: dict[str, rig_queries.RigRun] = {}
    for run in rig_queries.unit_runs(db, unit_id):
        if run.verdict != rig_queries.RUNNING:
            latest[run.plan_id] = run  # runs come oldest first: the last one stays
    runs = tuple(
        PlanRunResult(run.run_id, run.plan_id, run.plan_version, run.verdict, run.summary, run.finished_at,
                      run.grading_tests, tuple(_step(b) for b in rig_queries.run_steps(db, unit_id, run.run_id)))
        for run in sorted(latest.values(), key=lambda r: r.started_at)
    )
    return FunctionalTestResults(unit_id, runs)
