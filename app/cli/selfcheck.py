"""`refurb-bench self-check`: proves, headless, that this install can do the bench's real work.

Run on a new bench right after installing the package (and in CI on the built artefact). Each check
drives the product's own code, never a stand-in:

- resources: the packaged grading rulesets, test plans and icon load;
- sqlite: the store's SQLite has the WAL-reset corruption fix;
- erasure: in a scratch data folder, a simulated drive is assigned a bay and erased by the erasure child
  process (the same process the GUI starts), so the event log is signed and then audited, the drive image
  reads back as zeros, and the certificate verifies against the station key while an edited copy does not;
- qt: Qt starts on the offscreen platform, renders the icon (Qt SVG), loads Qt Charts, and opens the
  certificate PDF with Qt PDF to render its page and find ink on it.

Exit 0 when every check passed, 1 when one failed (each line says which and why).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import __version__
from app.cli.common import EXIT_CHECK_FAILED, EXIT_OK

SIM_DRIVE_BYTES = 4 << 20
MIN_SQLITE = (3, 51, 3)
# The certificate is one A4 page: 595 x 842 points.
A4_POINTS = (595, 842)
# A rendered certificate page has text, tables and a QR code: well over 1 % of its pixels are ink.
MIN_INK_FRACTION = 0.01


class CheckFailed(Exception):
    """One self-check did not hold; the message says what was expected and what was found."""


@dataclass
class Scratch:
    """What the erasure check leaves for the Qt check: the certificate PDF to render."""

    folder: Path
    certificate_pdf: Path | None = None


def add_parsers(sub: Any) -> None:
    sub.add_parser("self-check", help="check this install headless: resources, store, signed erasure, Qt, PDF")


def cmd_self_check(args: argparse.Namespace) -> int:
    print(f"refurb-bench {__version__} self-check ({'built package' if getattr(sys, 'frozen', False) else 'source'})")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="refurb-bench-self-check-") as folder:
        scratch = Scratch(Path(folder))
        checks: tuple[tuple[str, Callable[[Scratch], str]], ...] = (
            ("resources", lambda _: check_resources()),
            ("sqlite", lambda _: check_sqlite()),
            ("erasure", check_signed_erasure),
            ("qt", check_qt),
        )
        for name, check in checks:
            started = time.monotonic()
            try:
                detail = check(scratch)
            except Exception as exc:  # noqa: BLE001 - any failure of a check is reported as that check's failure
                failed += 1
                print(f"FAIL {name}: {type(exc).__name__}: {exc}")
                continue
            print(f"ok   {name}: {detail} ({time.monotonic() - started:.1f} s)")
    if failed:
        print(f"{failed} check(s) failed — reinstall the package; if it persists, report the lines above")
        return EXIT_CHECK_FAILED
    print("all checks passed")
    return EXIT_OK


STANDALONE_COMMANDS = {"self-check": cmd_self_check}


def check_resources() -> str:
    from app.core.grading.loader import load_rulesets
    from app.core.phones import load_phone_plan
    from app.core.testplans_loader import load_plans
    from app.services.reference_data import PACKAGED

    if not PACKAGED.is_dir():
        raise CheckFailed(f"the resources folder {PACKAGED} is missing")
    rulesets = load_rulesets(PACKAGED / "grading" / "rulesets")
    rig_plans = load_plans(PACKAGED / "testplans" / "rigs")
    phone_plans = [load_phone_plan(PACKAGED / "testplans" / f"phone-{kind}.toml") for kind in ("android", "ios")]
    if not rulesets or not rig_plans:
        raise CheckFailed(f"found {len(rulesets)} grading rulesets and {len(rig_plans)} rig plans; expected some")
    icon = PACKAGED / "icons" / "refurb-bench.svg"
    if not icon.is_file():
        raise CheckFailed(f"the icon {icon} is missing")
    return (f"{len(rulesets)} grading ruleset(s), {len(rig_plans)} rig plan(s), "
            f"{len(phone_plans)} phone plans, icon, from {PACKAGED}")


def check_sqlite() -> str:
    from app.store.db import sqlite_version

    version = sqlite_version()
    if tuple(int(part) for part in version.split(".")[:3]) < MIN_SQLITE:
        raise CheckFailed(f"SQLite {version} lacks the WAL-reset fix (needs 3.51.3 or later)")
    return f"SQLite {version}"


def check_signed_erasure(scratch: Scratch) -> str:
    """A full simulated erasure through the erasure child process, then its records checked."""
    from app.core.certificate import check
    from app.services.drives import DriveService, SimulatedDevices
    from app.services.erasure import EraseRequest
    from app.services.erasure_process import erase_in_child
    from app.store.audit import verify
    from app.store.keys import public_key_text
    from app.store.store import Store
    from drivers.sim.firmware import SimulatedDrive

    data_dir = scratch.folder / "data"
    drives = SimulatedDevices(scratch.folder / "drives", (SimulatedDrive(1, "sata-hdd", SIM_DRIVE_BYTES),))
    with Store(data_dir) as store:
        DriveService(store, drives).assign_bay(1, drives.bay_keys()[1], "self-check bay")
    (device,) = drives.devices()
    report = erase_in_child(data_dir, None, drives, EraseRequest(device.path), threading.Event(),
                            lambda _: None, lambda _: None)
    if report.outcome != "passed" or not report.certificate_path:
        raise CheckFailed(f"the simulated erasure ended {report.outcome}: {report.summary} {report.hint}".strip())
    with open(device.path, "rb") as image:
        if any(image.read()):
            raise CheckFailed(f"the erased image {device.path} still holds non-zero bytes")
    with Store(data_dir) as store:
        audit = verify(store.db, store.public_key)
        station_key = public_key_text(store.public_key)
    if not audit.ok:
        raise CheckFailed(f"the event log does not verify: {audit.describe()}")
    doc = json.loads(Path(report.certificate_path).read_text(encoding="utf-8"))
    verdict = check(doc, trusted_public_key=station_key)
    if not verdict.ok:
        raise CheckFailed("the certificate does not verify: " + "; ".join(verdict.problems))
    edited = copy.deepcopy(doc)
    edited["certificate"]["device"]["serial"] = "EDITED-SERIAL"
    if check(edited, trusted_public_key=station_key).ok:
        raise CheckFailed("an edited certificate still verifies: signature checking is broken")
    scratch.certificate_pdf = Path(report.certificate_path).with_suffix(".pdf")
    return (f"{audit.checked} signed events verified; {SIM_DRIVE_BYTES >> 20} MiB drive erased in a child process "
            f"and read back as zeros; certificate {verdict.certificate_id} verifies, an edited copy does not")


def check_qt(scratch: Scratch) -> str:
    """Qt on the offscreen platform with the widgets the GUI uses: the icon through Qt SVG, Qt Charts,
    and the certificate PDF through Qt PDF."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a self-check never opens a window, with or without a display
    from PySide6.QtCharts import QChart
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtWidgets import QApplication

    from app.services.reference_data import PACKAGED

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["refurb-bench"])  # Charts need widgets
    platform = app.platformName()
    if platform != "offscreen":
        raise CheckFailed(f"Qt started on the {platform!r} platform, not offscreen")
    chart = QChart()
    chart.setTitle("self-check")

    icon_path = PACKAGED / "icons" / "refurb-bench.svg"
    if not icon_path.is_file():
        raise CheckFailed(f"the icon {icon_path} is missing")
    svg = QSvgRenderer(str(icon_path))
    if not svg.isValid():
        raise CheckFailed("Qt SVG cannot read the icon")
    icon = QImage(QSize(64, 64), QImage.Format.Format_ARGB32)
    icon.fill(QColor(0, 0, 0, 0))
    painter = QPainter(icon)
    svg.render(painter)
    painter.end()
    if _ink_fraction(icon, opaque=True) < 0.3:
        raise CheckFailed("the icon rendered (nearly) empty")

    if scratch.certificate_pdf is None or not scratch.certificate_pdf.is_file():
        raise CheckFailed("no certificate PDF to render (the erasure check failed first)")
    pdf = QPdfDocument()
    error = pdf.load(str(scratch.certificate_pdf))
    if error != QPdfDocument.Error.None_:
        raise CheckFailed(f"Qt PDF cannot open the certificate: {error.name}")
    size = pdf.pagePointSize(0)
    if pdf.pageCount() != 1 or (round(size.width()), round(size.height())) != A4_POINTS:
        raise CheckFailed(f"the certificate has {pdf.pageCount()} page(s) of {size.width():.0f} x "
                          f"{size.height():.0f} pt; expected one A4 page")
    page = pdf.render(0, QSize(595, 842))
    ink = _ink_fraction(page, opaque=False)
    pdf.close()
    if ink < MIN_INK_FRACTION:
        raise CheckFailed(f"the certificate page rendered blank ({ink:.2%} ink)")
    return f"platform offscreen, icon and Qt Charts loaded, certificate PDF rendered by Qt PDF ({ink:.1%} ink)"


def _ink_fraction(image: Any, *, opaque: bool) -> float:
    """The share of pixels that are drawn: opaque ones (on a transparent image) or dark ones (on paper)."""
    width, height = image.width(), image.height()
    step = 2  # every other pixel in each direction is plenty to tell a drawing from a blank
    drawn = total = 0
    for y in range(0, height, step):
        for x in range(0, width, step):
            colour = image.pixelColor(x, y)
            total += 1
            if (colour.alpha() > 128) if opaque else (colour.alpha() > 128 and colour.lightness() < 160):
                drawn += 1
    return drawn / total if total else 0.0
