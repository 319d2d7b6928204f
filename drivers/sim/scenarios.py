"""Named simulated benches for --simulate, demos and end-to-end tests.

A scenario is plain data: the app seeds the operators and lots it names and plays its scanner.
Later device simulators (drives, phones, rigs, printers) join the same scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.sim.firmware import SimulatedDrive
from drivers.sim.scanner import ScannerFaults


@dataclass(frozen=True)
class SeedOperator:
    name: str
    badge: str
    role: str
    pin: str


@dataclass(frozen=True)
class SeedLot:
    code: str
    party_kind: str
    party: str
    po: str
    expected: int
    manifest_csv: str = ""


@dataclass(frozen=True)
class SimRigBay:
    """A simulated rig bench (a drivers/sim/rigs profile) on pty pairs, bound to a rig bay by its pty paths."""

    bay: int
    profile: str


@dataclass(frozen=True)
class SeedPhone:
    """An emulated Android phone (a drivers/sim/adb profile) on a fixed loopback port, in a bay."""

    profile: str
    port: int
    bay: int


@dataclass(frozen=True)
class SeedIPhone:
    """A simulated iPhone (a drivers/sim/ios profile) on the scenario's own usbmuxd, in a bay; ``tap_after``:
    seconds of "Trust This Computer?" before the simulated technician taps Trust (None: never)."""

    profile: str
    bay: int
    tap_after: float | None = None


@dataclass(frozen=True)
class Scenario:
    """One simulated bench."""

    name: str
    description: str
    scanner: ScannerFaults = field(default_factory=ScannerFaults)
    # The codes the simulated scanner reads, in order, one per "scan" (F9 in the app).
    scan_codes: tuple[str, ...] = ()
    operators: tuple[SeedOperator, ...] = ()
    lots: tuple[SeedLot, ...] = ()
    phones: tuple[SeedPhone, ...] = ()
    iphones: tuple[SeedIPhone, ...] = ()
    rig_bays: tuple[SimRigBay, ...] = ()
    # Simulated drives in the drive bays (image files answering the firmware tools): see drivers/sim/firmware.py.
    drives: tuple[SimulatedDrive, ...] = ()
    # A network label printer simulator (drivers/sim/printer) that labels go to when no printer is set.
    label_printer: bool = False


_OPERATORS = (
    SeedOperator("Alex Martin", "OP-0001", "admin", "1234"),
    SeedOperator("Sam Okafor", "OP-0002", "technician", "2345"),
    SeedOperator("Priya Nair", "OP-0003", "supervisor", "3456"),
)
_MANIFEST = (
    "IMEI,Serial,Model,Description\n"
    "490154203237518,,iPhone 12 64GB,Grade B\n"
    "356938035643809,,Galaxy S10,Cracked back\n"
    ",C02XK1JHJG5J,MacBook Pro 13,\n"
    "353918057412344,,Pixel 5,\n"
)
_DEMO_CODES = (
    "OP-0002",
    "LOT-2026-0042",
    "490154203237518",
    "356938035643809",
    "C02XK1JHJG5J",
    "490154203237519",  # a misread check digit: the bench must refuse it
    "]C1010950110153000321SN-77821\x1d10B1234",
    "358240051111110",  # not on the manifest: received as unexpected
    "OP-0003",
)

# Phones plugged into bays 11-16 of the demo bench: healthy ones, a worn battery, and two held by blockers.
_DEMO_PHONES = (
    SeedPhone("pixel8-a16", 6211, 11), SeedPhone("galaxy-a54", 6212, 12), SeedPhone("galaxy-a54-frp", 6213, 13),
    SeedPhone("moto-low-battery", 6214, 14), SeedPhone("lg-g7-a10-fde", 6215, 15),
    SeedPhone("galaxy-a54-mdm", 6216, 16),
)
# iPhones in bays 17-18: one asking "Trust This Computer?" (tapped after a few seconds), one with Activation Lock.
_DEMO_IPHONES = (SeedIPhone("iphone13-trust", 17, tap_after=4.0), SeedIPhone("iphone12-activation-lock", 18))

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "demo",
            "a receiving bench: three operators, one lot with a manifest, a scanner with a queue of codes",
            scan_codes=_DEMO_CODES, operators=_OPERATORS,
            lots=(SeedLot("LOT-2026-0042", "customer", "Acme Leasing", "PO-7781", 4, _MANIFEST),),
            phones=_DEMO_PHONES, iphones=_DEMO_IPHONES, label_printer=True,
        ),
        Scenario(
            "noisy_scanner",
            "the demo bench with a scanner that drops and garbles characters and stalls mid-code",
            scanner=ScannerFaults(drop_rate=0.05, garbage_rate=0.05, stall_after=6, stall_ms=120.0),
            scan_codes=_DEMO_CODES, operators=_OPERATORS,
            lots=(SeedLot("LOT-2026-0042", "customer", "Acme Leasing", "PO-7781", 4, _MANIFEST),),
        ),
        Scenario("empty", "a new station with nothing set up", operators=()),
        Scenario("rigs", "a rig bench: a 65 W laptop charger under an electronic load and meter in rig bay 1, an "
                 "LTE router's AT port in rig bay 2, a set-top box on a bench supply in rig bay 3",
                 scan_codes=("OP-0002", "CHG65W004417", "LTE400R00088", "STB71A0042871"), operators=_OPERATORS,
                 rig_bays=(SimRigBay(1, "charger-bench"), SimRigBay(2, "modem"), SimRigBay(3, "stb-bench"))),
        Scenario("drives", "a drive bench: NVMe, SATA SSD and HDD, SAS, a frozen SSD and a USB dock in bays 1-6",
                 operators=_OPERATORS, drives=(
                     SimulatedDrive(1, "nvme"), SimulatedDrive(2, "sata-ssd"), SimulatedDrive(3, "sata-hdd"),
                     SimulatedDrive(4, "sas"), SimulatedDrive(5, "sata-ssd-frozen"), SimulatedDrive(6, "usb-bridge"))),
        Scenario("drive_faults", "drives that misbehave: a rejected command, a sanitize that never finishes, a hung "
                 "tool, a drive that says done but erased nothing, a locked drive", operators=_OPERATORS, drives=(
                     SimulatedDrive(1, "sata-ssd-rejects"), SimulatedDrive(2, "sata-ssd-never-finishes"),
                     SimulatedDrive(3, "sata-ssd-hangs"), SimulatedDrive(4, "nvme-readback-mismatch"),
                     SimulatedDrive(5, "sata-ssd-locked"))),
    )
}
