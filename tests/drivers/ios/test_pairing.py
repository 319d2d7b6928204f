"""“Trust This Computer?”: the hint while the phone waits, pairing once tapped, records in the bench's folder."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.android.errors import DeviceOffline
from drivers.ios import TRUST_HINT, UNLOCK_HINT, IPhone, LinkState, NotTrusted, PairingState, hint_for
from drivers.sim.ios import SimulatedIPhone, SimulatedLockdown

Plug = Callable[..., tuple[IPhone, SimulatedIPhone]]
Later = Callable[[float, Callable[[], None]], None]


def test_waiting_for_trust_gives_the_hint_then_pairs_on_the_tap(
        plug: Plug, lockdown: SimulatedLockdown, later: Later, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="drivers.ios")
    phone, simulated = plug("iphone13-trust")
    seen: list[tuple[PairingState, str | None]] = []

    def technician(state: PairingState) -> None:  # reads the hint on the bay, then taps Trust on the phone
        seen.append((state, hint_for(state)))
        if state is PairingState.WAITING_FOR_TRUST:
            later(0.3, simulated.tap_trust)

    started = time.monotonic()
    state = phone.pair(wait=3.0, on_state=technician)
    assert state is PairingState.PAIRED
    assert 0.25 < time.monotonic() - started < 2.0
    assert seen == [(PairingState.WAITING_FOR_TRUST, TRUST_HINT), (PairingState.PAIRED, None)]
    assert phone.link is LinkState.PAIRED
    assert "attached -> waiting_for_trust" in caplog.text
    assert "waiting_for_trust -> paired" in caplog.text
    assert lockdown.record_path(phone.udid).is_file()
    assert phone.identity().serial == "KX4HQ2V7YT"


def test_pair_records_live_in_the_bench_folder_not_home(plug: Plug, lockdown: SimulatedLockdown,
                                                         tmp_path: Path) -> None:
    phone, simulated = plug("iphone13-trust")
    assert phone.pair(wait=0) is PairingState.WAITING_FOR_TRUST
    simulated.tap_trust()
    assert phone.pair(wait=0) is PairingState.PAIRED
    assert lockdown.record_path(phone.udid).parent == tmp_path / "pair-records"
    assert not (Path.home() / ".pymobiledevice3" / f"{phone.udid}.plist").exists()


def test_untrusted_phone_refuses_private_reads_with_the_hint(plug: Plug) -> None:
    phone, _ = plug("iphone13-trust")
    with pytest.raises(NotTrusted) as raised:
        phone.identity()
    assert isinstance(raised.value, DeviceOffline)  # the Android driver's "waiting on the phone's screen"
    assert raised.value.state == "unauthorized"
    assert raised.value.hint == TRUST_HINT
    public = phone.public_identity()
    assert (public.model, public.os_version, public.paired) == ("iPhone 13", "iOS 17.5.1 (21F90)", False)
    assert public.serial is None
    assert public.imeis == ()
    assert {"serial", "imei", "storage"} <= {u.field for u in public.unknowns}


def test_a_tap_before_the_question_shows_does_nothing(plug: Plug) -> None:
    phone, simulated = plug("iphone13-trust")
    simulated.tap_trust()
    assert phone.pair(wait=0) is PairingState.WAITING_FOR_TRUST


def test_pair_without_a_tap_returns_within_its_wait(plug: Plug) -> None:
    phone, _ = plug("iphone13-trust")
    started = time.monotonic()
    assert phone.pair(wait=0.5) is PairingState.WAITING_FOR_TRUST
    assert 0.45 < time.monotonic() - started < 1.5


def test_cancelled_wait_stops_polling(plug: Plug) -> None:
    phone, _ = plug("iphone13-trust")
    started = time.monotonic()
    assert phone.pair(wait=10.0, cancelled=lambda: time.monotonic() - started > 0.2) is PairingState.WAITING_FOR_TRUST
    assert time.monotonic() - started < 1.0


def test_locked_phone_asks_for_the_passcode_first(plug: Plug, later: Later) -> None:
    phone, simulated = plug("iphone13-passcode")
    seen: list[PairingState] = []

    def technician(state: PairingState) -> None:
        seen.append(state)
        if state is PairingState.PASSCODE_LOCKED:
            later(0.2, simulated.unlock)
        elif state is PairingState.WAITING_FOR_TRUST:
            later(0.2, simulated.tap_trust)

    assert phone.pair(wait=3.0, on_state=technician) is PairingState.PAIRED
    assert seen == [PairingState.PASSCODE_LOCKED, PairingState.WAITING_FOR_TRUST, PairingState.PAIRED]
    assert hint_for(PairingState.PASSCODE_LOCKED) == UNLOCK_HINT


def test_dont_trust_is_reported(plug: Plug) -> None:
    phone, simulated = plug("iphone13-trust")
    simulated.pair_mode = "deny"
    assert phone.pair(wait=0) is PairingState.DENIED
    with pytest.raises(NotTrusted) as raised:
        phone.battery()
    assert raised.value.state == "denied"
    assert "Don’t Trust" in raised.value.hint
