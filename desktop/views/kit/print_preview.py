"""打印预览 / 打印 / 另存为PDF of one document, the same on every page that prints.

    bar.addWidget(add_print_action(self, pdf_output.verification_pdf, lambda: (self.ctx.year, self._month),
                                   title=lambda: f"{self.ctx.year}年{self._month}月核实表", settings_key="reports"))

The document is made by `fn(ledger, *args) -> bytes` (a PDF from services/documents) on the worker lane;
`args()` is read at click time and gives plain values only. Then, on the GUI thread:

- 打印预览 shows the PDF's pages in a QPrintPreviewDialog (rendered with QPdfDocument);
- 打印 asks for the printer and prints at 100 %: never fit-to-page. Each PDF page is drawn at its own
  physical size on a page of that size (A4 named as A4, zero margins, full page), rendered at the
  printer's resolution in bands. Where CUPS `lp` exists and the printer is a CUPS queue, the PDF itself
  goes to the queue so it stays vector; “print to file” writes the PDF itself;
- 另存为PDF writes the PDF to a file (the folder remembered, `.part` then rename).

Every print and save is recorded in the audit log under the acting user. Failures show a Chinese message.
"""

from __future__ import annotations

import sys
from typing import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, QRect, QRectF, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPaintEngine
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo, QPrintPreviewDialog, \
    QPrintPreviewWidget
from PySide6.QtWidgets import QComboBox, QGraphicsView, QLabel, QMenu, QPushButton, QWidget

from desktop.services.documents import pdf_output
from desktop.services.errors import UserError
from desktop.services.export_log import record_print
from desktop.views.kit.file_choice import ask_save_file
from desktop.views.kit.ops import query, write
from desktop.views.kit.worker import show_error
from desktop.views.kit.widgets import tell

BUTTON_TEXT = "打印…"
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


# The action ----------------------------------------------------------------------------------------

