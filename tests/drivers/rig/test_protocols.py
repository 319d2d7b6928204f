"""SCPI, AT and line-fixture protocols against the simulators over ptys; a standard SCPI client
(PyVISA with the pyvisa-py backend over ASRL) drives the simulated instruments too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import pyvisa

from drivers.rig.at import AtDevice
from drivers.rig.errors import RigCommandError, RigDisconnected, RigGarbled
from drivers.rig.fixture import LineFixture
from drivers.rig.identity import RigProtocol
from drivers.rig.scpi import ScpiInstrument, parse_idn
from drivers.rig.session import connect_rig
from drivers.rig.transport import open_line_port
from drivers.sim.rigs.faults import RigFaults
from drivers.sim.rigs.profiles import SimBench

HELLO = r"^RBSIM (?P<model>\S+) console fw=(?P<firmware>\S+) sn=(?P<serial>\S+)$"


def test_idn_is_parsed_and_a_bad_one_refused() -> None:
    identity = parse_idn("Keysight Technologies,E36312A,MY5900,2.1.0-1.0.4")
    assert (identity.manufacturer, identity.model, identity.serial, identity.firmware) == (
        "Keysight Technologies", "E36312A", "MY5900", "2.1.0-1.0.4")
    with pytest.raises(RigGarbled, match="four comma-separated fields"):
        parse_idn("OK")


def test_scpi_commands_are_checked_against_the_error_queue(sim_bench: Callable[..., SimBench]) -> None:
    bench = sim_bench("psu")
    psu = connect_rig(RigProtocol.SCPI, bench.ports["psu"])
    assert isinstance(psu, ScpiInstrument)
    try:
        assert psu.identity is not None
        assert psu.identity.summary() == "RBSIM PSU-3005, firmware 1.4.2"
        psu.write("SOUR:VOLTAGE:LEV 12.5")
        assert psu.query_float("VOLT?") == 12.5
        with pytest.raises(RigCommandError, match="-222 Data out of range") as caught:
            psu.write("VOLT 45")
        assert caught.value.code == -222
        with pytest.raises(RigCommandError, match="-113 Undefined header"):
            psu.write("VOLTS 5")
        psu.reset()
        assert psu.query_float("VOLT?") == 0.0
        assert psu.query("OUTP?") == "0"
    finally:
        psu.close()


def test_pyvisa_speaks_to_the_simulated_instrument(sim_bench: Callable[..., SimBench]) -> None:
    bench = sim_bench("charger-bench")
    manager = pyvisa.ResourceManager("@py")
    try:
        load = manager.open_resource(f"ASRL{bench.ports['load']}::INSTR", read_termination="\n",
                                     write_termination="\n", timeout=2000)
        assert load.query("*IDN?").strip() == "RBSIM,ELOAD-150,SIM-LD-0002,2.0.1"
        load.write("*RST")
        assert load.query("*OPC?").strip() == "1"
        load.write("CURR 2.5;:INP ON")
        assert float(load.query("MEAS:CURR?")) == pytest.approx(2.5, rel=0.01)
        assert 19.5 < float(load.query("MEASure:VOLTage:DC?")) < 20.1
        load.write("FOO:BAR 1")
        assert load.query("SYST:ERR?").strip() == '-113,"Undefined header"'
        assert load.query("SYST:ERR?").strip() == '+0,"No error"'
        load.close()
    finally:
        manager.close()


@pytest.mark.parametrize("echo", [True, False])
def test_at_answers_with_and_without_echo(sim_bench: Callable[..., SimBench], echo: bool) -> None:
    bench = sim_bench("modem")
    modem = AtDevice(open_line_port(bench.ports["modem"]))
    try:
        if not echo:
            modem.command("ATE0")
        identity = modem.connect()
        assert (identity.manufacturer, identity.model, identity.firmware) == ("RBSIM", "LTE-400", "LTE400R02A07M4G")
        assert modem.read_imei() == "353911061234564"
        assert modem.command("AT+CPIN?").lines == ("+CPIN: READY",)
        assert list(modem.unsolicited) == ["+CREG: 1"]  # arrived mid-answer, kept aside
        with pytest.raises(RigCommandError, match="answered ERROR to AT\\+BOGUS"):
            modem.command("AT+BOGUS")
    finally:
        modem.close()


def test_cme_errors_say_what_they_mean(sim_bench: Callable[..., SimBench]) -> None:
    bench = sim_bench("modem", dut={"sim": "ABSENT"})
    modem = AtDevice(open_line_port(bench.ports["modem"]))
    try:
        with pytest.raises(RigCommandError, match=r"\+CME ERROR: 10 \(SIM not inserted\)") as caught:
            modem.command("AT+CPIN?")
        assert caught.value.code == 10
        assert "test SIM" in caught.value.check
    finally:
        modem.close()


def test_a_console_is_identified_by_its_hello(sim_bench: Callable[..., SimBench]) -> None:
    bench = sim_bench("stb")
    console = connect_rig(RigProtocol.LINE, bench.ports["console"], hello=HELLO)
    assert isinstance(console, LineFixture)
    try:
        assert console.identity is not None
        assert (console.identity.model, console.identity.firmware, console.identity.serial) == (
            "STB-7100", "4.2.17", "STB71A0042871")
        result = console.transact("reboot", r"^POST: (PASS|FAIL)", 3.0)
        assert result.first_group == "PASS"
        assert "POST: Tuner DVB-C ... PASS" in result.skipped
    finally:
        console.close()


@pytest.mark.parametrize("faults", [RigFaults(wrong_baud=True), RigFaults(unplug_on="*IDN")],
                         ids=["wrong-baud", "unplugged"])
def test_connect_fails_clearly(sim_bench: Callable[..., SimBench], faults: RigFaults) -> None:
    bench = sim_bench("psu", {"psu": faults})
    expected = RigGarbled if faults.wrong_baud else RigDisconnected
    with pytest.raises(expected) as caught:
        connect_rig(RigProtocol.SCPI, bench.ports["psu"], timeout=1.0)
    assert caught.value.check
