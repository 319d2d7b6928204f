"""Zebra host status (``~HS``): three lines, each framed by STX … ETX CR LF, with the printer's flags."""

from __future__ import annotations

from dataclasses import dataclass

STX, ETX = "\x02", "\x03"


@dataclass(frozen=True)
class HostStatus:
    """The flags of a ``~HS`` answer that decide whether a label can print now."""

    media_out: bool
    paused: bool
    formats_in_buffer: int
    head_open: bool
    label_length_dots: int

    @property
    def problems(self) -> tuple[str, ...]:
        """What stops printing, in the words an operator acts on."""
        found = [text for flag, text in ((self.media_out, "out of labels"), (self.head_open, "print head open"),
                                         (self.paused, "paused")) if flag]
        return tuple(found)

    @staticmethod
    def parse(reply: bytes) -> HostStatus:
        """Read a ``~HS`` reply; ValueError names what is wrong with a malformed one."""
        text = reply.decode("ascii", errors="replace")
        lines = [part.split(ETX)[0] for part in text.split(STX)[1:]]
        if len(lines) != 3:
            raise ValueError(f"a ~HS reply has three framed lines, got {len(lines)}: {text[:80]!r}")
        first, second = lines[0].split(","), lines[1].split(",")
        if len(first) != 12 or len(second) != 11:
            raise ValueError(f"unexpected ~HS field counts: {text[:80]!r}")
        try:
            return HostStatus(media_out=first[1] == "1", paused=first[2] == "1", formats_in_buffer=int(first[4]),
                              label_length_dots=int(first[3]), head_open=second[2] == "1")
        except ValueError:
            raise ValueError(f"non-numeric ~HS fields: {text[:80]!r}") from None
