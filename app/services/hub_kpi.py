"""The hub's all-benches dashboard figures, fetched by a bench with its enrolment.

``fetch_hub_snapshot(data_dir, choice)`` asks the hub the bench is enrolled with for the figures of
every bench (``GET /v1/kpi``) and reads the answer back into a DashboardSnapshot. It blocks on the
network: the dashboard calls it on a job's thread. What can go wrong comes back as
:class:`HubKpiUnavailable` with words for the supervisor, never a traceback: the bench is not enrolled,
the hub cannot be reached, refused the bench, or answered something this bench cannot read.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from app.core.kpi_snapshot import DashboardSnapshot, Period
from app.core.kpi_wire import KpiWireError, snapshot_from_wire
from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.services.sync_enroll import load_enrollment


class HubKpiUnavailable(Exception):
    """The hub's figures could not be had; ``str()`` says why in a supervisor's words, ``hint`` what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def kpi_query(period: Period, *, lot: str | None = None, customer: str | None = None,
              station: str | None = None) -> str:
    """The query string of ``GET /v1/kpi`` for one choice."""
    params = {"period": period.value}
    if period is Period.LOT and lot:
        params["lot"] = lot
    if period is Period.CUSTOMER and customer:
        params["customer"] = customer
    if station:
        params["station"] = station
    return urlencode(params)


def fetch_hub_snapshot(data_dir: Path, period: Period, *, lot: str | None = None, customer: str | None = None,
                       station: str | None = None, timeout: float = 15.0) -> DashboardSnapshot:
    """Every bench's figures for the choice, as the hub computes them now (its clock sets Today and Week)."""
    enrollment = load_enrollment(data_dir)
    if enrollment is None:
        raise HubKpiUnavailable("This bench is not enrolled with a hub, so it cannot show every bench's figures",
                                "Enroll it in Settings → Sync, or choose This bench")
    client = HubClient(enrollment.hub_url, enrollment.access_token, timeout=timeout)
    try:
        answer = client.request("GET", "/kpi?" + kpi_query(period, lot=lot, customer=customer, station=station))
    except HubUnavailable as exc:
        raise HubKpiUnavailable(f"The hub cannot be reached: {exc}",
                                "The figures shown are the last ones received; they update when it answers") from exc
    except HubRefused as exc:
        raise HubKpiUnavailable(f"The hub refused the request: {exc.message}",
                                "Check the bench's enrolment in Settings → Sync") from exc
    try:
        return snapshot_from_wire(answer)
    except KpiWireError as exc:
        raise HubKpiUnavailable(f"The hub's figures could not be read: {exc}",
                                "Update this bench or the hub so both run the same version") from exc
