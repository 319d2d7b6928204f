"""Phones: connect to identified for 1 and 8 phones, and the app's overhead on a full automatic plan.

Emulated phones (drivers/sim/adb) behind a private Debian ``adb`` server, so the adb server, client,
driver, service and GUI are the real ones.

* Connect to identified, 1 and 8 phones, through the Phones tab (offscreen MainWindow): from handing
  the tab a bus whose phones are listening but not attached, until every bay has its phone's identity,
  battery and blockers recorded on its unit. It includes ``adb connect``, the timer's poll jobs, the
  per-bay jobs and the recording on the GUI thread. Target < 2 s for 8. Peer: the ``adb`` client doing
  the least a script could (``adb connect`` then ``adb -s X shell getprop``, all phones in parallel).
* iPhones replugged to identified, 1 and 8 trusted iPhones (drivers/sim/ios behind a simulated usbmuxd,
  reached through the real pymobiledevice3 client), through the Phones tab: from plugging the phones back
  in until each bay has them paired (the bench's pair record, no tap), read and recorded again. Target
  < 2 s for 8. Peer: pymobiledevice3 as a script would use it, a lockdown session per phone with the same
  pair records and one GetValue of the identity, all phones at once (asyncio.gather).
* Automatic plan overhead, one phone: read + record + start the plan + the six automatic checks, each
  recorded. Device time is the sum of the shell commands' own round trips through the adb server;
  overhead = wall time − device time, target < 1 s. Peer: the same command lines run one by one as
  ``adb -s X shell CMD`` processes (how a shell script drives a phone), and that peer's overhead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.core.models import Role
from app.core.phones import load_phone_plan
from app.services.intake import IntakeService
from app.services.phone_source import AdbPhoneSource
from app.services.phone_source_ios import IosPhoneSource
from app.services.phones import PLAN_FILE, PhoneService, read_phone
from app.services.phones_sim import SimulatedPhoneBench
from app.services.phones_sim_ios import USBMUXD_ENV
from app.store.store import Store
from drivers.android import AdbClient, ShellResult, Timeouts
from drivers.ios.usbmux_service import UsbmuxLockdown
from tests.bench.bench_util import Results, Row, Sizes, median, progress, scratch_dir, section_main

SECTION = "Phones"
PROFILES = ("pixel8-a16", "galaxy-a54", "moto-g-power-2022", "lg-g7-a10-fde", "pixel8-a16", "galaxy-a54",
            "moto-g-power-2022", "galaxy-a54")


class TimedClient(AdbClient):
    """An adb client that adds up the time its shell commands take and remembers them."""

    def __init__(self, port: int) -> None:
        super().__init__("127.0.0.1", port)
        self.device_seconds = 0.0
        self.commands: list[str] = []

    def shell(self, serial: str, command: str, timeout: float = 10.0) -> ShellResult:
        started = time.perf_counter()
        try:
            return super().shell(serial, command, timeout)
        finally:
            self.device_seconds += time.perf_counter() - started
            self.commands.append(command)


def _adb_env(bench: SimulatedPhoneBench) -> dict[str, str]:
    assert bench.server is not None
    return {**os.environ, "ADB_SERVER_SOCKET": f"tcp:127.0.0.1:{bench.server.port}", "HOME": str(bench.server.home)}


def _gui_connect_to_identified(count: int, folder: Path) -> float:
    from PySide6.QtWidgets import QApplication

    from app.settings import Settings
    from app.ui.main_window import MainWindow
    from app.ui.phones_tab import PhonesTab

    app = QApplication.instance() or QApplication([])
    with Store(folder / f"gui-{count}") as store:
        intake = IntakeService(store)
        intake.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
        window = MainWindow(store, Settings())
        window.show()
        window.intake.login_badge("OP-0001")
        tab = window.work_tab(PhonesTab)
        with SimulatedPhoneBench(PROFILES[:count]) as bench:
            assert bench.source is not None
            started = time.perf_counter()
            tab.use_source(bench.source)
            deadline = started + 30
            while time.perf_counter() < deadline:
                app.processEvents()
                if len(tab.bays) == count and all(b.record is not None for b in tab.bays.values()):
                    break
                time.sleep(0.002)
            elapsed = time.perf_counter() - started
            done = sum(1 for b in tab.bays.values() if b.record is not None)
            window.shutdown()
            window.jobs.wait(10_000)
        window.close()
        app.processEvents()
    if done != count:
        raise RuntimeError(f"only {done} of {count} phones were identified within 30 s")
    return elapsed


def _peer_connect_getprop(count: int) -> float:
    with SimulatedPhoneBench(PROFILES[:count]) as bench:
        env = _adb_env(bench)

        def one(address: str) -> None:
            subprocess.run(["adb", "connect", address], env=env, capture_output=True, check=True, timeout=30)
            subprocess.run(["adb", "-s", address, "shell", "getprop"], env=env, capture_output=True, check=True,
                           timeout=30)

        started = time.perf_counter()
        with ThreadPoolExecutor(count) as pool:
            list(pool.map(one, [p.address for p in bench.phones]))
        return time.perf_counter() - started


def _connect_rows(results: Results, runs: int) -> None:
    with scratch_dir("phones-") as folder:
        for count in (1, 8):
            ours = [_gui_connect_to_identified(count, folder / str(run)) for run in range(runs)]
            peer = [_peer_connect_getprop(count) for _ in range(runs)]
            results.rows.append(Row(
                SECTION, f"{count} phone{'s' if count > 1 else ''}: connect to identified (Phones tab)",
                median(ours) * 1000, "ms", 2000.0, peer=median(peer) * 1000, peer_key="A",
                note=f"median of {runs}; runs {', '.join(f'{s * 1000:.0f}' for s in ours)} ms; includes adb connect, "
                     "the first poll, identity + battery + blockers (~14 shell commands a phone) and the "
                     "events recorded"))


class ServedIPhones:
    """``python -m drivers.sim.ios --control`` in a child process: trusted iPhones on a usbmuxd socket of their
    own, unplugged and replugged on command. A child process, as usbmuxd and the phones are on a real bench, so
    the simulator's TLS work does not compete with the app's for this interpreter's lock."""

    def __init__(self, count: int, folder: Path, profile: str = "iphone13-paired") -> None:
        self.socket = folder / "usbmuxd"  # a Unix socket's path must stay under 108 bytes
        self.records = folder / "pair-records"
        self._saved_env = os.environ.get(USBMUXD_ENV)
        os.environ[USBMUXD_ENV] = str(self.socket)  # where pymobiledevice3 saves new pair records
        self.process = subprocess.Popen(
            [sys.executable, "-m", "drivers.sim.ios", "--socket", str(self.socket), "--profile", profile,
             "--count", str(count), "--control"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        self.udids = [self.process.stdout.readline().split()[0] for _ in range(count)]

    def command(self, verb: str) -> None:
        """Unplug or replug every phone; returns once the simulator has done it."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(verb + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if answer != f"ok {verb}":
            raise RuntimeError(f"the iPhone simulator answered {answer!r} to {verb}")

    def source(self) -> IosPhoneSource:
        service = UsbmuxLockdown(self.records, usbmux_address=str(self.socket))
        return IosPhoneSource(service, usbmuxd_socket=self.socket)

    def close(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()  # end of input: the simulator stops its phones and exits
        if self.process.wait(timeout=10) != 0:
            raise RuntimeError(f"the iPhone simulator exited with {self.process.returncode}")
        self.process.stdout.close()
        if self._saved_env is None:
            os.environ.pop(USBMUXD_ENV, None)
        else:
            os.environ[USBMUXD_ENV] = self._saved_env

    def __enter__(self) -> ServedIPhones:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _gui_iphones_replugged(count: int, folder: Path) -> tuple[float, int]:
    """Seconds from replugging ``count`` trusted iPhones until each bay has recorded them again, and the
    lockdown handshakes that took."""
    from PySide6.QtWidgets import QApplication

    from app.settings import Settings
    from app.ui.main_window import MainWindow
    from app.ui.phones_tab import PhonesTab

    app = QApplication.instance() or QApplication([])

    def settle(tab: PhonesTab, done: Callable[[], bool], what: str) -> None:
        deadline = time.perf_counter() + 60
        while not done():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{what} did not happen within 60 s")
            app.processEvents()
            time.sleep(0.002)

    folder.mkdir(parents=True)
    with Store(folder / f"ios-{count}") as store, ServedIPhones(count, folder) as served:
        intake = IntakeService(store)
        intake.add_operator("Alex Martin", "OP-0001", Role.ADMIN, "1234")
        window = MainWindow(store, Settings())
        window.show()
        window.intake.login_badge("OP-0001")
        tab = window.work_tab(PhonesTab)
        source = served.source()
        tab.use_source(source)
        ios = lambda: [b for b in tab.bays.values() if b.platform == "ios"]  # noqa: E731
        settle(tab, lambda: len(ios()) == count and all(b.record is not None for b in ios()), "first pairing")
        served.command("unplug")
        settle(tab, lambda: all(b.state.value == "unplugged" for b in ios()), "unplugging")
        before = {b.attached.bay_key: b.record for b in ios()}
        assert isinstance(source.service, UsbmuxLockdown)
        handshakes = source.service.handshakes
        started = time.perf_counter()
        served.command("replug")
        settle(tab, lambda: all(b.record is not before[b.attached.bay_key] for b in ios()), "identifying again")
        elapsed = time.perf_counter() - started
        handshakes = source.service.handshakes - handshakes
        window.shutdown()
        window.jobs.wait(10_000)
        window.close()
        app.processEvents()
    return elapsed, handshakes


def _peer_pymobiledevice3_identity(count: int, folder: Path) -> float:
    import asyncio

    from pymobiledevice3.lockdown import create_using_usbmux

    from drivers.ios import IPhone

    folder.mkdir(parents=True)
    with ServedIPhones(count, folder) as served:
        address = str(served.socket)
        for udid in served.udids:  # trusted first, as the bench's phones are
            IPhone(UsbmuxLockdown(served.records, usbmux_address=address), udid).pair(wait=0)

        async def identity(udid: str) -> object:
            async with await create_using_usbmux(serial=udid, pairing_records_cache_folder=served.records,
                                                 usbmux_address=address) as lockdown:
                return await lockdown.get_value()

        async def everyone() -> None:
            await asyncio.gather(*(identity(udid) for udid in served.udids))

        started = time.perf_counter()
        asyncio.run(everyone())
        return time.perf_counter() - started


def _iphone_rows(results: Results, runs: int) -> None:
    # Short folders under /tmp: the simulator's socket path must stay under 108 bytes, and nothing here fsyncs.
    folder = Path(tempfile.mkdtemp(prefix="rb-ios-bench-"))
    try:
        for count in (1, 8):
            measured = [_gui_iphones_replugged(count, folder / f"gui-{count}-{run}") for run in range(runs)]
            ours = [seconds for seconds, _ in measured]
            peer = [_peer_pymobiledevice3_identity(count, folder / f"peer-{count}-{run}") for run in range(runs)]
            results.rows.append(Row(
                SECTION, f"{count} iPhone{'s' if count > 1 else ''}: replugged to identified (Phones tab)",
                median(ours) * 1000, "ms", 2000.0, peer=median(peer) * 1000, peer_key="C",
                note=f"median of {runs}; runs {', '.join(f'{s * 1000:.0f}' for s in ours)} ms; trusted phones "
                     "(pair records from a first pairing) served by a simulator in its own process; includes "
                     "usbmuxd listing, the pairing check, identity + battery + blockers and the events recorded; "
                     f"median {median([h for _, h in measured]) / count:g} lockdown handshakes a phone (pairing "
                     "checks, then one shared session for identity + battery + blockers)"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _plan_overhead(results: Results, runs: int) -> None:
    plan = load_phone_plan(PLAN_FILE)
    walls, devices, overheads, peers, peer_overheads = [], [], [], [], []
    with scratch_dir("phones-plan-") as folder:
        for run in range(runs + 1):  # the first run warms up imports and the server's first connections
            with SimulatedPhoneBench(["pixel8-a16"]) as bench, Store(folder / f"plan-{run}") as store:
                assert bench.server is not None
                client = TimedClient(bench.server.port)
                source = AdbPhoneSource(client, Timeouts(), keep_attached=[bench.phones[0].address])
                attached = next(p for p in source.attached() if p.ready)
                client.device_seconds, client.commands = 0.0, []
                service = PhoneService(store, plan)
                started = time.perf_counter()
                record = service.record_reading(read_phone(source.open(attached.serial), attached), 1)
                progress_ = service.start_plan(record.unit.unit_id)
                for result in source.open(attached.serial).automatic_checks(plan.automatic):
                    service.record_automatic(record.unit.unit_id, str(progress_.run_id), result)
                wall = time.perf_counter() - started
                device = client.device_seconds
                commands = list(client.commands)
                env = _adb_env(bench)
                started = time.perf_counter()
                for command in commands:
                    subprocess.run(["adb", "-s", attached.serial, "shell", command], env=env, capture_output=True,
                                   check=False, timeout=30)
                peer = time.perf_counter() - started
                peer_device = device  # the same commands cost the phone the same; the rest is the client's
            if run:
                walls.append(wall)
                devices.append(device)
                overheads.append(wall - device)
                peers.append(peer)
                peer_overheads.append(peer - peer_device)
    results.rows.append(Row(
        SECTION, f"automatic plan, 1 phone: wall time ({len(commands)} shell commands, 6 checks + reading)",
        median(walls) * 1000, "ms", None, peer=median(peers) * 1000, peer_key="B",
        note=f"device time (the commands' round trips through the adb server) {median(devices) * 1000:.0f} ms"))
    results.rows.append(Row(
        SECTION, "automatic plan, 1 phone: app overhead beyond device time", median(overheads) * 1000, "ms", 1000.0,
        peer=median(peer_overheads) * 1000, peer_key="B",
        note=f"median of {runs} after a warm-up; overheads {', '.join(f'{o * 1000:.0f}' for o in overheads)} ms: "
             "parsing, the events signed and written with synchronous=FULL, unit matching and lifecycle"))


def run(sizes: Sizes) -> Results:
    results = Results(peers={
        "A": "adb client only: 'adb connect' then 'adb -s X shell getprop' per phone, all in parallel (no parsing, "
             "nothing recorded)",
        "B": "the same shell command lines run one by one as 'adb -s X shell CMD' processes",
        "C": "pymobiledevice3 library: a lockdown session per iPhone with the same pair records and one GetValue "
             "of its identity, all at once (nothing else read, nothing recorded)",
    })
    runs = 3 if sizes.quick else 5
    progress("phones: connect to identified, 1 and 8 phones")
    _connect_rows(results, runs)
    progress("phones: iPhones replugged to identified, 1 and 8")
    _iphone_rows(results, runs)
    progress("phones: automatic plan overhead")
    _plan_overhead(results, runs)
    return results


def main() -> int:
    return section_main("bench_phones", run)


if __name__ == "__main__":
    raise SystemExit(main())
