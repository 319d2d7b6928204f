"""Unit and box labels from one template definition each, drawn as ZPL II or PDF, and box manifests.

    data = UnitLabelData(model="iPhone 13", storage="128GB", colour="Midnight", grade="B / 0",
                         route="Resale · Back Market Good", lot="LOT-2026-0042", date="2026-11-22",
                         imei="490154203237518", gtin="09501101530003", certificate_id="C-…",
                         un_number="UN3481", phone="+44 20 7946 0000")
    label = unit_label(data)
    to_zpl(label, dpi=203)   # str, one ^XA…^XZ format
    to_pdf([label])          # bytes, one page of 3 × 2 in
"""

from __future__ import annotations

from app.reports.labels.layout import Label, Template, fill
from app.reports.labels.manifest import ManifestLine, manifest_code, manifest_csv, manifest_pdf
from app.reports.labels.pdf import to_pdf
from app.reports.labels.templates import (
    BOX_TEMPLATE,
    UNIT_TEMPLATE,
    BoxLabelData,
    UnitLabelData,
    box_label,
    unit_label,
)
from app.reports.labels.zpl import to_zpl, to_zpl_job

__all__ = [
    "BOX_TEMPLATE", "UNIT_TEMPLATE", "BoxLabelData", "Label", "ManifestLine", "Template", "UnitLabelData",
    "box_label", "fill", "manifest_code", "manifest_csv", "manifest_pdf", "to_pdf", "to_zpl", "to_zpl_job",
    "unit_label",
]
