"""An ADB device emulator: phones the real adb server attaches over loopback TCP.

Each emulated phone speaks the ADB transport (CNXN/AUTH, OPEN/OKAY/WRTE/CLSE, shell protocol v1 and
v2 with exit codes and stderr) and answers the shell commands bench tools send from a profile in
``profiles/`` (see :mod:`drivers.sim.adb.profile`). Start phones with :class:`~drivers.sim.adb.fleet.
EmulatorFleet` in-process or ``python -m drivers.sim.adb --port P --profile NAME``, then
``adb connect 127.0.0.1:P``.
"""
