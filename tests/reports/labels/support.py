"""Label data used by the label and printer tests, and the external tools they render and read with."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from app.reports.labels import UnitLabelData

PHONE = "+44 20 7946 0000"

WITH_GTIN = UnitLabelData(model="iPhone 13", storage="128GB", colour="Midnight", grade="B / 0 · R2 F5-C5",
                          route="Resale · Back Market Good", lot="LOT-2026-0042", date="2026-11-22",
                          imei="490154203237518", gtin="09501101530003", certificate_id="C-ABCDEFGHJKLMNPQR",
                          un_number="UN3481", phone=PHONE)
SERIAL_ONLY = UnitLabelData(model="ThinkPad T14 Gen 3", storage="512GB", colour="Black", grade="C / 2 · R2 F3-C4",
                            route="Repair · battery, keyboard", lot="LOT-2026-0043", date="2026-11-23",
                            serial="PF3K9Z2Q")
SERIAL_AND_GTIN = UnitLabelData(model="Galaxy Tab S8", storage="256GB", colour="Graphite", grade="A / 0",
                                route="Resale · wholesale A", lot="LOT-2026-0044", date="2026-11-24",
                                serial="R52T30ABCDE_9", gtin="8806094150124", certificate_id="C-QRSTUVWXYZ234567",
                                un_number="UN3481", phone=PHONE)
ALL = (WITH_GTIN, SERIAL_ONLY, SERIAL_AND_GTIN)


def run(tool: str, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    path = shutil.which(tool)
    assert path, f"{tool} is not installed; these tests need poppler-utils and zbar-tools"
    return subprocess.run([path, *map(str, args)], capture_output=True, check=True, timeout=60)


def decode_pages(pdf: Path, dpi: int = 300) -> list[list[tuple[str, str]]]:
    """Render every page with pdftoppm and read every symbol with zbarimg: [(symbology, data), ...] per page."""
    run("pdftoppm", "-png", "-r", str(dpi), pdf, pdf.with_suffix(""))
    pages = sorted(pdf.parent.glob(pdf.stem + "-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert pages, "pdftoppm wrote no pages"
    decoded = []
    for page in pages:
        result = subprocess.run([shutil.which("zbarimg") or "zbarimg", "--quiet", "--nodbus",
                                 "--xml", str(page)], capture_output=True, timeout=60, check=False)
        decoded.append(_symbols(result.stdout.decode("utf-8")))
    return decoded


def _symbols(xml: str) -> list[tuple[str, str]]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    found = []
    for symbol in root.iter():
        if symbol.tag.endswith("symbol"):
            data = next(c for c in symbol if c.tag.endswith("data"))
            found.append((symbol.get("type", ""), data.text or ""))
    return found
