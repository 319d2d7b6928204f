"""Station settings: one typed schema with defaults and help, stored as JSON in the data folder."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import OperatorError
from app.core.identifiers import ScanRules
from drivers.printer import parse_printer_url

log = logging.getLogger("app.settings")

SETTINGS_FILE = "settings.json"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ScannerSettings:
    """How a keyboard-wedge scanner is told apart from typing."""

    max_gap_ms: int = field(default=40, metadata={"help": "Longest pause between two scanned characters"})
    min_length: int = field(default=4, metadata={"help": "Shortest burst taken as a scan"})
    prefix: str = field(default="", metadata={"help": "Characters the scanner sends before each code"})
    suffixes: str = field(default="\r\n\t", metadata={"help": "Keys that end a scan (Enter, LF and Tab)"})


@dataclass(frozen=True)
class LabelSettings:
    """Where labels go and what the lithium battery mark says."""

    printer: str = field(default="", metadata={
        "help": "tcp://HOST:9100, file:///dev/usb/lp0 or cups://QUEUE; empty: labels are kept as PDF files"})
    dpi: int = field(default=203, metadata={"help": "The label printer's resolution: 203 or 300"})
    print_on_grade: bool = field(default=True, metadata={"help": "Print the unit's label as soon as it is routed"})
    lithium_phone: str = field(default="", metadata={
        "help": "Telephone number printed on the lithium battery mark (someone who knows the shipment)"})
    retry_seconds: int = field(default=15, metadata={"help": "How often queued labels are tried again"})


SERIAL_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class ScannerPortSettings:
    """Scanners that do not type: a serial scanner's port, and a HID scanner grabbed from the desktop."""

    serial_port: str = field(default="", metadata={
        "help": "Serial barcode scanner's port (/dev/serial/by-id/...); empty: no serial scanner"})
    serial_baud: int = field(default=9600, metadata={"help": "The serial scanner's baud rate"})
    serial_suffix: str = field(default="\r", metadata={"help": "What ends each code from the serial scanner"})
    hid_grab: str = field(default="", metadata={
        "help": "HID scanner's event device (/dev/input/by-id/...-event-kbd) to grab from other windows; "
                "empty: the scanner types like a keyboard"})


@dataclass(frozen=True)
class Settings:
    """Everything a station can be configured with."""

    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    rules: ScanRules = field(default_factory=ScanRules)
    station_name: str = field(default="bench-1", metadata={"help": "Name shown in the title and on records"})
    auto_erase_on_insert: bool = field(default=False, metadata={
        "help": "Start erasing drives when inserted into a mapped bay, with the bays page's method"})
    scanner_ports: ScannerPortSettings = field(default_factory=ScannerPortSettings)
    labels: LabelSettings = field(default_factory=LabelSettings)
    language: str = field(default="", metadata={
        "help": "Language of the screens: en or fr; empty: the system's (refurb-bench --lang overrides it)"})

    def to_json(self) -> str:
        return json.dumps({"schema_version": SCHEMA_VERSION, **dataclasses.asdict(self)}, indent=2)


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            log.info("ignoring unknown setting %s", name)
            continue
        spec = known[name]
        default = spec.default_factory() if spec.default_factory is not dataclasses.MISSING else spec.default
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                raise TypeError(f"setting {name} must be a table")
            kwargs[name] = _build(type(default), value)
        elif not isinstance(value, type(default)) or isinstance(value, bool) != isinstance(default, bool):
            raise TypeError(f"setting {name} must be {type(default).__name__}")
        else:
            kwargs[name] = value
    return cls(**kwargs)


def validate(settings: Settings) -> None:
    """Refuse settings the bench cannot work with; ValueError names the first problem."""
    scanner, rules = settings.scanner, settings.rules
    if not 5 <= scanner.max_gap_ms <= 1000:
        raise ValueError("the longest gap inside a scan must be 5 to 1000 ms")
    if not 1 <= scanner.min_length <= 64:
        raise ValueError("the shortest scan must be 1 to 64 characters")
    if not scanner.suffixes or not all(c in "\r\n\t" for c in scanner.suffixes):
        raise ValueError("a scan must end with Enter (\\r), LF (\\n) or Tab (\\t), or several of them")
    if len(scanner.prefix) > 8:
        raise ValueError("the scanner prefix can be at most 8 characters")
    prefixes = [rules.badge_prefix, rules.lot_prefix, rules.po_prefix, rules.asset_prefix]
    if any(not p.strip() for p in prefixes) or len({p.upper() for p in prefixes}) != len(prefixes):
        raise ValueError("badge, lot, PO and asset-tag prefixes must be set and differ")
    if not settings.station_name.strip():
        raise ValueError("the station needs a name")
    ports = settings.scanner_ports
    if ports.serial_baud not in SERIAL_BAUDS:
        raise ValueError(f"the serial scanner's baud rate must be one of {', '.join(map(str, SERIAL_BAUDS))}")
    if ports.serial_suffix not in ("\r", "\n", "\r\n"):
        raise ValueError("the serial scanner's codes must end with \\r, \\n or \\r\\n")
    if settings.language not in ("", "en", "fr"):
        raise ValueError("the language must be en, fr or empty (the system's)")
    if settings.labels.dpi not in (203, 300):
        raise ValueError("the label printer's resolution must be 203 or 300 dpi")
    if settings.labels.printer.strip():
        parse_printer_url(settings.labels.printer)  # ValueError says what a printer URL looks like
    if not 2 <= settings.labels.retry_seconds <= 3600:
        raise ValueError("queued labels are retried every 2 to 3600 seconds")


def load_settings(data_dir: Path) -> Settings:
    """Read settings.json, or the defaults when there is none."""
    path = data_dir / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError("the file must hold a JSON object")
        version = data.pop("schema_version", 1)
        if version > SCHEMA_VERSION:
            raise OperatorError(f"{path} was written by a newer Refurb Bench", hint="Update the app on this bench")
        settings: Settings = _build(Settings, data)
        validate(settings)
        return settings
    except OSError as exc:
        raise OperatorError(f"The settings file {path} cannot be read: {exc.strerror}",
                            hint="Check the file, or move it aside to start from the defaults") from exc
    except (ValueError, TypeError, RecursionError) as exc:
        raise OperatorError(f"The settings file {path} is not valid: {exc}",
                            hint="Fix the file or move it aside to start from the defaults") from exc


def save_settings(data_dir: Path, settings: Settings) -> None:
    """Write the settings whole (a temporary file renamed over the old one)."""
    validate(settings)
    path = data_dir / SETTINGS_FILE
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(settings.to_json(), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise OperatorError(f"The settings could not be saved to {path}: {exc.strerror}",
                            hint="Check free space and permissions of the data folder") from exc
