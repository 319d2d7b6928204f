"""Simulated drives of one bench never share a serial number, even when two bays run the same model."""

from __future__ import annotations

from pathlib import Path

from drivers.block.firmware.probe import parse_hdparm_identify
from drivers.sim.firmware import SCENARIOS, SimulatedDrive, SimulatedDriveBay, replay
from drivers.sim.scenarios import SCENARIOS as BENCH_SCENARIOS


def test_two_bays_of_the_same_model_get_distinct_serials_in_listing_and_firmware_replies(tmp_path: Path) -> None:
    bay = SimulatedDriveBay(tmp_path, [SimulatedDrive(5, "sata-ssd-frozen"), SimulatedDrive(2, "sata-ssd")])
    identities = {drive.bay: spec for _, drive, spec in bay.specs()}
    assert identities[2].serial == SCENARIOS["sata-ssd"][0].serial      # the first bay keeps the model's serial
    assert identities[5].serial != identities[2].serial
    assert identities[5].model == identities[2].model
    for path, drive, spec in bay.specs():
        runner = bay.runner_for(path)
        reply = replay(runner.scenario, {}, ["hdparm", "-I", path])
        assert parse_hdparm_identify(reply["stdout"]).serial == spec.serial, drive


def test_every_drive_of_every_bench_scenario_has_its_own_serial(tmp_path: Path) -> None:
    for name, scenario in BENCH_SCENARIOS.items():
        if not scenario.drives:
            continue
        bay = SimulatedDriveBay(tmp_path / name, scenario.drives)
        serials = [spec.serial for _, _, spec in bay.specs() if spec.serial]
        assert len(serials) == len(set(serials)), name
