"""The page template of every printed document: GB/T 9704-2012 (党政机关公文格式) where it applies.

A4; 天头 37 mm, 订口 (left) 28 mm, 版心 156 × 225 mm. Title 2号 (22 pt) 小标宋 centred; body 3号 (16 pt)
仿宋 on a grid of 22 lines × 28 characters; headings 一、 in 黑体, （一） in 楷体; tables in a smaller
readable size (五号 / 小五). Page numbers 4号 (14 pt) “— 1 —”, their top 7 mm below the type area, odd
pages on the right and even pages on the left, one character in from the edge of the type area. The
issuing unit is centred over the date, the date (2024年3月5日) set four characters in from the right,
the seal (image, or room for the hand stamp) squarely over both, the two lines a little below its centre.

Every builder hands `render` a list of flowables; nothing here knows a particular document.
"""

from __future__ import annotations

import io

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, LayoutError, LongTable, PageTemplate, \
    Spacer, TableStyle

from desktop import APP_NAME
from desktop.services.documents import fonts
from desktop.services.errors import Refused

PAGE_W, PAGE_H = A4
LEFT, TOP = 28 * mm, 37 * mm
WIDTH, HEIGHT = 156 * mm, 225 * mm
X0, X1 = LEFT, LEFT + WIDTH
Y_TOP = PAGE_H - TOP
Y_BOTTOM = Y_TOP - HEIGHT  # 35 mm above the paper's lower edge

TITLE_SIZE, BODY_SIZE, PAGE_NO_SIZE = 22, 16, 14  # 2号, 3号, 4号
TABLE_SIZE, SMALL_TABLE_SIZE = 10.5, 9  # 五号, 小五
LINES, CHARS = 22, 28
LINE = HEIGHT / LINES  # line pitch of the body grid
PITCH = WIDTH / CHARS  # character pitch of the body grid (a 16 pt character, very slightly tightened)
PAGE_NO_GAP = 7 * mm
SEAL = 42 * mm  # a 4.2 cm official seal

# A line never starts with closing punctuation, nor ends with opening punctuation (避头尾).
NO_LINE_START = set("，。、；：？！）》」』】〕”’…%·,.;:?!)]}")
NO_LINE_END = set("（《「『【〔“‘([{")


def ascent(role: str) -> float:
    """The font's ascent as a fraction of its size (where a reader puts the top of a glyph box)."""
    return getFont(fonts.font(role)).face.ascent / 1000


_widths: dict[tuple[str, float], dict[str, float]] = {}


def char_width(ch: str, font: str, size: float) -> float:
    """One character's advance, cached per font and size (a 200-issue list measures ~70 000 characters)."""
    table = _widths.setdefault((font, size), {})
    w = table.get(ch)
    if w is None:
        w = table[ch] = stringWidth(ch, font, size)
    return w


def text_width(text: str, role: str, size: float, char_space: float = 0.0) -> float:
    font = fonts.font(role)
    return sum(char_width(ch, font, size) + char_space for ch in text)


def _in_word(ch: str) -> bool:
    """Part of a number or a Latin word (30%, 4,000.00, 0571-88888888), which a line break never cuts."""
    return ch.isascii() and (ch.isalnum() or ch in ".,%-/_")


def _carry(line: list[str], ch: str) -> list[str]:
    """What goes from the end of a full `line` to the next one, which `ch` continues: a character whose
    follower may not start a line, opening punctuation, the start of a number cut in two. Nothing when
    that would leave the line empty or holding only opening punctuation (a lone “（”)."""
    carry: list[str] = []
    if ch in NO_LINE_START:
        carry.append(line[-1])
    nxt = carry[0] if carry else ch
    if _in_word(nxt) and _in_word(line[-1 - len(carry)]):
        i = len(line) - len(carry)
        while i > 0 and _in_word(line[i - 1]):
            i -= 1
        carry = line[i:]
    keep = line[:len(line) - len(carry)]
    while keep and keep[-1] in NO_LINE_END:
        carry.insert(0, keep.pop())
    if not keep or all(c in NO_LINE_END for c in keep):
        return []
    return carry


