"""iPhones through the phone service: the real pymobiledevice3 client against simulated iPhones behind a
simulated usbmuxd on a Unix socket. Listed, paired while the Trust hint shows, identified, held for
Activation Lock, tested with the iPhone plan, erased through mobilebackup2 and certified; what the bench
says when usbmuxd or adb is missing; iPhones and Android phones polled together."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.core import events_phones as pev
from app.core.certificate import check
from app.core.lifecycle import UnitState
from app.core.phones import PlanVerdict, StepOutcome, load_phone_plan
from app.reports.certificate_pdf import embedded_document, qr_payload
from app.services.intake import IntakeService
from app.services.phone_bus import PhoneBus
from app.services.phone_source import AdbPhoneSource, AttachedPhone, PhoneSourceDown
from app.services.phone_source_ios import IosPhoneSource
from app.services.phones import PLAN_FILES, PhoneService, blockers_record, read_phone
from app.services.phones_reset import PhoneResetRecorder
from app.services.phones_sim import SimulatedPhoneBench, free_port
from app.services.phones_sim_ios import IPhoneSeat, SimulatedIPhoneBench
from app.store.eventlog import unit_events
from app.store.store import Store
from drivers.android import AdbClient
from drivers.ios import TRUST_HINT, IPhone, Timeouts
from drivers.ios.usbmux_service import UsbmuxLockdown

TIMEOUTS = Timeouts(command=5.0, trust_wait=8.0, erase_request=5.0, going_down=5.0, reset_return=15.0, poll=0.1)
IOS_PLAN = load_phone_plan(PLAN_FILES["ios"])
MakeBench = Callable[..., SimulatedIPhoneBench]


@pytest.fixture
def make_bench() -> Iterator[MakeBench]:
    benches: list[SimulatedIPhoneBench] = []

    def make(*seats: IPhoneSeat) -> SimulatedIPhoneBench:
        bench = SimulatedIPhoneBench(seats, timeouts=TIMEOUTS)
        benches.append(bench)
        bench.start()
        return bench

    yield make
    for bench in benches:
        bench.stop()


@pytest.fixture
def phones(store: Store, intake: IntakeService) -> PhoneService:
    intake.login_badge("OP-0002")
    return PhoneService(store, IOS_PLAN, intake)


def listed(source: IosPhoneSource, count: int) -> list[AttachedPhone]:
    end = time.monotonic() + 5
    while True:
        phones = source.attached()
        if len(phones) >= count or time.monotonic() > end:
            return phones
        time.sleep(0.05)


def paired(bus: PhoneBus, attached: AttachedPhone) -> AttachedPhone:
    hints: list[str] = []
    assert bus.pair(attached, hints.append, lambda: False)
    now = next(p for p in bus.poll().phones if p.serial == attached.serial)
    assert now.ready
    return now


def test_an_iphone_asks_for_trust_shows_the_hint_and_is_read_once_tapped(
        make_bench: MakeBench, phones: PhoneService, store: Store) -> None:
    bench = make_bench(IPhoneSeat("iphone13-trust"))
    assert bench.source is not None
    bus = PhoneBus([bench.source])
    [attached] = listed(bench.source, 1)
    assert (attached.platform, attached.state, attached.ready, attached.waiting) == ("ios", "pairing", False, True)
    assert attached.bay_key == f"usbmux:{bench.phones[0].udid}"  # no USB port in sysfs for a simulated phone
    assert bus.pairs(attached)

    hints: list[str] = []
    tapped = threading.Event()

    def technician(hint: str) -> None:  # reads the hint on the bay, then taps Trust on the phone
        hints.append(hint)
        if hint == TRUST_HINT and not tapped.is_set():
            tapped.set()
            threading.Timer(0.3, bench.phones[0].tap_trust).start()

    assert bus.pair(attached, technician, lambda: False)
    assert hints == [TRUST_HINT, ""]
    [now] = bus.poll().phones
    assert (now.state, now.model_hint) == ("device", "iPhone 13")

    reading = read_phone(bus.open(now), now)
    record = phones.record_reading(reading, 17)
    assert record.created
    assert record.hold == ""
    assert record.unit.state is UnitState.IDENTIFIED
    assert record.unit.model == "Apple iPhone 13"
    events = {e.type: e.body for e in unit_events(store.db, record.unit.unit_id)}
    identified = events[pev.PHONE_IDENTIFIED]
    assert (identified["platform"], identified["bay"], identified["transport_serial"]) == ("ios", 17, now.serial)
    assert identified["identity"]["serial"] == "KX4HQ2V7YT"
    assert [i["value"] for i in identified["identity"]["imeis"]] == ["354678112345678", "354678112345686"]
    battery = events[pev.PHONE_BATTERY_READ]["battery"]
    assert (battery["capacity_pct"], battery["cycle_count"]) == (91, 412)
    kinds = {b["kind"]: b["status"] for b in events[pev.PHONE_BLOCKERS_CHECKED]["blockers"]}
    assert kinds["activation_lock"] == "absent"
    assert kinds["jailbreak"] == "absent"
    assert "frp" not in kinds
    assert "root" not in kinds


def test_activation_lock_holds_the_unit_with_the_reason_and_the_erase_is_refused(
        make_bench: MakeBench, phones: PhoneService, store: Store) -> None:
    bench = make_bench(IPhoneSeat("iphone12-activation-lock"))
    assert bench.source is not None
    bus = PhoneBus([bench.source])
    attached = paired(bus, listed(bench.source, 1)[0])
    reading = read_phone(bus.open(attached), attached)
    record = phones.record_reading(reading, None)
    assert record.unit.state is UnitState.ON_HOLD
    assert record.hold.startswith("phone blocker: Activation Lock (Activation Lock is on (com.apple.fmip "
                                  "IsAssociated=true)")
    assert reading.holds[0][0] == "activation_lock"
    with pytest.raises(Exception, match="on hold for a blocker"):
        phones.start_plan(record.unit.unit_id)
    held = [e.body for e in unit_events(store.db, record.unit.unit_id) if e.type == pev.PHONE_BLOCKERS_CHECKED]
    assert held[-1]["holds"] == ["activation_lock"]
    with pytest.raises(Exception, match="is not erased: Activation Lock is on"):
        bus.open(attached).factory_reset()


def test_the_iphone_plan_runs_then_the_erase_is_verified_and_certified_as_a_crypto_erase(
        make_bench: MakeBench, phones: PhoneService, store: Store, tmp_path: Path) -> None:
    bench = make_bench(IPhoneSeat("iphone15-erase"))
    assert bench.source is not None
    bus = PhoneBus([bench.source])
    attached = paired(bus, listed(bench.source, 1)[0])
    device = bus.open(attached)
    before = read_phone(device, attached)
    record = phones.record_reading(before, 18)
    run = phones.start_plan(record.unit.unit_id)
    assert run.run_id is not None
    results = device.automatic_checks(IOS_PLAN.remaining_automatic(run.done))
    assert [r.name for r in results] == ["wifi", "storage", "charging"]
    outcomes = {r.name: phones.record_automatic(record.unit.unit_id, run.run_id, r) for r in results}
    assert outcomes["storage"] is StepOutcome.PASS
    assert outcomes["wifi"] is not StepOutcome.PASS or "registered" in results[0].evidence
    for step in IOS_PLAN.guided:
        phones.record_check(record.unit.unit_id, run.run_id, step.id, StepOutcome.PASS, "judged")
    verdict = phones.finish_plan(record.unit.unit_id, run.run_id)
    assert verdict in (PlanVerdict.PASSED, PlanVerdict.INCOMPLETE)
    assert phones.state_of(record.unit.unit_id) is UnitState.TESTED

    resets = PhoneResetRecorder(phones)
    started = resets.begin(record.unit)
    phases: list[str] = []
    report = device.factory_reset(lambda phase: phases.append(phase.value))
    assert report.verified, report.evidence
    assert report.crypto_erase
    assert phases == ["requested", "going_down", "waiting_return", "verifying", "verified"]
    assert report.identity_after is not None
    assert report.identity_after.activation_state == "Unactivated"  # back at its setup screen
    outcome = resets.finish(record.unit, attached, 18, before.identity, report, "", started, blockers_record(before))
    assert outcome.outcome == "passed"
    assert outcome.certificate_id
    assert phones.state_of(record.unit.unit_id) is UnitState.SANITISED
    assert outcome.certificate_path is not None
    doc = json.loads(Path(outcome.certificate_path).read_text())
    assert check(doc).ok
    body = doc["certificate"]
    assert (body["method"]["category"], body["method"]["technique"]) == ("Purge", "Cryptographic Erase")
    assert body["method"]["trigger"] == "erase all content and settings (mobilebackup2 EraseDevice)"
    assert (body["device"]["platform"], body["device"]["transport"], body["device"]["crypto_type"]) == (
        "ios", "usb", "file")
    assert "ok: at the setup screen (ActivationState Unactivated)" in body["verification"]["checks"]
    pdf = Path(outcome.certificate_path).with_suffix(".pdf")
    assert embedded_document(pdf.read_bytes()) == doc
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(tmp_path / "cert")], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "cert.png")], check=True,
                             capture_output=True, text=True).stdout.strip()
    assert decoded == qr_payload(doc)


def test_iphones_and_android_phones_are_polled_together_and_a_missing_bus_hides_no_phones(
        make_bench: MakeBench, tmp_path: Path) -> None:
    iphones = make_bench(IPhoneSeat("iphone13-paired"))
    assert iphones.source is not None
    with SimulatedPhoneBench(["galaxy-a54"]) as androids:
        assert androids.source is not None
        bus = PhoneBus([androids.source, iphones.source])
        end = time.monotonic() + 5
        while len((snapshot := bus.poll()).phones) < 2 and time.monotonic() < end:
            time.sleep(0.05)
        assert {(p.platform, p.serial) for p in snapshot.phones} == {
            ("android", androids.phones[0].address), ("ios", iphones.phones[0].udid)}
        assert snapshot.error == ""
        # an adb server nobody runs, and no bench home to start one in: the iPhone is still listed
        dead = AdbPhoneSource(AdbClient("127.0.0.1", free_port()))
        bus.add(dead)
        snapshot = bus.poll()
        assert [p.platform for p in snapshot.phones] == ["ios"]
        assert "no adb server answers" in snapshot.error
        assert "Android phones cannot be seen" in snapshot.error


def test_without_a_running_adb_server_the_bench_starts_its_own_and_stops_it(tmp_path: Path) -> None:
    port = free_port()
    source = AdbPhoneSource(AdbClient("127.0.0.1", port), server_home=tmp_path / "adb")
    try:
        assert source.attached() == []
        assert AdbClient("127.0.0.1", port).server_version() > 0
        assert (tmp_path / "adb" / "adb-server.log").exists()
    finally:
        source.close()
    with pytest.raises(Exception, match="adb server"):
        AdbClient("127.0.0.1", port).server_version()
    missing = AdbPhoneSource(AdbClient("127.0.0.1", free_port()), server_home=tmp_path / "adb2",
                             adb="adb-is-not-installed-here")
    with pytest.raises(PhoneSourceDown, match="the adb program is not installed"):
        missing.attached()


def test_usbmuxd_missing_not_running_or_not_answering_is_said_plainly(tmp_path: Path) -> None:
    absent = tmp_path / "usbmuxd"
    service = UsbmuxLockdown(tmp_path / "records", usbmux_address=str(absent))
    # installed (Debian's usbmuxd runs only while an iPhone is plugged in): no iPhones, nothing to fix
    assert IosPhoneSource(service, TIMEOUTS, usbmuxd_socket=absent).attached() == []
    with pytest.raises(PhoneSourceDown, match="usbmuxd is not installed"):
        IosPhoneSource(service, TIMEOUTS, usbmuxd_socket=absent, usbmuxd_program="usbmuxd-not-here").attached()
    with socket.socket(socket.AF_UNIX) as dead:  # a socket file nobody accepts on
        dead.bind(str(absent))
        with pytest.raises(PhoneSourceDown, match="iPhones cannot be seen: usbmuxd is not running at"):
            IosPhoneSource(service, TIMEOUTS, usbmuxd_socket=absent).attached()


def test_an_iphone_that_no_longer_honours_the_pairing_is_asked_again(make_bench: MakeBench) -> None:
    bench = make_bench(IPhoneSeat("iphone13-trust", tap_after=0.2))
    assert bench.source is not None
    bus = PhoneBus([bench.source])
    attached = paired(bus, listed(bench.source, 1)[0])
    bench.stop_tapping()
    bench.phones[0].trusted_hosts.clear()  # "Reset Location & Privacy" on the phone
    device = bus.open(attached)
    assert isinstance(device, IPhone)
    with pytest.raises(Exception, match="does not trust this bench"):
        device.identity()
    [again] = bus.poll().phones
    assert again.state == "pairing"
    assert bus.pairs(again)
    bench.phones[0].tap_trust()  # nothing on screen yet: the tap does nothing
    assert not bus.pair(again, lambda hint: None, lambda: True)  # asked once, then the wait is cancelled
    bench.phones[0].tap_trust()
    assert bus.pair(again, lambda hint: None, lambda: False)
    assert device.identity().serial == "KX4HQ2V7YT"
