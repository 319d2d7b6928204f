"""Grading and routing: from an inspection to a grade with reasons, and from a grade to a route.

Pure domain code (no Qt, no I/O but reading the TOML files it is given). Typical use::

    rulesets = load_rulesets(RESOURCES / "grading" / "rulesets")
    ruleset = latest(rulesets, "phones-ctia-r2")
    inputs = GradingInputs.from_dict(inspection)      # GradingInputError names a bad field
    missing_inputs(inputs, ruleset)                   # () once the grade can be given
    grade = evaluate(inputs, ruleset)                 # grade.cosmetic.reasons: "C: 3 deep scratches …"
    table = load_price_table(RESOURCES / "grading" / "prices" / "phones-eu-v1.toml")
    chosen = route(grade, ruleset, table)             # chosen.kind, chosen.chosen.repairs / .parts …

``grade.to_dict()`` and ``chosen.to_dict()`` are the bodies to record; :func:`reevaluate` recomputes
a recorded grade with the ruleset version (and file digest) it names.
"""

from __future__ import annotations

from app.core.grading.evaluate import (
    FunctionalGrade,
    GradeResult,
    IncompleteInputs,
    RecCategory,
    ScaleGrade,
    evaluate,
    missing_inputs,
    reevaluate,
)
from app.core.grading.inputs import (
    Battery,
    BatteryCondition,
    Chemistry,
    Cosmetic,
    Defect,
    DefectKind,
    Device,
    GradingInputError,
    GradingInputs,
    Locks,
    Outcome,
    Sanitisation,
    SanitisationStatus,
    Zone,
)
from app.core.grading.loader import RulesetError, latest, load_ruleset, load_rulesets
from app.core.grading.prices import ModelPrices, PriceTable, load_price_table
from app.core.grading.routing import HarvestPart, RepairTask, Route, RouteKind, RouteOption, resale_blockers, route
from app.core.grading.ruleset import Ruleset

__all__ = [
    "Battery", "BatteryCondition", "Chemistry", "Cosmetic", "Defect", "DefectKind", "Device", "FunctionalGrade",
    "GradeResult", "GradingInputError", "GradingInputs", "HarvestPart", "IncompleteInputs", "Locks", "ModelPrices",
    "Outcome", "PriceTable", "RecCategory", "RepairTask", "Route", "RouteKind", "RouteOption", "Ruleset",
    "RulesetError", "Sanitisation", "SanitisationStatus", "ScaleGrade", "Zone", "evaluate", "latest",
    "load_price_table", "load_ruleset", "load_rulesets", "missing_inputs", "reevaluate", "resale_blockers", "route",
]
