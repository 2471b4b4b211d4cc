"""Render resources/icons/infoshare.svg as packaging/windows/infoshare.ico (16 to 256 px).

    python packaging/windows/make-icon.py

Run again when the icon changes; the .ico is committed so a Windows build needs no
rendering step. Uses Qt's SVG renderer (PySide6) and Pillow (already dependencies).
"""

import io
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[2]
SIZES = (16, 24, 32, 48, 64, 128, 256)

app = QGuiApplication(["make-icon", "-platform", "offscreen"])
renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "infoshare.svg"))
image = QImage(256, 256, QImage.Format.Format_ARGB32)
image.fill(0)
painter = QPainter(image)
renderer.render(painter)
painter.end()
buffer = QBuffer()
buffer.open(QIODevice.OpenModeFlag.WriteOnly)
image.save(buffer, "PNG")
big = Image.open(io.BytesIO(bytes(buffer.data())))
big.save(ROOT / "packaging" / "windows" / "infoshare.ico", sizes=[(s, s) for s in SIZES])
