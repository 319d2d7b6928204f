"""The KPI engine: a pure fold of event records into per-unit facts, and the figures of a scope.

``KpiFold`` (facts.py) reads events one by one and keeps, per unit, only what the dashboard needs;
``compute_snapshot`` (figures.py) turns those facts into a :class:`DashboardSnapshot` for one scope.
Neither knows where the events come from: the bench folds its own log, the hub every bench's, and
the same events give the same figures.
"""

from app.core.kpi.facts import EventRecord, KpiFold, StageEntry, UnitFacts
from app.core.kpi.figures import compute_snapshot, period_bounds

__all__ = ["EventRecord", "KpiFold", "StageEntry", "UnitFacts", "compute_snapshot", "period_bounds"]
