"""Named simulated benches: one or more rigs on pty pairs, sharing the unit under test.

``start_bench(profile)`` returns a ``SimBench`` whose ``ports`` map a rig role (the names the test
plans use: ``load``, ``dmm``, ``psu``, ``modem``, ``console``, ``scanner``) to its pty path.
``faults`` sets fault knobs per role; ``dut`` overrides fields of the unit's model (a worn charger's
``output_resistance``, a modem's ``sim``, a set-top box's ``failing_item``) to simulate bad units.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from drivers.sim.rigs.faults import RigFaults
from drivers.sim.rigs.instruments import ElectronicLoadSim, MultimeterSim, PowerSupplySim
from drivers.sim.rigs.modem import AtModemSim, ModemState
from drivers.sim.rigs.physics import BatteryPack, Charger, DcSource, PowerRail
from drivers.sim.rigs.pty_server import LineDevice, PtyServer
from drivers.sim.rigs.scanner import SerialScannerSim
from drivers.sim.rigs.settop import SetTopBoxSim, SetTopState

PROFILES: dict[str, str] = {
    "charger-bench": "electronic load and multimeter on a 65 W laptop charger (20 V)",
    "battery-bench": "electronic load and multimeter on a 3-cell laptop battery pack",
    "modem": "LTE router's AT-command port (IMEI, firmware, SIM, signal)",
    "stb-bench": "bench supply powering a set-top box, and the box's serial console",
    "stb": "a set-top box console, already powered",
    "psu": "a bench power supply with nothing on its output",
    "scanner": "a serial barcode scanner (CDC-ACM mode, CR suffix)",
}


class UnknownProfile(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no simulated rig profile {name!r}; known: {', '.join(PROFILES)}")


@dataclass
class SimBench:
    """The running servers by role, and the simulated devices for tests to inspect or drive."""

    profile: str
    servers: dict[str, PtyServer] = field(default_factory=dict)
    devices: dict[str, LineDevice] = field(default_factory=dict)
    dut: object | None = None

    @property
    def ports(self) -> dict[str, str]:
        return {role: server.path for role, server in self.servers.items()}

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> SimBench:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _with(model: Any, overrides: Mapping[str, object]) -> Any:
    return dataclasses.replace(model, **overrides) if overrides else model


def _devices(profile: str, dut: Mapping[str, object]) -> tuple[dict[str, LineDevice], object | None]:
    if profile in ("charger-bench", "battery-bench"):
        source: DcSource = _with(Charger() if profile == "charger-bench" else BatteryPack(), dut)
        load = ElectronicLoadSim(source)
        meter = MultimeterSim(lambda: load.terminal()[0], source.resistance)
        return {"load": load, "dmm": meter}, source
    if profile == "modem":
        modem = AtModemSim(_with(ModemState(), dut))
        return {"modem": modem}, modem.state
    if profile == "stb-bench":
        rail = PowerRail()
        box = SetTopBoxSim(_with(SetTopState(), dut), rail)
        return {"psu": PowerSupplySim(rail, box.current), "console": box}, box.state
    if profile == "stb":
        box = SetTopBoxSim(_with(SetTopState(), dut))
        return {"console": box}, box.state
    if profile == "psu":
        return {"psu": PowerSupplySim()}, None
    if profile == "scanner":
        return {"scanner": SerialScannerSim()}, None
    raise UnknownProfile(profile)


def start_bench(profile: str, faults: Mapping[str, RigFaults] | None = None,
                dut: Mapping[str, object] | None = None) -> SimBench:
    """Start every rig of ``profile`` on its own pty pair."""
    devices, model = _devices(profile, dut or {})
    bench = SimBench(profile, devices=devices, dut=model)
    try:
        for role, device in devices.items():
            server = PtyServer(device, (faults or {}).get(role), name=f"{profile}/{role}")
            bench.servers[role] = server
            attach = getattr(device, "attach", None)
            if attach is not None:
                attach(server)
    except Exception:
        bench.stop()
        raise
    return bench
