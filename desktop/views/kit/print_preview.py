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

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QMenu, QPushButton, QWidget

from desktop.services.documents import pdf_output
from desktop.services.errors import UserError
from desktop.services.export_log import record_print
from desktop.views.kit.file_choice import ask_save_file
from desktop.views.kit.ops import query, write
from desktop.views.kit.worker import show_error
from desktop.views.kit.widgets import tell

if TYPE_CHECKING:  # print_pages (QtPdf, QtPrintSupport) is loaded on the first preview or print, not with the page
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog

BUTTON_TEXT = "打印…"


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
        from desktop.views.kit.print_pages import load_pdf

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
        from PySide6.QtPrintSupport import QPrinter

        from desktop.views.kit.print_pages import prepare_printer

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.document)
        printer.setDocName(self.what())
        self.printer = printer
        return printer

    # 打印预览 ------------------------------------------------------------------------------------
    def preview(self) -> None:
        self._make(self._show_preview)

    def _show_preview(self) -> None:
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        from desktop.views.kit.print_pages import actual_size

        dialog = QPrintPreviewDialog(self._new_printer(), self.page)
        dialog.setWindowTitle(f"打印预览 — {self.what()}")
        dialog.paintRequested.connect(self._paint)
        dialog.resize(900, 700)
        self.dialog = dialog
        dialog.open()
        actual_size(dialog)

    def _paint(self, printer: QPrinter) -> None:
        """The preview draws the pages; its own 打印 button prints them by the same route as 打印."""
        from desktop.views.kit.print_pages import is_preview, render_pages

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
        from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog

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
        from PySide6.QtPrintSupport import QPrinter

        from desktop.views.kit.print_pages import chosen_pages, cups_queue, render_pages

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

