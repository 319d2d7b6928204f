"""Serial test rigs: SCPI instruments, AT-command devices, scripted line fixtures, serial scanners.

Protocol classes (``ScpiInstrument``, ``AtDevice``, ``LineFixture``, ``SerialScanner``) sit on a
``LinePort``, which frames lines with timeouts and keeps a bounded wire log; the port is opened by
pyserial URL (``open_line_port``) or wraps an injected port object, so tests and simulators use the
same code path as a USB-serial adapter. Every failure to talk to a rig is a ``RigError`` whose
message says what to check.
"""
