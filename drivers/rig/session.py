"""Opening a rig by protocol: one call that opens the port and identifies what is on it."""

from __future__ import annotations

from drivers.rig.at import AtDevice
from drivers.rig.fixture import LineFixture
from drivers.rig.identity import RigProtocol
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
