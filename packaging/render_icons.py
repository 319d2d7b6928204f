"""Renders the SVG icon to the PNG sizes of the freedesktop hicolor theme (used by `make package`).

Usage: python packaging/render_icons.py ICON.svg OUT_DIR  ->  OUT_DIR/<N>x<N>/apps/refurb-bench.png
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256)


def main(svg_path: str, out_dir: str) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(["render_icons"])
    renderer = QSvgRenderer(svg_path)
    if not renderer.isValid():
        sys.exit(f"render_icons: {svg_path} is not a valid SVG")
    for size in SIZES:
        image = QImage(QSize(size, size), QImage.Format.Format_ARGB32)
        image.fill(QColor(0, 0, 0, 0))
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = Path(out_dir) / f"{size}x{size}" / "apps" / "refurb-bench.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            sys.exit(f"render_icons: cannot write {target}")
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
