"""Setting a data folder up for a simulated bench: the scenario's operators and lots, once."""

from __future__ import annotations

import hashlib
import logging

from app.core.manifest import parse_manifest
from app.core.models import PartyKind, Role
from app.services.intake import IntakeService
from app.store import queries
from drivers.sim.scenarios import Scenario

log = logging.getLogger("app.sim")


def seed(intake: IntakeService, scenario: Scenario) -> None:
    """Create what the scenario names and the store lacks; running it twice changes nothing."""
    db = intake.store.db
    admin = None
    for op in scenario.operators:
        existing = queries.operator_by_badge(db, op.badge)
        if existing is None:
            existing = intake.add_operator(op.name, op.badge, Role(op.role), op.pin, by=admin)
        if admin is None and existing.role is Role.ADMIN:
            admin = existing
    for lot in scenario.lots:
        if queries.lot_by_code(db, lot.code) is None:
            with intake.store.transaction():
                created = intake.create_lot(lot.code, PartyKind(lot.party_kind), lot.party, lot.po, lot.expected)
                if lot.manifest_csv:
                    lines = parse_manifest(lot.manifest_csv, intake.rules)
                    intake.import_manifest_lines(created, lines, file_name=f"{lot.code}-manifest.csv",
                                                 sha256=hashlib.sha256(lot.manifest_csv.encode()).hexdigest())
    intake.active_lot = None
    log.info("seeded scenario %s", scenario.name)
