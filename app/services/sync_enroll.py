"""Enrolling a bench with a hub, and renewing its access token.

The enrolment (hub address, bench id, token, the hub's public key) is kept in a small owner-only
file beside the database, not in it: a database restored from a backup keeps its hub.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app import __version__
from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.hub.client import HubClient, HubRefused, HubUnavailable
from app.hub.protocol import rotation_message
from app.store import sync_state
from app.store.db import connect
from app.store.keys import load_or_create_key
from app.store.migrations import migrate
from app.store.store import DB_FILE

log = logging.getLogger("app.sync")

ENROLLMENT_FILE = "sync.json"
# A bench asks for a new token once its token is this old (tokens leak with old backups and logs).
TOKEN_MAX_AGE = timedelta(days=30)


@dataclass(frozen=True)
class Enrollment:
    """What enrolment gave this bench; kept beside the database, not in it, so a restored
    database keeps its hub."""

    hub_url: str
    bench_id: str
    bench_name: str
    access_token: str
    server_pubkey: str
    token_issued_at: str = ""  # empty for an enrolment older than token rotation: renewed at the next sync


def load_enrollment(data_dir: Path) -> Enrollment | None:
    path = Path(data_dir) / ENROLLMENT_FILE
    if not path.exists():
        return None
    try:
        return Enrollment(**json.loads(path.read_text()))
    except (ValueError, TypeError) as exc:
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "The hub enrolment in {path} is damaged"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "Enroll the bench again with 'refurb-bench sync enroll'"),
            values={"path": path},
        ) from exc


def _save_enrollment(data_dir: Path, enrollment: Enrollment) -> None:
    # Written whole and owner-only: it holds the bench's access token.
    path = Path(data_dir) / ENROLLMENT_FILE
    tmp = path.with_name(f".{ENROLLMENT_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(enrollment), handle)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def enroll(data_dir: Path, hub_url: str, code: str, *, timeout: float = 30.0) -> Enrollment:
    """Enroll this bench with a one-time code from the hub's admin.

    Enrolling again is how a bench the hub no longer accepts (its token refused, or revoked and let
    back by the admin's new code) comes back: the hub re-binds the stream it knows to this bench's
    station key and says where it holds the stream up to, so the waiting events go up at the next sync.
    """
    try:
        client = HubClient(hub_url, timeout=timeout)
    except ValueError as exc:
        raise OperatorError(
            "{reason}",
            hint=QT_TRANSLATE_NOOP("OperatorError", "Give the hub's address, e.g. http://hub.local:8470"),
            values={"reason": exc},
        ) from exc
    db = connect(Path(data_dir) / DB_FILE)
    try:
        migrate(db, Path(data_dir) / DB_FILE)
        stream_id = sync_state.current_stream_id(db)
        pubkey = sync_state.station_public_key(db)
        if not stream_id or pubkey is None:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "This data folder has no station yet"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Start Refurb Bench once first"),
            )
        base_seq, base_hash = sync_state.stream_base(db, stream_id)
        try:
            answer = client.enroll({"enrollment_code": code, "device_pubkey": pubkey, "stream_id": stream_id,
                                    "base_seq": base_seq, "base_hash": base_hash, "app_version": __version__})
        except HubUnavailable as exc:
            raise OperatorError(
                "{reason}",
                hint=QT_TRANSLATE_NOOP("OperatorError", "Check the hub address and the network, then try again"),
                values={"reason": exc},
            ) from exc
        except HubRefused as exc:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "The hub refused the enrolment: {reason}"),
                hint="{hint}",
                values={"reason": exc.message, "hint": _refusal_hint(exc)},
            ) from exc
        enrollment = Enrollment(hub_url.rstrip("/"), str(answer["bench_id"]), str(answer["bench_name"]),
                                str(answer["access_token"]), str(answer["server_pubkey"]),
                                str(answer.get("server_time", "")))
        _save_enrollment(data_dir, enrollment)
        hwm, hwm_hash = base_seq, base_hash
        if answer.get("rebound") and isinstance(answer.get("hwm"), int) and isinstance(answer.get("hwm_hash"), str):
            # The hub already holds part of this stream: the cursor starts where it does, and the
            # "enroll again" error the refused token left is answered.
            hwm, hwm_hash = int(answer["hwm"]), str(answer["hwm_hash"])
            sync_state.clear_errors(db)
        sync_state.save_cursor(db, stream_id, hub_hwm=hwm, hub_hwm_hash=hwm_hash,
                               hub_status=str(answer.get("status") or "active"))
    finally:
        db.close()
    log.info("bench %s with hub %s as %r (%s)", "enrolled again" if answer.get("rebound") else "enrolled",
             enrollment.hub_url, enrollment.bench_name, enrollment.bench_id)
    return enrollment


def _refusal_hint(exc: HubRefused) -> str:
    if exc.code == "stream_exists":
        return ("Another bench holds this data folder's stream on the hub: show the hub's admin this message; "
                "a copied data folder must not be enrolled as a second bench")
    return "Ask the hub's admin for a new code ('refurb-bench hub enroll-code')"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def token_due(enrollment: Enrollment, now: datetime) -> bool:
    """Whether the bench should ask for a new token."""
    try:
        issued = datetime.fromisoformat(enrollment.token_issued_at.replace("Z", "+00:00"))
    except ValueError:
        return True
    return now - issued >= TOKEN_MAX_AGE


def rotate_token(data_dir: Path, *, timeout: float = 30.0, now: datetime | None = None) -> Enrollment:
    """Swap this bench's token for a new one, proving itself with the old token and the station key.

    Raises HubUnavailable or HubRefused; the old token keeps working on the hub until the new one is
    used, so a rotation whose answer is lost is simply asked for again.
    """
    enrollment = load_enrollment(data_dir)
    if enrollment is None:
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "This bench is not enrolled with a hub"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "Enroll it first: 'sync enroll'"),
        )
    ts = _iso(now or datetime.now(UTC))
    signature = load_or_create_key(Path(data_dir)).sign(rotation_message(enrollment.bench_id, ts)).hex()
    client = HubClient(enrollment.hub_url, enrollment.access_token, timeout=timeout)
    answer = client.rotate_token({"bench_id": enrollment.bench_id, "ts": ts, "signature": signature})
    renewed = replace(enrollment, access_token=str(answer["access_token"]), token_issued_at=str(answer["issued_at"]))
    _save_enrollment(Path(data_dir), renewed)
    log.info("bench %s has a new hub token", enrollment.bench_id)
    return renewed
