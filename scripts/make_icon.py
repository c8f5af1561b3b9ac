"""Draw the application icon once: resources/icons/app.png (256 px) and app.ico (16–256 px).

A seal-red rounded square holding a cream ledger page with ruled lines, and on the page a red
seal (印章) bearing “治”. Small sizes (≤ 48 px) drop the page and show “治” alone so it stays
legible. The output is committed; run this again only to change the design:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt  # noqa: E402
from PySide6.QtGui import (  # noqa: E402
    QColor, QFont, QFontDatabase, QGuiApplication, QImage, QLinearGradient, QPainter, QPainterPath, QPen,
)

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
RED_TOP, RED_BOTTOM = QColor("#c8372d"), QColor("#8e1b14")
SEAL = QColor("#b3261e")
PAPER = QColor("#fbf5e6")
RULE = QColor("#c9d3dd")
# Preferred fonts for the character, most seal-like first; the first one installed wins.
FONTS = ("AR PL SungtiL GB", "Noto Serif CJK SC", "SimSun", "WenQuanYi Micro Hei", "Noto Sans CJK SC")


def _font_family() -> str:
    families = set(QFontDatabase.families())
    for name in FONTS:
        if name in families:
            return name
    sys.exit("no CJK font installed (apt-get install fonts-wqy-microhei)")


def _char(p: QPainter, rect: QRectF, color: QColor, family: str, scale: float) -> None:
    font = QFont(family)
    font.setPixelSize(max(8, int(rect.height() * scale)))
    font.setBold(True)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    p.setFont(font)
    p.setPen(color)
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "治")


def draw(size: int, family: str) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    s = float(size)

    # Background: the rounded square.
    margin = s * 0.03
    bg = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    grad = QLinearGradient(bg.topLeft(), bg.bottomLeft())
    grad.setColorAt(0, RED_TOP)
    grad.setColorAt(1, RED_BOTTOM)
    path = QPainterPath()
    path.addRoundedRect(bg, s * 0.2, s * 0.2)
    p.fillPath(path, grad)

    if size <= 48:
        _char(p, bg, PAPER, family, 0.78)
        p.end()
        return img

    # The ledger page with ruled lines and a binding margin.
    page = QRectF(s * 0.17, s * 0.13, s * 0.66, s * 0.74)
    page_path = QPainterPath()
    page_path.addRoundedRect(page, s * 0.035, s * 0.035)
    p.fillPath(page_path, PAPER)
    pen = QPen(RULE, max(1.0, s / 128))
    p.setPen(pen)
    rows = 7
    for i in range(1, rows + 1):
        y = page.top() + page.height() * i / (rows + 1)
        p.drawLine(int(page.left() + s * 0.05), int(y), int(page.right() - s * 0.04), int(y))
    p.setPen(QPen(SEAL.lighter(150), max(1.0, s / 128)))
    x = page.left() + s * 0.11
    p.drawLine(int(x), int(page.top() + s * 0.03), int(x), int(page.bottom() - s * 0.03))

    # The seal: a red square frame with the character inside.
    seal = QRectF(s * 0.27, s * 0.27, s * 0.46, s * 0.46)
    seal_path = QPainterPath()
    seal_path.addRoundedRect(seal, s * 0.04, s * 0.04)
    p.fillPath(seal_path, QColor(PAPER))
    p.setPen(QPen(SEAL, max(2.0, s * 0.035)))
    p.drawPath(seal_path)
    _char(p, seal.adjusted(s * 0.02, s * 0.02, -s * 0.02, -s * 0.02), SEAL, family, 0.86)
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data)


def write_ico(path: Path, images: list[QImage]) -> None:
    """An ICO file whose entries are PNG-compressed (understood by Windows Vista and later, and NSIS)."""
    blobs = [png_bytes(img) for img in images]
    header = struct.pack("<HHH", 0, 1, len(blobs))
    offset = len(header) + 16 * len(blobs)
    entries = b""
    for img, blob in zip(images, blobs):
        w = img.width() if img.width() < 256 else 0
        h = img.height() if img.height() < 256 else 0
        entries += struct.pack("<BBBBHHII", w, h, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
    path.write_bytes(header + entries + b"".join(blobs))


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts need it)
    family = _font_family()
    OUT.mkdir(parents=True, exist_ok=True)
    images = [draw(n, family) for n in ICO_SIZES]
    images[-1].save(str(OUT / "app.png"), "PNG")
    write_ico(OUT / "app.ico", images)
    print(f"icon drawn with {family!r}: {OUT / 'app.png'}, {OUT / 'app.ico'} ({', '.join(map(str, ICO_SIZES))} px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
