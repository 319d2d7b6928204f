"""The rig bay map and the state of each bound rig.

A rig bay is a test position on the bench with one or more rigs, each in a role the plans name
(``load``, ``dmm``, ``psu``, ``modem``, ``console``). Each role is bound to a serial port by its
stable name (``/dev/serial/by-id/...`` or ``by-path``; a simulator's pty by its path), recorded as an
event so the map is part of the audit trail and syncs with everything else. ``check_binding`` opens
the port and asks the rig who it is (``*IDN?``, ATI/AT+CGMI, a console's line): it does I/O and
belongs on a worker thread or in the CLI, never on the GUI thread.
"""

from __future__ import annotations

import enum
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from app.core import events_rigs as rev
from app.core.errors import OperatorError
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.models import Operator
from app.store import rig_queries
from app.store.rig_queries import RigBinding
from app.store.store import Store
from drivers.rig.errors import RigDisconnected, RigError, RigNoise, RigTimeout
from drivers.rig.identity import RigIdentity, RigProtocol
from drivers.rig.ports import SerialPortInfo, list_serial_ports
from drivers.rig.session import identify_port

log = logging.getLogger("app.rig_bays")

_ROLE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_BAY = 999


class RigState(enum.StrEnum):
    """What a bound rig is doing, as its bay shows it."""

    UNCHECKED = "not checked yet"
    READY = "ready"
    ABSENT = "not plugged in"
    SILENT = "not answering"
    GARBLED = "garbled (baud rate?)"
    ERROR = "error"
    IN_USE = "testing"


@dataclass(frozen=True)
class RigStatus:
    """One bound rig as last seen (immutable: it is made on a worker thread)."""

    bay: int
    role: str
    port: str
    protocol: str
    state: RigState
    identity: RigIdentity | None = None
    message: str = ""

    @property
    def summary(self) -> str:
        if self.identity is not None:
            return self.identity.summary()
        return self.message or str(self.state)


def check_binding(binding: RigBinding, timeout: float = 1.0) -> RigStatus:
    """Open the bound port and identify the rig on it (I/O: off the GUI thread)."""
    status = RigStatus(binding.bay, binding.role, binding.port, binding.protocol, RigState.UNCHECKED)
    if not os.path.exists(binding.port) and "://" not in binding.port:
        return _with(status, RigState.ABSENT, f"{binding.port} is not there — plug the rig's cable in")
    try:
        identity = identify_port(binding.port, RigProtocol(binding.protocol), timeout=timeout)
    except RigNoise as exc:
        return _with(status, RigState.GARBLED, str(exc))
    except RigTimeout as exc:
        return _with(status, RigState.SILENT, str(exc))
    except RigDisconnected as exc:
        return _with(status, RigState.ABSENT, str(exc))
    except RigError as exc:
        return _with(status, RigState.ERROR, str(exc))
    return RigStatus(binding.bay, binding.role, binding.port, binding.protocol, RigState.READY, identity)


def _with(status: RigStatus, state: RigState, message: str) -> RigStatus:
    return RigStatus(status.bay, status.role, status.port, status.protocol, state, None, message)


def probe_port(port: str, protocol: str | None = None, timeout: float = 1.0) -> RigIdentity:
    """Who answers on ``port`` (I/O). Raises OperatorError saying what to check when nothing does."""
    try:
        return identify_port(port, RigProtocol(protocol) if protocol else None, timeout=timeout)
    except RigError as exc:
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "No rig identified on {port}: {reason}"),
            hint=(QT_TRANSLATE_NOOP("OperatorError", "check {check}") if exc.check
                  else QT_TRANSLATE_NOOP("OperatorError", "check the rig and its cable")),
            values={"port": port, "reason": exc.message, "check": exc.check},
        ) from exc


def available_ports(dev_root: Path = Path("/dev")) -> list[SerialPortInfo]:
    return list_serial_ports(dev_root)


class RigBayService:
    """Reads and changes the rig bay map (GUI thread or CLI: it writes the database)."""

    def __init__(self, store: Store, operator: Operator | None = None) -> None:
        self.store = store
        self.operator = operator

    def bindings(self, bay: int | None = None) -> list[RigBinding]:
        return rig_queries.bindings(self.store.db, bay)

    def bays(self) -> dict[int, dict[str, RigBinding]]:
        out: dict[int, dict[str, RigBinding]] = {}
        for binding in self.bindings():
            out.setdefault(binding.bay, {})[binding.role] = binding
        return out

    def ports_of(self, bay: int) -> dict[str, str]:
        """Role -> port for one bay; OperatorError for a bay with nothing bound."""
        ports = {b.role: b.port for b in self.bindings(bay)}
        if not ports:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Rig bay {bay} has no rigs bound"),
                hint=QT_TRANSLATE_NOOP(
                    "OperatorError", "bind its ports first: refurb-bench rigs bind {bay} PORT --role ROLE"),
                values={"bay": bay},
            )
        return ports

    def bind(self, bay: int, role: str, port: str, protocol: str, identity: RigIdentity | None = None) -> RigBinding:
        """Bind ``port`` as ``role`` of ``bay`` (moving it from wherever it was bound before)."""
        role = role.strip().lower()
        if not 1 <= bay <= MAX_BAY:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Rig bay {bay} is out of range"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "use a bay number from 1 to {last}"),
                values={"bay": bay, "last": MAX_BAY},
            )
        if not _ROLE.match(role):
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "'{role}' is not a rig role"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "use the role the plans name: load, dmm, psu, modem, console"),
                values={"role": role},
            )
        if protocol not in rev.PROTOCOLS:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "'{protocol}' is not a rig protocol"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "use scpi, at or line"),
                values={"protocol": protocol},
            )
        port = port.strip()
        if not port:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "No port given"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "give the rig's /dev/serial/by-id/... path"),
            )
        body = {"bay": bay, "role": role, "port": port, "protocol": protocol}
        if identity is not None:
            body["identity"] = identity.summary()
        self.store.record(rev.RIG_BOUND, body, operator_id=self.operator.operator_id if self.operator else None)
        log.info("rig bay %d: %s bound to %s (%s)", bay, role, port, protocol)
        return RigBinding(bay, role, port, protocol, str(body.get("identity", "")))

    def unbind(self, bay: int, role: str) -> None:
        if not any(b.role == role for b in self.bindings(bay)):
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Rig bay {bay} has no '{role}' rig"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "'rigs list' shows what is bound"),
                values={"bay": bay, "role": role},
            )
        self.store.record(rev.RIG_UNBOUND, {"bay": bay, "role": role},
                          operator_id=self.operator.operator_id if self.operator else None)
