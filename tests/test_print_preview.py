"""The print kit (issue 10, printing in the window): PDF pages printed at 100 % on their own paper size, the
preview dialog, 另存为PDF, the CUPS route, and the audit record of each print and save."""

from __future__ import annotations

import io
import os
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import wait_idle
from test_ops import Owner
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QComboBox, QGraphicsView, QMessageBox
from sqlalchemy import select

from desktop.models import AuditLog
from desktop.services.documents import pdf_output
from desktop.services.errors import UserError
from desktop.views.kit import print_pages
from desktop.views.kit.print_pages import chosen_pages, load_pdf, render_pages
from desktop.views.kit.print_preview import add_print_action

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
MM = 72 / 25.4  # points per millimetre


def sample_pdf(_ledger=None, pages: int = 3) -> bytes:
    """A4 pages (the second one landscape), each with a black 20 × 20 mm square 30 mm in from the top-left
    corner, and its number."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)  # the same bytes every time
    for n in range(1, pages + 1):
        size = landscape(A4) if n == 2 else A4
        c.setPageSize(size)
        c.rect(30 * MM, size[1] - 50 * MM, 20 * MM, 20 * MM, stroke=0, fill=1)
        c.drawString(100, 100, f"page {n}")
        c.showPage()
    c.save()
    return out.getvalue()


def not_a_pdf(_ledger) -> bytes:
    return b"<html>oops</html>"


def page_sizes(path: Path) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], capture_output=True, text=True, check=True).stdout
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and " size:" in line:
            w, _x, h = line.split("size:")[1].split()[:3]
            sizes.append((round(float(w)), round(float(h))))
    return sizes


def dark(image: QImage, x_mm: float, y_mm: float, dpi: int) -> bool:
    return image.pixelColor(round(x_mm / 25.4 * dpi), round(y_mm / 25.4 * dpi)).lightness() < 80


@pytest.fixture
def page(qtbot, ctx):
    p = Owner(ctx)  # a widget with a ctx: the page the action sits on
    qtbot.addWidget(p)
    p.button = add_print_action(p, sample_pdf, title=lambda: "测试文件", settings_key="test")
    return p


def audit_rows(db, action):
    with db.reader() as s:
        return s.execute(select(AuditLog.object_label, AuditLog.after).where(AuditLog.action == action)).all()


# Pages at 100 % -------------------------------------------------------------------------------------

def test_pdf_printed_to_a_pdf_printer_keeps_its_pages_their_sizes_and_true_scale(qtbot, tmp_path):
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(150)
    document = load_pdf(sample_pdf())
    assert render_pages(printer, document) == 3
    assert page_sizes(out) == [(595, 842), (842, 595), (595, 842)]  # A4, A4 landscape, A4: never fit-to-page
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(out), str(tmp_path / "p")], check=True)
    for n in (1, 2, 3):
        image = QImage(str(tmp_path / f"p-{n}.png"))
        # the square sits where the PDF put it, at its size: 30–50 mm from the top-left of the paper
        assert dark(image, 32, 32, 72) and dark(image, 48, 48, 72)
        assert not dark(image, 27, 32, 72) and not dark(image, 53, 48, 72) and not dark(image, 32, 53, 72)


def test_print_range_chosen_in_the_dialog_is_the_pages_printed():
    printer = QPrinter()
    assert chosen_pages(printer, 5) == range(5)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert chosen_pages(printer, 5) == range(1, 3)
    printer.setFromTo(4, 9)
    assert chosen_pages(printer, 5) == range(3, 5)


def test_a_damaged_pdf_is_a_message_not_a_crash(qtbot):
    with pytest.raises(UserError, match="PDF 文件无法读取"):
        load_pdf(b"%PDF-1.4 truncated")


def test_a_document_function_that_returns_no_pdf_is_refused(db):
    with pytest.raises(UserError, match="不是有效的 PDF"):
        pdf_output.make_pdf(db, not_a_pdf)


# The window's actions ---------------------------------------------------------------------------------

def test_preview_dialog_opens_with_every_page(qtbot, ctx, page):
    action = page.print_actions["test"]
    action.preview_action.trigger()
    qtbot.waitUntil(lambda: isinstance(action.dialog, QPrintPreviewDialog) and action.dialog.isVisible(), timeout=10000)
    preview = action.dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() == 3)
    assert action.printer.pageLayout().pageSize().id() == print_pages.QPageSize.PageSizeId.A4
    assert action.printer.fullPage()
    shots = os.environ.get("ZZB_SHOTS")
    if shots:
        preview.setViewMode(QPrintPreviewWidget.ViewMode.FacingPagesView)
        action.dialog.resize(1200, 800)
        qtbot.wait(200)
        action.dialog.grab().save(str(Path(shots) / "print_preview_sample.png"))
    action.dialog.close()


def test_preview_shows_the_page_at_100_percent_not_fitted(qtbot, ctx, page):
    action = page.print_actions["test"]
    action.preview_action.trigger()
    qtbot.waitUntil(lambda: isinstance(action.dialog, QPrintPreviewDialog) and action.dialog.isVisible(), timeout=10000)
    preview = action.dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() == 3)
    qtbot.wait(100)
    assert preview.zoomMode() == QPrintPreviewWidget.ZoomMode.CustomZoom
    assert preview.zoomFactor() == pytest.approx(1.0)
    zoom_box = next(c for c in action.dialog.findChildren(QComboBox) if c.isEditable())
    assert zoom_box.currentText().startswith("100")  # the toolbar says 100 %
    scroll = preview.findChild(QGraphicsView).verticalScrollBar()
    assert scroll.maximum() > 0 and scroll.value() == scroll.minimum()  # page 1 shown from its top, not its middle
    assert action.dialog.width() >= 210 / 25.4 * preview.logicalDpiX()  # an A4 page's width fits across
    action.dialog.close()


def test_save_as_pdf_writes_the_document_and_records_the_export(qtbot, ctx, db, page, tmp_path):
    action = page.print_actions["test"]
    action.save_pdf_to(tmp_path / "存档")
    wait_idle(qtbot, ctx)
    saved = tmp_path / "存档.pdf"
    assert saved.read_bytes() == sample_pdf()
    assert not (tmp_path / "存档.pdf.part").exists()
    assert action.button.isEnabled()
    assert [(label, after["file_name"]) for label, after in audit_rows(db, "export")] == [("测试文件", "存档.pdf")]


def test_save_into_a_missing_folder_says_so_and_writes_nothing(qtbot, ctx, db, page, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    page.print_actions["test"].save_pdf_to(tmp_path / "没有" / "x.pdf")
    wait_idle(qtbot, ctx)
    assert shown and "不存在" in shown[0]
    assert audit_rows(db, "export") == []


def test_print_to_file_writes_the_pdf_itself(qtbot, ctx, db, page, tmp_path):
    action = page.print_actions["test"]
    action._load(sample_pdf())
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "to_file.pdf"))
    action.print_with(printer)
    wait_idle(qtbot, ctx)
    assert (tmp_path / "to_file.pdf").read_bytes() == sample_pdf()  # vector, untouched


# CUPS ------------------------------------------------------------------------------------------------

@pytest.fixture
def fake_lp(tmp_path, monkeypatch):
    """An `lp` on PATH that keeps its arguments and the file it was given (or fails with LP_FAIL)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "lp"
    script.write_text('#!/bin/sh\n'
                      'if [ -n "$LP_FAIL" ]; then echo "lp: The printer or class does not exist." >&2; exit 1; fi\n'
                      f'printf "%s\\n" "$@" > "{tmp_path}/lp_args"\n'
                      f'for a in "$@"; do last="$a"; done; cp "$last" "{tmp_path}/lp_file.pdf"\n'
                      'echo "request id is 办公室-7 (1 file(s))"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


def test_cups_gets_the_pdf_itself_at_100_percent_with_the_chosen_pages_and_copies(db, fake_lp):
    answer = pdf_output.send_to_cups(db, sample_pdf(), "办公室", "测试文件", pages_in_document=3, copies=2,
                                     pages=(2, 3), two_sided=True)
    assert answer.startswith("request id is")
    args = (fake_lp / "lp_args").read_text().splitlines()
    assert args[args.index("-d") + 1] == "办公室" and args[args.index("-n") + 1] == "2"
    assert args[args.index("-P") + 1] == "2-3"
    assert {"print-scaling=none", "fit-to-page=false", "media=A4", "sides=two-sided-long-edge"} <= set(args)
    assert (fake_lp / "lp_file.pdf").read_bytes() == sample_pdf()
    assert audit_rows(db, "print") == [("测试文件", {"printer": "办公室", "count": 4})]


def test_a_refused_cups_job_is_a_message_and_no_print_is_recorded(db, fake_lp, monkeypatch):
    monkeypatch.setenv("LP_FAIL", "1")
    with pytest.raises(UserError, match="未接受打印任务：lp: The printer or class does not exist"):
        pdf_output.send_to_cups(db, sample_pdf(), "无此打印机", "测试文件", pages_in_document=3)
    assert audit_rows(db, "print") == []


def test_only_a_system_queue_goes_through_lp(qtbot, fake_lp, monkeypatch):
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
    assert print_pages.cups_queue(printer) is None  # no such queue on this machine
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    assert print_pages.cups_queue(printer) is None


def test_a_print_button_loads_no_pdf_or_printer_module_until_it_prints():
    """Placing 打印… on a page costs no QtPdf / QtPrintSupport (a fresh interpreter: other tests loaded them)."""
    import subprocess
    import sys
    from pathlib import Path

    script = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
              "from PySide6.QtWidgets import QApplication, QWidget\n"
              "app = QApplication([])\n"
              "from desktop.views.kit.print_preview import add_print_action\n"
              "page = QWidget()\n"
              "add_print_action(page, lambda _l: b'', title=lambda: 't', settings_key='k')\n"
              "print(sorted(m for m in ('PySide6.QtPdf', 'PySide6.QtPrintSupport') if m in sys.modules))\n")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
