"""The page side of printing a PDF (print_preview's PrintAction calls it on 打印预览 / 打印): load the PDF into a
QPdfDocument and paint its pages at 100 % onto a printer, or hand it to a CUPS queue.

Kept apart from print_preview so that a page placing a 打印… button loads none of QtPdf / QtPrintSupport (and
PySide makes none of their enums) until something is printed: on the five-year city that was ~20 ms of each
printing page's first visit, on the GUI thread.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, QRect, QRectF, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPaintEngine
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QComboBox, QGraphicsView

from desktop.services.documents import pdf_output
from desktop.services.errors import UserError

PREVIEW_DPI = 150  # the preview keeps every page as a picture: enough to read at 200 % zoom
MAX_PRINT_DPI = 600  # a 1200 dpi device gets a 600 dpi image drawn at the same physical size
BAND_PIXELS = 8_000_000  # one band of a page rendered at a time: 32 MB, not a 140 MB page
POINTS_PER_INCH = 72.0
_A4 = QPageSize(QPageSize.PageSizeId.A4)


# Pages ---------------------------------------------------------------------------------------------

def load_pdf(data: bytes, parent: QObject | None = None) -> QPdfDocument:
    """The PDF as a QPdfDocument (its buffer lives as long as the document); a bad PDF is a UserError."""
    document = QPdfDocument(parent)
    buffer = QBuffer(document)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        error = document.error()
        document.deleteLater()
        raise UserError(f"PDF 文件无法读取（{error.name}），无法预览或打印。")
    return document


def page_layout(size_pt: QSizeF) -> QPageLayout:
    """A full-page layout (no margins) of one PDF page's size: A4 by name when it is A4, either way round."""
    w, h = size_pt.width(), size_pt.height()
    a4 = _A4.size(QPageSize.Unit.Point)
    if abs(min(w, h) - a4.width()) < 1 and abs(max(w, h) - a4.height()) < 1:
        size = _A4
    else:
        size = QPageSize(QSizeF(min(w, h), max(w, h)), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)
    orientation = QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait
    layout = QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    layout.setMode(QPageLayout.Mode.FullPageMode)
    return layout


def prepare_printer(printer: QPrinter, document: QPdfDocument) -> None:
    """Full page, zero margins, the first page's paper (A4), and the page range the document has."""
    printer.setFullPage(True)
    printer.setPageLayout(page_layout(document.pagePointSize(0)))
    printer.setFromTo(0, 0)


def is_preview(printer: QPrinter) -> bool:
    """Whether `printer` is being painted for a preview (QPrintPreviewWidget records pictures)."""
    engine = printer.paintEngine()
    return engine is not None and engine.type() == QPaintEngine.Type.Picture


def chosen_pages(printer: QPrinter, count: int) -> range:
    """The pages (0-based) the print dialog chose: its range, else all."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), min(printer.toPage() or count, count)
        return range(first - 1, max(first - 1, last))
    return range(count)


def draw_page(painter: QPainter, document: QPdfDocument, page: int, device_dpi: float, render_dpi: float) -> None:
    """One PDF page at its physical size from the top-left corner of the paper, rendered in bands."""
    size_pt = document.pagePointSize(page)
    full = QSize(round(size_pt.width() / POINTS_PER_INCH * render_dpi),
                 round(size_pt.height() / POINTS_PER_INCH * render_dpi))
    scale = device_dpi / render_dpi
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale != 1)
    band = max(64, BAND_PIXELS // max(1, full.width()))
    for top in range(0, full.height(), band):
        rows = min(band, full.height() - top)
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(full)
        options.setScaledClipRect(QRect(0, top, full.width(), rows))
        image = document.render(page, QSize(full.width(), rows), options)
        if image.isNull():
            raise UserError(f"第 {page + 1} 页无法绘制，打印未完成。")
        painter.drawImage(QRectF(0, top * scale, full.width() * scale, rows * scale), image)


def _next_paper(printer: QPrinter, layout: QPageLayout, preview: bool) -> None:
    """The next page's paper when it differs (a landscape page in a portrait document). The preview shows
    every page on the first page's paper: Qt's preview cannot change paper while it paints."""
    if not preview and not printer.pageLayout().isEquivalentTo(layout):
        printer.setPageLayout(layout)


def render_pages(printer: QPrinter, document: QPdfDocument, pages: range | None = None) -> int:
    """Paint the PDF's pages onto `printer` at 100 %; each page gets its own paper size. Returns pages drawn."""
    pages = range(document.pageCount()) if pages is None else pages
    if not pages:
        return 0
    device_dpi = printer.resolution()
    preview = is_preview(printer)
    render_dpi = min(device_dpi, PREVIEW_DPI if preview else MAX_PRINT_DPI)
    printer.setFullPage(True)
    printer.setPageLayout(page_layout(document.pagePointSize(pages[0])))
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    painter = QPainter()
    if not painter.begin(printer):
        name = printer.printerName() or printer.outputFileName()
        raise UserError(f"打印机“{name}”无法开始打印（未连接、脱机或没有权限），请检查打印机后重试。")
    drawn = 0
    try:
        for _copy in range(copies):
            for page in pages:
                if drawn:
                    _next_paper(printer, page_layout(document.pagePointSize(page)), preview)
                    printer.newPage()
                draw_page(painter, document, page, device_dpi, render_dpi)
                drawn += 1
    finally:
        painter.end()
    return drawn


def cups_queue(printer: QPrinter) -> str | None:
    """The CUPS queue to hand the PDF to, when `lp` exists and the printer is one of the system's queues."""
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat or pdf_output.lp_command() is None:
        return None
    if sys.platform.startswith("win"):
        return None
    name = printer.printerName()
    return name if name and name in QPrinterInfo.availablePrinterNames() else None


def actual_size(dialog: QPrintPreviewDialog) -> None:
    """Show the pages at 100 % (their printed size), not fitted to the window: through the dialog's own zoom box,
    so its fit buttons are released and the box says 100%. The dialog grows to a page's width where the screen
    has room."""
    box = next((c for c in dialog.findChildren(QComboBox) if c.isEditable() and c.findText("100%") >= 0), None)
    if box is not None:
        box.setCurrentIndex(box.findText("100%"))
    preview = dialog.findChild(QPrintPreviewWidget)
    if preview is not None and preview.zoomMode() != QPrintPreviewWidget.ZoomMode.CustomZoom:
        preview.setZoomFactor(1.0)  # no zoom box found (another Qt): set the widget itself
    screen = dialog.screen().availableGeometry()
    page_px = round(_A4.size(QPageSize.Unit.Inch).width() * dialog.logicalDpiX())
    dialog.resize(min(screen.width(), max(dialog.width(), page_px + 120)), min(screen.height() - 40, 1000))
    view = preview.findChild(QGraphicsView) if preview is not None else None
    if view is not None:  # zooming kept the middle of the page in view: start at the top of page 1 (its title)
        view.verticalScrollBar().setValue(view.verticalScrollBar().minimum())
