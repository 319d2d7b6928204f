"""Scanning units in: operators, units, lots and manifests, over the store.

Plain Python (no Qt), so the GUI, the CLI and the tests drive exactly the same rules. Every
method that changes anything records events; none writes half of what it means to.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.core import events as ev
from app.core.errors import InvalidScan, NotFound, OperatorError, PermissionDenied
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.identifiers import IdentifierKind, Scan, ScanRules, classify
from app.core.lifecycle import UnitState, transition
from app.core.manifest import ManifestError, decode, parse_manifest
from app.core.models import Identifier, Lot, LotProgress, ManifestLine, Operator, PartyKind, Role, Unit
from app.core.pins import check_pin_shape, hash_pin, verify_pin
from app.store import queries
from app.store.store import Store

log = logging.getLogger("app.intake")


class Outcome(enum.StrEnum):
    """What a scan did."""

    UNIT_CREATED = "unit_created"
    UNIT_OPENED = "unit_opened"
    OPERATOR_LOGGED_IN = "operator_logged_in"
    LOT_SELECTED = "lot_selected"


@dataclass(frozen=True)
class ScanResult:
    """The immutable answer to one scan, for the view to show."""

    outcome: Outcome
    message: str
    scan: Scan
    unit: Unit | None = None
    operator: Operator | None = None
    lot: Lot | None = None
    received_expected: bool | None = None
    # ``message`` in English; ``template`` (marked for translation under SCAN_CONTEXT) and ``values``
    # let the screens show it in their language.
    template: str = ""
    values: Mapping[str, object] = field(default_factory=dict)


SCAN_CONTEXT = "IntakeService"  # written out in each QT_TRANSLATE_NOOP below: lupdate reads literals only
_UNIT_SAID = {  # (created, received into the active lot: None no lot, True on its manifest, False not on it)
    (True, None): QT_TRANSLATE_NOOP("IntakeService", "New unit {label}"),
    (False, None): QT_TRANSLATE_NOOP("IntakeService", "Opened {label}"),
    (True, True): QT_TRANSLATE_NOOP("IntakeService", "New unit {label}, received into {lot}"),
    (False, True): QT_TRANSLATE_NOOP("IntakeService", "Opened {label}, received into {lot}"),
    (True, False): QT_TRANSLATE_NOOP("IntakeService", "New unit {label}, received into {lot} (not on its manifest)"),
    (False, False): QT_TRANSLATE_NOOP("IntakeService", "Opened {label}, received into {lot} (not on its manifest)"),
}


MAX_MANIFEST_BYTES = 50_000_000


@dataclass(frozen=True)
class ManifestFile:
    """A manifest read and checked, ready to be stored (immutable: it crosses threads)."""

    file_name: str
    sha256: str
    lines: tuple[ManifestLine, ...]


def parse_manifest_bytes(data: bytes, file_name: str, rules: ScanRules) -> ManifestFile:
    lines = parse_manifest(decode(data), rules)
    return ManifestFile(file_name, hashlib.sha256(data).hexdigest(), tuple(lines))


def read_manifest(path: Path, rules: ScanRules) -> ManifestFile:
    """Read and check a manifest file; touches no database, so it may run on a worker thread."""
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise ManifestError(f"{path.name} is {size // 1_000_000} MB; a manifest is at most "
                                f"{MAX_MANIFEST_BYTES // 1_000_000} MB",
                                hint="Check that this is the manifest CSV, or split the lot")
        data = path.read_bytes()
    except OSError as exc:
        raise OperatorError(
            QT_TRANSLATE_NOOP("OperatorError", "Cannot read {name}: {strerror}"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "Check the file and try again"),
            values={"name": path.name, "strerror": exc.strerror},
        ) from exc
    return parse_manifest_bytes(data, path.name, rules)


def new_unit_id() -> str:
    """A short, unique, typeable unit id: U- and 12 base32 characters (60 random bits)."""
    return "U-" + base64.b32encode(os.urandom(10)).decode()[:12]


class IntakeService:
    """The scan-in workflow of one bench session.

    Attributes:
        operator: who is logged in (None before the first badge scan or PIN login).
        active_lot: the lot units are being received into, if any.
    """

    def __init__(self, store: Store, rules: ScanRules | None = None) -> None:
        self.store = store
        self.rules = rules or ScanRules()
        self.operator: Operator | None = None
        self.active_lot: Lot | None = None

    # --- operators -----------------------------------------------------------------------------

    def add_operator(self, name: str, badge: str, role: Role, pin: str, *, by: Operator | None = None) -> Operator:
        """Register an operator. The first operator of a station may be added by anyone (set-up);
        after that only an admin may add operators."""
        db = self.store.db
        # Trust the stored role of whoever authorises this, not the object handed in.
        by = queries.operator_by_id(db, by.operator_id) if by is not None else None
        if queries.list_operators(db):
            if by is None or not by.active or not by.role.includes(Role.ADMIN):
                raise PermissionDenied(
                    QT_TRANSLATE_NOOP("OperatorError", "Only an admin can add operators"),
                    hint=QT_TRANSLATE_NOOP("OperatorError", "Ask an admin to log in and add you"),
                )
        elif role is not Role.ADMIN:
            # Otherwise nobody could ever add the next operator.
            raise PermissionDenied(
                QT_TRANSLATE_NOOP("OperatorError", "The first operator of a station must be an admin"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Add yourself with the admin role first (--role admin)"),
            )
        name = " ".join(name.split())
        if not name:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "The operator needs a name"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Type the person's name"),
            )
        badge_scan = classify(badge, self.rules)
        if badge_scan.kind is not IdentifierKind.OPERATOR_BADGE:
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "{badge!r} is not an operator badge code"),
                hint=QT_TRANSLATE_NOOP("OperatorError",
                        "Badge codes start with {badge_prefix}, e.g. {badge_prefix}0042"),
                values={"badge": badge, "badge_prefix": self.rules.badge_prefix},
            )
        check_pin_shape(pin)
        if queries.operator_by_badge(db, badge_scan.value):
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Badge {value} is already in use"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Print the person a new badge"),
                values={"value": badge_scan.value},
            )
        if queries.operator_by_name(db, name):
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "An operator named {name} exists"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Add a surname or initial to tell them apart"),
                values={"name": name},
            )
        operator = Operator(operator_id=new_unit_id().replace("U-", "O-"), name=name, badge=badge_scan.value, role=role)
        self.store.record(
            ev.OPERATOR_ADDED,
            {"operator_id": operator.operator_id, "name": name, "badge": operator.badge, "role": str(role),
             "pin_hash": hash_pin(pin)},
            operator_id=by.operator_id if by else None,
        )
        log.info("operator %s (%s) added", name, role)
        return operator

    def login_badge(self, badge: str) -> Operator:
        operator = queries.operator_by_badge(self.store.db, badge.strip().upper())
        if operator is None or not operator.active:
            raise NotFound(
                QT_TRANSLATE_NOOP("OperatorError", "Badge {text} is not registered on this bench"),
                hint=QT_TRANSLATE_NOOP("OperatorError",
                        "Ask a supervisor to add you, or log in with your name and PIN"),
                values={"text": badge.strip()},
            )
        return self._logged_in(operator, "badge")

    def login_pin(self, name: str, pin: str) -> Operator:
        found = queries.operator_by_name(self.store.db, " ".join(name.split()))
        # The same message for an unknown name and a wrong PIN: it does not tell a guesser which was right.
        if found is None or not found[0].active or not verify_pin(pin, found[1]):
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Name or PIN not recognised"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Check both and try again, or scan your badge"),
            )
        return self._logged_in(found[0], "pin")

    def _logged_in(self, operator: Operator, method: str) -> Operator:
        with self.store.transaction():
            if self.operator is not None and self.operator.operator_id != operator.operator_id:
                self.store.record(ev.OPERATOR_LOGGED_OUT, {"reason": "switched"}, operator_id=self.operator.operator_id)
            self.store.record(ev.OPERATOR_LOGGED_IN, {"method": method}, operator_id=operator.operator_id)
        self.operator = operator
        return operator

    def logout(self) -> None:
        if self.operator is not None:
            self.store.record(ev.OPERATOR_LOGGED_OUT, {"reason": "logout"}, operator_id=self.operator.operator_id)
        self.operator = None
        self.active_lot = None

    def require_role(self, role: Role) -> Operator:
        """The logged-in operator, if their stored role includes ``role``."""
        operator = self._require_operator()
        stored = queries.operator_by_id(self.store.db, operator.operator_id)
        if stored is None or not stored.active or not stored.role.includes(role):
            raise PermissionDenied(
                QT_TRANSLATE_NOOP("OperatorError", "This needs a {role}; {name} is a {role2}"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Ask a {role} to scan their badge"),
                values={"role": role, "name": operator.name, "role2": operator.role},
            )
        return stored

    def _require_operator(self) -> Operator:
        if self.operator is None:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Nobody is logged in"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Scan your operator badge first"),
            )
        return self.operator

    # --- scans -----------------------------------------------------------------------------------

    def handle_scan(self, raw: str) -> ScanResult:
        """Classify one scan and act on it: log in, select a lot, or create/open a unit."""
        scan = classify(raw, self.rules)
        if scan.kind is IdentifierKind.OPERATOR_BADGE:
            operator = self.login_badge(scan.value)
            said = QT_TRANSLATE_NOOP("IntakeService", "{name} logged in")
            return ScanResult(Outcome.OPERATOR_LOGGED_IN, said.format(name=operator.name), scan, operator=operator,
                              template=said, values={"name": operator.name})
        operator = self._require_operator()
        if scan.kind in (IdentifierKind.LOT, IdentifierKind.PO):
            lot = self.select_lot(scan.value, by_po=scan.kind is IdentifierKind.PO)
            said = QT_TRANSLATE_NOOP("IntakeService", "Receiving into lot {code}")
            return ScanResult(Outcome.LOT_SELECTED, said.format(code=lot.code), scan, lot=lot, template=said,
                              values={"code": lot.code})
        identifiers, gtin = self.identifiers_of(scan)
        unit = self._find(identifiers)
        created = unit is None
        with self.store.transaction():
            if unit is None:
                # A unit listed on the lot's manifest starts with the model the manifest gives it.
                listed = (queries.manifest_line(self.store.db, self.active_lot.lot_id, [i.value for i in identifiers])
                          if self.active_lot else None)
                unit = self._create(identifiers, operator, source="scan", raw=scan.raw, gtin=gtin,
                                    model=listed.model if listed else "")
            else:
                self._add_missing_identifiers(unit, identifiers, operator)
            received = self._receive(unit, operator) if self.active_lot is not None else None
        unit = queries.get_unit(self.store.db, unit.unit_id)
        assert unit is not None
        into = self.active_lot if received is not None else None
        said = _UNIT_SAID[created, None if into is None else received]
        values = {"label": unit.label, "lot": into.code if into else ""}
        return ScanResult(
            Outcome.UNIT_CREATED if created else Outcome.UNIT_OPENED,
            said.format(**values), scan, unit=unit, received_expected=received, template=said, values=values,
        )

    def identifiers_of(self, scan: Scan) -> tuple[list[Identifier], str]:
        """The unit identifiers a scan carries, and a GTIN if it names the product."""
        kind = scan.kind
        if kind in (IdentifierKind.IMEI, IdentifierKind.MEID, IdentifierKind.SERIAL, IdentifierKind.ASSET_TAG):
            return [Identifier(str(kind), scan.value)], ""
        if kind is IdentifierKind.GS1:
            gtin = scan.gs1_value("01") or ""
            serial = scan.gs1_value("21")
            asset = scan.gs1_value("8004")
            found = ([Identifier("serial", serial.upper())] if serial else []) + (
                [Identifier("asset_tag", asset.upper())] if asset else []
            )
            if found:
                return found, gtin
            if scan.gs1_value("00"):
                raise InvalidScan(
                    QT_TRANSLATE_NOOP("OperatorError", "This is a shipping-container code (SSCC), not a unit"),
                    hint=QT_TRANSLATE_NOOP("OperatorError", "Scan the unit's own IMEI or serial label"),
                )
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "This GS1 barcode names the product but not the unit (no serial, "
                        "AI 21)"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Scan the unit's IMEI or serial number instead"),
            )
        raise InvalidScan(
            QT_TRANSLATE_NOOP("OperatorError", "A {kind} code does not identify a unit"),
            hint=QT_TRANSLATE_NOOP("OperatorError", "Scan the unit's IMEI or serial number"),
            values={"kind": kind},
        )

    def _find(self, identifiers: list[Identifier]) -> Unit | None:
        owners = {u.unit_id: u for i in identifiers if (u := queries.find_unit(self.store.db, i.value))}
        if len(owners) > 1:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "These identifiers belong to different units: {items}"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Set the unit aside and call a supervisor: two records claim "
                        "the same device"),
                values={"items": ', '.join(sorted(owners))},
            )
        return next(iter(owners.values()), None)

    def _create(self, identifiers: list[Identifier], operator: Operator | None, *, source: str, raw: str = "",
                gtin: str = "", model: str = "") -> Unit:
        unit_id = new_unit_id()
        body: dict[str, object] = {
            "identifiers": [{"kind": i.kind, "value": i.value} for i in identifiers], "source": source,
        }
        if raw:
            body["raw_scan"] = raw
        if gtin:
            body["gtin"] = gtin
        if model:
            body["model"] = model
        self.store.record(ev.UNIT_CREATED, body, unit_id=unit_id,
                          operator_id=operator.operator_id if operator else None)
        unit = queries.get_unit(self.store.db, unit_id)
        assert unit is not None
        log.info("unit %s created (%s)", unit_id, ", ".join(f"{i.kind} {i.value}" for i in identifiers))
        return unit

    def _add_missing_identifiers(self, unit: Unit, identifiers: list[Identifier], operator: Operator) -> None:
        have = {(i.kind, i.value) for i in unit.identifiers}
        for ident in identifiers:
            if (ident.kind, ident.value) not in have:
                self.store.record(ev.UNIT_IDENTIFIER_ADDED, {"kind": ident.kind, "value": ident.value},
                                  unit_id=unit.unit_id, operator_id=operator.operator_id)

    def add_unit(self, kind: IdentifierKind, value: str, *, lot_code: str | None = None,
                 model: str = "", source: str = "cli") -> tuple[Unit, bool]:
        """Create (or find) a unit from a typed identifier; returns (unit, created)."""
        scan = classify(value, self.rules)
        if scan.kind is not kind:
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "{value!r} is not a valid {text}"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "It reads as {text2}; check the option you used"),
                values={"value": value, "text": kind.replace('_', ' '), "text2": scan.kind.replace('_', ' ')},
            )
        identifiers, gtin = self.identifiers_of(scan)
        lot = self.select_lot(lot_code) if lot_code else self.active_lot
        unit = self._find(identifiers)
        created = unit is None
        with self.store.transaction():
            if unit is None:
                unit = self._create(identifiers, self.operator, source=source, gtin=gtin, model=model)
            if lot is not None:
                self.active_lot = lot
                self._receive(unit, self.operator)
        fresh = queries.get_unit(self.store.db, unit.unit_id)
        assert fresh is not None
        return fresh, created

    # --- lots --------------------------------------------------------------------------------------

    def create_lot(self, code: str, party_kind: PartyKind, party: str, po: str, expected_count: int) -> Lot:
        scan = classify(code, self.rules)
        if scan.kind is not IdentifierKind.LOT:
            prefix = self.rules.lot_prefix
            raise InvalidScan(
                QT_TRANSLATE_NOOP("OperatorError", "{code!r} is not a lot code"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Lot codes start with {prefix}, e.g. {prefix}2026-0042"),
                values={"code": code, "prefix": prefix},
            )
        if queries.lot_by_code(self.store.db, scan.value):
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "Lot {value} already exists"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Scan it to receive into it, or pick a new code"),
                values={"value": scan.value},
            )
        party = " ".join(party.split())
        if not party:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "The lot needs a supplier or customer name"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Type who the units come from"),
            )
        if expected_count < 0:
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "The expected count cannot be negative"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Type 0 when unknown"),
            )
        lot_id = "L-" + new_unit_id()[2:]
        self.store.record(ev.LOT_CREATED, {
            "lot_id": lot_id, "code": scan.value, "party_kind": str(party_kind), "party": party,
            "po": po.strip().upper(), "expected_count": expected_count,
        }, operator_id=self.operator.operator_id if self.operator else None)
        lot = queries.lot_by_id(self.store.db, lot_id)
        assert lot is not None
        return lot

    def select_lot(self, code: str, *, by_po: bool = False) -> Lot:
        code = code.strip().upper()
        lot = None
        if by_po:
            # The PO as printed on the paperwork may or may not carry our PO- prefix.
            bare = code.removeprefix(self.rules.po_prefix.upper())
            lot = next((candidate for candidate in queries.list_lots(self.store.db)
                        if candidate.po and candidate.po.removeprefix(self.rules.po_prefix.upper()) == bare), None)
        else:
            lot = queries.lot_by_code(self.store.db, code)
        if lot is None:
            raise NotFound(
                QT_TRANSLATE_NOOP("OperatorError", "{value} {code} is not on this bench"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Create the lot first (Lots page, Ctrl+N)"),
                values={"value": 'PO' if by_po else 'Lot', "code": code},
            )
        self.active_lot = lot
        return lot

    def receive_into(self, lot: Lot) -> Lot:
        """Receive the following scans into ``lot``."""
        return self.select_lot(lot.code)

    def stop_receiving(self) -> None:
        self.active_lot = None

    def import_manifest_lines(self, lot: Lot, lines: list[ManifestLine], *, file_name: str, sha256: str) -> int:
        """Store parsed manifest lines for a lot in one event; returns how many were new."""
        self.store.record(ev.LOT_MANIFEST_IMPORTED, {
            "lot_id": lot.lot_id, "file_name": file_name, "file_sha256": sha256,
            "lines": [{"kind": x.kind, "value": x.value, "model": x.model, "description": x.description}
                      for x in lines],
        }, operator_id=self.operator.operator_id if self.operator else None)
        return len(lines)

    def import_manifest_file(self, lot: Lot, data: bytes, file_name: str) -> int:
        """Parse and store a manifest file; raises ManifestError and stores nothing on any problem."""
        manifest = parse_manifest_bytes(data, file_name, self.rules)
        return self.import_manifest_lines(lot, list(manifest.lines), file_name=file_name, sha256=manifest.sha256)

    def _receive(self, unit: Unit, operator: Operator | None) -> bool:
        lot = self.active_lot
        assert lot is not None
        values = [i.value for i in unit.identifiers]
        expected = queries.manifest_match(self.store.db, lot.lot_id, values)
        already = self.store.db.execute(
            "SELECT expected FROM lot_receipts WHERE lot_id = ? AND unit_id = ?", [lot.lot_id, unit.unit_id]
        ).fetchone()
        if already is not None:
            return bool(already[0])
        if unit.lot_id is not None and unit.lot_id != lot.lot_id:
            other = queries.lot_by_id(self.store.db, unit.lot_id)
            raise OperatorError(
                QT_TRANSLATE_NOOP("OperatorError", "{label} was already received into lot {value}"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Check the unit's timeline; a unit belongs to one inbound lot"),
                values={"label": unit.label, "value": other.code if other else unit.lot_id},
            )
        self.store.record(ev.LOT_UNIT_RECEIVED, {"lot_id": lot.lot_id, "lot_code": lot.code, "expected": expected},
                          unit_id=unit.unit_id, operator_id=operator.operator_id if operator else None)
        return expected

    def lot_progress(self, lot: Lot) -> LotProgress:
        return queries.lot_progress(self.store.db, lot)

    # --- lifecycle -------------------------------------------------------------------------------

    def set_state(self, unit: Unit, target: UnitState, reason: str = "") -> Unit:
        operator = self._require_operator()
        # Check against the stored state, not the caller's possibly stale copy.
        stored = queries.get_unit(self.store.db, unit.unit_id)
        if stored is None:
            raise NotFound(
                QT_TRANSLATE_NOOP("OperatorError", "Unit {unit_id} does not exist"),
                hint=QT_TRANSLATE_NOOP("OperatorError", "Scan the unit again"),
                values={"unit_id": unit.unit_id},
            )
        unit = stored
        transition(unit.unit_id, unit.state, target, reason)
        body = {"from": str(unit.state), "to": str(target)}
        if reason:
            body["reason"] = reason
        self.store.record(ev.UNIT_STATE_CHANGED, body, unit_id=unit.unit_id, operator_id=operator.operator_id)
        fresh = queries.get_unit(self.store.db, unit.unit_id)
        assert fresh is not None
        return fresh


__all__ = ["IntakeService", "ManifestError", "Outcome", "ScanResult"]