class PrintAction(QObject):
    """One document's 打印预览 / 打印 / 另存为PDF: the button with its menu, the lane jobs, the dialogs."""

    def __init__(self, page: QWidget, fn: Callable[..., bytes], args: Callable[[], tuple], *,
                 title: Callable[[], str], settings_key: str, status: QLabel | Callable[[], QLabel] | None = None,
                 button_text: str = BUTTON_TEXT) -> None:
        super().__init__(page)
        self.page = page
        self.fn = fn
        self.args = args
        self.title = title
        self.settings_key = settings_key
        self.status = status
        self.busy = False
        self.document: QPdfDocument | None = None
        self.data: bytes | None = None
        self.printer: QPrinter | None = None
        self.dialog: QPrintPreviewDialog | QPrintDialog | None = None
        self.last_path = None
        self.button = QPushButton(button_text)
        self.button.setToolTip("打印预览、打印（按实际大小，不缩放）或另存为 PDF")
        menu = QMenu(self.button)
        self.preview_action = menu.addAction("打印预览…", self.preview)
        self.print_action = menu.addAction("打印…", self.print_)
        self.save_action = menu.addAction("另存为PDF…", self.save_pdf)
        self.button.setMenu(menu)

    def what(self) -> str:
        return (self.title() or "").strip() or "打印文件"

    # Making the PDF ------------------------------------------------------------------------------
    def _make(self, then: Callable[[], None]) -> None:
        """Make the PDF on the lane, load it, then `then()` (preview or print) on the GUI thread."""
        if self.busy:
            return
        self._set_busy(True, "正在生成PDF…")

        def made(data: bytes) -> None:
            self._set_busy(False, "")
            try:
                self._load(data)
            except UserError as exc:
                show_error(self.page, exc)
                return
            then()

        query(self.page, f"print:{self.settings_key}", pdf_output.make_pdf, self.fn, *self.args(),
              done=made, failed=self._failed)

    def _load(self, data: bytes) -> None:
        if self.document is not None:
            self.document.deleteLater()
        self.document = None
        self.document, self.data = load_pdf(data, self), data

    def _set_busy(self, busy: bool, text: str) -> None:
        self.busy = busy
        self.button.setEnabled(not busy)
        if text or not busy:
            self._tell(text)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False, "未完成")
        show_error(self.page, exc)

    def _tell(self, text: str) -> None:
        tell(self.page, self.status, text)

    def _new_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.document)
        printer.setDocName(self.what())
        self.printer = printer
        return printer

    # 打印预览 ------------------------------------------------------------------------------------
    def preview(self) -> None:
        self._make(self._show_preview)

    def _show_preview(self) -> None:
        dialog = QPrintPreviewDialog(self._new_printer(), self.page)
        dialog.setWindowTitle(f"打印预览 — {self.what()}")
        dialog.paintRequested.connect(self._paint)
        dialog.resize(900, 700)
        self.dialog = dialog
        dialog.open()
        actual_size(dialog)

    def _paint(self, printer: QPrinter) -> None:
        """The preview draws the pages; its own 打印 button prints them by the same route as 打印."""
        try:
            if is_preview(printer):
                render_pages(printer, self.document)
            else:
                self.print_with(printer)
        except UserError as exc:
            show_error(self.page, exc)

    # 打印 ----------------------------------------------------------------------------------------
    def print_(self) -> None:
        self._make(self._ask_printer)

    def _ask_printer(self) -> None:
        printer = self._new_printer()
        dialog = QPrintDialog(printer, self.page)
        dialog.setWindowTitle(f"打印 — {self.what()}")
        dialog.setMinMax(1, self.document.pageCount())
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.accepted.connect(lambda: self.print_with(printer))
        self.dialog = dialog
        dialog.open()

    def print_with(self, printer: QPrinter) -> None:
        """Print the loaded PDF on `printer` as the dialog set it up: to a file as the PDF itself, to a CUPS
        queue through `lp` (vector), else rendered at the printer's resolution."""
        document, data, what = self.document, self.data, self.what()
        pages = chosen_pages(printer, document.pageCount())
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
            write(self.page, pdf_output.write_pdf, data, printer.outputFileName(), what,
                  done=lambda p: self._tell(f"已保存为 PDF：{p}"), failed=self._failed)
            return
        queue = cups_queue(printer)
        if queue is not None:
            span = None if len(pages) == document.pageCount() else (pages[0] + 1, pages[-1] + 1)
            self._set_busy(True, f"正在送打印机“{queue}”…")
            write(self.page, pdf_output.send_to_cups, data, queue, what, pages_in_document=document.pageCount(),
                  copies=printer.copyCount(), pages=span, two_sided=printer.duplex() != QPrinter.DuplexMode.DuplexNone,
                  done=lambda _answer: self._set_busy(False, f"已送打印机“{queue}”（PDF 原样送 CUPS，按实际大小）"),
                  failed=self._failed)
            return
        try:
            drawn = render_pages(printer, document, pages)
        except UserError as exc:
            show_error(self.page, exc)
            return
        name = printer.printerName() or "打印机"
        write(self.page, record_print, what, printer=name,
              sheets=drawn * (printer.copyCount() if printer.supportsMultipleCopies() else 1),
              done=lambda _n: self._tell(f"已打印 {drawn} 页：{name}"), failed=self._failed)

    # 另存为PDF -----------------------------------------------------------------------------------
    def save_pdf(self) -> None:
        ctx = self.page.ctx
        name = f"{self.what()}_{ctx.ledger.today():%Y%m%d}.pdf"
        path = ask_save_file(self.page, ctx.settings, f"{self.settings_key}/pdf_dir", "另存为PDF", name,
                             "PDF 文件 (*.pdf)", pdf_output.pdf_path)
        if path is not None:
            self.save_pdf_to(path)

    def save_pdf_to(self, path) -> None:
        """Make the PDF and write it to `path` on the lane."""
        if self.busy:
            return
        self._set_busy(True, "正在生成PDF…")

        def saved(p) -> None:
            self.last_path = p
            self._set_busy(False, f"已保存为 PDF：{p}")

        write(self.page, pdf_output.save_pdf, self.fn, self.args(), str(path), self.what(), done=saved,
              failed=self._failed)


def add_print_action(page: QWidget, fn: Callable[..., bytes], args: Callable[[], tuple] = tuple, *,
                     title: Callable[[], str], settings_key: str, status: QLabel | Callable[[], QLabel] | None = None,
                     button_text: str = BUTTON_TEXT) -> QPushButton:
    """A “打印…” button (打印预览 / 打印 / 另存为PDF) for the document `fn(ledger, *args())`; the page places it.

    The PrintAction is kept as `page.print_actions[settings_key]` (tests and shortcuts reach it there)."""
    action = PrintAction(page, fn, args, title=title, settings_key=settings_key, status=status,
                         button_text=button_text)
    if not hasattr(page, "print_actions"):
        page.print_actions = {}
    page.print_actions[settings_key] = action
    return action.button

