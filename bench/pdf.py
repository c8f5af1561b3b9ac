"""How long a 体检问题清单 of 200 issues with long descriptions takes to print, against a bare reportlab table.

    .venv/bin/python bench/pdf.py [--issues N] [--repeat R]

Prints `pdf: issue_list_200_s=… pages=… bare_s=… ratio=… fonts_s=…`: the document module's render (best of R,
fonts already registered), a bare reportlab LongTable of the same cells in the same fonts on plain A4 in the
same run, their ratio, and the one-off font registration (cached per process). Goal: ≤ 0.5 s, ≤ 1.3 × bare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.services.documents import fonts, gbt9704, issue_list_pdf  # noqa: E402
from desktop.services.documents.issue_list_doc import IssueListDoc, IssueRow  # noqa: E402

AREAS = ("证照资料", "行政审批", "项目规划", "建设许可", "依法经营", "安全生产", "职业卫生", "社会保障", "生态环境",
         "诉讼状态", "依法纳税", "信用")


def sample(n: int) -> IssueListDoc:
    issues = tuple(IssueRow(
        i + 1, AREAS[i % len(AREAS)],
        f"第{i + 1}项：厂区东侧临时搭建的彩钢板房约{120 + i}平方米，未取得建设工程规划许可证；部分厂房违规分租给"
        f"{2 + i % 5}家小微企业用于仓储和加工，消防通道被货物堵塞，危险化学品储存不规范，未设置防泄漏设施"
        f"（现场核查记录编号ZJ-{i:04d}）。",
        "《中华人民共和国城乡规划法》第四十条；《中华人民共和国消防法》第二十八条；《危险化学品安全管理条例》第二十四条",
        "立即停止违规出租，拆除违法建筑，清理消防通道，按规范设置危险化学品专用仓库，并书面报告整改情况。",
        dt.date(2024, 4, 1) + dt.timedelta(days=i % 60)) for i in range(n))
    return IssueListDoc("某某精细化工有限公司", "91330100MA2B0Q3X4L", "某某市某某镇工业园区创业路88号", "市市场监督管理局",
                        dt.date(2024, 3, 5), "张三", "0571-88888888", issues)


def bare(doc: IssueListDoc) -> bytes:
    """The same cells as reportlab Paragraphs (CJK wrapping) in a LongTable on a SimpleDocTemplate: what
    reportlab itself costs for the table."""
    from reportlab.lib.pagesizes import A4
    from xml.sax.saxutils import escape

    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate

    cell, head = gbt9704.cell_styles(gbt9704.TABLE_SIZE)
    data = [[Paragraph(escape(h), head) for h in issue_list_pdf.HEADER]]
    data += [[Paragraph(escape(t), cell) for t in issue_list_pdf._row(r)] for r in doc.issues]
    scale = gbt9704.WIDTH / sum(issue_list_pdf.WIDTHS)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, invariant=1).build(
        [LongTable(data, colWidths=[w * scale for w in issue_list_pdf.WIDTHS], repeatRows=1)])
    return buf.getvalue()


def best(fn, repeat: int) -> tuple[float, bytes]:
    times, out = [], b""
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        info = subprocess.run(["pdfinfo", fh.name], capture_output=True, text=True).stdout
    return next(int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--issues", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    doc = sample(args.issues)
    t = time.perf_counter()
    fonts.faces()
    fonts_s = time.perf_counter() - t
    issue_list_pdf.render_issue_list(doc)  # warm-up: reportlab's own caches, like a second print in the window
    ours_s, pdf = best(lambda: issue_list_pdf.render_issue_list(doc), args.repeat)
    bare_s, _ = best(lambda: bare(doc), args.repeat)
    print(f"pdf: issue_list_{args.issues}_s={ours_s:.3f} pages={pages(pdf)} bare_s={bare_s:.3f} "
          f"ratio={ours_s / bare_s:.2f} fonts_s={fonts_s:.3f} bytes={len(pdf)}")
    for line in fonts.report():
        print(f"  {line}")


if __name__ == "__main__":
    main()
