"""The document module: the 体检问题清单 and the consolidated list on GB/T 9704 pages, the fonts it finds,
and the three ledgers printed from the sample city, each read back with the PDF checker."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pdf_check
import pytest

from desktop.services.documents import fonts, gbt9704, issue_list_pdf, table_docs
from desktop.services.documents.issue_list_doc import ConsolidatedDoc, IssueListDoc, IssueRow

ENTERPRISE, CODE = "某某精细化工有限公司", "91330100MA2B0Q3X4L"
LONG = ("厂区东侧临时搭建的彩钢板房约三百平方米未取得建设工程规划许可证，部分厂房违规分租给多家小微企业用于仓储和加工，"
        "消防通道被货物堵塞，危险化学品储存不规范，未设置防泄漏设施。")


def issues(n: int, *, description: str = LONG) -> tuple[IssueRow, ...]:
    return tuple(IssueRow(i + 1, "安全生产" if i % 2 else "项目规划", f"{description}（第{i + 1}项）",
                          "《中华人民共和国消防法》第二十八条", "立即整改并书面报告整改情况。",
                          dt.date(2024, 4, 1) + dt.timedelta(days=i)) for i in range(n))


def issue_list(n: int = 3, *, unit: str = "市市场监督管理局", issued_on=dt.date(2024, 3, 5), seal=None,
               rows=None) -> IssueListDoc:
    return IssueListDoc(ENTERPRISE, CODE, "某某市某某镇工业园区创业路88号", unit, issued_on, "张三", "0571-88888888",
                        issues(n) if rows is None else rows, seal_image=seal)


def lines(pdf: bytes) -> list[pdf_check.Line]:
    return pdf_check._with_file(pdf, pdf_check.lines_of)


def test_issue_list_of_many_issues_passes_the_checker_with_its_header_on_every_page():
    pdf = issue_list_pdf.render_issue_list(issue_list(40))
    pages = pdf_check.check(pdf, title="体检问题清单", texts=[
        f"企业名称：{ENTERPRISE}", f"统一社会信用代码：{CODE}", "检查单位：市市场监督管理局", f"{LONG}（第40项）",
        "2024年5月10日", "联系人：张三", "联系电话：0571-88888888", "市市场监督管理局2024年3月5日"])
    assert pages >= 4
    for page in range(1, pages + 1):
        top = min((ln for ln in lines(pdf) if ln.page == page and "检查类别" in ln.text.replace(" ", "")),
                  key=lambda ln: ln.y0, default=None)
        assert top is not None, f"第{page}页没有表头"


def test_the_date_is_four_characters_in_from_the_right_and_the_unit_centred_over_it():
    found = lines(issue_list_pdf.render_issue_list(issue_list(2, unit="应急管理局")))
    date = next(ln for ln in found if ln.text == "2024年3月5日")
    unit = next(ln for ln in found if ln.text == "应急管理局" and ln.y0 > date.y0 - 2 * gbt9704.LINE)
    assert abs((pdf_check.X1 - date.x1) - 4 * gbt9704.PITCH) < pdf_check.TOL
    assert abs((unit.x0 + unit.x1) / 2 - (date.x0 + date.x1) / 2) < pdf_check.TOL
    assert unit.y1 <= date.y0  # the unit above the date


def _seal_png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (400, 400), (255, 255, 255, 0))
    ImageDraw.Draw(img).ellipse((10, 10, 390, 390), outline=(220, 0, 0, 255), width=24)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_a_unit_seal_is_drawn_squarely_over_the_unit_and_the_date():
    from PIL import Image

    pdf = issue_list_pdf.render_issue_list(issue_list(1, seal=_seal_png()))
    pdf_check.check(pdf, title="体检问题清单")
    date = next(ln for ln in lines(pdf) if ln.text == "2024年3月5日")
    png = pdf_check._with_file(pdf, lambda path: __import__("subprocess").run(
        ["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", path], capture_output=True, check=True).stdout)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    red = [(x, y) for y in range(0, img.height, 2) for x in range(0, img.width, 2)
           if (lambda p: p[0] > 180 and p[1] < 90 and p[2] < 90)(img.getpixel((x, y)))]
    assert red, "no seal drawn"
    xs, ys = [x for x, _ in red], [y for _, y in red]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    assert abs(cx - (date.x0 + date.x1) / 2) < 2 * pdf_check.MM  # centred on the date
    assert abs((max(xs) - min(xs)) - gbt9704.SEAL * 380 / 400) < 2 * pdf_check.MM  # the image fills the 42 mm
    assert cy < date.y0 < max(ys)  # the date below the seal's centre, inside the seal


def test_an_undated_list_leaves_the_date_to_be_written_by_hand():
    raw = pdf_check._with_file(issue_list_pdf.render_issue_list(issue_list(1, issued_on=None)), pdf_check.raw_text)
    assert "年 月 日" in " ".join(raw.split()) or "年月日" in pdf_check._squash(raw)
    assert "2024年3月5日" not in raw


def test_a_list_without_issues_says_none_were_found():
    pdf = issue_list_pdf.render_issue_list(issue_list(rows=()))
    pdf_check.check(pdf, title="体检问题清单", texts=["未发现问题"])


def test_long_unbroken_text_wraps_inside_its_cell():
    token = "ZJ" + "0123456789" * 30  # a long code with no break opportunity
    pdf = issue_list_pdf.render_issue_list(issue_list(rows=issues(3, description=token)))
    pdf_check.check(pdf, title="体检问题清单")


def test_the_consolidated_list_numbers_issues_across_units_with_a_unit_column():
    doc = ConsolidatedDoc(ENTERPRISE, CODE, "某某市某某镇工业园区创业路88号", "市专治办", dt.date(2024, 3, 18),
                          (issue_list(2), issue_list(3, unit="应急管理局")))
    pdf = issue_list_pdf.render_consolidated(doc)
    pdf_check.check(pdf, title="综合体检问题汇总清单", texts=[
        "检查单位：市市场监督管理局、应急管理局", "共2个成员单位参加体检，发现问题5个", "检查单位", "市专治办2024年3月18日"])
    raw = pdf_check._squash(pdf_check._with_file(pdf, pdf_check.raw_text))  # drawn row by row, cell by cell
    assert "序号检查单位检查类别问题描述" in raw
    assert "2市市场监督管理局安全生产" in raw and "3应急管理局项目规划" in raw and "5应急管理局项目规划" in raw


def test_fonts_are_found_by_file_name_truetype_only_and_a_missing_role_borrows_or_falls_back(tmp_path):
    shipped = fonts.shipped_font()
    (tmp_path / "sub").mkdir()
    shutil.copyfile(shipped, tmp_path / "sub" / "SIMFANG.TTF")  # any case, any depth
    shutil.copyfile(shipped, tmp_path / "simhei.ttf")
    (tmp_path / "simkai.ttf").write_bytes(b"OTTO" + b"\0" * 64)  # CFF outlines under a .ttf name: skipped
    chosen = fonts.choose([tmp_path])
    assert chosen[fonts.BODY] == (tmp_path / "sub" / "SIMFANG.TTF", 0)
    assert chosen[fonts.HEADING1] == (tmp_path / "simhei.ttf", 0)
    assert chosen[fonts.TITLE] == chosen[fonts.HEADING1]  # no 方正小标宋: titles in 黑体
    assert chosen[fonts.HEADING2] == chosen[fonts.BODY]  # no 楷体: the 仿宋
    assert fonts.choose([tmp_path / "sub" / "nothing-here"]) == {r: None for r in fonts.ROLES}
    assert [line.split("：")[0] for line in fonts.report()] == list(fonts.ROLES)


@pytest.mark.parametrize("kind", ["task", "verification", "quota"])
def test_the_ledgers_print_inside_the_type_area_and_each_print_is_logged(demo_db, kind):
    from sqlalchemy import select

    from desktop.models import AuditLog

    if kind == "task":
        pdf, title = table_docs.task_table_pdf(demo_db, 2024), "2024年度全市“危污乱散低”专项治理任务分解表"
        texts = ["合计", "已启动园区（个）"]
    elif kind == "verification":
        pdf, title = table_docs.verification_pdf(demo_db, 2024, 6), "2024年6月“危污乱散低”整治核实情况表"
        texts = ["合计", "核实状态"]
    else:
        pdf, title = table_docs.quota_ledger_pdf(demo_db, dt.date(2026, 3, 1)), "周转指标库台账"
        texts = ["一、预借明细", "（一）按合作国企", "（二）按镇街", "截至2026年3月1日"]
    pdf_check.check(pdf, title=title, texts=texts)
    with demo_db.reader() as s:
        last = s.execute(select(AuditLog.action, AuditLog.object_type, AuditLog.object_label)
                         .order_by(AuditLog.id.desc()).limit(1)).one()
    logged = {"verification": "2024年6月整治核实情况表"}.get(kind, title)
    assert tuple(last) == ("print", "file", logged)


def _closing(doc: IssueListDoc) -> tuple[str, ...]:
    return (f"联系人：{doc.contact_name}　　联系电话：{doc.contact_phone}", doc.unit, "2024年3月5日")


def _rows_on(pdf: bytes, page: int) -> int:
    """Table rows on a page, counted by the first line of their 整改要求 cell."""
    return sum(ln.text.startswith("立即整改") for ln in lines(pdf) if ln.page == page)


def test_the_seal_block_never_stands_alone_on_a_page_whatever_the_length_of_the_list():
    # GB/T 9704 7.3.5: 署名, 日期 and 印章 stay with the body; 1 to 14 long issues end the table all over a page
    last_rows = {}
    for n in range(1, 15):
        doc = issue_list(n)
        pdf = issue_list_pdf.render_issue_list(doc)
        pages = pdf_check.check(pdf, title="体检问题清单", closing=_closing(doc), texts=[f"{LONG}（第{n}项）"])
        last_rows[n] = (pages, _rows_on(pdf, pages))
        assert last_rows[n][1] >= 1, f"{n} 项：末页没有表格的行"
    # some lengths needed a row carried over with the closing (their last page holds that one row only)
    assert any(pages > 1 and rows == 1 for pages, rows in last_rows.values()), last_rows


def test_the_checker_catches_a_page_holding_only_the_closing():
    from reportlab.platypus import PageBreak

    doc = issue_list(1)
    *story, closing = issue_list_pdf.story_issue_list(doc)
    pdf = gbt9704.render([*story, closing.table, PageBreak(), *closing.closing], doc_title="t")
    found = pdf_check.problems(pdf, closing=_closing(doc))
    assert len(found) == 1 and found[0].startswith("第2页只有落款（联系人：张三"), found
    assert pdf_check.problems(issue_list_pdf.render_issue_list(doc), closing=_closing(doc)) == []


def test_the_consolidated_lists_closing_keeps_the_last_rows_with_it():
    for n in range(1, 13):
        doc = ConsolidatedDoc(ENTERPRISE, CODE, "某某市某某镇工业园区创业路88号", "市专治办", dt.date(2024, 3, 5),
                              (issue_list(n), issue_list(1, unit="应急管理局")))
        pdf = issue_list_pdf.render_consolidated(doc)
        pages = pdf_check.check(pdf, title="综合体检问题汇总清单", closing=(
            "各检查单位联系人：市市场监督管理局 张三 0571-88888888；应急管理局 张三 0571-88888888", "市专治办",
            "2024年3月5日"))
        assert any("立即整改" in ln.text for ln in lines(pdf) if ln.page == pages), f"{n} 项：末页没有表格的行"


def _broken(text: str, chars: float) -> list[str]:
    return gbt9704.break_lines(text, fonts.BODY, 10, chars * 10)


def test_a_line_break_never_cuts_a_number_nor_leaves_an_opening_bracket_alone():
    # the 任务分解表's note broke “30%” into “3” / “0%”
    assert _broken("连片面积占比不低于 30%。数据截至", 10.2) == ["连片面积占比不低于", "30%。数据截至"]
    assert any("4,000.00" in line for line in _broken("合计面积 4,000.00 亩", 5))
    assert _broken("已归还（亩）", 2) == ["已归", "还", "（亩", "）"]  # never “（” by itself on a line
    assert _broken("镇（区、街道）", 2)[1:3] == ["（区", "、街"]
    token = "ZJ" + "0123456789" * 3  # longer than a line: cut where it must
    assert "".join(_broken(token, 10)) == token and len(_broken(token, 10)) > 1


def test_a_space_where_a_line_breaks_is_dropped():
    assert _broken("一二三四五六七八　制表日期", 8.5) == ["一二三四五六七八", "制表日期"]
