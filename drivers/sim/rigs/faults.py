"""Fault knobs for the simulated rigs: the ways a real bench goes wrong.

Command-triggered faults name a command prefix (case-insensitive: ``"MEAS:VOLT"``, ``"AT+CGSN"``,
``"reboot"``) and fire once, on the first command that starts with it, so a test knows exactly
which step must fail. ``wrong_baud`` lasts for the whole session.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RigFaults:
    """drop_reply_to: the reply is lost (a device that hangs up mid-command).
    stall_reply_to / stall_seconds: the reply comes, but far too late.
    noise_on: the reply arrives with line-noise bytes in it (a bad cable, a motor nearby).
    partial_reply_to: the reply is cut off mid-line (a loose contact).
    unplug_on: the cable is pulled when this command arrives (the pty master is closed).
    wrong_baud: every byte the device sends is garbled, as a UART at the wrong rate would read it;
    the device cannot understand commands either, it only echoes garbage.
    """

    drop_reply_to: str | None = None
    stall_reply_to: str | None = None
    stall_seconds: float = 5.0
    noise_on: str | None = None
    partial_reply_to: str | None = None
    unplug_on: str | None = None
    wrong_baud: bool = False

    def triggers(self) -> dict[str, str]:
        """Fault name -> command prefix, for the command-triggered faults that are set."""
        named = {"drop": self.drop_reply_to, "stall": self.stall_reply_to, "noise": self.noise_on,
                 "partial": self.partial_reply_to, "unplug": self.unplug_on}
        return {name: prefix for name, prefix in named.items() if prefix}


def garble(data: bytes) -> bytes:
    """What a receiver at the wrong baud rate makes of ``data``: bytes with framing errors.

    A UART sampling at the wrong rate mostly reads values with the high bit set (the stop bit lands
    in the data bits); the mapping is deterministic so tests are repeatable.
    """
    return bytes(0x80 | ((b * 0x35) ^ 0x5A) & 0x7F for b in data)


NOISE = b"\xff\x00\xfe"
