"""Setting a data folder up for a simulated bench: the scenario's operators and lots, once."""

from __future__ import annotations

import hashlib
import logging

from app.core.manifest import parse_manifest
from app.core.models import PartyKind, Role
from app.services.drives import DriveService
from app.services.intake import IntakeService
from app.services.rig_bays import RigBayService
from app.store import queries
from app.store.store import Store
from drivers.sim.ios import load_profile as load_iphone_profile
from drivers.sim.ios import simulated_udid
from drivers.sim.rigs.profiles import SimBench, start_bench
from drivers.sim.scenarios import SCENARIOS, Scenario

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
    bays = queries.bay_map(db)
    for phone in scenario.phones:  # the emulated phones' ports, as a technician maps USB ports to bays
        key = f"tcp:127.0.0.1:{phone.port}"
        if key not in bays and phone.bay not in bays.values():
            DriveService(intake.store).assign_bay(phone.bay, key, f"phone bay {phone.bay}", by=admin)
    for index, iphone in enumerate(scenario.iphones):  # no USB port path for a simulated iPhone: usbmuxd's name
        instance = sum(1 for earlier in scenario.iphones[:index] if earlier.profile == iphone.profile)
        key = f"usbmux:{simulated_udid(load_iphone_profile(iphone.profile), instance)}"
        bays = queries.bay_map(db)
        if key not in bays and iphone.bay not in bays.values():
            DriveService(intake.store).assign_bay(iphone.bay, key, f"phone bay {iphone.bay}", by=admin)
    mapped = queries.bay_map(db)
    for drive in scenario.drives:  # the simulated drives' places, mapped as a technician maps the docks
        key = f"simulated/bay{drive.bay}"
        if key not in mapped and drive.bay not in mapped.values():
            DriveService(intake.store).assign_bay(drive.bay, key, f"drive bay {drive.bay}", by=admin)
    intake.active_lot = None
    log.info("seeded scenario %s", scenario.name)


RigSimBench = SimBench
_SIM_PROTOCOLS = {"load": "scpi", "dmm": "scpi", "psu": "scpi", "modem": "at", "console": "line"}


def start_rig_benches(store: Store, scenario_name: str) -> list[SimBench]:
    """Start the scenario's simulated rigs on pty pairs and bind their paths to its rig bays (the
    paths change with every start, so each start binds them again). The caller stops them."""
    scenario = SCENARIOS.get(scenario_name)
    if scenario is None or not scenario.rig_bays:
        return []
    bays = RigBayService(store)
    bound = {(b.bay, b.role): b.port for b in bays.bindings()}
    benches: list[SimBench] = []
    try:
        for rig_bay in scenario.rig_bays:
            bench = start_bench(rig_bay.profile)
            benches.append(bench)
            for role, path in bench.ports.items():
                if bound.get((rig_bay.bay, role)) != path:
                    bays.bind(rig_bay.bay, role, path, _SIM_PROTOCOLS[role])
    except BaseException:
        for bench in benches:
            bench.stop()
        raise
    log.info("simulated rigs of scenario %s started in rig bays %s", scenario_name,
             ", ".join(str(b.bay) for b in scenario.rig_bays))
    return benches
