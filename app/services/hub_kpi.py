"""The hub's all-benches dashboard figures, fetched by a bench with its enrolment.

``fetch_hub_snapshot(data_dir, choice)`` asks the hub the bench is enrolled with for the figures of
every bench (``GET /v1/kpi``) and reads the answer back into a DashboardSnapshot. It blocks on the
network: the dashboard calls it on a job's thread. What can go wrong comes back as
:class:`HubKpiUnavailable` with words for the supervisor, never a traceback: the bench is not enrolled,
the hub cannot be reached, refused the bench, or answered something this bench cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.kpi_snapshot import DashboardSnapshot, Period
from app.core.kpi_wire import KpiWireError, snapshot_from_wire
from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.services.sync_enroll import load_enrollment


class HubKpiUnavailable(OperatorError):
    """The hub's figures could not be had: ``message`` says why in a supervisor's words (short: it heads the
    dashboard), ``hint`` what to do, ``detail`` what exactly failed (for a tooltip or a log)."""

    def __init__(self, message: str, hint: str, detail: str = "",
                 values: Mapping[str, object] | None = None) -> None:
        super().__init__(message, hint, values)
        self.detail = detail


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
        raise HubKpiUnavailable(
            QT_TRANSLATE_NOOP("OperatorError", "This bench is not enrolled with a hub"),
            QT_TRANSLATE_NOOP("OperatorError",
                              "Enroll it in Settings → Sync to see every bench's figures, or choose This bench"))
    client = HubClient(enrollment.hub_url, enrollment.access_token, timeout=timeout)
    try:
        answer = client.request("GET", "/kpi?" + kpi_query(period, lot=lot, customer=customer, station=station))
    except HubUnavailable as exc:
        raise HubKpiUnavailable(QT_TRANSLATE_NOOP("OperatorError", "The hub cannot be reached"),
                                QT_TRANSLATE_NOOP("OperatorError", "The dashboard asks it again while it is shown"),
                                str(exc)) from exc
    except HubRefused as exc:
        raise HubKpiUnavailable(QT_TRANSLATE_NOOP("OperatorError", "The hub refused: {reason}"),
                                QT_TRANSLATE_NOOP("OperatorError", "Check the bench's enrolment in Settings → Sync"),
                                str(exc), values={"reason": exc.message}) from exc
    try:
        return snapshot_from_wire(answer)
    except KpiWireError as exc:
        raise HubKpiUnavailable(
            QT_TRANSLATE_NOOP("OperatorError", "The hub's figures could not be read"),
            QT_TRANSLATE_NOOP("OperatorError", "Update this bench or the hub so both run the same version"),
            str(exc)) from exc
