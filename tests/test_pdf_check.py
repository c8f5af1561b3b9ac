"""The PDF checker itself: a page drawn by the rules passes, and a page that breaks each rule is caught."""

from __future__ import annotations

import io

import pytest

import pdf_check

TITLE = "检查用标题"


def sample_pdf(*, pagesize=None, body_font=None, body_dx_mm=0.0, body_right_overflow_mm=None, title_dx_mm=0.0,
               number_gap_mm=7.0, even_side="left", number_text=None, skip_number_on=()) -> bytes:
    """Two pages laid out the way gbt9704 lays them out, with one rule bent as asked."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    from desktop.services.documents import fonts, gbt9704 as g

    body = fonts.font(fonts.BODY)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize or A4, initialFontName=body)
    mm = g.mm
    for n in (1, 2):
        if n == 1:
            w = stringWidth(TITLE, fonts.font(fonts.TITLE), g.TITLE_SIZE)
            c.setFont(fonts.font(fonts.TITLE), g.TITLE_SIZE)
            c.drawString(g.X0 + (g.WIDTH - w) / 2 + title_dx_mm * mm, g.Y_TOP - g.TITLE_SIZE, TITLE)
        text = f"正文第{n}页的一行字"
        c.setFont(body_font or body, g.BODY_SIZE)
        if body_right_overflow_mm is not None:
            x = g.X1 + body_right_overflow_mm * mm - stringWidth(text, body_font or body, g.BODY_SIZE)
        else:
            x = g.X0 + body_dx_mm * mm
        c.drawString(x, g.Y_TOP - 3 * g.LINE, text if body_font is None else "body text")
        if n not in skip_number_on:
            label = number_text or g.page_number_text(n)
            w = stringWidth(label, body, g.PAGE_NO_SIZE)
            right = n % 2 == 1 or even_side == "right"
            x = g.X1 - g.PAGE_NO_SIZE - w if right else g.X0 + g.PAGE_NO_SIZE
            c.setFont(body, g.PAGE_NO_SIZE)
            c.drawString(x, g.Y_BOTTOM - number_gap_mm * mm - g.ascent(fonts.BODY) * g.PAGE_NO_SIZE, label)
        c.showPage()
    c.save()
    return buf.getvalue()


def found(**bent) -> list[str]:
    return pdf_check.problems(sample_pdf(**bent), title=TITLE, texts=["正文第1页"])


def test_a_page_laid_out_by_the_rules_passes():
    assert found() == []
    assert pdf_check.check(sample_pdf(), title=TITLE, texts=["正文第2页的一行字"]) == 2


def test_a_page_that_is_not_a4_is_caught():
    from reportlab.lib.pagesizes import letter

    assert any("不是A4" in p for p in found(pagesize=letter))


def test_a_font_not_embedded_is_caught():
    problems = pdf_check.problems(sample_pdf(body_font="Helvetica"), title=TITLE)
    assert any("Helvetica 未嵌入" in p for p in problems)


def test_text_left_of_the_type_area_is_caught_but_not_within_a_millimetre():
    assert any("超出版心" in p for p in found(body_dx_mm=-2.5))
    assert found(body_dx_mm=-0.5) == []


def test_text_past_the_right_edge_of_the_type_area_is_caught():
    assert any("超出版心" in p for p in found(body_right_overflow_mm=2.5))


def test_a_page_number_on_the_wrong_side_is_caught():
    problems = found(even_side="right")
    assert problems and all("第2页（双页）" in p for p in problems)


def test_a_page_number_not_7mm_below_the_type_area_is_caught():
    assert any("上距版心下边缘 10.0 mm" in p for p in found(number_gap_mm=10))


def test_a_page_without_its_number_or_with_another_text_is_caught():
    assert any("第2页：版心下方应有且只有一行页码" in p for p in found(skip_number_on=(2,)))
    assert any("页码应为“— 1 —”" in p for p in found(number_text="第1页"))


def test_a_title_off_centre_is_caught():
    assert any("未居中" in p for p in found(title_dx_mm=3))
    assert any("没有标题" in p for p in pdf_check.problems(sample_pdf(), title="另一个标题"))


def test_text_not_printed_is_caught():
    problems = pdf_check.problems(sample_pdf(), texts=["正文第3页"])
    assert problems == ["文字“正文第3页”未印出"]
