"""Every phone source of a bench together: the adb server's phones and usbmuxd's iPhones in one list.

:meth:`PhoneBus.poll` is one short look at every source (blocking: the Phones tab runs it as a job on
each tick of its timer, never on the GUI thread and never as a job that lives for the tab's lifetime).
A source that cannot be asked does not hide the others' phones: its message goes with the snapshot.
Opening, pairing and pausing a phone go to the source that listed it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from app.services.phone_source import AttachedPhone, PhoneDevice, PhoneSource, PhoneSourceDown

log = logging.getLogger("app.phones")


@dataclass(frozen=True)
class Snapshot:
    """The phone bus at one moment (immutable: it crosses from the poll job)."""

    phones: tuple[AttachedPhone, ...]
    error: str = ""  # what the sources that could not be asked said, one line


@runtime_checkable
class PairingSource(Protocol):
    """A source whose phones must be paired with the bench from the bench's side (iPhones)."""

    def pair(self, serial: str, on_hint: Callable[[str], None], cancelled: Callable[[], bool]) -> bool: ...


@runtime_checkable
class PausableSource(Protocol):
    """A source that re-attaches missing phones by itself, and must leave one alone while it resets."""

    def pause_attach(self, serial: str, paused: bool) -> None: ...


class PhoneBus:
    def __init__(self, sources: Iterable[PhoneSource] = ()) -> None:
        self.sources: dict[str, PhoneSource] = {}
        for source in sources:
            self.add(source)

    def add(self, source: PhoneSource) -> None:
        """Watch ``source`` too (one per platform: a second one for a platform replaces the first)."""
        self.sources[source.platform] = source

    def poll(self) -> Snapshot:
        phones: list[AttachedPhone] = []
        errors: list[str] = []
        for source in list(self.sources.values()):
            try:
                phones.extend(source.attached())
            except PhoneSourceDown as exc:
                errors.append(str(exc))
        return Snapshot(tuple(phones), " · ".join(errors))

    def _source(self, attached: AttachedPhone) -> PhoneSource:
        return self.sources[attached.platform]

    def open(self, attached: AttachedPhone) -> PhoneDevice:
        return self._source(attached).open(attached.serial)

    def pairs(self, attached: AttachedPhone) -> bool:
        """True for a phone the bench must pair with (from a job) before it can be read."""
        source: object = self.sources.get(attached.platform)
        return isinstance(source, PairingSource) and attached.waiting

    def pair(self, attached: AttachedPhone, on_hint: Callable[[str], None], cancelled: Callable[[], bool]) -> bool:
        source: object = self._source(attached)
        assert isinstance(source, PairingSource)
        return source.pair(attached.serial, on_hint, cancelled)

    def pause_attach(self, attached: AttachedPhone, paused: bool) -> None:
        source: object = self.sources.get(attached.platform)
        if isinstance(source, PausableSource):
            source.pause_attach(attached.serial, paused)

    def close(self) -> None:
        for source in self.sources.values():
            source.close()
