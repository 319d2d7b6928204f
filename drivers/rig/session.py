"""Opening a rig by protocol: one call that opens the port and identifies what is on it."""

from __future__ import annotations

from drivers.rig.at import AtDevice
from drivers.rig.errors import RigDisconnected, RigError, RigNoise
from drivers.rig.fixture import LineFixture
from drivers.rig.identity import RigIdentity, RigProtocol
from drivers.rig.scpi import ScpiInstrument
from drivers.rig.transport import open_line_port

Rig = ScpiInstrument | AtDevice | LineFixture


def connect_rig(protocol: RigProtocol, url: str, *, baudrate: int = 115200, hello: str | None = None,
                name: str | None = None, timeout: float = 2.0) -> Rig:
    """Open ``url`` and identify the rig: ``*IDN?`` (SCPI), ATI/+CGMI/+CGMM/+CGMR (AT), or the
    fixture's hello line when ``hello`` is given (a console that may be unpowered has none).

    The port is closed again if identification fails; the RigError says what to check.
    """
    port = open_line_port(url, baudrate=baudrate, name=name)
    rig: Rig
    if protocol is RigProtocol.SCPI:
        rig = ScpiInstrument(port, timeout)
    elif protocol is RigProtocol.AT:
        rig = AtDevice(port, timeout)
    else:
        rig = LineFixture(port)
    try:
        if isinstance(rig, LineFixture):
            if hello is not None:
                rig.connect(hello, timeout=max(timeout, 5.0))
        else:
            rig.connect()
    except BaseException:
        port.close()
        raise
    return rig


# Probing order for a port of unknown protocol: an instrument answers *IDN? with four fields; a modem
# answers AT with OK; a console answers a bare newline with some line of its own.
_PROBE_ORDER = (RigProtocol.SCPI, RigProtocol.AT, RigProtocol.LINE)
ANY_LINE = r"\S"


def identify_port(url: str, protocol: RigProtocol | None = None, *, baudrate: int = 115200,
                  hello: str | None = None, timeout: float = 1.0) -> RigIdentity:
    """Open ``url``, find out what answers on it and close it again.

    With ``protocol`` only that is tried (a line console with no ``hello`` must print any line to a
    bare newline); without, SCPI, AT and a console are tried in turn. Bytes that cannot be text
    (the wrong baud rate, noise) end the probe at once: another protocol would read the same garbage.
    Raises the RigError of the last attempt when nothing answered as any protocol does.
    """
    last: RigError | None = None
    for candidate in (protocol,) if protocol is not None else _PROBE_ORDER:
        pattern = hello if hello is not None else (ANY_LINE if candidate is RigProtocol.LINE else None)
        try:
            if candidate is RigProtocol.LINE:
                rig: Rig = _console(url, pattern or ANY_LINE, baudrate, timeout)
            else:
                rig = connect_rig(candidate, url, baudrate=baudrate, timeout=timeout)
        except (RigNoise, RigDisconnected):
            raise
        except RigError as exc:
            last = exc
            continue
        try:
            assert rig.identity is not None  # connect_rig identified it, or raised
            return rig.identity
        finally:
            rig.close()
    assert last is not None
    raise last


def _console(url: str, hello: str, baudrate: int, timeout: float) -> LineFixture:
    """A console identified within ``timeout`` (``connect_rig`` waits longer, for a booting unit)."""
    fixture = LineFixture(open_line_port(url, baudrate=baudrate))
    try:
        fixture.connect(hello, timeout=timeout)
    except BaseException:
        fixture.close()
        raise
    return fixture