def break_lines(text: str, role: str, size: float, width: float, char_space: float = 0.0,
                first_indent: float = 0.0) -> list[str]:
    """Break `text` into lines no wider than `width`, character by character (CJK has no spaces), keeping
    closing punctuation off a line's start, opening punctuation off its end and numbers whole by pushing
    characters to the next line (never hanging them past the edge, as reportlab's Paragraph does); a space
    where a line breaks is dropped; newlines are kept."""
    font = fonts.font(role)
    lines: list[str] = []
    for para in text.split("\n"):
        line: list[str] = []
        used, avail = 0.0, width - (first_indent if not lines else 0.0)
        broke = False
        for ch in para:
            w = char_width(ch, font, size) + char_space
            if line and used + w > avail + 0.01:
                broke = True
                carry = _carry(line, ch)
                del line[len(line) - len(carry):]
                lines.append("".join(line).rstrip(" 　"))
                line, avail = carry, width
                used = sum(char_width(c, font, size) + char_space for c in line)
            if broke and not line and ch in " 　":
                continue  # no space at the start of a continued line
            line.append(ch)
            used += w
        lines.append("".join(line))
    return lines


class TextBlock(Flowable):
    """Text broken to the width it is given and drawn line by line: the body on the GB/T 9704 grid, a title,
    a table cell. Lines never pass the width; a block splits between lines at a page end."""

    def __init__(self, text: str, role: str = fonts.BODY, *, size: float = BODY_SIZE, leading: float = LINE,
                 char_space: float = 0.0, indent_chars: int = 0, align: str = "L"):
        super().__init__()
        self.text, self.role, self.size, self.leading = text, role, size, leading
        self.char_space, self.indent_chars, self.align = char_space, indent_chars, align
        self._lines: list[str] = []

    @property
    def _indent(self) -> float:
        return self.indent_chars * (self.size + self.char_space)

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self._lines = break_lines(self.text, self.role, self.size, avail_width, self.char_space, self._indent)
        self.height = len(self._lines) * self.leading
        return self.width, self.height

    def _copy(self, lines: list[str], indent_chars: int) -> TextBlock:
        return TextBlock("\n".join(lines), self.role, size=self.size, leading=self.leading,
                         char_space=self.char_space, indent_chars=indent_chars, align=self.align)

    def split(self, avail_width, avail_height):
        self.wrap(avail_width, avail_height)
        fit = int(avail_height // self.leading)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            return [self]
        return [self._copy(self._lines[:fit], self.indent_chars), self._copy(self._lines[fit:], 0)]

    def draw(self):
        c = self.canv
        name = fonts.font(self.role)
        for i, line in enumerate(self._lines):
            # the glyph box (ascent above, descent below the baseline) centred in the line's pitch
            baseline = self.height - i * self.leading - self.leading / 2 - 0.38 * self.size
            w = text_width(line, self.role, self.size, self.char_space) - self.char_space
            x = {"L": self._indent if i == 0 else 0.0, "C": (self.width - w) / 2, "R": self.width - w}[self.align]
            t = c.beginText(x, baseline)
            t.setFont(name, self.size)
            t.setCharSpace(self.char_space)
            t.textOut(line)
            c.drawText(t)


def GridText(text: str, role: str = fonts.BODY, *, indent_chars: int = 0, align: str = "L") -> TextBlock:
    """Running text on the body grid: 3号 on 28 characters × 22 lines a page."""
    return TextBlock(text, role, size=BODY_SIZE, leading=LINE, char_space=PITCH - BODY_SIZE,
                     indent_chars=indent_chars, align=align)


def title(text: str) -> list[Flowable]:
    """The title (2号 小标宋, centred, broken where needed) and one blank grid line under it."""
    return [TextBlock(text, fonts.TITLE, size=TITLE_SIZE, leading=TITLE_SIZE * 1.5, align="C"), Spacer(1, LINE)]


def body(text: str, *, indent_chars: int = 0) -> TextBlock:
    return GridText(text, fonts.BODY, indent_chars=indent_chars)


KEEP_UNDER_HEADING = 4 * LINE  # a heading starts a new page when less room than this is left under it


def heading1(text: str) -> list[Flowable]:
    """一、 heading in 黑体, indented two characters like the body's paragraphs; never last on a page."""
    return [CondPageBreak(KEEP_UNDER_HEADING), GridText(text, fonts.HEADING1, indent_chars=2)]


def heading2(text: str) -> list[Flowable]:
    """（一） heading in 楷体; never last on a page."""
    return [CondPageBreak(KEEP_UNDER_HEADING), GridText(text, fonts.HEADING2, indent_chars=2)]


def cell(text: str, *, size: float = TABLE_SIZE, role: str = fonts.BODY, align: str = "L") -> TextBlock:
    """A table cell's text (or a small note): wraps inside the width the table gives it."""
    return TextBlock(text, role, size=size, leading=round(size * 1.3, 1), align=align)


def cell_styles(size: float) -> tuple[ParagraphStyle, ParagraphStyle]:
    """(body cell, header cell) reportlab Paragraph styles at `size` (bench/pdf.py's bare table)."""
    leading = round(size * 1.3, 1)
    body_style = ParagraphStyle(f"cell{size}", fontName=fonts.font(fonts.BODY), fontSize=size, leading=leading,
                                wordWrap="CJK")
    head = ParagraphStyle(f"head{size}", parent=body_style, fontName=fonts.font(fonts.HEADING1), alignment=TA_CENTER)
    return body_style, head


def table(header: list[str], rows: list[list[str]], widths: list[float], *, size: float = TABLE_SIZE,
          align: str | None = None, emphasise: tuple[int, ...] = ()) -> LongTable:
    """A ruled table across the type area, its header repeated on every page; long text wraps inside its
    cell. `widths` are relative (scaled to 156 mm); `align` is one letter per column (L, C, R);
    `emphasise` lists data rows printed in 黑体 (a totals row)."""
    scale = WIDTH / sum(widths)
    col_widths = [w * scale for w in widths]
    align = align or "L" * len(header)
    data = [[cell(h, size=size, role=fonts.HEADING1, align="C") for h in header]]
    for n, row in enumerate(rows):
        role = fonts.HEADING1 if n in emphasise else fonts.BODY
        data.append([cell(text, size=size, role=role, align=a) for text, a in zip(row, align)])
    t = LongTable(data, colWidths=col_widths, repeatRows=1)  # rows split between pages, never inside a row
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.font(fonts.BODY)),  # else the table names Helvetica (never embedded)
        ("GRID", (0, 0), (-1, -1), 0.5, "#000000"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t


class WithClosing(Flowable):
    """A table and what closes it (a contact line, the signature block, notes), the closing never alone on a page.

    GB/T 9704-2012 7.3.5 keeps 署名, 成文日期 and 印章 with the body (the seal's top within one line of it), and
    7.3.5.5 lets the lines be tightened when the space left cannot hold them; a table's rows cannot be tightened,
    so when the closing does not fit under the table's end the last row(s) go over to the next page with it (the
    header repeated above them), never the closing by itself."""

    def __init__(self, table: LongTable, closing: list[Flowable], keep_rows: int = 1):
        super().__init__()
        self.table, self.closing, self.keep_rows = table, closing, keep_rows

    def _closing_heights(self, avail_width: float) -> list[float]:
        return [f.wrap(avail_width, 10 * PAGE_H)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in self.closing]

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self._table_h = self.table.wrap(avail_width, avail_height)[1]
        self.height = self._table_h + sum(self._closing_heights(avail_width))
        return self.width, self.height

    def draw(self):
        y = self.height - self._table_h
        self.table.drawOn(self.canv, 0, y)
        for f, h in zip(self.closing, self._closing_heights(self.width)):
            y -= h
            f.drawOn(self.canv, 0, y + f.getSpaceAfter())

    def split(self, avail_width, avail_height):
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return [self]
        parts = self.table.split(avail_width, avail_height)
        if len(parts) == 2:  # the table itself runs on: the closing goes with its rest
            return [parts[0], WithClosing(parts[1], self.closing, self.keep_rows)]
        if not parts:
            return []
        # the whole table fits but not the closing under it: cut before the last rows
        heights = self.table._rowHeights
        header = self.table.repeatRows
        if len(heights) - header <= self.keep_rows:
            return []  # nothing to leave behind: all of it starts the next page
        cut = sum(heights[:-self.keep_rows]) + 0.01
        parts = self.table.split(avail_width, cut)
        if len(parts) != 2:
            return []
        return [parts[0], WithClosing(parts[1], self.closing, self.keep_rows)]


class SignatureBlock(Flowable):
    """发文机关署名 + 成文日期 + 印章: the date four characters in from the right, the unit centred over it,
    the seal (the unit's image, or blank room for the hand stamp) centred on them, the two lines a little
    below the seal's centre."""

    def __init__(self, unit: str, date_text: str, seal_png: bytes | None = None):
        super().__init__()
        self.unit, self.date_text, self.seal_png = unit, date_text, seal_png

    def wrap(self, avail_width, avail_height):
        self.width, self.height = avail_width, SEAL + 2 * mm
        return self.width, self.height

    def positions(self) -> dict[str, float]:
        cs = PITCH - BODY_SIZE
        date_w = text_width(self.date_text, fonts.BODY, BODY_SIZE, cs) - cs
        date_x = self.width - 4 * PITCH - date_w  # 右空四字
        centre = date_x + date_w / 2
        unit_w = text_width(self.unit, fonts.BODY, BODY_SIZE, cs) - cs
        unit_x = min(centre - unit_w / 2, self.width - unit_w)  # centred over the date, never past the edge
        seal_cy = self.height - 1 * mm - SEAL / 2
        return {"date_x": date_x, "unit_x": unit_x, "centre": centre, "seal_cy": seal_cy,
                "unit_mid": seal_cy - 3 * mm, "date_mid": seal_cy - 3 * mm - LINE}

    def draw(self):
        c = self.canv
        p = self.positions()
        if self.seal_png:
            from reportlab.lib.utils import ImageReader

            c.drawImage(ImageReader(io.BytesIO(self.seal_png)), p["centre"] - SEAL / 2, p["seal_cy"] - SEAL / 2,
                        SEAL, SEAL, mask="auto", preserveAspectRatio=True, anchor="c")
        for text, x, mid in ((self.unit, p["unit_x"], p["unit_mid"]), (self.date_text, p["date_x"], p["date_mid"])):
            t = c.beginText(x, mid - 0.38 * BODY_SIZE)
            t.setFont(fonts.font(fonts.BODY), BODY_SIZE)
            t.setCharSpace(PITCH - BODY_SIZE)
            t.textOut(text)
            c.drawText(t)


BLANK_DATE = "　　　　年　　月　　日"  # an undated list: the date is written by hand when it is stamped


def page_number_text(n: int) -> str:
    return f"— {n} —"


def _draw_page_number(canvas, doc) -> None:
    n = canvas.getPageNumber()
    text = page_number_text(n)
    name = fonts.font(fonts.BODY)
    w = stringWidth(text, name, PAGE_NO_SIZE)
    one_char = PAGE_NO_SIZE  # 空一字
    x = X1 - one_char - w if n % 2 else X0 + one_char
    baseline = Y_BOTTOM - PAGE_NO_GAP - ascent(fonts.BODY) * PAGE_NO_SIZE  # its top 7 mm below the type area
    canvas.saveState()
    canvas.setFont(name, PAGE_NO_SIZE)
    canvas.drawString(x, baseline, text)
    canvas.restoreState()


def render(story: list[Flowable], *, doc_title: str, author: str = "") -> bytes:
    """The PDF of `story` on GB/T 9704 pages (fonts embedded as subsets), as bytes."""
    fonts.faces()  # register once per process before the first style is made
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=X0, rightMargin=PAGE_W - X1, topMargin=TOP,
                          bottomMargin=Y_BOTTOM, title=doc_title, author=author, creator=APP_NAME, invariant=1,
                          initialFontName=fonts.font(fonts.BODY))  # no unembedded Helvetica in the pages' preamble
    frame = Frame(X0, Y_BOTTOM, WIDTH, HEIGHT, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                  id="type-area")
    doc.addPageTemplates([PageTemplate("gbt9704", [frame], onPage=_draw_page_number)])
    try:
        doc.build(story)
    except LayoutError:
        raise Refused("有一行内容过长，一页纸排不下，请把该行的文字分成几项后再打印") from None
    return buf.getvalue()
